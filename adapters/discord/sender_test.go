package discord_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

var nudge = bot.Reply{
	Text:    "Time for your exercises.",
	Buttons: []bot.Button{{Label: "Done", Command: "coach done", Style: bot.ButtonPrimary}, {Label: "Snooze 1h", Command: "coach snooze 1h"}},
}

// newMember stores a member so that their DM channel can be cached.
func newMember(t *testing.T, db *sqlite.DB, user string) bot.MemberKey {
	t.Helper()
	key := bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: user}
	ctx := context.Background()
	if _, err := db.EnsureWorkspace(ctx, bot.NewWorkspace(bot.Discord, "g1", bottest.Start)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.EnsureMember(ctx, bot.Member{Key: key, TZ: "UTC", Role: bot.RoleMember, CreatedAt: bottest.Start}); err != nil {
		t.Fatal(err)
	}
	return key
}

func TestSendCachesDMChannel(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	db := bottest.MustOpenStore(t)
	key := newMember(t, db, "u1")
	s := discord.NewSender(fake.session(), db, nil)
	ctx := context.Background()

	for range 2 {
		if err := s.Send(ctx, key, nudge); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	var paths []string
	for _, c := range fake.Calls() {
		paths = append(paths, c.Method+" "+c.Path)
	}
	want := []string{"POST /users/@me/channels", "POST /channels/dm-u1/messages", "POST /channels/dm-u1/messages"}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	if ch, _ := db.DMChannel(ctx, key); ch != "dm-u1" {
		t.Errorf("cached channel = %q", ch)
	}
	checkGolden(t, "dm_nudge.json", fake.Calls()[1].JSON)
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		status, code  int
		body          string
		header        string
		wantRetry     time.Duration
		wantUnreached bool
	}{
		{name: "rate limited", status: 429, body: `{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}`, wantRetry: 1500 * time.Millisecond},
		{name: "rate limited without wait", status: 429, body: `{"message": "You are being rate limited."}`, wantRetry: time.Second},
		{name: "closed DMs", status: 403, code: 50007, wantUnreached: true},
		{name: "unknown user", status: 404, code: 10013, wantUnreached: true},
		{name: "server error", status: 500, code: 0},
		{name: "missing access", status: 403, code: 50001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeDiscord(t)
			db := bottest.MustOpenStore(t)
			key := newMember(t, db, "u1")
			fake.setOverride(func(w http.ResponseWriter, c call) bool {
				if !strings.HasPrefix(c.Path, "/channels/") {
					return false
				}
				if tt.body != "" {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tt.status)
					_, _ = w.Write([]byte(tt.body))
					return true
				}
				writeError(w, tt.status, tt.code, "nope")
				return true
			})
			err := discord.NewSender(fake.session(), db, nil).Send(context.Background(), key, nudge)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			var rl *bot.RateLimitedError
			if got := errors.As(err, &rl); got != (tt.wantRetry > 0) {
				t.Fatalf("err = %v; rate limited = %v, want %v", err, got, tt.wantRetry > 0)
			}
			if rl != nil && rl.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", rl.RetryAfter, tt.wantRetry)
			}
			if got := errors.Is(err, bot.ErrUnreachable); got != tt.wantUnreached {
				t.Errorf("err = %v; unreachable = %v, want %v", err, got, tt.wantUnreached)
			}
			if n := len(fake.Calls()); n != 2 {
				t.Errorf("calls = %d, want 2 (no retries inside the sender)", n)
			}
		})
	}
}

// TestSendStaleChannel: a cached channel Discord no longer knows is
// replaced once.
func TestSendStaleChannel(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	db := bottest.MustOpenStore(t)
	key := newMember(t, db, "u1")
	ctx := context.Background()
	if err := db.SetDMChannel(ctx, key, "old"); err != nil {
		t.Fatal(err)
	}
	fake.setOverride(func(w http.ResponseWriter, c call) bool {
		if c.Path == "/channels/old/messages" {
			writeError(w, 404, 10003, "Unknown Channel")
			return true
		}
		return false
	})
	if err := discord.NewSender(fake.session(), db, nil).Send(ctx, key, nudge); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var paths []string
	for _, c := range fake.Calls() {
		paths = append(paths, c.Path)
	}
	if want := "/channels/old/messages /users/@me/channels /channels/dm-u1/messages"; strings.Join(paths, " ") != want {
		t.Errorf("calls = %v, want %s", paths, want)
	}
	if ch, _ := db.DMChannel(ctx, key); ch != "dm-u1" {
		t.Errorf("cached channel = %q, want dm-u1", ch)
	}
}

func TestSendStaleChannelTwice(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	db := bottest.MustOpenStore(t)
	key := newMember(t, db, "u1")
	ctx := context.Background()
	if err := db.SetDMChannel(ctx, key, "old"); err != nil {
		t.Fatal(err)
	}
	fake.setOverride(func(w http.ResponseWriter, c call) bool {
		if strings.HasPrefix(c.Path, "/channels/") {
			writeError(w, 404, 10003, "Unknown Channel")
			return true
		}
		return false
	})
	err := discord.NewSender(fake.session(), db, nil).Send(ctx, key, nudge)
	if err == nil || errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("err = %v, want a transient error", err)
	}
	if n := len(fake.Calls()); n != 3 {
		t.Errorf("calls = %d, want 3 (one retry only)", n)
	}
}

func TestSendCreateDMFails(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	db := bottest.MustOpenStore(t)
	key := newMember(t, db, "u1")
	fake.setOverride(func(w http.ResponseWriter, c call) bool {
		writeError(w, 400, 50007, "Cannot send messages to this user")
		return true
	})
	err := discord.NewSender(fake.session(), db, nil).Send(context.Background(), key, nudge)
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("err = %v, want unreachable", err)
	}
}

func TestSendNotDiscord(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	db := bottest.MustOpenStore(t)
	err := discord.NewSender(fake.session(), db, nil).Send(context.Background(), bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U1"}, nudge)
	if !errors.Is(err, bot.ErrUnreachable) || len(fake.Calls()) != 0 {
		t.Fatalf("err = %v, calls %d", err, len(fake.Calls()))
	}
}

func TestSendFile(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	db := bottest.MustOpenStore(t)
	key := newMember(t, db, "u1")
	msg := bot.Reply{Text: "Your data", Files: []bot.File{{Name: "data.csv", ContentType: "text/csv", Data: []byte("a,b\n1,2\n")}}}
	if err := discord.NewSender(fake.session(), db, nil).Send(context.Background(), key, msg); err != nil {
		t.Fatal(err)
	}
	c := fake.Calls()[1]
	if string(c.Files["data.csv"]) != "a,b\n1,2\n" || !strings.Contains(string(c.JSON), "Your data") {
		t.Errorf("multipart = %v %s", keys(c.Files), c.JSON)
	}
}

// TestSendChannel: staff alerts go to a guild channel; a channel the bot
// cannot see fails as unreachable instead of being retried.
func TestSendChannel(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	db := bottest.MustOpenStore(t)
	s := discord.NewSender(fake.session(), db, nil)
	alert := bot.Reply{Title: "Red flag", Text: "<@u1> reported a red flag.", Visibility: bot.InChannel}
	if err := s.SendChannel(context.Background(), bot.Discord, "g1", "staff-1", alert); err != nil {
		t.Fatalf("SendChannel: %v", err)
	}
	if c := fake.Calls(); len(c) != 1 || c[0].Path != "/channels/staff-1/messages" {
		t.Fatalf("calls = %+v", c)
	}
	fake.setOverride(func(w http.ResponseWriter, c call) bool {
		writeError(w, 403, 50001, "Missing Access")
		return true
	})
	err := s.SendChannel(context.Background(), bot.Discord, "g1", "secret", alert)
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("missing access error = %v, want unreachable", err)
	}
}

// TestSendTrackedSetsAnEnforcedNonce: a tracked nudge carries the outbox
// id as nonce with enforce_nonce, so Discord drops a repeat after a crash.
func TestSendTrackedSetsAnEnforcedNonce(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	db := bottest.MustOpenStore(t)
	key := newMember(t, db, "u1")
	s := discord.NewSender(fake.session(), db, nil)
	if err := s.SendTracked(context.Background(), key, "", nudge, bot.Delivery{ID: 42, Began: bottest.Start}); err != nil {
		t.Fatalf("SendTracked: %v", err)
	}
	calls := fake.Calls()
	post := calls[len(calls)-1]
	if post.Path != "/channels/dm-u1/messages" || !strings.Contains(string(post.JSON), `"nonce":"rc42"`) || !strings.Contains(string(post.JSON), `"enforce_nonce":true`) {
		t.Fatalf("post %s %s, want nonce rc42 enforced", post.Path, post.JSON)
	}
	if _, err := s.Delivered(context.Background(), key, "", bot.Delivery{ID: 42}); !errors.Is(err, bot.ErrCannotTell) {
		t.Errorf("Delivered error = %v, want bot.ErrCannotTell", err)
	}
}

// TestGlobalRateLimitIsShared: a 429 whose headers name Discord's global
// limit is marked shared, so the dispatcher holds all of Discord; a
// route's 429 is not.
func TestGlobalRateLimitIsShared(t *testing.T) {
	t.Parallel()
	for _, global := range []bool{true, false} {
		fake := newFakeDiscord(t)
		db := bottest.MustOpenStore(t)
		key := newMember(t, db, "u1")
		fake.setOverride(func(w http.ResponseWriter, c call) bool {
			if !strings.HasSuffix(c.Path, "/messages") {
				return false
			}
			if global {
				w.Header().Set("X-RateLimit-Global", "true")
				w.Header().Set("X-RateLimit-Scope", "global")
			} else {
				w.Header().Set("X-RateLimit-Scope", "user")
			}
			w.Header().Set("Retry-After", "2")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"message": "You are being rate limited.", "retry_after": 2.0, "global": ` + map[bool]string{true: "true", false: "false"}[global] + `}`))
			return true
		})
		s := discord.NewSender(fake.session(), db, nil)
		err := s.SendTracked(context.Background(), key, "", nudge, bot.Delivery{ID: 7})
		var rl *bot.RateLimitedError
		if !errors.As(err, &rl) || rl.Shared != global || rl.RetryAfter != 2*time.Second {
			t.Errorf("global=%v: err = %#v, want a 429 of 2s with Shared %v", global, err, global)
		}
	}
}
