package discord_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/adapters/discord"

	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// call is one REST request the fake Discord received.
type call struct {
	Method string
	Path   string
	// JSON is the JSON body, or the payload_json part of a multipart body.
	JSON  []byte
	Files map[string][]byte
}

// fakeDiscord is a local Discord REST API. Tests reach it through the
// session's rewriting transport, exactly as production reaches discord.com.
type fakeDiscord struct {
	t   testing.TB
	srv *httptest.Server

	mu    sync.Mutex
	calls []call
	// override, when set, may answer a request instead of the default
	// routes: it returns false to fall through.
	override func(w http.ResponseWriter, c call) bool
	// gateway is what GET /gateway returns.
	gateway string

	seen chan call
}

func newFakeDiscord(t testing.TB) *fakeDiscord {
	f := &fakeDiscord{t: t, seen: make(chan call, 1000)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// session returns a session whose REST calls all go to the fake.
func (f *fakeDiscord) session() *discordgo.Session {
	f.t.Helper()
	s, err := discord.NewSession("test-token", f.srv.URL)
	if err != nil {
		f.t.Fatalf("NewSession: %v", err)
	}
	return s
}

func (f *fakeDiscord) setOverride(fn func(w http.ResponseWriter, c call) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.override = fn
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("Authorization"); got != "Bot test-token" {
		http.Error(w, `{"message": "401: Unauthorized", "code": 0}`, http.StatusUnauthorized)
		return
	}
	c := call{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/api/v9")}
	body, _ := io.ReadAll(r.Body)
	c.JSON = body
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "multipart/form-data" {
		c.JSON, c.Files = nil, map[string][]byte{}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			if p.FormName() == "payload_json" {
				c.JSON = data
			} else {
				c.Files[p.FileName()] = data
			}
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	override := f.override
	f.mu.Unlock()
	select {
	case f.seen <- c:
	default:
	}
	if override != nil && override(w, c) {
		return
	}
	f.answer(w, c)
}

func (f *fakeDiscord) answer(w http.ResponseWriter, c call) {
	w.Header().Set("Content-Type", "application/json")
	parts := strings.Split(strings.Trim(c.Path, "/"), "/")
	switch {
	case c.Method == http.MethodGet && c.Path == "/gateway":
		fmt.Fprintf(w, `{"url": %q}`, f.gateway)
	case c.Method == http.MethodPut && parts[0] == "applications":
		// Discord echoes the commands with ids.
		var cmds []map[string]any
		_ = json.Unmarshal(c.JSON, &cmds)
		for i, cmd := range cmds {
			cmd["id"] = fmt.Sprint(1000 + i)
		}
		_ = json.NewEncoder(w).Encode(cmds)
	case c.Method == http.MethodPost && c.Path == "/users/@me/channels":
		var req struct {
			RecipientID string `json:"recipient_id"`
		}
		_ = json.Unmarshal(c.JSON, &req)
		fmt.Fprintf(w, `{"id": "dm-%s", "type": 1}`, req.RecipientID)
	case c.Method == http.MethodPost && parts[0] == "channels":
		fmt.Fprintf(w, `{"id": "900", "channel_id": %q}`, parts[1])
	case c.Method == http.MethodPost && parts[0] == "interactions":
		w.WriteHeader(http.StatusNoContent)
	case parts[0] == "webhooks" && c.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	case parts[0] == "webhooks":
		fmt.Fprint(w, `{"id": "901", "channel_id": "42"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message": "404: Not Found", "code": 0}`)
	}
}

// Calls returns the requests so far.
func (f *fakeDiscord) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// next waits for the next request the fake receives.
func (f *fakeDiscord) next(t testing.TB) call {
	t.Helper()
	select {
	case c := <-f.seen:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("fake Discord received no request")
		return call{}
	}
}

// writeError answers like Discord does with a JSON error.
func writeError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"message": %q, "code": %d}`, msg, code)
}

// checkGolden compares got (JSON) with testdata/name, indented.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("golden %s: not JSON: %v\n%s", name, err, got)
	}
	buf.WriteByte('\n')
	bottest.Golden(t, filepath.Join("testdata", name), buf.Bytes(), *update)
}
