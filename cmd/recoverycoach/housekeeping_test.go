package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// rotatingAPI is a fake Slack Web API whose installs rotate their tokens
// (twelve hours) and whose refreshes fail while failing is set.
type rotatingAPI struct {
	mu        sync.Mutex
	failing   bool
	refreshes int
	n         int
}

func (f *rotatingAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshes
}

func (f *rotatingAPI) fail(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing = on
}

func (f *rotatingAPI) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !strings.HasSuffix(r.URL.Path, "/oauth.v2.access") {
		json.NewEncoder(w).Encode(map[string]any{"ok": true})
		return
	}
	if r.PostForm.Get("grant_type") == "refresh_token" {
		f.refreshes++
		if f.failing {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "service_unavailable"})
			return
		}
	}
	f.n++
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "access_token": "xoxe.xoxb-" + string(rune('0'+f.n)), "token_type": "bot",
		"refresh_token": "xoxe-1-r" + string(rune('0'+f.n)), "expires_in": 12 * 3600,
		"scope": "chat:write", "bot_user_id": "UBOT", "app_id": "A1",
		"team": map[string]any{"id": "T1", "name": "Acme"}, "authed_user": map[string]any{"id": "UADMIN"}})
}

// TestHousekeepingRefreshesTokensBeforeTheyExpire: the scheduler's
// housekeeping refreshes a rotating token inside the refresh margin, on a
// fake clock against a fake oauth.v2.access; a failed refresh does not
// stop the other chores and is retried on the next pass.
func TestHousekeepingRefreshesTokensBeforeTheyExpire(t *testing.T) {
	fake := &rotatingAPI{}
	api := httptest.NewServer(http.HandlerFunc(fake.serve))
	defer api.Close()
	cfg, err := loadConfig(env(distVars(t, api.URL+"/")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	clock := bottest.NewClock(bottest.Start)
	logger := slog.New(slog.DiscardHandler)
	db, eng, err := openEngine(ctx, cfg, logger, clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := newSlack(ctx, deps{cfg: cfg, coach: eng.coach, store: db, logger: logger, clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	eng.senders = map[bot.Platform]bot.Sender{bot.Slack: p.sender}
	mux := http.NewServeMux()
	for route, h := range p.routes {
		mux.Handle(route, h)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/slack/install", nil))
	loc, _ := url.Parse(w.Header().Get("Location"))
	r := httptest.NewRequest(http.MethodGet, "/slack/oauth_redirect?code=c&state="+url.QueryEscape(loc.Query().Get("state")), nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	w = httptest.NewRecorder()
	if mux.ServeHTTP(w, r); w.Code != http.StatusOK {
		t.Fatalf("install = %d %s", w.Code, w.Body)
	}
	expiry := func() time.Time {
		t.Helper()
		in, err := db.Installation(ctx, "T1", "")
		if err != nil {
			t.Fatal(err)
		}
		return in.TokenExpiresAt
	}
	first := expiry()
	// An uninstalled workspace past its retention, for the purge chore.
	gone := bot.Installation{TeamID: "T9", InstalledAt: bottest.Start}
	if err := db.SaveInstallation(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.EnsureMember(ctx, bot.Member{Key: bot.MemberKey{Platform: bot.Slack, Workspace: "T9", User: "U1"}, TZ: "UTC", CreatedAt: bottest.Start}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Uninstall(ctx, "T9", bottest.Start.Add(-31*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	// Before the margin nothing is refreshed.
	if err := eng.housekeeping(ctx); err != nil || fake.count() != 0 {
		t.Fatalf("early pass: %v, %d refreshes", err, fake.count())
	}
	// Inside the margin Slack fails: the chore reports it, the token stays,
	// and the purge still ran.
	clock.Advance(12*time.Hour - slackadapter.DefaultRefreshMargin + time.Minute)
	fake.fail(true)
	err = eng.housekeeping(ctx)
	if err == nil || !strings.Contains(err.Error(), "T1") || strings.Contains(err.Error(), "xox") || fake.count() != 1 || !expiry().Equal(first) {
		t.Fatalf("failing pass: %v, %d refreshes, expiry %v", err, fake.count(), expiry())
	}
	rows := db.(interface {
		RowsOf(context.Context, bot.MemberKey) (int, error)
	})
	if n, _ := rows.RowsOf(ctx, bot.MemberKey{Platform: bot.Slack, Workspace: "T9", User: "U1"}); n != 0 {
		t.Error("a failed refresh stopped the purge of an uninstalled workspace")
	}
	// The next pass, one sweep later, refreshes before the expiry.
	clock.Advance(5 * time.Minute)
	fake.fail(false)
	if err := eng.housekeeping(ctx); err != nil || fake.count() != 2 {
		t.Fatalf("retry pass: %v, %d refreshes", err, fake.count())
	}
	if got := expiry(); !got.Equal(clock.Now().Add(12*time.Hour)) || !clock.Now().Before(first) {
		t.Errorf("expiry after the pass = %v (now %v, old expiry %v)", got, clock.Now(), first)
	}
}
