package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

func TestSlackManifestCommand(t *testing.T) {
	for _, tt := range []struct {
		args []string
		opts slackadapter.ManifestOptions
	}{
		{[]string{"--url", "https://coach.example.com"}, slackadapter.ManifestOptions{BaseURL: "https://coach.example.com"}},
		{[]string{"--socket-mode"}, slackadapter.ManifestOptions{SocketMode: true}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, err := runCLI(t, nil, "", append([]string{"slack-manifest"}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			want, err := slackadapter.ManifestYAML(bot.Commands(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("output differs from the adapter's manifest:\n%s", out)
			}
			if !strings.Contains(out, "command: /pain") || !strings.Contains(out, "command: /coach") {
				t.Errorf("manifest lacks the slash commands:\n%s", out)
			}
		})
	}
}

func TestSlackManifestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--url"},
		{"--bogus"},
		{"--url", "http://coach.example.com"},
		{"--url", "https://coach.example.com", "extra"},
	} {
		_, err := runCLI(t, nil, "", append([]string{"slack-manifest"}, args...)...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("slack-manifest %v: err = %v, want a usage error", args, err)
		}
	}
}

// fakeSlackAPI answers every Web API method with ok and counts calls.
func fakeSlackAPI(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "user_id": "UBOT", "user": map[string]any{"id": "U1", "tz": "Europe/Oslo"}})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func slackDeps(t *testing.T, cfg config) deps {
	coach, db, clock := bottest.NewCoach(t, nil)
	return deps{cfg: cfg, coach: coach, store: db, logger: slog.New(slog.DiscardHandler), clock: clock}
}

func TestNewSlackConfiguration(t *testing.T) {
	api, calls := fakeSlackAPI(t)
	base := config{SlackBotToken: "xoxb-1", SlackAPIURL: api.URL + "/"}
	tests := []struct {
		name       string
		edit       func(*config)
		wantErr    string
		wantRoutes int
	}{
		{"http needs the signing secret", func(*config) {}, "SLACK_SIGNING_SECRET", 0},
		{"http", func(c *config) { c.SlackSigningSecret = "s3cret" }, "", 3},
		{"socket mode", func(c *config) { c.SlackAppToken = "xapp-1" }, "", 0},
		{"socket mode needs an app token", func(c *config) { c.SlackAppToken = "xoxb-wrong" }, "SLACK_APP_TOKEN", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.edit(&cfg)
			p, err := newSlack(context.Background(), slackDeps(t, cfg))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.name != bot.Slack || p.sender == nil || p.run == nil || p.ready == nil || len(p.routes) != tt.wantRoutes {
				t.Errorf("platform = %+v", p)
			}
			if p.ready() {
				t.Error("ready before running")
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("newSlack called Slack %d times; it must not touch the network", n)
	}
}

func TestNewSlackServesSignedCommands(t *testing.T) {
	api, _ := fakeSlackAPI(t)
	const secret = "s3cret"
	p, err := newSlack(context.Background(), slackDeps(t, config{SlackBotToken: "xoxb-1", SlackSigningSecret: secret, SlackAPIURL: api.URL + "/"}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})

	mux := http.NewServeMux()
	for pattern, h := range p.routes {
		mux.Handle(pattern, h)
	}
	body := url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "channel_id": {"C1"}, "command": {"/pain"}, "text": {"4 knee"}}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"response_type":"ephemeral"`) || !strings.Contains(w.Body.String(), "Logged") {
		t.Fatalf("got %d %s", w.Code, w.Body.String())
	}

	unsigned := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, unsigned)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned request: status %d, want 401", w.Code)
	}
}
