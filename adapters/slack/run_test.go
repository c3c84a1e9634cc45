package slack_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	slackgo "github.com/slack-go/slack"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// readySignal is a slog handler that reports the adapter's "slack ready"
// log line, so tests wait for readiness without polling.
type readySignal struct{ ready chan string }

func (s readySignal) Enabled(context.Context, slog.Level) bool { return true }
func (s readySignal) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s readySignal) WithGroup(string) slog.Handler            { return s }
func (s readySignal) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "slack ready" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "mode" {
				s.ready <- a.Value.String()
			}
			return true
		})
	}
	return nil
}

func TestRunHTTPModeBecomesReadyAndStops(t *testing.T) {
	signal := readySignal{ready: make(chan string, 1)}
	h := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) { c.Logger = slog.New(signal) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.adapter.Run(ctx) }()

	if mode := bottest.Within(t, signal.ready, "readiness"); mode != "http" || !h.adapter.Ready() {
		t.Fatalf("ready in mode %q, Ready() = %v", mode, h.adapter.Ready())
	}
	if n := len(h.fake.Calls("auth.test")); n != 1 {
		t.Errorf("auth.test called %d times, want 1", n)
	}
	cancel()
	if err := bottest.Within(t, done, "Run to return"); err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
}

func TestRunFailsOnARefusedToken(t *testing.T) {
	h := newHarness(t)
	h.fake.fail("auth.test", "invalid_auth")
	err := h.adapter.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") {
		t.Fatalf("Run = %v, want an error naming SLACK_BOT_TOKEN", err)
	}
	if h.adapter.Ready() {
		t.Error("Ready() after a refused token")
	}
}

// TestRunSocketMode drives a whole Socket Mode session against a fake
// websocket: hello, a slash command envelope, and its ack with the answer.
func TestRunSocketMode(t *testing.T) {
	signal := readySignal{ready: make(chan string, 1)}
	acked := make(chan map[string]any, 1)
	h := newHarness(t, func(c *slackadapter.Config, f *fakeSlack) {
		c.Logger = slog.New(signal)
		c.SocketMode = true
		c.SigningSecret = ""
		c.Client = slackgo.New("xoxb-test", slackgo.OptionAPIURL(f.URL()), slackgo.OptionAppLevelToken("xapp-test"))
		f.socket = func(conn *websocket.Conn) {
			payload, _ := json.Marshal(map[string]any{
				"team_id": "T1", "user_id": "U1", "channel_id": "C1", "channel_name": "general",
				"command": "/pain", "text": "3 neck", "response_url": f.ResponseURL("ws"),
			})
			conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
			conn.WriteJSON(map[string]any{"type": "slash_commands", "envelope_id": "env-1", "payload": json.RawMessage(payload), "accepts_response_payload": true})
			for {
				var msg map[string]any
				if err := conn.ReadJSON(&msg); err != nil {
					return // the client went away
				}
				if msg["envelope_id"] == "env-1" {
					acked <- msg
				}
			}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.adapter.Run(ctx) }()

	if mode := bottest.Within(t, signal.ready, "readiness"); mode != "socket" {
		t.Fatalf("ready in mode %q", mode)
	}
	ack := bottest.Within(t, acked, "ack")
	payload, _ := json.Marshal(ack["payload"])
	if !strings.Contains(string(payload), `"response_type":"ephemeral"`) || !strings.Contains(string(payload), "Logged 3/10") {
		t.Errorf("ack payload = %s", payload)
	}
	cancel()
	if err := bottest.Within(t, done, "Run to return"); err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
	if h.adapter.Ready() {
		t.Error("Ready() after Run returned")
	}
	if n := len(h.checkIns("U1")); n != 1 {
		t.Errorf("%d check-ins, want 1", n)
	}
}
