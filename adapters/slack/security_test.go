package slack_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
)

// busyStore holds every SeenEvent (the shared replay record, an event id)
// until released, like a database whose write lock another process holds,
// and then answers with fail when set. It ignores ctx, as a driver stuck
// in a busy wait may.
type busyStore struct {
	slackadapter.Store
	entered chan string
	release chan struct{}
	fail    error
}

func newBusyStore(next slackadapter.Store) *busyStore {
	return &busyStore{Store: next, entered: make(chan string, 10), release: make(chan struct{})}
}

func (s *busyStore) SeenEvent(ctx context.Context, id string, now time.Time) (bool, error) {
	s.entered <- id
	<-s.release
	if s.fail != nil {
		return false, s.fail
	}
	return s.Store.SeenEvent(ctx, id, now)
}

// busy returns an option that puts a busyStore in front of the harness's
// store, with the given deadlines.
func busy(store **busyStore, ack, check time.Duration) option {
	return func(c *slackadapter.Config, _ *fakeSlack) {
		*store = newBusyStore(c.Store)
		c.Store = *store
		c.SharedReplay = true
		c.AckDeadline = ack
		c.CheckWait = check
	}
}

// deadlines are the two ways the acknowledgement must not wait for a busy
// store: the deadline runs from arrival, and the check has its own limit.
var deadlines = []struct {
	name       string
	ack, check time.Duration
}{
	{"the deadline includes the check", time.Nanosecond, time.Hour},
	{"the check has its own limit", time.Hour, time.Nanosecond},
}

// TestBusyStoreDefersCommand: while the shared replay record waits on the
// database, Slack gets its empty acknowledgement in time, and the answer
// follows through response_url once the database is free.
func TestBusyStoreDefersCommand(t *testing.T) {
	for _, tt := range deadlines {
		t.Run(tt.name, func(t *testing.T) {
			var store *busyStore
			h := newHarness(t, busy(&store, tt.ack, tt.check))
			w := h.command("U1", "/pain", "5 knee")
			if w.Code != http.StatusOK || w.Body.Len() != 0 {
				t.Fatalf("ack = %d %q, want an empty 200 while the database is busy", w.Code, w.Body.String())
			}
			if id := <-store.entered; !strings.HasPrefix(id, "slack-sig:") {
				t.Fatalf("store checked %q first", id)
			}
			close(store.release)
			if m := h.nextResponse(); !strings.Contains(m.Text, "Logged 5/10") {
				t.Errorf("follow-up = %q", m.Text)
			}
			if n := len(h.checkIns("U1")); n != 1 {
				t.Errorf("%d check-ins, want 1", n)
			}
		})
	}
}

// TestBusyStoreDefersClickAndEvent: button clicks and events are
// acknowledged in time too, and run once the database answers.
func TestBusyStoreDefersClickAndEvent(t *testing.T) {
	for _, tt := range deadlines {
		t.Run(tt.name, func(t *testing.T) {
			var store *busyStore
			h := newHarness(t, busy(&store, tt.ack, tt.check))
			click := "payload=" + url.QueryEscape(clickPayload("U1", "cmd:pain 4", h.fake.ResponseURL("click")))
			if w := h.serve(signedRequest("/slack/interactions", "application/x-www-form-urlencoded", click)); w.Code != http.StatusOK || w.Body.Len() != 0 {
				t.Fatalf("click ack = %d %q, want an empty 200", w.Code, w.Body.String())
			}
			if w := h.serve(signedRequest("/slack/events", "application/json", messageEvent("EvB1", ""))); w.Code != http.StatusOK {
				t.Fatalf("event ack = %d", w.Code)
			}
			<-store.entered
			<-store.entered
			close(store.release)
			h.drain()
			if n := len(h.checkIns("U1")); n != 2 {
				t.Errorf("%d check-ins, want the click's and the DM's", n)
			}
			if n := len(h.fake.Calls("chat.postMessage")); n != 1 {
				t.Errorf("DM answered %d times, want once", n)
			}
		})
	}
}

// TestBusyStoreDropsLateReplay: a replay of a request another instance
// handled, arriving while the database is busy, is acknowledged and then
// neither run nor answered.
func TestBusyStoreDropsLateReplay(t *testing.T) {
	var store *busyStore
	h := newHarness(t, busy(&store, time.Hour, time.Nanosecond))
	req := signedRequest("/slack/commands", "application/x-www-form-urlencoded", commandForm("U1", "/pain", "5", h.fake.ResponseURL("cmd")))
	// Recorded by another instance sharing the store.
	if _, err := h.db.SeenEvent(context.Background(), "slack-sig:"+req.Header.Get("X-Slack-Signature"), h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if w := h.serve(req); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("ack = %d %q, want an empty 200", w.Code, w.Body.String())
	}
	<-store.entered
	close(store.release)
	h.drain()
	if n := len(h.handler.Requests()); n != 0 {
		t.Errorf("handler ran %d times for a replay", n)
	}
	if calls := h.fake.Calls(); len(calls) != 0 {
		t.Errorf("a replay called Slack: %+v", calls)
	}
}

// TestBusyStoreLateFailureSaysSo: when the shared record fails after
// Slack was acknowledged, the command is not run unchecked, and the user
// hears that nothing was saved.
func TestBusyStoreLateFailureSaysSo(t *testing.T) {
	var store *busyStore
	h := newHarness(t, busy(&store, time.Hour, time.Nanosecond))
	store.fail = errors.New("database is locked")
	if w := h.command("U1", "/pain", "5"); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("ack = %d %q, want an empty 200", w.Code, w.Body.String())
	}
	<-store.entered
	close(store.release)
	if m := h.nextResponse(); !strings.Contains(m.Text, "nothing was saved") {
		t.Errorf("follow-up = %q, want the busy answer", m.Text)
	}
	h.drain()
	if n := len(h.handler.Requests()); n != 0 {
		t.Errorf("handler ran %d times unchecked", n)
	}
}

// syncBuffer is a bytes.Buffer safe for the adapter's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsCarryNoSecrets: when posting to a response_url fails, the
// warning names Slack's endpoint but not the URL, whose path is a
// credential; no log line at any level carries the signing secret or the
// bot token either.
func TestLogsCarryNoSecrets(t *testing.T) {
	const token = "ZxSeCrEtReSpOnSeToKeN"
	// A closed port: the post fails in the transport, whose error quotes
	// the URL in full.
	responseURL := "http://127.0.0.1:1/commands/T1/1234/" + token
	var logs syncBuffer
	h := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.TrustResponseURL = func(*url.URL) bool { return true }
		c.AckDeadline = time.Nanosecond
	})
	click := "payload=" + url.QueryEscape(clickPayload("U1", "cmd:pain 4", responseURL))
	h.serve(signedRequest("/slack/interactions", "application/x-www-form-urlencoded", click))
	h.serve(signedRequest("/slack/commands", "application/x-www-form-urlencoded", commandForm("U1", "/coach", "history", responseURL)))
	h.drain()

	out := logs.String()
	if n := strings.Count(out, "response_url post failed"); n != 2 {
		t.Errorf("%d failed posts logged, want 2 (the click and the late command):\n%s", n, out)
	}
	if !strings.Contains(out, "http://127.0.0.1:1/commands/...") {
		t.Errorf("logs do not name the endpoint:\n%s", out)
	}
	for _, secret := range []string{token, "/commands/T1/1234", testSecret, "xoxb-test"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q:\n%s", secret, out)
		}
	}
}
