package discord_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// dmInteraction is an interaction sent from user u's DM channel with the
// bot: no guild, no member, the user at the top level. Data is a slash
// command's or a button's.
func dmInteraction(id, channel, u string, typ int, data any, ephemeral bool) []byte {
	in := interaction{ID: id, AppID: "app1", Type: typ, Token: "tok-" + id, Channel: channel,
		User: &user{ID: u, Username: "user" + u}, Data: data}
	if typ == 3 {
		flags := 0
		if ephemeral {
			flags = 64
		}
		in.Message = map[string]any{"id": "m1", "channel_id": channel, "flags": flags}
	}
	return mustJSON(in)
}

func dmClick(id, channel, u, customID string, ephemeral bool) []byte {
	return dmInteraction(id, channel, u, 3, map[string]any{"custom_id": customID, "component_type": 2}, ephemeral)
}

func dmSlash(id, channel, u, name string, opts ...option) []byte {
	return dmInteraction(id, channel, u, 2, map[string]any{"id": "c1", "name": name, "type": 1, "options": opts}, false)
}

// spy counts the requests on their way to the next Handler.
type spy struct {
	next discord.Handler

	mu   sync.Mutex
	reqs []bot.Request
}

func (s *spy) Handle(ctx context.Context, req bot.Request) bot.Reply {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	return s.next.Handle(ctx, req)
}

func (s *spy) Requests() []bot.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.Request(nil), s.reqs...)
}

var (
	serverMember = bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: "u1"}
	dmMember     = bot.MemberKey{Platform: bot.Discord, Workspace: discord.DMWorkspace, User: "u1"}
)

// nudged makes u1 a member of g1 whose nudges go to DM channel "dmc1", as
// the Sender leaves things after the first nudge.
func nudged(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := db.EnsureMember(ctx, bot.Member{Key: serverMember, TZ: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetDMChannel(ctx, serverMember, "dmc1"); err != nil {
		t.Fatal(err)
	}
}

// noMember fails the test if key exists or owns any row.
func noMember(t *testing.T, db *sqlite.DB, key bot.MemberKey) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Member(ctx, key); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("member %s exists (err %v), want none", key, err)
	}
	if n, err := db.RowsOf(ctx, key); err != nil || n != 0 {
		t.Errorf("%s owns %d rows (err %v), want none", key, n, err)
	}
}

// TestDMClickActsForServerMember: buttons on a nudge in a DM act for the
// server member the nudge was for, not for a separate "dm" member.
func TestDMClickActsForServerMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("pain", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		nudged(t, e.db)
		status, body := e.post(dmClick("3000", "dmc1", "u1", "rc:pain 9", false))
		if r := decodeResponse(t, body); status != http.StatusOK || r.Type != 4 || r.Data.Flags != 64 || !strings.Contains(string(body), "Logged **9/10**") {
			t.Fatalf("click -> %d %s, want a private check-in answer", status, body)
		}
		if got, err := e.db.CheckIns(ctx, serverMember, time.Time{}); err != nil || len(got) != 1 || got[0].Score != 9 {
			t.Errorf("server member's check-ins = %+v, %v; want the 9", got, err)
		}
		noMember(t, e.db, dmMember)
	})
	t.Run("snooze", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		nudged(t, e.db)
		if status, body := e.post(dmClick("3001", "dmc1", "u1", "rc:coach snooze 1h", false)); status != http.StatusOK {
			t.Fatalf("click -> %d %s", status, body)
		}
		m, err := e.db.Member(ctx, serverMember)
		if err != nil || !m.SnoozedUntil.After(e.clock.Now()) {
			t.Errorf("server member snoozed until %v (err %v), want an hour from now", m.SnoozedUntil, err)
		}
		noMember(t, e.db, dmMember)
	})
	t.Run("slash command in the DM", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		nudged(t, e.db)
		if status, body := e.post(dmSlash("3002", "dmc1", "u1", "pain", num("score", 3))); status != http.StatusOK {
			t.Fatalf("slash -> %d %s", status, body)
		}
		if got, _ := e.db.CheckIns(ctx, serverMember, time.Time{}); len(got) != 1 {
			t.Errorf("server member has %d check-ins, want 1", len(got))
		}
		noMember(t, e.db, dmMember)
	})
	t.Run("someone else's DM record", func(t *testing.T) {
		// A record tying the channel to another user can only be stale:
		// the click must not act for that user.
		e := newEnv(t, envOptions{})
		nudged(t, e.db)
		status, body := e.post(dmClick("3003", "dmc1", "u2", "rc:pain 9", false))
		if r := decodeResponse(t, body); status != http.StatusOK || !strings.Contains(r.Data.Content, "Please open this from the server") {
			t.Fatalf("click -> %d %s, want the polite refusal", status, body)
		}
		if got, _ := e.db.CheckIns(ctx, serverMember, time.Time{}); len(got) != 0 {
			t.Errorf("u2's click logged %d check-ins for u1", len(got))
		}
	})
}

// TestDMClickWithoutOwnerIsRefused: a button clicked in a DM that belongs
// to no member gets a polite private answer and writes nothing at all.
func TestDMClickWithoutOwnerIsRefused(t *testing.T) {
	t.Parallel()
	for _, ephemeral := range []bool{false, true} {
		name := map[bool]string{false: "on a nudge", true: "on a private message"}[ephemeral]
		t.Run(name, func(t *testing.T) {
			coach, db, clock := bottest.NewCoach(t, nil)
			s := &spy{next: coach}
			e := newEnv(t, envOptions{handler: s, store: func(*sqlite.DB) discord.Store { return db }})
			status, body := e.post(dmClick("3100", "dmc9", "u1", "rc:pain 9", ephemeral))
			r := decodeResponse(t, body)
			// Type 4, not 7: the refusal must not replace the message.
			if status != http.StatusOK || r.Type != 4 || r.Data.Flags != 64 || r.Data.Content != "Please open this from the server where you use Recovery Coach." {
				t.Fatalf("click -> %d %s, want the polite private refusal", status, body)
			}
			if n := len(s.Requests()); n != 0 {
				t.Errorf("the Coach ran %d times", n)
			}
			noMember(t, db, dmMember)
			noMember(t, db, serverMember)
			// Last, since asking records it: not even the id was written.
			if seen, err := db.SeenEvent(context.Background(), "discord:3100", clock.Now()); err != nil || seen {
				t.Errorf("interaction id recorded (seen=%v, err=%v)", seen, err)
			}
		})
	}
}

// TestDMPersonalUse: in a DM nobody is nudged in, a slash command is
// personal use (as a typed DM is), and buttons on its answers then act for
// that same personal member.
func TestDMPersonalUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, envOptions{})
	if status, body := e.post(dmSlash("3200", "dmc5", "u1", "pain", num("score", 2))); status != http.StatusOK {
		t.Fatalf("slash -> %d %s", status, body)
	}
	status, body := e.post(dmClick("3201", "dmc5", "u1", "rc:pain 4", false))
	if r := decodeResponse(t, body); status != http.StatusOK || !strings.Contains(r.Data.Content, "4/10") {
		t.Fatalf("click -> %d %s, want a check-in answer", status, body)
	}
	if got, err := e.db.CheckIns(ctx, dmMember, time.Time{}); err != nil || len(got) != 2 {
		t.Errorf("personal check-ins = %+v, %v; want 2", got, err)
	}
}

// brokenLookup is a store whose DM owner lookup fails.
type brokenLookup struct{ discord.Store }

func (brokenLookup) MemberByDMChannel(context.Context, bot.Platform, string) (bot.MemberKey, bool, error) {
	return bot.MemberKey{}, false, errors.New("database is down")
}

// TestDMLookupFailureRunsNothing: when the owner of a DM cannot be looked
// up, nothing runs, rather than filing the answer under a guessed member.
func TestDMLookupFailureRunsNothing(t *testing.T) {
	t.Parallel()
	coach, db, _ := bottest.NewCoach(t, nil)
	s := &spy{next: coach}
	e := newEnv(t, envOptions{handler: s, store: func(*sqlite.DB) discord.Store { return brokenLookup{db} }})
	for _, body := range [][]byte{dmClick("3300", "dmc1", "u1", "rc:pain 9", false), dmSlash("3301", "dmc1", "u1", "pain", num("score", 9))} {
		status, resp := e.post(body)
		if r := decodeResponse(t, resp); status != http.StatusOK || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, "try again") {
			t.Errorf("-> %d %s, want a private try-again answer", status, resp)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("the Coach ran %d times", n)
	}
	noMember(t, db, dmMember)
}

// TestGatewayDMClick: over the gateway too, a DM click acts for the server
// member, and one without an owner is refused without a trace.
func TestGatewayDMClick(t *testing.T) {
	t.Parallel()
	coach, db, clock := bottest.NewCoach(t, nil)
	nudged(t, db)
	a, fake, gw, connects := gatewayEnvConfig(t, discord.Config{Handler: coach, Store: db, Clock: clock, DedupeWait: time.Hour})
	stop := connect(t, a, gw, connects)

	gw.send(2, "INTERACTION_CREATE", dmClick("3400", "dmc1", "u1", "rc:pain 9", false))
	c := nextCall(t, fake)
	if r := decodeResponse(t, c.JSON); c.Path != "/interactions/3400/tok-3400/callback" || r.Type != 4 || !strings.Contains(string(c.JSON), "Logged **9/10**") {
		t.Fatalf("call = %s %s, want the check-in answer", c.Path, c.JSON)
	}
	gw.send(3, "INTERACTION_CREATE", dmClick("3401", "dmc7", "u7", "rc:coach snooze 1h", false))
	c = nextCall(t, fake)
	if r := decodeResponse(t, c.JSON); c.Path != "/interactions/3401/tok-3401/callback" || r.Type != 4 || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, "Please open this from the server") {
		t.Fatalf("call = %s %s, want the polite refusal", c.Path, c.JSON)
	}
	stop()
	if got, _ := db.CheckIns(context.Background(), serverMember, time.Time{}); len(got) != 1 {
		t.Errorf("server member has %d check-ins, want 1", len(got))
	}
	noMember(t, db, dmMember)
	noMember(t, db, bot.MemberKey{Platform: bot.Discord, Workspace: discord.DMWorkspace, User: "u7"})
}

// busyStore holds every interaction-id record until released, like a
// database whose write lock another process holds. It ignores ctx, as a
// driver stuck in a busy wait may.
type busyStore struct {
	discord.Store
	entered chan string
	release chan struct{}
}

func newBusyStore(next discord.Store) *busyStore {
	return &busyStore{Store: next, entered: make(chan string, 10), release: make(chan struct{})}
}

func (s *busyStore) SeenEvent(ctx context.Context, id string, now time.Time) (bool, error) {
	s.entered <- id
	<-s.release
	return s.Store.SeenEvent(ctx, id, now)
}

// TestBusyStoreDefers: while the interaction-id record waits on the
// database, the interaction is deferred in time, whether the ack deadline
// (which runs from arrival) or the dedupe's own limit runs out first; the
// answer is edited in once the database is free.
func TestBusyStoreDefers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		ack, dedupeWaits time.Duration
	}{
		{"the deadline includes the dedupe", time.Nanosecond, time.Hour},
		{"the dedupe has its own limit", time.Hour, time.Nanosecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var busy *busyStore
			e := newEnv(t, envOptions{ackDeadline: tt.ack, dedupeWait: tt.dedupeWaits, store: func(db *sqlite.DB) discord.Store {
				busy = newBusyStore(db)
				return busy
			}})
			status, body := e.post(slash("3500", "g1", "u1", "pain", num("score", 6)))
			if r := decodeResponse(t, body); status != http.StatusOK || r.Type != 5 || r.Data.Flags != 64 {
				t.Fatalf("-> %d %s, want a private deferral while the database is busy", status, body)
			}
			if id := <-busy.entered; id != "discord:3500" {
				t.Fatalf("store checked %q", id)
			}
			close(busy.release)
			c := e.fake.next(t)
			if c.Method != http.MethodPatch || c.Path != "/webhooks/app1/tok-3500/messages/@original" || !strings.Contains(string(c.JSON), "Logged **6/10**") {
				t.Fatalf("late call = %s %s %s, want the answer edited in", c.Method, c.Path, c.JSON)
			}
		})
	}
}

// TestBusyStoreGatewayDefers: over the gateway the deferral is sent while
// the database is still busy.
func TestBusyStoreGatewayDefers(t *testing.T) {
	t.Parallel()
	coach, db, clock := bottest.NewCoach(t, nil)
	busy := newBusyStore(db)
	a, fake, gw, connects := gatewayEnvConfig(t, discord.Config{Handler: coach, Store: busy, Clock: clock, AckDeadline: time.Hour, DedupeWait: time.Nanosecond})
	stop := connect(t, a, gw, connects)

	gw.send(2, "INTERACTION_CREATE", slash("3600", "g1", "u1", "pain", num("score", 5)))
	<-busy.entered
	c := nextCall(t, fake)
	if r := decodeResponse(t, c.JSON); c.Path != "/interactions/3600/tok-3600/callback" || r.Type != 5 {
		t.Fatalf("call = %s %s, want a deferral", c.Path, c.JSON)
	}
	close(busy.release)
	c = nextCall(t, fake)
	if c.Method != http.MethodPatch || !strings.Contains(string(c.JSON), "Logged **5/10**") {
		t.Fatalf("call = %s %s %s, want the edit", c.Method, c.Path, c.JSON)
	}
	stop()
}

// TestBusyStoreDuplicateIsDropped: a replayed interaction id that arrives
// while the database is busy is deferred, and then neither run nor
// answered once the record shows it was handled.
func TestBusyStoreDuplicateIsDropped(t *testing.T) {
	t.Parallel()
	coach, db, _ := bottest.NewCoach(t, nil)
	s := &spy{next: coach}
	busy := newBusyStore(db)
	e := newEnv(t, envOptions{handler: s, dedupeWait: time.Nanosecond, store: func(*sqlite.DB) discord.Store { return busy }})
	// Handled before, by this instance or another one sharing the store.
	if _, err := db.SeenEvent(context.Background(), "discord:3700", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	status, resp := e.post(slash("3700", "g1", "u1", "pain", num("score", 4)))
	if r := decodeResponse(t, resp); status != http.StatusOK || r.Type != 5 {
		t.Fatalf("replay on a busy database -> %d %s, want a deferral", status, resp)
	}
	<-busy.entered
	close(busy.release)
	e.adapter.Shutdown() // waits for the late work
	if n := len(s.Requests()); n != 0 {
		t.Errorf("the Coach ran %d times for a duplicate", n)
	}
	for _, c := range e.fake.Calls() {
		t.Errorf("REST call %s %s after a duplicate", c.Method, c.Path)
	}
}

// TestWriteLockedDatabaseDefers reproduces the probe: another connection
// holds SQLite's write lock, and /pain is deferred in time with the
// default settings instead of being answered late.
func TestWriteLockedDatabaseDefers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "coach.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := bottest.NewClock(bottest.Start)
	coach := bot.NewCoach(bot.Config{Store: db, Clock: clock, DefaultTZ: "UTC"})
	e := newEnv(t, envOptions{handler: coach, dedupeWait: discord.DefaultDedupeWait, store: func(*sqlite.DB) discord.Store { return db }})

	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	status, body := e.post(slash("3800", "g1", "u1", "pain", num("score", 6)))
	if _, err := lock.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if r := decodeResponse(t, body); status != http.StatusOK || r.Type != 5 {
		t.Fatalf("-> %d %s, want a deferral while the database is locked", status, body)
	}
	c := e.fake.next(t)
	if c.Method != http.MethodPatch || !strings.Contains(string(c.JSON), "Logged **6/10**") {
		t.Fatalf("late call = %s %s %s, want the answer edited in", c.Method, c.Path, c.JSON)
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

// hangUp drops the connection without an answer, so the REST call fails
// in the transport and its error quotes the URL it called.
func hangUp(w http.ResponseWriter) {
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

// TestLogsCarryNoTokens: when the calls that carry an interaction's token
// fail (the deferred edit, a follow-up, a gateway callback), the warnings
// name the endpoint but never the token, the webhook URL or the bot token.
func TestLogsCarryNoTokens(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	failTokenCalls := func(w http.ResponseWriter, c call) bool {
		if strings.HasPrefix(c.Path, "/webhooks/") || strings.HasPrefix(c.Path, "/interactions/") {
			hangUp(w)
			return true
		}
		return false
	}

	// HTTP mode: an export is always deferred and edited in; a public
	// answer goes out as a follow-up.
	e := newEnv(t, envOptions{logger: logger})
	e.fake.setOverride(failTokenCalls)
	e.post(slash("3900", "g1", "u1", "pain", num("score", 5)))
	e.post(slash("3901", "g1", "u1", "coach", sub("export")))
	slow := newBlocker(bot.Reply{Text: "Team readiness is up.", Visibility: bot.InChannel})
	e2 := newEnv(t, envOptions{handler: slow, ackDeadline: time.Nanosecond, logger: logger})
	e2.fake.setOverride(failTokenCalls)
	e2.post(slash("3902", "g1", "u1", "coach", group("team", sub("report"))))
	<-slow.started
	close(slow.release)
	e.adapter.Shutdown()
	e2.adapter.Shutdown()

	// Gateway mode: the callback itself carries the token.
	a, fake, gw, connects := gatewayEnvConfig(t, discord.Config{Handler: &recorder{reply: bot.Reply{Text: "ok"}}, Store: bottest.MustOpenStore(t), Logger: logger})
	fake.setOverride(failTokenCalls)
	stop := connect(t, a, gw, connects)
	gw.send(2, "INTERACTION_CREATE", slash("3903", "g1", "u1", "coach", sub("help")))
	nextCall(t, fake)
	stop()

	out := logs.String()
	for _, want := range []string{"editing deferred answer failed", "follow-up failed", "answer failed", "/api/v9/webhooks/...", "/api/v9/interactions/..."} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q; the failures were not logged as expected:\n%s", want, out)
		}
	}
	for _, secret := range []string{"tok-39", "/webhooks/app1", "test-token"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q:\n%s", secret, out)
		}
	}
}
