package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// seed makes the test key pair deterministic.
var seed = bytes.Repeat([]byte{7}, ed25519.SeedSize)

// handlerFunc adapts a function to discord.Handler.
type handlerFunc func(ctx context.Context, req bot.Request) bot.Reply

func (f handlerFunc) Handle(ctx context.Context, req bot.Request) bot.Reply { return f(ctx, req) }

// recorder is a Handler that records requests and answers with reply.
type recorder struct {
	mu    sync.Mutex
	reqs  []bot.Request
	reply bot.Reply
}

func (r *recorder) Handle(_ context.Context, req bot.Request) bot.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	return r.reply
}

func (r *recorder) Requests() []bot.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Request(nil), r.reqs...)
}

// blocker is a Handler that waits for the test to release it, so the
// deferral path runs without sleeping.
type blocker struct {
	started chan bot.Request
	release chan struct{}
	reply   bot.Reply
}

func newBlocker(reply bot.Reply) *blocker {
	return &blocker{started: make(chan bot.Request, 1), release: make(chan struct{}), reply: reply}
}

func (b *blocker) Handle(ctx context.Context, req bot.Request) bot.Reply {
	b.started <- req
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return b.reply
}

// env is an adapter in HTTP interactions mode, with the fake Discord behind
// its session, a fake clock and a real SQLite store.
type env struct {
	t       *testing.T
	adapter *discord.Adapter
	fake    *fakeDiscord
	db      *sqlite.DB
	clock   *bottest.Clock
	priv    ed25519.PrivateKey
	server  *httptest.Server
}

type envOptions struct {
	handler     discord.Handler
	ackDeadline time.Duration
	dedupeWait  time.Duration
	// store, when set, wraps the env's SQLite store (to slow it down).
	store  func(*sqlite.DB) discord.Store
	logger *slog.Logger
}

func newEnv(t *testing.T, opts envOptions) *env {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(seed)
	e := &env{t: t, fake: newFakeDiscord(t), priv: priv}
	if opts.handler == nil {
		var coach *bot.Coach
		coach, e.db, e.clock = bottest.NewCoach(t, nil)
		opts.handler = coach
	} else {
		e.db = bottest.MustOpenStore(t)
		e.clock = bottest.NewClock(bottest.Start)
	}
	var store discord.Store = e.db
	if opts.store != nil {
		store = opts.store(e.db)
	}
	if opts.dedupeWait == 0 {
		// Only the ack deadline defers, unless a test sets a wait: a
		// loaded test machine must not turn answers into deferrals.
		opts.dedupeWait = time.Hour
	}
	a, err := discord.New(discord.Config{
		Session:     e.fake.session(),
		PublicKey:   hex.EncodeToString(priv.Public().(ed25519.PublicKey)),
		Handler:     opts.handler,
		Store:       store,
		Clock:       e.clock,
		Logger:      opts.logger,
		AckDeadline: opts.ackDeadline,
		DedupeWait:  opts.dedupeWait,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.adapter = a
	mux := http.NewServeMux()
	mux.Handle("POST /discord/interactions", a.HTTPHandler())
	e.server = httptest.NewServer(mux)
	t.Cleanup(func() {
		e.server.Close()
		a.Shutdown()
	})
	return e
}

// sign returns the headers Discord would send for body at the clock's now.
func sign(priv ed25519.PrivateKey, at time.Time, body []byte) (sig, ts string) {
	ts = strconv.FormatInt(at.Unix(), 10)
	return hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))), ts
}

// post sends a signed interaction and returns the status and body.
func (e *env) post(body []byte) (int, []byte) {
	e.t.Helper()
	sig, ts := sign(e.priv, e.clock.Now(), body)
	return e.postSigned(body, sig, ts)
}

func (e *env) postSigned(body []byte, sig, ts string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.server.URL+"/discord/interactions", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if sig != "" {
		req.Header.Set("X-Signature-Ed25519", sig)
	}
	if ts != "" {
		req.Header.Set("X-Signature-Timestamp", ts)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

// response decodes an interaction response body.
type response struct {
	Type int `json:"type"`
	Data *struct {
		Content    string            `json:"content"`
		Flags      int               `json:"flags"`
		Embeds     []json.RawMessage `json:"embeds"`
		Components []struct {
			Components []struct {
				Label    string `json:"label"`
				CustomID string `json:"custom_id"`
				Style    int    `json:"style"`
			} `json:"components"`
		} `json:"components"`
	} `json:"data"`
}

func decodeResponse(t *testing.T, body []byte) response {
	t.Helper()
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("response %s: %v", body, err)
	}
	return r
}

// Interaction payloads as Discord sends them.

type option struct {
	Name    string   `json:"name"`
	Type    int      `json:"type"`
	Value   any      `json:"value,omitempty"`
	Options []option `json:"options,omitempty"`
}

type user struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

type member struct {
	User        user   `json:"user"`
	Nick        string `json:"nick,omitempty"`
	Permissions string `json:"permissions"`
}

type interaction struct {
	ID      string  `json:"id"`
	AppID   string  `json:"application_id"`
	Type    int     `json:"type"`
	Token   string  `json:"token"`
	GuildID string  `json:"guild_id,omitempty"`
	Channel string  `json:"channel_id"`
	Member  *member `json:"member,omitempty"`
	User    *user   `json:"user,omitempty"`
	Data    any     `json:"data,omitempty"`
	Message any     `json:"message,omitempty"`
}

func str(name, v string) option { return option{Name: name, Type: 3, Value: v} }
func num(name string, v int) option {
	return option{Name: name, Type: 4, Value: v}
}
func sub(name string, opts ...option) option { return option{Name: name, Type: 1, Options: opts} }
func group(name string, opts ...option) option {
	return option{Name: name, Type: 2, Options: opts}
}

// slash is a slash command by user u in guild g ("" for a DM).
func slash(id, g, u, name string, opts ...option) []byte {
	in := interaction{ID: id, AppID: "app1", Type: 2, Token: "tok-" + id, GuildID: g, Channel: "42",
		Data: map[string]any{"id": "c1", "name": name, "type": 1, "options": opts}}
	setUser(&in, g, u)
	return mustJSON(in)
}

// click is a button click by user u on a message; ephemeral marks the
// message as one only the clicker saw.
func click(id, g, u, customID string, ephemeral bool) []byte {
	flags := 0
	if ephemeral {
		flags = 64
	}
	in := interaction{ID: id, AppID: "app1", Type: 3, Token: "tok-" + id, GuildID: g, Channel: "42",
		Data:    map[string]any{"custom_id": customID, "component_type": 2},
		Message: map[string]any{"id": "m1", "channel_id": "42", "flags": flags}}
	setUser(&in, g, u)
	return mustJSON(in)
}

func setUser(in *interaction, g, u string) {
	if g == "" {
		in.User = &user{ID: u, Username: "user" + u}
		return
	}
	in.Member = &member{User: user{ID: u, Username: "user" + u}, Permissions: "0"}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
