package slack_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
)

// acks records Socket Mode acknowledgements.
type acks chan any

func (a acks) ack(payload any) error {
	a <- payload
	return nil
}

func (a acks) next(t *testing.T) any {
	t.Helper()
	select {
	case p := <-a:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no ack within 10s")
		return nil
	}
}

func newSocketHarness(t *testing.T, configure ...option) *harness {
	return newHarness(t, append([]option{func(c *slackadapter.Config, _ *fakeSlack) {
		c.SocketMode = true
		c.SigningSecret = ""
	}}, configure...)...)
}

func envelope(id string) *socketmode.Request { return &socketmode.Request{EnvelopeID: id} }

func TestSocketSlashCommandAnswersInTheAck(t *testing.T) {
	h := newSocketHarness(t)
	if routes := h.adapter.Routes(); routes != nil {
		t.Errorf("Socket Mode serves HTTP routes: %v", routes)
	}
	got := make(acks, 1)
	h.adapter.SocketEvent(socketmode.Event{
		Type:    socketmode.EventTypeSlashCommand,
		Data:    slackgo.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "DU1", ChannelName: "directmessage", Command: "/pain", Text: "7 back", ResponseURL: h.fake.ResponseURL("s1")},
		Request: envelope("e1"),
	}, got.ack)
	m, ok := got.next(t).(*slackgo.WebhookMessage)
	if !ok {
		t.Fatal("ack carries no message")
	}
	if m.ResponseType != slackgo.ResponseTypeEphemeral || !strings.Contains(m.Text, "Logged 7/10") {
		t.Errorf("ack payload = %q %q", m.ResponseType, m.Text)
	}
	h.drain()
	if n := len(h.checkIns("U1")); n != 1 {
		t.Errorf("%d check-ins, want 1", n)
	}
	if req := h.handler.Requests()[0]; !req.IsDM {
		t.Errorf("request from a DM has IsDM false: %+v", req)
	}
}

func TestSocketSlowSlashCommandAcksEmptyThenFollowsUp(t *testing.T) {
	h := newSocketHarness(t, func(c *slackadapter.Config, _ *fakeSlack) { c.AckDeadline = time.Nanosecond })
	h.handler.hold = make(chan struct{})
	h.handler.entered = make(chan struct{}, 1)
	got := make(acks, 1)
	h.adapter.SocketEvent(socketmode.Event{
		Type:    socketmode.EventTypeSlashCommand,
		Data:    slackgo.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "C1", Command: "/pain", Text: "2", ResponseURL: h.fake.ResponseURL("s2")},
		Request: envelope("e2"),
	}, got.ack)
	if p := got.next(t); p != nil {
		t.Fatalf("ack payload = %v, want an empty ack", p)
	}
	<-h.handler.entered
	close(h.handler.hold)
	if m := h.nextResponse(); !strings.Contains(m.Text, "Logged 2/10") {
		t.Errorf("follow-up = %q", m.Text)
	}
}

func TestSocketInteractionAcksBeforeWork(t *testing.T) {
	h := newSocketHarness(t)
	h.handler.hold = make(chan struct{})
	h.handler.entered = make(chan struct{}, 1)
	var ic slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(clickPayload("U2", "cmd:coach history", h.fake.ResponseURL("s3"))), &ic); err != nil {
		t.Fatal(err)
	}
	got := make(acks, 1)
	h.adapter.SocketEvent(socketmode.Event{Type: socketmode.EventTypeInteractive, Data: ic, Request: envelope("e3")}, got.ack)
	// The ack is sent before SocketEvent returns, while the handler is
	// still held.
	select {
	case p := <-got:
		if p != nil {
			t.Errorf("ack payload = %v, want empty", p)
		}
	default:
		t.Fatal("interaction was not acknowledged before the work")
	}
	<-h.handler.entered
	close(h.handler.hold)
	if m := h.nextResponse(); m.ResponseType != slackgo.ResponseTypeEphemeral {
		t.Errorf("follow-up response_type = %q", m.ResponseType)
	}
	if req := h.handler.Requests()[0]; req.User != "U2" || req.Text != "coach history" {
		t.Errorf("request = %+v", req)
	}
}

func TestSocketEventsAreDeduplicated(t *testing.T) {
	h := newSocketHarness(t)
	ev, err := slackevents.ParseEvent(json.RawMessage(homeOpened("Ev7", "U1", "")), slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatal(err)
	}
	got := make(acks, 2)
	for i := range 2 {
		h.adapter.SocketEvent(socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev, Request: &socketmode.Request{EnvelopeID: "e4", RetryAttempt: i}}, got.ack)
	}
	if len(got) != 2 {
		t.Fatalf("%d acks, want one per envelope", len(got))
	}
	h.drain()
	if n := len(h.fake.Calls("views.publish")); n != 1 {
		t.Errorf("views.publish called %d times, want 1", n)
	}
}

func TestSocketConnectionStateIsReadiness(t *testing.T) {
	h := newSocketHarness(t)
	steps := []struct {
		event socketmode.EventType
		ready bool
	}{
		{socketmode.EventTypeConnecting, false},
		{socketmode.EventTypeConnected, true},
		{socketmode.EventTypeHello, true},
		{socketmode.EventTypeDisconnect, false},
		{socketmode.EventTypeConnected, true},
		{socketmode.EventTypeConnectionError, false},
	}
	for _, s := range steps {
		h.adapter.SocketEvent(socketmode.Event{Type: s.event}, nil)
		if got := h.adapter.Ready(); got != s.ready {
			t.Fatalf("after %s Ready() = %v, want %v", s.event, got, s.ready)
		}
	}
}

func TestSocketMalformedEnvelopesAreStillAcknowledged(t *testing.T) {
	h := newSocketHarness(t)
	got := make(acks, 3)
	h.adapter.SocketEvent(socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: "junk", Request: envelope("e5")}, got.ack)
	h.adapter.SocketEvent(socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: slackgo.SlashCommand{Command: "/pain"}, Request: envelope("e6")}, got.ack)
	h.adapter.SocketEvent(socketmode.Event{Type: socketmode.EventType("unknown"), Request: envelope("e7")}, got.ack)
	if len(got) != 3 {
		t.Fatalf("%d acks, want 3", len(got))
	}
	h.drain()
	if n := len(h.handler.Requests()); n != 0 {
		t.Errorf("malformed envelopes ran %d commands", n)
	}
}
