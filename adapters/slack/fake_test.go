package slack_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// apiCall is one Web API call the fake Slack received.
type apiCall struct {
	Method string
	Form   url.Values
}

// fakeSlack is slacktest's server with the Web API methods the adapter uses
// added, recording every call. Errors can be scripted per method.
type fakeSlack struct {
	srv *slacktest.Server

	mu    sync.Mutex
	calls []apiCall
	// errors maps a method (or "method:channel") to the Slack error code it
	// answers with; "ratelimited" answers HTTP 429 with Retry-After: 7.
	errors map[string]string
	users  map[string]slackgo.User
	// history holds the metadata of messages posted, per channel, for
	// conversations.history.
	history map[string][]json.RawMessage

	// responses receives every message posted to a response_url.
	responses chan slackgo.WebhookMessage
	// published receives a value for every views.publish call.
	published chan struct{}
	// socket, when set, plays Slack's side of a Socket Mode connection.
	socket func(c *websocket.Conn)
}

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{
		errors:    map[string]string{},
		users:     map[string]slackgo.User{},
		responses: make(chan slackgo.WebhookMessage, 100),
		published: make(chan struct{}, 100),
	}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", f.method("auth.test", func(url.Values) any {
			return map[string]any{"user_id": "UBOT", "team_id": "T1", "user": "recoverycoach"}
		}))
		c.Handle("/users.info", f.method("users.info", func(form url.Values) any {
			f.mu.Lock()
			defer f.mu.Unlock()
			u, ok := f.users[form.Get("user")]
			if !ok {
				u = slackgo.User{ID: form.Get("user"), TZ: "Europe/Berlin"}
			}
			return map[string]any{"user": u}
		}))
		c.Handle("/conversations.open", f.method("conversations.open", func(form url.Values) any {
			return map[string]any{"channel": map[string]any{"id": "D" + form.Get("users")}}
		}))
		c.Handle("/chat.postMessage", f.method("chat.postMessage", func(form url.Values) any {
			ch := form.Get("channel")
			if user, ok := strings.CutPrefix(ch, "U"); ok {
				// A post to a user id lands in the app's DM with them.
				ch = "DU" + user
			}
			f.mu.Lock()
			if f.history == nil {
				f.history = map[string][]json.RawMessage{}
			}
			if meta := form.Get("metadata"); meta != "" {
				f.history[ch] = append(f.history[ch], json.RawMessage(meta))
			}
			f.mu.Unlock()
			return map[string]any{"channel": ch, "ts": "1700000000.000100"}
		}))
		c.Handle("/conversations.history", f.method("conversations.history", func(form url.Values) any {
			f.mu.Lock()
			defer f.mu.Unlock()
			var msgs []map[string]any
			for _, meta := range f.history[form.Get("channel")] {
				m := map[string]any{"type": "message", "ts": "1700000000.000100"}
				if form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true" {
					m["metadata"] = meta
				}
				msgs = append(msgs, m)
			}
			return map[string]any{"messages": msgs, "has_more": false}
		}))
		c.Handle("/chat.postEphemeral", f.method("chat.postEphemeral", func(url.Values) any {
			return map[string]any{"message_ts": "1700000000.000200"}
		}))
		c.Handle("/views.publish", f.method("views.publish", func(url.Values) any {
			f.published <- struct{}{}
			return map[string]any{"view": map[string]any{"id": "V1"}}
		}))
		c.Handle("/views.open", f.method("views.open", func(url.Values) any {
			return map[string]any{"view": map[string]any{"id": "V2"}}
		}))
		c.Handle("/files.getUploadURLExternal", f.method("files.getUploadURLExternal", func(url.Values) any {
			return map[string]any{"upload_url": f.URL() + "upload/F1", "file_id": "F1"}
		}))
		c.Handle("/upload/", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			f.record("upload", url.Values{"size": {strconv.Itoa(len(body))}})
			io.WriteString(w, "OK - "+strconv.Itoa(len(body)))
		})
		c.Handle("/files.completeUploadExternal", f.method("files.completeUploadExternal", func(form url.Values) any {
			return map[string]any{"files": []map[string]string{{"id": "F1", "title": "export"}}}
		}))
		c.Handle("/apps.connections.open", f.method("apps.connections.open", func(url.Values) any {
			return map[string]any{"url": "ws://" + f.srv.ServerAddr + "/socket"}
		}))
		c.Handle("/socket", slacktest.Websocket(func(c *websocket.Conn) {
			f.mu.Lock()
			play := f.socket
			f.mu.Unlock()
			if play != nil {
				play(c)
			}
		}))
		c.Handle("/response/", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var m slackgo.WebhookMessage
			if err := json.Unmarshal(body, &m); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			// The raw body too: a field left out is not one sent as false.
			f.record("response_url", url.Values{"path": {r.URL.Path}, "body": {string(body)}})
			f.responses <- m
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

// URL is the Web API base URL, with the trailing slash SLACK_API_URL needs.
func (f *fakeSlack) URL() string { return f.srv.GetAPIURL() }

// ResponseURL returns a response_url served by the fake.
func (f *fakeSlack) ResponseURL(id string) string { return f.URL() + "response/" + id }

// Trust accepts the fake's response URLs in place of slack.com.
func (f *fakeSlack) Trust(u *url.URL) bool { return u.Host == f.srv.ServerAddr }

func (f *fakeSlack) fail(method, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors[method] = code
}

func (f *fakeSlack) setUser(u slackgo.User) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[u.ID] = u
}

func (f *fakeSlack) record(method string, form url.Values) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, apiCall{Method: method, Form: form})
}

// Calls returns the calls of the given methods (all calls without any).
func (f *fakeSlack) Calls(methods ...string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) method(name string, ok func(url.Values) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form := r.PostForm
		if len(form) == 0 && r.Header.Get("Content-Type") == "application/json" {
			// JSON methods (views.publish): keep the body for assertions.
			body, _ := io.ReadAll(r.Body)
			form = url.Values{"json": {string(body)}}
		}
		f.record(name, form)
		f.mu.Lock()
		code := f.errors[name+":"+form.Get("channel")]
		if code == "" {
			code = f.errors[name]
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch code {
		case "":
			resp := map[string]any{"ok": true}
			if extra, isMap := ok(form).(map[string]any); isMap {
				for k, v := range extra {
					resp[k] = v
				}
			}
			json.NewEncoder(w).Encode(resp)
		case "ratelimited":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
		default:
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// harness is an adapter wired to a real Coach on SQLite and the fake Slack.
type harness struct {
	t       testing.TB
	fake    *fakeSlack
	adapter *slackadapter.Adapter
	handler *countingHandler
	db      *sqlite.DB
	clock   *bottest.Clock
	mux     *http.ServeMux
}

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// countingHandler counts requests on their way to the Coach, and can hold
// them until released.
type countingHandler struct {
	next slackadapter.Handler

	mu       sync.Mutex
	requests []bot.Request
	// hold, when set, makes Handle wait until it is closed.
	hold chan struct{}
	// entered receives a value when a held request starts waiting.
	entered chan struct{}
}

func (h *countingHandler) Handle(ctx context.Context, req bot.Request) bot.Reply {
	h.mu.Lock()
	h.requests = append(h.requests, req)
	hold := h.hold
	h.mu.Unlock()
	if hold != nil {
		h.entered <- struct{}{}
		<-hold
	}
	return h.next.Handle(ctx, req)
}

func (h *countingHandler) Requests() []bot.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Request(nil), h.requests...)
}

// option adjusts a harness's adapter configuration.
type option func(c *slackadapter.Config, f *fakeSlack)

func newHarness(t testing.TB, configure ...option) *harness {
	t.Helper()
	fake := newFakeSlack(t)
	coach, db, clock := bottest.NewCoach(t, nil)
	h := &harness{t: t, fake: fake, db: db, clock: clock, handler: &countingHandler{next: coach}}
	cfg := slackadapter.Config{
		Client:           slackgo.New("xoxb-test", slackgo.OptionAPIURL(fake.URL())),
		Handler:          h.handler,
		Store:            db,
		SigningSecret:    testSecret,
		Clock:            clock,
		Logger:           slog.New(slog.DiscardHandler),
		AckDeadline:      time.Hour, // answers are inline unless a test holds them
		CheckWait:        time.Hour, // and store checks finish before the acknowledgement
		TrustResponseURL: fake.Trust,
	}
	for _, c := range configure {
		c(&cfg, fake)
	}
	a, err := slackadapter.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.adapter = a
	h.mux = http.NewServeMux()
	for pattern, handler := range a.Routes() {
		h.mux.Handle(pattern, handler)
	}
	t.Cleanup(func() { h.drain() })
	return h
}

// drain waits for all background work (late answers, events); afterwards
// the fake's call log is complete.
func (h *harness) drain() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.adapter.Close(ctx); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
}

// sign returns Slack's v0 signature of body at ts.
func sign(secret string, ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// signedRequest builds a request to path signed now, as Slack sends it.
func signedRequest(path, contentType, body string) *http.Request {
	ts := time.Now().Unix()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", sign(testSecret, ts, body))
	return r
}

func (h *harness) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	return w
}

// command posts a signed slash command from user in team T1.
func (h *harness) command(user, command, text string) *httptest.ResponseRecorder {
	return h.serve(signedRequest("/slack/commands", "application/x-www-form-urlencoded", commandForm(user, command, text, h.fake.ResponseURL("cmd"))))
}

func commandForm(user, command, text, responseURL string) string {
	return url.Values{
		"team_id":      {"T1"},
		"team_domain":  {"acme"},
		"channel_id":   {"C1"},
		"channel_name": {"general"},
		"user_id":      {user},
		"user_name":    {strings.ToLower(user)},
		"command":      {command},
		"text":         {text},
		"response_url": {responseURL},
		"trigger_id":   {testTriggerID},
		"api_app_id":   {"A1"},
	}.Encode()
}

// decodeMessage reads a slash command's inline answer.
func decodeMessage(t testing.TB, w *httptest.ResponseRecorder) slackgo.WebhookMessage {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, body %q", w.Code, w.Body.String())
	}
	var m slackgo.WebhookMessage
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("decode answer %q: %v", w.Body.String(), err)
	}
	return m
}

// nextResponse waits for the next response_url post.
func (h *harness) nextResponse() slackgo.WebhookMessage {
	h.t.Helper()
	select {
	case m := <-h.fake.responses:
		return m
	case <-time.After(10 * time.Second):
		h.t.Fatal("no response_url post within 10s")
		return slackgo.WebhookMessage{}
	}
}

// checkIns returns the stored check-ins of user in team T1.
func (h *harness) checkIns(user string) []bot.CheckIn {
	h.t.Helper()
	got, err := h.db.CheckIns(context.Background(), bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: user}, time.Time{})
	if err != nil {
		h.t.Fatalf("CheckIns: %v", err)
	}
	return got
}
