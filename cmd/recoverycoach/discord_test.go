package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// fakeDiscordAPI records command registrations.
type fakeDiscordAPI struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
	names []string
}

func newFakeDiscordAPI(t *testing.T, status int) *fakeDiscordAPI {
	f := &fakeDiscordAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var cmds []struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(body, &cmds)
		f.mu.Lock()
		f.paths = append(f.paths, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		for _, c := range cmds {
			f.names = append(f.names, c.Name)
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status != http.StatusOK {
			_, _ = w.Write([]byte(`{"message": "Invalid Form Body", "code": 50035}`))
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(f.Close)
	return f
}

func TestDiscordRegister(t *testing.T) {
	for _, tt := range []struct {
		guild, wantPath, wantOut string
	}{
		{"g1", "PUT /api/v9/applications/app1/guilds/g1/commands Bot tok", "registered 2 Discord commands in guild g1: /pain /coach\n"},
		{"", "PUT /api/v9/applications/app1/commands Bot tok", "registered 2 Discord commands globally: /pain /coach\n"},
	} {
		t.Run(tt.wantPath, func(t *testing.T) {
			api := newFakeDiscordAPI(t, http.StatusOK)
			out, err := runCLI(t, map[string]string{
				"COACH_DB":          t.TempDir() + "/coach.db",
				"DISCORD_BOT_TOKEN": "tok", "DISCORD_APP_ID": "app1", "DISCORD_GUILD_ID": tt.guild, "DISCORD_API_URL": api.URL,
			}, "", "discord-register")
			if err != nil {
				t.Fatalf("discord-register: %v", err)
			}
			if out != tt.wantOut {
				t.Errorf("output = %q, want %q", out, tt.wantOut)
			}
			if len(api.paths) != 1 || api.paths[0] != tt.wantPath || strings.Join(api.names, " ") != "pain coach" {
				t.Errorf("requests = %v (commands %v), want one %s", api.paths, api.names, tt.wantPath)
			}
		})
	}
}

func TestDiscordRegisterErrors(t *testing.T) {
	api := newFakeDiscordAPI(t, http.StatusBadRequest)
	for _, tt := range []struct {
		name  string
		vars  map[string]string
		args  []string
		want  string
		usage bool
	}{
		{"no app id", map[string]string{"DISCORD_BOT_TOKEN": "tok"}, nil, "DISCORD_APP_ID", false},
		{"no token", map[string]string{"DISCORD_APP_ID": "app1"}, nil, "DISCORD_BOT_TOKEN", false},
		{"bad api url", map[string]string{"DISCORD_APP_ID": "app1", "DISCORD_BOT_TOKEN": "tok", "DISCORD_API_URL": "ftp://x"}, nil, "DISCORD_API_URL", false},
		{"refused", map[string]string{"DISCORD_APP_ID": "app1", "DISCORD_BOT_TOKEN": "tok", "DISCORD_API_URL": api.URL}, nil, "register discord commands", false},
		{"arguments", map[string]string{"DISCORD_APP_ID": "app1", "DISCORD_BOT_TOKEN": "tok"}, []string{"now"}, "takes no arguments", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.vars["COACH_DB"] = t.TempDir() + "/coach.db"
			_, err := runCLI(t, tt.vars, "", append([]string{"discord-register"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %s", err, tt.want)
			}
			var ue usageError
			if errors.As(err, &ue) != tt.usage {
				t.Errorf("usage error = %v, want %v", !tt.usage, tt.usage)
			}
		})
	}
}

func discordDeps(t *testing.T, cfg config) deps {
	coach, db, clock := bottest.NewCoach(t, nil)
	return deps{cfg: cfg, coach: coach, store: db, logger: slog.New(slog.DiscardHandler), clock: clock}
}

// TestNewDiscordHTTP wires HTTP interactions mode and answers Discord's
// endpoint check (a signed PING) through the mounted route.
func TestNewDiscordHTTP(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))
	cfg := config{DiscordBotToken: "tok", DiscordAPIURL: "https://discord.com",
		DiscordPublicKey: hex.EncodeToString(priv.Public().(ed25519.PublicKey))}
	d := discordDeps(t, cfg)
	p, err := newDiscord(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if p.name != bot.Discord || p.sender == nil || p.run == nil || !p.ready() {
		t.Fatalf("platform = %+v, want a ready Discord platform with a sender", p)
	}
	h := p.routes["POST /discord/interactions"]
	if h == nil || len(p.routes) != 1 {
		t.Fatalf("routes = %v", p.routes)
	}
	body := []byte(`{"id":"1","type":1,"application_id":"app1","token":"t"}`)
	ts := strconv.FormatInt(d.clock.Now().Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"type":1}` {
		t.Errorf("PING -> %d %s", rec.Code, rec.Body)
	}
	// run drains and returns once the context ends.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.run(ctx); err != nil {
		t.Errorf("run: %v", err)
	}
}

func TestNewDiscordGateway(t *testing.T) {
	p, err := newDiscord(context.Background(), discordDeps(t, config{DiscordBotToken: "tok", DiscordAPIURL: "https://discord.com"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.routes) != 0 || p.ready() || p.run == nil {
		t.Errorf("gateway platform: routes %v, ready %v", p.routes, p.ready())
	}
}

func TestNewDiscordErrors(t *testing.T) {
	for _, tt := range []struct {
		cfg  config
		want string
	}{
		{config{DiscordBotToken: "tok", DiscordPublicKey: "not-hex"}, "DISCORD_PUBLIC_KEY"},
		{config{DiscordBotToken: "tok", DiscordPublicKey: "abcd"}, "DISCORD_PUBLIC_KEY"},
		{config{DiscordBotToken: "tok", DiscordAPIURL: "discord.example"}, "DISCORD_API_URL"},
	} {
		if _, err := newDiscord(context.Background(), discordDeps(t, tt.cfg)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want one naming %s", tt.cfg, err, tt.want)
		}
	}
}
