package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// tokenCall is one Web API call with the bot token it carried.
type tokenCall struct {
	Method string
	Token  string
	Form   url.Values
}

// oauthSlack is a fake Slack Web API for the distribution mode: it grants
// one token per workspace through oauth.v2.access and records which token
// every later call carries.
type oauthSlack struct {
	srv *httptest.Server

	mu    sync.Mutex
	calls []tokenCall
	// grants maps an authorization code to the oauth.v2.access answer.
	grants map[string]map[string]any
	// refreshes answers refresh_token grants, in order; an answer with
	// "error" fails.
	refreshes []map[string]any
}

func newOAuthSlack(t testing.TB) *oauthSlack {
	f := &oauthSlack{grants: map[string]map[string]any{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *oauthSlack) URL() string { return f.srv.URL + "/api/" }

// grant makes code install the app in team with token (rotating when
// expiresIn is set).
func (f *oauthSlack) grant(code, team, enterprise, token string, expiresIn int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	resp := map[string]any{
		"ok": true, "access_token": token, "token_type": "bot", "scope": "chat:write,commands,users:read",
		"bot_user_id": "UBOT" + team, "app_id": "A1",
		"team":        map[string]any{"id": team, "name": "Team " + team},
		"authed_user": map[string]any{"id": "UADMIN"},
	}
	if enterprise != "" {
		resp["enterprise"] = map[string]any{"id": enterprise, "name": "Org " + enterprise}
	}
	if team == "" {
		resp["is_enterprise_install"] = true
		resp["team"] = nil
	}
	if expiresIn > 0 {
		resp["refresh_token"] = "xoxe-1-refresh-" + team
		resp["expires_in"] = expiresIn
	}
	f.grants[code] = resp
}

func (f *oauthSlack) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, tokenCall{Method: method, Token: firstOf(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), r.PostForm.Get("token")), Form: r.PostForm})
	w.Header().Set("Content-Type", "application/json")
	var resp map[string]any
	switch method {
	case "oauth.v2.access":
		if r.PostForm.Get("grant_type") == "refresh_token" {
			if len(f.refreshes) == 0 {
				resp = map[string]any{"ok": false, "error": "invalid_refresh_token"}
				break
			}
			resp, f.refreshes = f.refreshes[0], f.refreshes[1:]
			if resp["error"] != nil {
				resp = map[string]any{"ok": false, "error": resp["error"]}
			}
			break
		}
		var ok bool
		if resp, ok = f.grants[r.PostForm.Get("code")]; !ok {
			resp = map[string]any{"ok": false, "error": "invalid_code"}
		}
	case "conversations.open":
		resp = map[string]any{"ok": true, "channel": map[string]any{"id": "D" + r.PostForm.Get("users")}}
	case "users.info":
		resp = map[string]any{"ok": true, "user": map[string]any{"id": r.PostForm.Get("user"), "tz": "Europe/Berlin"}}
	default:
		resp = map[string]any{"ok": true, "channel": r.PostForm.Get("channel"), "ts": "1.2"}
	}
	json.NewEncoder(w).Encode(resp)
}

// Calls returns the calls of the given method.
func (f *oauthSlack) Calls(method string) []tokenCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []tokenCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// tokensUsed lists the tokens of every call but oauth.v2.access.
func (f *oauthSlack) tokensUsed() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, c := range f.calls {
		if c.Method != "oauth.v2.access" {
			out[c.Token]++
		}
	}
	return out
}

func (f *oauthSlack) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// distHarness is an adapter in distribution mode on a SQLite file.
type distHarness struct {
	t       testing.TB
	fake    *oauthSlack
	adapter *slackadapter.Adapter
	db      *sqlite.DB
	path    string
	clock   *bottest.Clock
	mux     *http.ServeMux
	keyring *slackadapter.Keyring
}

var testKey = bytes.Repeat([]byte{7}, slackadapter.KeySize)

func newDistHarness(t testing.TB) *distHarness {
	t.Helper()
	path := filepath.Join(t.TempDir(), "coach.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := bottest.NewClock(bottest.Start)
	keyring, err := slackadapter.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	h := &distHarness{t: t, fake: newOAuthSlack(t), db: db, path: path, clock: clock, keyring: keyring}
	h.build()
	return h
}

// build makes the adapter.
func (h *distHarness) build() {
	t, db, clock := h.t, h.db, h.clock
	a, err := slackadapter.New(slackadapter.Config{
		Handler:       bot.NewCoach(bot.Config{Store: db, Clock: clock, DefaultTZ: "UTC"}),
		Store:         db,
		SigningSecret: testSecret,
		Clock:         clock,
		Logger:        slog.New(slog.DiscardHandler),
		AckDeadline:   time.Hour,
		CheckWait:     time.Hour,
		Distribution: &slackadapter.Distribution{
			ClientID: "111.222", ClientSecret: "client-secret", RedirectURL: "https://coach.example.com/slack/oauth_redirect",
			Store: db, Keyring: h.keyring, APIURL: h.fake.URL(), Retention: 30 * 24 * time.Hour,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.adapter = a
	h.mux = http.NewServeMux()
	for pattern, handler := range a.Routes() {
		h.mux.Handle(pattern, handler)
	}
	t.Cleanup(h.close)
}

// close waits for the adapter's background work (events).
func (h *distHarness) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.adapter.Close(ctx); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
}

// settle waits for the background work so far, then starts a new adapter
// on the same store for what follows.
func (h *distHarness) settle() {
	h.close()
	h.build()
}

func (h *distHarness) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	return w
}

// startInstall follows the Add to Slack button and returns the state and
// its cookie.
func (h *distHarness) startInstall() (state string, cookie *http.Cookie) {
	h.t.Helper()
	w := h.serve(httptest.NewRequest(http.MethodGet, "/slack/install", nil))
	if w.Code != http.StatusFound {
		h.t.Fatalf("install = %d %s", w.Code, w.Body)
	}
	loc, err := url.Parse(w.Header().Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	q := loc.Query()
	if q.Get("client_id") != "111.222" || q.Get("redirect_uri") != "https://coach.example.com/slack/oauth_redirect" || !strings.Contains(q.Get("scope"), "chat:write") {
		h.t.Errorf("authorize URL = %s", loc)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Value != q.Get("state") || !cookies[0].HttpOnly || !cookies[0].Secure {
		h.t.Fatalf("state cookie = %+v, state %q", cookies, q.Get("state"))
	}
	return q.Get("state"), cookies[0]
}

// redirect plays Slack sending the installer back.
func (h *distHarness) redirect(query url.Values, cookie *http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/slack/oauth_redirect?"+query.Encode(), nil)
	if cookie != nil {
		r.AddCookie(cookie)
	}
	return h.serve(r)
}

// install runs the whole flow for a code the fake grants.
func (h *distHarness) install(code string) {
	h.t.Helper()
	state, cookie := h.startInstall()
	w := h.redirect(url.Values{"code": {code}, "state": {state}}, cookie)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "/coach start") {
		h.t.Fatalf("redirect = %d %s", w.Code, w.Body)
	}
}

func (h *distHarness) installations() []bot.Installation {
	h.t.Helper()
	all, err := h.db.Installations(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return all
}

func (h *distHarness) member(team, user string) bot.MemberKey {
	h.t.Helper()
	key := bot.MemberKey{Platform: bot.Slack, Workspace: team, User: user}
	if _, _, err := h.db.EnsureMember(context.Background(), bot.Member{Key: key, TZ: "UTC", CreatedAt: bottest.Start}); err != nil {
		h.t.Fatal(err)
	}
	return key
}

func TestInstallStoresTheWorkspaceWithItsTokenSealed(t *testing.T) {
	h := newDistHarness(t)
	h.fake.grant("code-1", "T1", "", "xoxb-token-of-T1", 0)
	h.install("code-1")
	ex := h.fake.Calls("oauth.v2.access")
	if len(ex) != 1 || ex[0].Form.Get("code") != "code-1" || ex[0].Form.Get("client_id") != "111.222" {
		t.Fatalf("oauth.v2.access calls = %+v", ex)
	}
	all := h.installations()
	if len(all) != 1 {
		t.Fatalf("installations = %+v", all)
	}
	in := all[0]
	if in.TeamID != "T1" || in.InstallerID != "UADMIN" || in.BotUserID != "UBOTT1" || !in.InstalledAt.Equal(bottest.Start) || len(in.Scopes) != 3 {
		t.Errorf("installation = %+v", in)
	}
	if bytes.Contains(in.BotToken, []byte("xoxb")) {
		t.Error("the stored bot token is in clear text")
	}
	h.db.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		data, err := os.ReadFile(h.path + suffix)
		if err != nil {
			continue
		}
		if bytes.Contains(data, []byte("xoxb-token-of-T1")) || bytes.Contains(data, []byte("token-of-T1")) {
			t.Errorf("%s holds the token in clear text", filepath.Base(h.path+suffix))
		}
	}
}

func TestInstallRefusesBadStatesAndStoresNothing(t *testing.T) {
	h := newDistHarness(t)
	h.fake.grant("code-1", "T1", "", "xoxb-1", 0)
	refused := func(what string, w *httptest.ResponseRecorder) {
		t.Helper()
		if w.Code < 400 || !strings.Contains(w.Body.String(), "not installed") {
			t.Errorf("%s: %d %s", what, w.Code, w.Body)
		}
		if n := len(h.installations()); n != 0 {
			t.Fatalf("%s stored %d installations", what, n)
		}
	}
	// Forged: a state this server never gave out, with a matching cookie.
	refused("forged state", h.redirect(url.Values{"code": {"code-1"}, "state": {"forged"}}, &http.Cookie{Name: "slack_install_state", Value: "forged"}))
	// Another browser's state: no cookie, or another cookie.
	state, cookie := h.startInstall()
	refused("no cookie", h.redirect(url.Values{"code": {"code-1"}, "state": {state}}, nil))
	// Another cookie differs in its first character (a random state may
	// itself start with x).
	other := "x" + state[1:]
	if other == state {
		other = "y" + state[1:]
	}
	refused("other cookie", h.redirect(url.Values{"code": {"code-1"}, "state": {state}}, &http.Cookie{Name: "slack_install_state", Value: other}))
	// Expired.
	state, cookie = h.startInstall()
	h.clock.Advance(slackadapter.DefaultStateTTL + time.Second)
	refused("expired state", h.redirect(url.Values{"code": {"code-1"}, "state": {state}}, cookie))
	// Denied by the installer.
	state, cookie = h.startInstall()
	refused("access denied", h.redirect(url.Values{"error": {"access_denied"}, "state": {state}}, cookie))
	// A failed exchange.
	state, cookie = h.startInstall()
	refused("unknown code", h.redirect(url.Values{"code": {"code-9"}, "state": {state}}, cookie))
	// Reused: the state that installed once does not install again.
	state, cookie = h.startInstall()
	if w := h.redirect(url.Values{"code": {"code-1"}, "state": {state}}, cookie); w.Code != http.StatusOK {
		t.Fatalf("valid install = %d %s", w.Code, w.Body)
	}
	h.fake.grant("code-2", "T2", "", "xoxb-2", 0)
	if w := h.redirect(url.Values{"code": {"code-2"}, "state": {state}}, cookie); w.Code != http.StatusForbidden {
		t.Errorf("reused state = %d, want 403", w.Code)
	}
	if n := len(h.installations()); n != 1 {
		t.Errorf("%d installations after a reused state, want 1", n)
	}
	if n := len(h.fake.Calls("oauth.v2.access")); n != 2 {
		t.Errorf("oauth.v2.access called %d times, want 2 (refused states never reach Slack)", n)
	}
}

func TestEachWorkspaceUsesItsOwnToken(t *testing.T) {
	h := newDistHarness(t)
	h.fake.grant("c1", "T1", "", "xoxb-T1", 0)
	h.fake.grant("c2", "T2", "", "xoxb-T2", 0)
	h.install("c1")
	h.install("c2")
	ctx := context.Background()
	for _, team := range []string{"T1", "T2"} {
		h.fake.reset()
		if err := h.adapter.Send(ctx, h.member(team, "U1"), nudge); err != nil {
			t.Fatalf("Send to %s: %v", team, err)
		}
		if got := h.fake.tokensUsed(); len(got) != 1 || got["xoxb-"+team] != 2 {
			t.Errorf("nudge in %s used tokens %v", team, got)
		}
	}
	// A slash command in T2 touches T2's token only.
	h.fake.reset()
	form := strings.Replace(commandForm("U7", "/pain", "4 knee", ""), "team_id=T1", "team_id=T2", 1)
	if w := h.serve(signedRequest("/slack/commands", "application/x-www-form-urlencoded", form)); w.Code != http.StatusOK {
		t.Fatalf("command = %d %s", w.Code, w.Body)
	}
	if got := h.fake.tokensUsed(); len(got) != 1 || got["xoxb-T2"] == 0 {
		t.Errorf("a T2 command used tokens %v", got)
	}
	if got, _ := h.db.CheckIns(ctx, bot.MemberKey{Platform: bot.Slack, Workspace: "T2", User: "U7"}, time.Time{}); len(got) != 1 {
		t.Errorf("check-ins in T2 = %v", got)
	}
	// Staff alerts go to a channel with the workspace's token.
	h.fake.reset()
	if err := h.adapter.SendChannel(ctx, bot.Slack, "T1", "C9", nudge); err != nil {
		t.Fatal(err)
	}
	if got := h.fake.tokensUsed(); got["xoxb-T1"] != 1 || len(got) != 1 {
		t.Errorf("channel alert used tokens %v", got)
	}
}

// event posts a signed Events API callback for team.
func (h *distHarness) event(id, team, enterprise string, inner map[string]any) {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": team, "enterprise_id": enterprise, "api_app_id": "A1",
		"event_id": id, "event_time": 1, "event": inner,
	})
	if w := h.serve(signedRequest("/slack/events", "application/json", string(body))); w.Code != http.StatusOK {
		h.t.Fatalf("event = %d %s", w.Code, w.Body)
	}
}

func TestUninstallStopsOneWorkspaceAndPurgesItAfterRetention(t *testing.T) {
	h := newDistHarness(t)
	h.fake.grant("c1", "T1", "", "xoxb-T1", 0)
	h.fake.grant("c2", "T2", "", "xoxb-T2", 0)
	h.install("c1")
	h.install("c2")
	ctx := context.Background()
	k1, k2 := h.member("T1", "U1"), h.member("T2", "U2")
	if _, err := h.db.AddCheckIn(ctx, bot.CheckIn{Member: k1, Score: 3, At: bottest.Start}); err != nil {
		t.Fatal(err)
	}
	h.event("Ev1", "T1", "", map[string]any{"type": "app_uninstalled"})
	h.settle()
	if ok, err := h.adapter.Installed(ctx, "T1"); ok || err != nil {
		t.Fatalf("T1 installed after app_uninstalled: %v, %v", ok, err)
	}
	h.fake.reset()
	err := h.adapter.Send(ctx, k1, nudge)
	if !errors.Is(err, slackadapter.ErrNotInstalled) || errors.Is(err, bot.ErrUnreachable) {
		t.Errorf("Send after uninstall = %v, want ErrNotInstalled (not unreachable: the member did nothing)", err)
	}
	if err := h.adapter.Send(ctx, k2, nudge); err != nil {
		t.Errorf("Send to the other workspace: %v", err)
	}
	if got := h.fake.tokensUsed(); len(got) != 1 || got["xoxb-T2"] == 0 {
		t.Errorf("after T1's uninstall, tokens used %v", got)
	}
	for _, in := range h.installations() {
		if in.TeamID == "T1" && (len(in.BotToken) != 0 || in.Active()) {
			t.Errorf("T1 keeps its token after uninstall: %+v", in)
		}
	}
	// The data stays through the retention period, then goes.
	retention := 30 * 24 * time.Hour
	if purged, err := h.db.PurgeUninstalled(ctx, h.clock.Now().Add(-retention)); err != nil || len(purged) != 0 {
		t.Fatalf("purge at once = %v, %v", purged, err)
	}
	h.clock.Advance(retention + time.Minute)
	if purged, err := h.db.PurgeUninstalled(ctx, h.clock.Now().Add(-retention)); err != nil || len(purged) != 1 || purged[0] != "T1" {
		t.Fatalf("purge after retention = %v, %v", purged, err)
	}
	if n, _ := h.db.RowsOf(ctx, k1); n != 0 {
		t.Errorf("%d rows of T1's member remain", n)
	}
	if n, _ := h.db.RowsOf(ctx, k2); n == 0 {
		t.Error("T2's member was deleted")
	}
}

func TestTokensRevokedStopsSends(t *testing.T) {
	h := newDistHarness(t)
	h.fake.grant("c1", "T1", "", "xoxb-T1", 0)
	h.install("c1")
	ctx := context.Background()
	h.event("Ev2", "T1", "", map[string]any{"type": "tokens_revoked", "tokens": map[string]any{"oauth": []string{"U5"}}})
	h.settle()
	if ok, err := h.adapter.Installed(ctx, "T1"); !ok || err != nil {
		t.Fatalf("a revoked user token uninstalled the bot: %v %v", ok, err)
	}
	h.event("Ev3", "T1", "", map[string]any{"type": "tokens_revoked", "tokens": map[string]any{"bot": []string{"UBOTT1"}}})
	h.settle()
	if ok, err := h.adapter.Installed(ctx, "T1"); ok || err != nil {
		t.Fatalf("T1 installed after its bot token was revoked: %v, %v", ok, err)
	}
	if err := h.adapter.Send(ctx, h.member("T1", "U1"), nudge); !errors.Is(err, slackadapter.ErrNotInstalled) {
		t.Errorf("Send = %v", err)
	}
}

func TestOrgInstallServesEveryWorkspaceOfTheOrg(t *testing.T) {
	h := newDistHarness(t)
	h.fake.grant("c1", "", "E1", "xoxb-E1", 0)
	h.install("c1")
	all := h.installations()
	if len(all) != 1 || !all[0].OrgInstall || all[0].EnterpriseID != "E1" || all[0].TeamID != "" {
		t.Fatalf("installations = %+v", all)
	}
	// A command from a workspace of the org records the team's enterprise,
	// so later nudges to its members find the org's token.
	form := commandForm("U7", "/pain", "4 knee", "") + "&enterprise_id=E1&is_enterprise_install=true"
	form = strings.Replace(form, "team_id=T1", "team_id=T5", 1)
	h.fake.reset()
	if w := h.serve(signedRequest("/slack/commands", "application/x-www-form-urlencoded", form)); w.Code != http.StatusOK {
		t.Fatalf("command = %d %s", w.Code, w.Body)
	}
	key := bot.MemberKey{Platform: bot.Slack, Workspace: "T5", User: "U7"}
	if got, _ := h.db.CheckIns(context.Background(), key, time.Time{}); len(got) != 1 {
		t.Fatalf("member identity is not (slack, T5, U7): %v", got)
	}
	if err := h.adapter.Send(context.Background(), key, nudge); err != nil {
		t.Fatalf("nudge in an org workspace: %v", err)
	}
	if got := h.fake.tokensUsed(); len(got) != 1 || got["xoxb-E1"] == 0 {
		t.Errorf("tokens used %v, want the org's", got)
	}
}

func TestRotatingTokensAreRefreshedBeforeTheyExpire(t *testing.T) {
	h := newDistHarness(t)
	h.fake.grant("c1", "T1", "", "xoxe.xoxb-1", 12*3600)
	h.install("c1")
	ctx := context.Background()
	key := h.member("T1", "U1")
	send := func() error {
		h.fake.reset()
		return h.adapter.Send(ctx, key, nudge)
	}
	if err := send(); err != nil || len(h.fake.Calls("oauth.v2.access")) != 0 {
		t.Fatalf("fresh token: %v, %d refreshes", err, len(h.fake.Calls("oauth.v2.access")))
	}
	// Within the refresh margin a refresh comes first. The first attempt
	// fails: the still-valid token carries the nudge, and the next send
	// tries again.
	h.clock.Advance(12*time.Hour - slackadapter.DefaultRefreshMargin + time.Minute)
	h.fake.mu.Lock()
	h.fake.refreshes = []map[string]any{
		{"error": "service_unavailable"},
		{"ok": true, "access_token": "xoxe.xoxb-2", "token_type": "bot", "refresh_token": "xoxe-1-refresh-2", "expires_in": 12 * 3600},
	}
	h.fake.mu.Unlock()
	if err := send(); err != nil {
		t.Fatalf("send while the refresh fails: %v", err)
	}
	if got := h.fake.tokensUsed(); got["xoxe.xoxb-1"] == 0 {
		t.Errorf("the valid token was not used after a failed refresh: %v", got)
	}
	if err := send(); err != nil {
		t.Fatal(err)
	}
	refresh := h.fake.Calls("oauth.v2.access")
	if len(refresh) != 1 || refresh[0].Form.Get("grant_type") != "refresh_token" || refresh[0].Form.Get("refresh_token") != "xoxe-1-refresh-T1" {
		t.Fatalf("refresh calls = %+v", refresh)
	}
	if got := h.fake.tokensUsed(); len(got) != 1 || got["xoxe.xoxb-2"] == 0 {
		t.Errorf("after the refresh, tokens used %v", got)
	}
	in := h.installations()[0]
	if !in.TokenExpiresAt.Equal(h.clock.Now().Add(12 * time.Hour)) {
		t.Errorf("new expiry = %v", in.TokenExpiresAt)
	}
	// Past expiry with Slack refusing to refresh, a send fails as a
	// transient error (the dispatcher retries it) and sends nothing.
	h.clock.Advance(13 * time.Hour)
	err := send()
	if err == nil || errors.Is(err, bot.ErrUnreachable) || errors.Is(err, slackadapter.ErrNotInstalled) {
		t.Fatalf("expired token, failed refresh: %v; want a transient error", err)
	}
	if len(h.fake.tokensUsed()) != 0 {
		t.Errorf("an expired token was used: %v", h.fake.tokensUsed())
	}
	h.fake.mu.Lock()
	h.fake.refreshes = []map[string]any{{"ok": true, "access_token": "xoxe.xoxb-3", "token_type": "bot", "expires_in": 12 * 3600}}
	h.fake.mu.Unlock()
	if err := send(); err != nil {
		t.Fatalf("retry after Slack recovered: %v", err)
	}
	if got := h.fake.tokensUsed(); got["xoxe.xoxb-3"] == 0 {
		t.Errorf("tokens used %v", got)
	}
}

// TestRefreshPassRefreshesAheadOfUse: housekeeping's pass refreshes the
// installations whose token expires within the margin and no other; a
// failed refresh keeps the installation as it was, the current token
// carries the sends, and the next pass refreshes.
func TestRefreshPassRefreshesAheadOfUse(t *testing.T) {
	h := newDistHarness(t)
	h.fake.grant("c1", "T1", "", "xoxe.xoxb-1", 12*3600)
	h.fake.grant("c2", "T2", "", "xoxe.xoxb-T2", 24*3600)
	h.fake.grant("c3", "T3", "", "xoxb-T3", 0)
	h.install("c1")
	h.install("c2")
	h.install("c3")
	ctx := context.Background()
	key := h.member("T1", "U1")
	setRefreshes := func(answers ...map[string]any) {
		h.fake.mu.Lock()
		defer h.fake.mu.Unlock()
		h.fake.refreshes = answers
	}
	// Nothing is due yet.
	if n, err := h.adapter.RefreshTokens(ctx); n != 0 || err != nil || len(h.fake.Calls("oauth.v2.access")) != 3 {
		t.Fatalf("early pass = %d, %v, %d oauth calls", n, err, len(h.fake.Calls("oauth.v2.access")))
	}
	// Inside T1's margin Slack fails: nothing changes, and the error names
	// the installation but no token.
	h.clock.Advance(12*time.Hour - slackadapter.DefaultRefreshMargin + time.Minute)
	before := h.installations()
	h.fake.reset()
	setRefreshes(map[string]any{"error": "service_unavailable"})
	n, err := h.adapter.RefreshTokens(ctx)
	if n != 0 || err == nil || !strings.Contains(err.Error(), "T1") || strings.Contains(err.Error(), "xox") {
		t.Fatalf("failing pass = %d, %v", n, err)
	}
	if calls := h.fake.Calls("oauth.v2.access"); len(calls) != 1 || calls[0].Form.Get("refresh_token") != "xoxe-1-refresh-T1" {
		t.Fatalf("refresh calls = %+v (T2 and T3 are not due)", calls)
	}
	if after := h.installations(); !bytes.Equal(after[0].BotToken, before[0].BotToken) || !after[0].TokenExpiresAt.Equal(before[0].TokenExpiresAt) {
		t.Error("a failed refresh changed the installation")
	}
	// The send meanwhile goes out with the still-valid token.
	h.fake.reset()
	if err := h.adapter.Send(ctx, key, nudge); err != nil {
		t.Fatalf("send after a failed pass: %v", err)
	}
	if got := h.fake.tokensUsed(); len(got) != 1 || got["xoxe.xoxb-1"] == 0 {
		t.Errorf("send used tokens %v, want the current one", got)
	}
	// The next pass, five minutes on, succeeds.
	h.clock.Advance(5 * time.Minute)
	h.fake.reset()
	setRefreshes(map[string]any{"ok": true, "access_token": "xoxe.xoxb-2", "token_type": "bot", "refresh_token": "xoxe-1-refresh-2", "expires_in": 12 * 3600})
	if n, err := h.adapter.RefreshTokens(ctx); n != 1 || err != nil {
		t.Fatalf("second pass = %d, %v", n, err)
	}
	if in := h.installations()[0]; in.TeamID != "T1" || !in.TokenExpiresAt.Equal(h.clock.Now().Add(12*time.Hour)) {
		t.Errorf("after the pass: %s expires %v", in.TeamID, in.TokenExpiresAt)
	}
	// Sends use the new token without a refresh of their own, and a pass
	// right after has nothing to do.
	h.fake.reset()
	if err := h.adapter.Send(ctx, key, nudge); err != nil {
		t.Fatal(err)
	}
	if got := h.fake.tokensUsed(); len(got) != 1 || got["xoxe.xoxb-2"] == 0 || len(h.fake.Calls("oauth.v2.access")) != 0 {
		t.Errorf("send after the pass used tokens %v, %d refreshes", got, len(h.fake.Calls("oauth.v2.access")))
	}
	if n, err := h.adapter.RefreshTokens(ctx); n != 0 || err != nil {
		t.Errorf("pass after the refresh = %d, %v", n, err)
	}
	// An uninstalled workspace is never refreshed.
	h.clock.Advance(12 * time.Hour)
	h.event("Ev9", "T2", "", map[string]any{"type": "app_uninstalled"})
	h.settle()
	h.fake.reset()
	setRefreshes(map[string]any{"ok": true, "access_token": "xoxe.xoxb-3", "token_type": "bot", "refresh_token": "xoxe-1-refresh-3", "expires_in": 12 * 3600})
	if n, err := h.adapter.RefreshTokens(ctx); n != 1 || err != nil {
		t.Fatalf("pass with T2 uninstalled = %d, %v", n, err)
	}
	if calls := h.fake.Calls("oauth.v2.access"); len(calls) != 1 || calls[0].Form.Get("refresh_token") != "xoxe-1-refresh-2" {
		t.Errorf("refresh calls = %+v, want T1's only", calls)
	}
}

func TestLandingAndPrivacyPages(t *testing.T) {
	h := newDistHarness(t)
	for path, want := range map[string]string{"/": `href="/slack/install"`, "/privacy": "/coach forget"} {
		w := h.serve(httptest.NewRequest(http.MethodGet, path, nil))
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s = %d, lacks %q", path, w.Code, want)
		}
		if strings.Contains(strings.ToLower(body), "<script") || strings.Contains(body, "<img") {
			t.Errorf("%s has a script or external image", path)
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s CSP = %q", path, csp)
		}
	}
	if body := h.serve(httptest.NewRequest(http.MethodGet, "/privacy", nil)).Body.String(); !strings.Contains(body, "30 days") {
		t.Error("the privacy page does not state the retention period")
	}
	if w := h.serve(httptest.NewRequest(http.MethodGet, "/nothing", nil)); w.Code != http.StatusNotFound {
		t.Errorf("/nothing = %d", w.Code)
	}
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
