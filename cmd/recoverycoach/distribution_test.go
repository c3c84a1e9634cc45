package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

var (
	oldKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	newKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
)

// distVars is a distribution-mode configuration on a SQLite file.
func distVars(t *testing.T, apiURL string) map[string]string {
	return map[string]string{
		"COACH_DB":             filepath.Join(t.TempDir(), "coach.db"),
		"COACH_HTTP_ADDR":      "127.0.0.1:0",
		"SLACK_CLIENT_ID":      "111.222",
		"SLACK_CLIENT_SECRET":  "client-secret",
		"SLACK_REDIRECT_URL":   "https://coach.example.com/slack/oauth_redirect",
		"SLACK_SIGNING_SECRET": "signing-secret",
		"SLACK_API_URL":        apiURL,
		"COACH_SECRET_KEY":     oldKey,
	}
}

func TestSlackModeConfiguration(t *testing.T) {
	base := distVars(t, "https://slack.com/api/")
	with := func(k, v string) map[string]string {
		m := maps.Clone(base)
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	c, err := loadConfig(env(base))
	if err != nil || !c.slackDistribution() || !c.platformConfigured() || c.dist.RetentionAfterUninstall != 720*time.Hour {
		t.Fatalf("distribution config = %+v, %v", c.dist, err)
	}
	for name, tt := range map[string]struct {
		vars map[string]string
		want string
	}{
		"both modes":        {with("SLACK_BOT_TOKEN", "xoxb-1"), "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set"},
		"socket mode":       {with("SLACK_APP_TOKEN", "xapp-1"), "SLACK_APP_TOKEN"},
		"no key":            {with("COACH_SECRET_KEY", ""), "COACH_SECRET_KEY: required"},
		"short key":         {with("COACH_SECRET_KEY", base64.StdEncoding.EncodeToString([]byte("short"))), "COACH_SECRET_KEY"},
		"no secret":         {with("SLACK_CLIENT_SECRET", ""), "SLACK_CLIENT_SECRET"},
		"no signing secret": {with("SLACK_SIGNING_SECRET", ""), "SLACK_SIGNING_SECRET"},
		"http redirect":     {with("SLACK_REDIRECT_URL", "http://coach.example.com/slack/oauth_redirect"), "SLACK_REDIRECT_URL"},
		"wrong path":        {with("SLACK_REDIRECT_URL", "https://coach.example.com/oauth"), "SLACK_REDIRECT_URL"},
		"bad retention":     {with("COACH_RETENTION_AFTER_UNINSTALL", "30d"), "COACH_RETENTION_AFTER_UNINSTALL"},
	} {
		_, err := loadConfig(env(tt.vars))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "client-secret") {
			t.Errorf("%s: the error quotes the client secret", name)
		}
	}
}

// oauthAPI is a fake Slack Web API granting one bot token.
func oauthAPI(t *testing.T, token string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/oauth.v2.access") {
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "access_token": token, "token_type": "bot",
				"scope": "chat:write,commands", "bot_user_id": "UBOT", "app_id": "A1",
				"team": map[string]any{"id": "T1", "name": "Acme"}, "authed_user": map[string]any{"id": "UADMIN"}})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestDistributionInstallEncryptionAndKeyRotation installs a workspace
// through the served endpoints, checks the database file holds no token in
// clear, rotates the key, and refuses to start with the wrong key.
func TestDistributionInstallEncryptionAndKeyRotation(t *testing.T) {
	const token = "xoxb-1234-5678-clear-token-text"
	api := oauthAPI(t, token)
	vars := distVars(t, api.URL+"/")
	base, stop := startServe(t, vars)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if code, body := get(t, base+"/"); code != http.StatusOK || !strings.Contains(body, "Add to Slack") {
		t.Fatalf("landing page = %d %s", code, body)
	}
	resp, err := client.Get(base + "/slack/install")
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("install = %v, %v", resp, err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	state := loc.Query().Get("state")
	// The cookie is Secure (the redirect URL is https); the test server is
	// plain HTTP, so hand it over as the browser would on https.
	req, _ := http.NewRequest(http.MethodGet, base+"/slack/oauth_redirect?code=abc&state="+state, nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Acme") {
		t.Fatalf("oauth redirect = %d %s", resp.StatusCode, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	scan := func() {
		t.Helper()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			data, err := os.ReadFile(vars["COACH_DB"] + suffix)
			if err == nil && bytes.Contains(data, []byte("clear-token-text")) {
				t.Errorf("%s holds the token in clear text", filepath.Base(vars["COACH_DB"]+suffix))
			}
		}
	}
	scan()

	// Rotation: the new key with the old as previous re-encrypts, once.
	rotate := maps.Clone(vars)
	rotate["COACH_SECRET_KEY"], rotate["COACH_SECRET_KEY_PREVIOUS"] = newKey, oldKey
	for _, want := range []string{"tokens of 1 installations", "tokens of 0 installations"} {
		out, err := runCLI(t, rotate, "", "rotate-key")
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("rotate-key = %q, %v; want %q", out, err, want)
		}
	}
	scan()
	// The old key alone no longer opens the tokens: a clear start-up error.
	_, err = runCLI(t, vars, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "COACH_SECRET_KEY") || strings.Contains(err.Error(), "clear-token-text") {
		t.Fatalf("serve with the old key = %v, want a COACH_SECRET_KEY error", err)
	}
	// rotate-key with a key that opens nothing fails too.
	if _, err := runCLI(t, vars, "", "rotate-key"); err == nil {
		t.Error("rotate-key with the wrong key succeeded")
	}
	// The new key alone serves.
	vars["COACH_SECRET_KEY"] = newKey
	_, stop = startServe(t, vars)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, nil, "", "rotate-key", "--help"); err != nil || !strings.Contains(out, "COACH_SECRET_KEY_PREVIOUS") {
		t.Errorf("rotate-key --help = %q, %v", out, err)
	}
	if _, err := runCLI(t, rotate, "", "rotate-key", "--bogus"); !isUsageError(err) {
		t.Errorf("rotate-key --bogus = %v, want a usage error", err)
	}
}

func isUsageError(err error) bool {
	_, ok := err.(usageError)
	return ok
}

// stubSender is a Slack sender that knows which workspaces are installed.
type stubSender struct{ installed map[string]bool }

func (s stubSender) Send(context.Context, bot.MemberKey, bot.Reply) error { return nil }
func (s stubSender) Installed(_ context.Context, ws string) (bool, error) {
	return s.installed[ws], nil
}

type stubNudger struct{ calls int }

func (n *stubNudger) Nudge(context.Context, bot.OutboxItem) (bot.NudgeDecision, error) {
	n.calls++
	return bot.NudgeDecision{Reply: bot.Reply{Text: "hi"}}, nil
}
func (n *stubNudger) DisableNudges(context.Context, bot.MemberKey, string) error { return nil }

func TestUninstalledWorkspacesNudgesAreSkipped(t *testing.T) {
	inner := &stubNudger{}
	n := installedNudger{Nudger: inner, senders: map[bot.Platform]bot.Sender{bot.Slack: stubSender{installed: map[string]bool{"T2": true}}}}
	ctx := context.Background()
	d, err := n.Nudge(ctx, bot.OutboxItem{Member: bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U1"}})
	if err != nil || d.SkipReason == "" || inner.calls != 0 {
		t.Errorf("uninstalled workspace: %+v, %v, %d inner calls", d, err, inner.calls)
	}
	d, err = n.Nudge(ctx, bot.OutboxItem{Member: bot.MemberKey{Platform: bot.Slack, Workspace: "T2", User: "U1"}})
	if err != nil || d.SkipReason != "" || inner.calls != 1 {
		t.Errorf("installed workspace: %+v, %v", d, err)
	}
	d, err = n.Nudge(ctx, bot.OutboxItem{Member: bot.MemberKey{Platform: bot.Discord, Workspace: "G1", User: "U1"}})
	if err != nil || d.SkipReason != "" || inner.calls != 2 {
		t.Errorf("other platform: %+v, %v", d, err)
	}
}

func TestSlackManifestForDistribution(t *testing.T) {
	vars := map[string]string{"SLACK_CLIENT_ID": "111.222", "SLACK_REDIRECT_URL": "https://coach.example.com/slack/oauth_redirect"}
	out, err := runCLI(t, vars, "", "slack-manifest", "--url", "https://coach.example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Install URL (the Add to Slack button of the landing page): https://coach.example.com/slack/install\n",
		"redirect_urls:\n    - https://coach.example.com/slack/oauth_redirect",
		"org_deploy_enabled: true",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("manifest lacks %q:\n%s", want, out)
		}
	}
	if out, _ := runCLI(t, nil, "", "slack-manifest", "--url", "https://coach.example.com"); strings.Contains(out, "redirect_urls") {
		t.Error("a single-workspace manifest has redirect URLs")
	}
}
