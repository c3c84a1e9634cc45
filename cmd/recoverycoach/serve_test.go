package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// startServe runs `recoverycoach serve` in the background and returns its
// base URL and a stop function that cancels it (as SIGTERM does) and
// returns run's error.
func startServe(t *testing.T, vars map[string]string) (string, func() error) {
	t.Helper()
	base, _, stop := startServeMetrics(t, vars)
	return base, stop
}

// startServeMetrics is startServe that also returns the base URL of the
// metrics listener. Unless vars name one, it listens on a free loopback
// port, so tests never contend for the default 9091.
func startServeMetrics(t *testing.T, vars map[string]string) (base, metricsBase string, stop func() error) {
	t.Helper()
	vars = maps.Clone(vars)
	if vars["COACH_METRICS_ADDR"] == "" {
		vars["COACH_METRICS_ADDR"] = "127.0.0.1:0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(vars), strings.NewReader(""), outW, io.Discard)
		outW.Close()
	}()
	out := bufio.NewReader(outR)
	var addrs [2]string
	for i, prefix := range []string{"listening on ", "metrics on "} {
		line, err := out.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, prefix) {
			cancel()
			t.Fatalf("serve did not start: %q, %v (%v)", line, err, <-done)
		}
		addrs[i] = strings.TrimSpace(strings.TrimPrefix(line, prefix))
	}
	go io.Copy(io.Discard, out)
	return "http://" + addrs[0], "http://" + addrs[1], func() error {
		cancel()
		return <-done
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestServeDiscordHTTP starts the whole bot with Slack (signed HTTP) and
// Discord (HTTP interactions) against fake platform APIs: health, readiness, a signed check-in,
// a forged request, metrics, and a clean drain on shutdown.
func TestServeDiscordHTTP(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	defer api.Close()
	slackAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","url":"https://acme.slack.com/"}`)
	}))
	defer slackAPI.Close()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	base, metricsBase, stop := startServeMetrics(t, map[string]string{
		"COACH_DB":             dbPath,
		"COACH_HTTP_ADDR":      "127.0.0.1:0",
		"COACH_LOG_LEVEL":      "error",
		"DISCORD_BOT_TOKEN":    "tok",
		"DISCORD_PUBLIC_KEY":   hex.EncodeToString(priv.Public().(ed25519.PublicKey)),
		"DISCORD_API_URL":      api.URL,
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_SIGNING_SECRET": "secret",
		"SLACK_API_URL":        slackAPI.URL + "/",
	})

	if code, body := get(t, base+"/healthz"); code != 200 {
		t.Fatalf("/healthz = %d %s", code, body)
	}
	// Slack turns ready once auth.test answered, which runs in the
	// background after start: give it a bounded moment.
	ready := false
	for deadline := time.Now().Add(5 * time.Second); !ready && time.Now().Before(deadline); {
		code, _ := get(t, base+"/readyz")
		ready = code == 200
		if !ready {
			<-time.After(20 * time.Millisecond)
		}
	}
	if !ready {
		code, body := get(t, base+"/readyz")
		t.Fatalf("/readyz = %d %s", code, body)
	}
	// An unsigned Slack command is refused before anything runs.
	resp, err := http.Post(base+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("command=/pain&text=3&user_id=U1&team_id=T1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned Slack command = %d, want 401", resp.StatusCode)
	}

	body := []byte(`{"id":"i1","type":2,"application_id":"app1","token":"tok1","guild_id":"g1","channel_id":"c1",
		"member":{"user":{"id":"u1","username":"sam"},"permissions":"0"},
		"data":{"id":"cmd1","name":"pain","type":1,"options":[{"name":"score","type":4,"value":6},{"name":"area","type":3,"value":"knee"}]}}`)
	post := func(sign bool) int {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, base+"/discord/interactions", bytes.NewReader(body))
		req.Header.Set("X-Signature-Timestamp", ts)
		sig := make([]byte, ed25519.SignatureSize)
		if sign {
			sig = ed25519.Sign(priv, append([]byte(ts), body...))
		}
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(false); code != http.StatusUnauthorized {
		t.Errorf("forged interaction = %d, want 401", code)
	}
	if code := post(true); code != http.StatusOK {
		t.Fatalf("signed check-in = %d", code)
	}

	// Metrics live on their own listener only; the public port, which Fly
	// exposes to the internet, has webhooks and health checks only.
	if code, _ := get(t, base+"/metrics"); code != http.StatusNotFound {
		t.Errorf("public /metrics = %d, want 404", code)
	}
	for _, path := range []string{"/healthz", "/readyz", "/discord/interactions"} {
		if code, _ := get(t, metricsBase+path); code != http.StatusNotFound {
			t.Errorf("metrics listener %s = %d, want 404", path, code)
		}
	}
	code, metrics := get(t, metricsBase+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("metrics listener /metrics = %d", code)
	}
	for _, family := range []string{
		`coach_commands_total{command="pain",outcome="ok"} 1`,
		`coach_checkins_total{area="knee"} 1`,
		`coach_outbox_rows{status="pending"}`,
		`coach_http_request_duration_seconds_count{code="401",route="POST /discord/interactions"} 1`,
		"coach_storage_ok 1",
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if !strings.Contains(metrics, family) {
			t.Errorf("/metrics lacks %s", family)
		}
	}
	if strings.Contains(metrics, "u1") {
		t.Error("/metrics carries a user id")
	}

	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after shutdown, want nil", err)
	}
	// Shutdown closed the metrics listener too.
	if resp, err := http.Get(metricsBase + "/metrics"); err == nil {
		resp.Body.Close()
		t.Errorf("metrics listener still answers after shutdown: %d", resp.StatusCode)
	}
	db, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.CheckIns(context.Background(), bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: "u1"}, time.Time{})
	if err != nil || len(got) != 1 || got[0].Score != 6 {
		t.Fatalf("stored check-ins = %+v, %v", got, err)
	}
}

func TestServeFailsFastOnBadAddress(t *testing.T) {
	_, err := runCLI(t, map[string]string{
		"COACH_DB": filepath.Join(t.TempDir(), "c.db"), "COACH_HTTP_ADDR": "256.0.0.1:http",
		"DISCORD_BOT_TOKEN": "tok", "DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32),
	}, "", "serve")
	if err == nil || !strings.HasPrefix(err.Error(), "COACH_HTTP_ADDR") {
		t.Fatalf("err = %v, want it to name COACH_HTTP_ADDR", err)
	}
}

func TestUnwritableDatabaseNamesTheVariable(t *testing.T) {
	_, err := runCLI(t, map[string]string{"COACH_DB": "/proc/nope/coach.db"}, "", "console")
	if err == nil || !strings.HasPrefix(err.Error(), "COACH_DB") {
		t.Fatalf("err = %v, want it to name COACH_DB", err)
	}
}
