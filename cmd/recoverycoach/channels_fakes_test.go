package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// channelsAnswer is how a fake platform answers a post to one channel
// instead of taking it: an HTTP status, headers and a JSON body.
type channelsAnswer struct {
	status int
	header map[string]string
	body   string
}

// channelsPlatform is what the fake Slack Web API and the fake Discord REST
// API have in common: per channel, how many posts were tried and which
// were taken, and the answers that refuse a channel's posts. A post to a
// member's DM is filed under "D"+user on both platforms.
type channelsPlatform struct {
	*httptest.Server

	mu      sync.Mutex
	refuse  map[string]channelsAnswer // channel -> the answer to its posts
	tries   map[string]int            // channel -> posts tried, taken or not
	taken   map[string][]string       // channel -> the bodies of posts taken
	changed chan struct{}             // closed and replaced at every post
}

func newChannelsPlatform(t *testing.T, h func(*channelsPlatform) http.Handler) *channelsPlatform {
	t.Helper()
	f := &channelsPlatform{refuse: map[string]channelsAnswer{}, tries: map[string]int{}, taken: map[string][]string{}, changed: make(chan struct{})}
	f.Server = httptest.NewServer(h(f))
	t.Cleanup(f.Close)
	return f
}

// setRefusal makes posts to channel get answer; nil takes them again.
func (f *channelsPlatform) setRefusal(channel string, answer *channelsAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if answer == nil {
		delete(f.refuse, channel)
		return
	}
	f.refuse[channel] = *answer
}

// post records a post to channel and reports how to answer it: the
// refusal, or ok when the post is taken.
func (f *channelsPlatform) post(channel, body string) (answer channelsAnswer, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries[channel]++
	answer, refused := f.refuse[channel]
	if !refused {
		f.taken[channel] = append(f.taken[channel], body)
	}
	close(f.changed)
	f.changed = make(chan struct{})
	return answer, !refused
}

// counts returns the posts tried and taken in channel so far, and a
// channel closed at the next post anywhere.
func (f *channelsPlatform) counts(channel string) (tried, taken int, next <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tries[channel], len(f.taken[channel]), f.changed
}

// bodies returns the posts taken in channel.
func (f *channelsPlatform) bodies(channel string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.taken[channel]...)
}

func writeChannelsAnswer(w http.ResponseWriter, a channelsAnswer) {
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

// newChannelsSlack is a fake Slack Web API for the real Slack sender
// (SLACK_API_URL): chat.postMessage to a channel or to a user id (which
// Slack delivers to the app's DM with them, "D"+user), and
// conversations.open, in case the sender opens the DM itself.
func newChannelsSlack(t *testing.T) *channelsPlatform {
	return newChannelsPlatform(t, func(f *channelsPlatform) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			resp := map[string]any{"ok": true}
			switch strings.TrimPrefix(r.URL.Path, "/") {
			case "auth.test":
				resp["user_id"], resp["team_id"] = "UBOT", "T1"
			case "conversations.open":
				resp["channel"] = map[string]any{"id": "D" + r.Form.Get("users")}
			case "chat.postMessage":
				ch := r.Form.Get("channel")
				if !strings.HasPrefix(ch, "C") && !strings.HasPrefix(ch, "D") {
					ch = "D" + ch // a user id: their DM with the app
				}
				answer, ok := f.post(ch, r.Form.Get("text")+"\n"+r.Form.Get("blocks"))
				if !ok {
					writeChannelsAnswer(w, answer)
					return
				}
				resp["channel"], resp["ts"] = ch, "1700000000.000100"
			default:
				resp = map[string]any{"ok": false, "error": "unknown_method"}
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(resp)
		})
	})
}

// newChannelsDiscord is a fake Discord REST API for the real Discord
// sender (DISCORD_API_URL): POST /users/@me/channels opens a member's DM,
// "D"+user, and POST /channels/ID/messages posts to a channel or DM.
func newChannelsDiscord(t *testing.T) *channelsPlatform {
	return newChannelsPlatform(t, func(f *channelsPlatform) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /api/v9/users/@me/channels", func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				RecipientID string `json:"recipient_id"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RecipientID == "" {
				writeChannelsAnswer(w, channelsAnswer{status: http.StatusBadRequest, body: `{"code": 50035, "message": "Invalid Form Body"}`})
				return
			}
			writeChannelsAnswer(w, channelsAnswer{status: http.StatusOK,
				body: fmt.Sprintf(`{"id": %q, "type": 1, "recipients": [{"id": %q}]}`, "D"+body.RecipientID, body.RecipientID)})
		})
		mux.HandleFunc("POST /api/v9/channels/{channel}/messages", func(w http.ResponseWriter, r *http.Request) {
			ch := r.PathValue("channel")
			body, _ := io.ReadAll(r.Body)
			answer, ok := f.post(ch, string(body))
			if !ok {
				writeChannelsAnswer(w, answer)
				return
			}
			writeChannelsAnswer(w, channelsAnswer{status: http.StatusOK,
				body: fmt.Sprintf(`{"id": "900", "channel_id": %q, "type": 0}`, ch)})
		})
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeChannelsAnswer(w, channelsAnswer{status: http.StatusNotFound, body: `{"code": 0, "message": "404: Not Found"}`})
		})
		return mux
	})
}
