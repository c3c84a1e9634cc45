package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Secrets of TestServeLogsCarryNoSecrets: distinctive, so that finding one
// in the logs cannot be a coincidence.
const (
	logSlackSecret   = "slack-signing-secret-Q7vX"
	logSlackToken    = "xoxb-slack-bot-token-Q7vX"
	logDiscordToken  = "discord-bot-token-Q7vX"
	logCommandURL    = "https://hooks.example.com/commands/T1/111/SlackCmdToken7vX"
	logActionURL     = "https://hooks.example.com/actions/T1/222/SlackActToken7vX"
	logInteractToken = "aW50ZXJhY3Rpb246Q7vX"
)

// lockedBuffer collects the log output that serve writes from many
// goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveLogged runs `recoverycoach serve` like startServe, with its log
// output (stderr) kept.
func serveLogged(t *testing.T, vars map[string]string, logs io.Writer) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(vars), strings.NewReader(""), outW, logs)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve did not start: %v (%v)", err, <-done)
	}
	go io.Copy(io.Discard, outR)
	return "http://" + strings.TrimSpace(strings.TrimPrefix(line, "listening on ")), func() error {
		cancel()
		return <-done
	}
}

// interactionBody is a Discord interaction in guild g ("" for a DM) with
// the test's interaction token.
func interactionBody(id, g, user string, typ int, data string) []byte {
	who := fmt.Sprintf(`"member":{"user":{"id":%q,"username":"sam"},"permissions":"0"}`, user)
	if g == "" {
		who = fmt.Sprintf(`"user":{"id":%q,"username":"sam"}`, user)
	}
	return fmt.Appendf(nil, `{"id":%q,"type":%d,"application_id":"app1","token":%q,"guild_id":%q,"channel_id":"c-%s",%s,"data":%s,"message":{"id":"m1","flags":0}}`,
		id, typ, logInteractToken+id, g, user, who, data)
}

// TestServeLogsCarryNoSecrets runs serve with both platforms over HTTP at
// debug level, drives the flows that log (refused and replayed requests,
// untrusted response_urls, Discord REST calls that fail in the transport
// and quote their webhook URL), and then scans every line of the log for
// the secrets and token-bearing URLs.
func TestServeLogsCarryNoSecrets(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) { serveLogsCarryNoSecrets(t, format) })
	}
}

func serveLogsCarryNoSecrets(t *testing.T, format string) {
	slackAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "user_id": "UBOT", "team_id": "T1",
			"user": map[string]any{"id": "U1", "tz": "UTC"}, "channel": map[string]any{"id": "DU1"}})
	}))
	defer slackAPI.Close()
	var failed sync.WaitGroup
	failed.Add(1)
	var once sync.Once
	discordAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Calls that carry the interaction token fail in the transport,
		// so discordgo's error quotes the whole URL.
		if strings.Contains(r.URL.Path, "/webhooks/") || strings.Contains(r.URL.Path, "/interactions/") {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			once.Do(failed.Done)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	defer discordAPI.Close()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, ed25519.SeedSize))
	var logs lockedBuffer
	base, stop := serveLogged(t, map[string]string{
		"COACH_DB":             filepath.Join(t.TempDir(), "coach.db"),
		"COACH_HTTP_ADDR":      "127.0.0.1:0",
		"COACH_LOG_LEVEL":      "debug",
		"COACH_LOG_FORMAT":     format,
		"DISCORD_BOT_TOKEN":    logDiscordToken,
		"DISCORD_PUBLIC_KEY":   hex.EncodeToString(priv.Public().(ed25519.PublicKey)),
		"DISCORD_API_URL":      discordAPI.URL,
		"SLACK_BOT_TOKEN":      logSlackToken,
		"SLACK_SIGNING_SECRET": logSlackSecret,
		"SLACK_API_URL":        slackAPI.URL + "/",
	}, &logs)

	post := func(req *http.Request) int {
		t.Helper()
		req.RequestURI = ""
		u, _ := url.Parse(base + req.URL.Path)
		req.URL = u
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	now := time.Now()

	// Slack: a command, its replay, a forgery, a click and a DM.
	command := url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "channel_id": {"C1"}, "command": {"/pain"},
		"text": {"4 knee"}, "response_url": {logCommandURL}}.Encode()
	if code := post(slackReq("/slack/commands", command, logSlackSecret, now)); code != http.StatusOK {
		t.Errorf("slack command = %d", code)
	}
	if code := post(slackReq("/slack/commands", command, logSlackSecret, now)); code != http.StatusUnauthorized {
		t.Errorf("slack replay = %d, want 401", code)
	}
	if code := post(slackReq("/slack/commands", command, "guess", now)); code != http.StatusUnauthorized {
		t.Errorf("slack forgery = %d, want 401", code)
	}
	click := "payload=" + url.QueryEscape(secClick("U1", "cmd:pain 5", logActionURL))
	if code := post(slackReq("/slack/interactions", click, logSlackSecret, now)); code != http.StatusOK {
		t.Errorf("slack click = %d", code)
	}
	dm := `{"token":"legacy","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"EvL1","event_time":1700000000,` +
		`"event":{"type":"message","channel":"DU1","channel_type":"im","user":"U1","text":"history","ts":"1.1","event_ts":"1.1"}}`
	if code := post(slackReq("/slack/events", dm, logSlackSecret, now)); code != http.StatusOK {
		t.Errorf("slack event = %d", code)
	}

	// Discord: a check-in, its replay, a forgery, an export (always
	// deferred, so its edit goes to the webhook URL) and a DM click.
	pain := interactionBody("i1", "g1", "d1", 2, `{"id":"c1","name":"pain","type":1,"options":[{"name":"score","type":4,"value":6}]}`)
	if code := post(discordReq(priv, pain, now)); code != http.StatusOK {
		t.Errorf("discord check-in = %d", code)
	}
	if code := post(discordReq(priv, pain, now)); code != http.StatusUnauthorized {
		t.Errorf("discord replay = %d, want 401", code)
	}
	if code := post(discordReq(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{6}, ed25519.SeedSize)), pain, now)); code != http.StatusUnauthorized {
		t.Errorf("discord forgery = %d, want 401", code)
	}
	export := interactionBody("i2", "g1", "d1", 2, `{"id":"c2","name":"coach","type":1,"options":[{"name":"export","type":1}]}`)
	if code := post(discordReq(priv, export, now)); code != http.StatusOK {
		t.Errorf("discord export = %d", code)
	}
	dmClick := interactionBody("i3", "", "d2", 3, `{"custom_id":"rc:pain 9","component_type":2}`)
	if code := post(discordReq(priv, dmClick, now)); code != http.StatusOK {
		t.Errorf("discord DM click = %d", code)
	}
	failed.Wait() // the export's edit reached the API and failed
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}

	out := logs.String()
	for _, want := range []string{"editing deferred answer failed", "refusing untrusted response_url", "https://discord.com/api/v9/webhooks/..."} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q, so a flow did not run as planned:\n%s", want, out)
		}
	}
	for _, secret := range []string{
		logSlackSecret, logSlackToken, logDiscordToken,
		logCommandURL, logActionURL, "SlackCmdToken7vX", "SlackActToken7vX",
		logInteractToken, "webhooks/app1", "interactions/i",
	} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	if t.Failed() {
		t.Logf("log output:\n%s", out)
	}
}
