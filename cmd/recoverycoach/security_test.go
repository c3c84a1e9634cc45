package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// dbChecksum hashes every row of every table, in rowid order, read through
// a separate read-only connection: equal sums mean nothing was written.
func dbChecksum(t *testing.T, path string) string {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var tables []string
	// seen_events is request bookkeeping (replay and retry guards), not
	// data: every verified request, refused or not, is recorded there.
	rows, err := conn.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seen_events' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	h := sha256.New()
	for _, table := range tables {
		fmt.Fprintf(h, "table %s\n", table)
		rows, err := conn.Query(`SELECT * FROM "` + table + `" ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%q\n", vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

const secSlackSecret = "s3cret-signing"

// secRig is the Slack and Discord HTTP endpoints exactly as serve mounts
// them, on a real store file and the system clock.
type secRig struct {
	path    string
	db      *sqlite.DB
	coach   *bot.Coach
	mux     *http.ServeMux
	discord ed25519.PrivateKey
	apiURL  string
	// idle waits for every adapter's late work (answers after the ack).
	idle []func()
}

func newSecRig(t *testing.T) *secRig {
	t.Helper()
	api, _ := fakeSlackAPI(t)
	discordAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(discordAPI.Close)
	path := filepath.Join(t.TempDir(), "coach.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	cfg := config{
		SlackBotToken: "xoxb-1", SlackSigningSecret: secSlackSecret, SlackAPIURL: api.URL + "/",
		DiscordBotToken: "tok", DiscordAPIURL: discordAPI.URL, DiscordPublicKey: hex.EncodeToString(priv.Public().(ed25519.PublicKey)),
	}
	clock := bot.SystemClock{}
	coach := bot.NewCoach(bot.Config{Store: db, Clock: clock, DefaultTZ: "UTC"})
	d := deps{cfg: cfg, coach: coach, store: db, logger: slog.New(slog.DiscardHandler), clock: clock}
	r := &secRig{path: path, db: db, coach: coach, mux: http.NewServeMux(), discord: priv, apiURL: api.URL}
	ctx, cancel := context.WithCancel(context.Background())
	for _, mk := range []func(context.Context, deps) (*platform, error){newSlack, newDiscord} {
		p, err := mk(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		for pattern, h := range p.routes {
			r.mux.Handle(pattern, h)
		}
		r.idle = append(r.idle, p.idle)
		done := make(chan error, 1)
		go func() { done <- p.run(ctx) }()
		t.Cleanup(func() { <-done })
	}
	t.Cleanup(cancel)
	return r
}

// settle waits until the work the last requests started after their
// acknowledgement has finished.
func (r *secRig) settle() {
	for _, idle := range r.idle {
		idle()
	}
}

func (r *secRig) do(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	r.mux.ServeHTTP(w, req)
	return w
}

// slackReq signs body with secret at ts and posts it to path.
func slackReq(path, body, secret string, ts time.Time) *http.Request {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

func slashBody(team, user, text string) string {
	return url.Values{"team_id": {team}, "user_id": {user}, "channel_id": {"D" + user}, "command": {"/pain"}, "text": {text}}.Encode()
}

func coachBody(team, user, text string) string {
	return url.Values{"team_id": {team}, "user_id": {user}, "channel_id": {"C1"}, "command": {"/coach"}, "text": {text}}.Encode()
}

func discordReq(key ed25519.PrivateKey, body []byte, ts time.Time) *http.Request {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
	req.Header.Set("X-Signature-Timestamp", stamp)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(stamp), body...))))
	return req
}

func discordPain(id, user string, score int) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"type":2,"application_id":"app1","token":"tok-%s","guild_id":"g1","channel_id":"c1",
		"member":{"user":{"id":%q,"username":"sam"},"permissions":"0"},
		"data":{"id":"cmd1","name":"pain","type":1,"options":[{"name":"score","type":4,"value":%d},{"name":"area","type":3,"value":"knee"}]}}`, id, id, user, score))
}

// TestForgedAndMalformedRequestsTouchNothing: every request that is not a
// fresh, correctly signed, well-formed one is refused with 401, 413 or 400
// and leaves the database byte-for-byte unchanged.
func TestForgedAndMalformedRequestsTouchNothing(t *testing.T) {
	r := newSecRig(t)
	now := time.Now()
	// A real check-in first, so the database has content to protect and a
	// captured request to replay.
	valid := slackReq("/slack/commands", slashBody("T1", "U1", "5 knee"), secSlackSecret, now)
	validSig := valid.Header.Get("X-Slack-Signature")
	if w := r.do(valid); w.Code != http.StatusOK {
		t.Fatalf("valid command = %d %s", w.Code, w.Body)
	}
	if w := r.do(discordReq(r.discord, discordPain("i1", "d1", 3), now)); w.Code != http.StatusOK {
		t.Fatalf("valid interaction = %d %s", w.Code, w.Body)
	}
	wrongKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	big := strings.Repeat("x", 70<<10)

	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"slack no headers", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(slashBody("T1", "U1", "9 knee")))
		}, 401},
		{"slack wrong secret", func() *http.Request {
			return slackReq("/slack/commands", slashBody("T1", "U1", "9 knee"), "guess", time.Now())
		}, 401},
		{"slack stale timestamp", func() *http.Request {
			return slackReq("/slack/commands", slashBody("T1", "U1", "9 knee"), secSlackSecret, time.Now().Add(-6*time.Minute))
		}, 401},
		{"slack future timestamp", func() *http.Request {
			return slackReq("/slack/commands", slashBody("T1", "U1", "9 knee"), secSlackSecret, time.Now().Add(6*time.Minute))
		}, 401},
		{"slack tampered body", func() *http.Request {
			req := slackReq("/slack/commands", slashBody("T1", "U1", "1 knee"), secSlackSecret, time.Now())
			req.Body = io.NopCloser(strings.NewReader(slashBody("T1", "U1", "9 knee")))
			return req
		}, 401},
		{"slack signature of another timestamp", func() *http.Request {
			req := slackReq("/slack/commands", slashBody("T1", "U1", "9 knee"), secSlackSecret, time.Now())
			req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(time.Now().Unix()-1, 10))
			return req
		}, 401},
		{"slack replay within the window", func() *http.Request {
			return slackReq("/slack/commands", slashBody("T1", "U1", "5 knee"), secSlackSecret, now)
		}, 401},
		{"slack captured request replayed after the window", func() *http.Request {
			req := slackReq("/slack/commands", slashBody("T1", "U1", "5 knee"), secSlackSecret, now.Add(-10*time.Minute))
			return req
		}, 401},
		{"slack oversize body", func() *http.Request {
			return slackReq("/slack/commands", slashBody("T1", "U1", "9 knee "+big), secSlackSecret, time.Now())
		}, 413},
		{"slack malformed form", func() *http.Request {
			return slackReq("/slack/commands", "team_id=%zz&user_id=U1", secSlackSecret, time.Now())
		}, 400},
		{"slack command without identity", func() *http.Request {
			return slackReq("/slack/commands", url.Values{"command": {"/pain"}, "text": {"9"}}.Encode(), secSlackSecret, time.Now())
		}, 400},
		{"slack malformed interaction JSON", func() *http.Request {
			return slackReq("/slack/interactions", "payload="+url.QueryEscape(`{"type":"block_actions",`), secSlackSecret, time.Now())
		}, 400},
		{"slack interaction without payload", func() *http.Request {
			return slackReq("/slack/interactions", "foo=bar", secSlackSecret, time.Now())
		}, 400},
		{"slack forged interaction", func() *http.Request {
			return slackReq("/slack/interactions", "payload="+url.QueryEscape(secClick("U1", "cmd:coach forget confirm", r.apiURL)), "guess", time.Now())
		}, 401},
		{"discord no headers", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(discordPain("i2", "d1", 9)))
		}, 401},
		{"discord wrong key", func() *http.Request { return discordReq(wrongKey, discordPain("i3", "d1", 9), time.Now()) }, 401},
		{"discord stale", func() *http.Request {
			return discordReq(r.discord, discordPain("i4", "d1", 9), time.Now().Add(-10*time.Minute))
		}, 401},
		{"discord future", func() *http.Request {
			return discordReq(r.discord, discordPain("i5", "d1", 9), time.Now().Add(10*time.Minute))
		}, 401},
		{"discord tampered body", func() *http.Request {
			req := discordReq(r.discord, discordPain("i6", "d1", 1), time.Now())
			req.Body = io.NopCloser(bytes.NewReader(discordPain("i6", "d1", 9)))
			return req
		}, 401},
		{"discord forged signature bytes", func() *http.Request {
			req := discordReq(r.discord, discordPain("i7", "d1", 9), time.Now())
			req.Header.Set("X-Signature-Ed25519", strings.Repeat("00", ed25519.SignatureSize))
			return req
		}, 401},
		{"discord non-hex signature", func() *http.Request {
			req := discordReq(r.discord, discordPain("i8", "d1", 9), time.Now())
			req.Header.Set("X-Signature-Ed25519", "zz")
			return req
		}, 401},
		{"discord replayed interaction id", func() *http.Request {
			return discordReq(r.discord, discordPain("i1", "d1", 3), time.Now())
		}, 401},
		{"discord oversize", func() *http.Request {
			return discordReq(r.discord, []byte(`{"pad":"`+big+`"}`), time.Now())
		}, 413},
		{"discord malformed JSON", func() *http.Request { return discordReq(r.discord, []byte(`{"id":`), time.Now()) }, 400},
	}
	before := dbChecksum(t, r.path)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := r.do(tt.req())
			if w.Code != tt.want {
				t.Errorf("status %d %q, want %d", w.Code, strings.TrimSpace(w.Body.String()), tt.want)
			}
			if strings.Contains(strings.ToLower(w.Body.String()), "sql") {
				t.Errorf("body leaks storage detail: %q", w.Body.String())
			}
			if after := dbChecksum(t, r.path); after != before {
				t.Error("database changed")
			}
		})
	}
	t.Run("slack retry of a handled request", func(t *testing.T) {
		req := slackReq("/slack/commands", slashBody("T1", "U1", "5 knee"), secSlackSecret, now)
		if req.Header.Get("X-Slack-Signature") != validSig {
			t.Fatal("not the same request")
		}
		req.Header.Set("X-Slack-Retry-Num", "1")
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		if w := r.do(req); w.Code != http.StatusOK {
			t.Errorf("retry = %d, want an acknowledging 200", w.Code)
		}
		if dbChecksum(t, r.path) != before {
			t.Error("a Slack retry was processed again")
		}
	})
}

func secClick(user, value, responseURL string) string {
	return `{"type":"block_actions","team":{"id":"T1","domain":"acme"},` +
		`"user":{"id":"` + user + `","username":"` + strings.ToLower(user) + `","team_id":"T1"},` +
		`"api_app_id":"A1","container":{"type":"message","message_ts":"1.2","channel_id":"DU1","is_ephemeral":false},` +
		`"channel":{"id":"DU1","name":"directmessage"},"response_url":"` + responseURL + `",` +
		`"actions":[{"type":"button","action_id":"rc:0","block_id":"b1","value":"` + value + `","action_ts":"1.3"}]}`
}

// TestIdentityIsolation: a button acts only for the clicker, staff verbs
// refuse members, and export/forget stay within one platform and
// workspace even when the user id is the same elsewhere.
func TestIdentityIsolation(t *testing.T) {
	r := newSecRig(t)
	ctx := context.Background()
	keys := map[string]bot.MemberKey{
		"slack T1 U1":   {Platform: bot.Slack, Workspace: "T1", User: "U1"},
		"slack T1 U2":   {Platform: bot.Slack, Workspace: "T1", User: "U2"},
		"slack T2 U2":   {Platform: bot.Slack, Workspace: "T2", User: "U2"},
		"discord g1 U2": {Platform: bot.Discord, Workspace: "g1", User: "U2"},
	}
	for name, k := range keys {
		reply := r.coach.Handle(ctx, bot.Request{Platform: k.Platform, Workspace: k.Workspace, User: k.User, IsDM: true,
			Text: "pain 5 knee note-" + strings.ReplaceAll(name, " ", "-")})
		if !strings.Contains(reply.PlainText(), "5") {
			t.Fatalf("seed %s: %q", name, reply.PlainText())
		}
	}
	rowsOf := func() map[string]int {
		out := map[string]int{}
		for name, k := range keys {
			n, err := r.db.RowsOf(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			out[name] = n
		}
		return out
	}
	start := rowsOf()

	t.Run("staff verbs refuse members", func(t *testing.T) {
		before := dbChecksum(t, r.path)
		for _, text := range []string{"team mode team", "team staff <@U2>", "team report", "team alerts C1"} {
			w := r.do(slackReq("/slack/commands", coachBody("T1", "U1", text), secSlackSecret, time.Now()))
			if w.Code != http.StatusOK || !strings.Contains(strings.ToLower(w.Body.String()), "staff") {
				t.Errorf("%q by a member = %d %s, want a polite refusal naming staff", text, w.Code, w.Body)
			}
		}
		if dbChecksum(t, r.path) != before {
			t.Error("a refused staff verb changed the database")
		}
	})

	t.Run("export holds only the caller's data", func(t *testing.T) {
		reply := r.coach.Handle(ctx, bot.Request{Platform: bot.Slack, Workspace: "T2", User: "U2", IsDM: true, Text: "coach export"})
		var all strings.Builder
		all.WriteString(reply.PlainText())
		for _, f := range reply.Files {
			all.Write(f.Data)
		}
		if !strings.Contains(all.String(), "note-slack-T2-U2") {
			t.Fatalf("export lacks the caller's own check-in: %q", all.String())
		}
		for _, other := range []string{"note-slack-T1-U1", "note-slack-T1-U2", "note-discord-g1-U2"} {
			if strings.Contains(all.String(), other) {
				t.Errorf("export of slack T2 U2 contains %s", other)
			}
		}
	})

	t.Run("a button forgets only the clicker", func(t *testing.T) {
		// U2 clicks a "forget" button on a message that was sent to U1.
		body := "payload=" + url.QueryEscape(secClick("U2", "cmd:coach forget confirm", r.apiURL))
		if w := r.do(slackReq("/slack/interactions", body, secSlackSecret, time.Now())); w.Code != http.StatusOK {
			t.Fatalf("click = %d", w.Code)
		}
		r.settle() // the click runs after the acknowledgement
		if rowsOf()["slack T1 U2"] != 0 {
			t.Fatal("the clicker's data was not forgotten")
		}
		got := rowsOf()
		for _, name := range []string{"slack T1 U1", "slack T2 U2", "discord g1 U2"} {
			if got[name] != start[name] || got[name] == 0 {
				t.Errorf("%s: rows %d -> %d, want untouched", name, start[name], got[name])
			}
		}
	})

	t.Run("forget on discord leaves the same id on slack", func(t *testing.T) {
		body := []byte(`{"id":"f1","type":2,"application_id":"app1","token":"tok-f1","guild_id":"g1","channel_id":"c1",
			"member":{"user":{"id":"U2","username":"sam"},"permissions":"0"},
			"data":{"id":"cmd2","name":"coach","type":1,"options":[{"name":"forget","type":1,"options":[{"name":"confirm","type":3,"value":"confirm"}]}]}}`)
		w := r.do(discordReq(r.discord, body, time.Now()))
		if w.Code != http.StatusOK {
			t.Fatalf("forget interaction = %d %s", w.Code, w.Body)
		}
		r.settle() // slow commands finish after the deferral
		if rowsOf()["discord g1 U2"] != 0 {
			t.Fatalf("discord member not forgotten; reply %s", w.Body)
		}
		got := rowsOf()
		for _, name := range []string{"slack T1 U1", "slack T2 U2"} {
			if got[name] != start[name] {
				t.Errorf("%s: rows %d -> %d, want untouched", name, start[name], got[name])
			}
		}
	})
}
