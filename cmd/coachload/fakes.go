package main

import (
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// recorder counts deliveries per user, so that a run can tell lost nudges
// (no delivery) from duplicates (more than one).
type recorder struct {
	mu     sync.Mutex
	counts map[string]int
	total  int
	// firsts are the times of each member's first delivery, in order.
	firsts      []time.Time
	first, last time.Time
	rateLimited int
	// limitedAt are the times of the 429s.
	limitedAt []time.Time
}

func newRecorder() *recorder { return &recorder{counts: map[string]int{}} }

func (r *recorder) record(user string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[user]++
	r.total++
	if r.counts[user] == 1 {
		r.firsts = append(r.firsts, at)
	}
	if r.first.IsZero() {
		r.first = at
	}
	r.last = at
}

func (r *recorder) limited(at time.Time) {
	r.mu.Lock()
	r.rateLimited++
	r.limitedAt = append(r.limitedAt, at)
	r.mu.Unlock()
}

// second is one second of a drain: members who got their first message in
// it, and 429s answered.
type second struct {
	At      int `json:"at"`
	First   int `json:"first"`
	Limited int `json:"limited"`
}

// timeline counts first deliveries and 429s per whole second after from.
func (r *recorder) timeline(from time.Time) []second {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []second
	at := func(t time.Time) *second {
		i := max(0, int(t.Sub(from)/time.Second))
		for len(out) <= i {
			out = append(out, second{At: len(out)})
		}
		return &out[i]
	}
	for _, t := range r.firsts {
		at(t).First++
	}
	for _, t := range r.limitedAt {
		at(t).Limited++
	}
	return out
}

// steady returns the delivery rate between the 10th and 90th percentile of
// first deliveries, and the time of the last first delivery.
func (r *recorder) steady() (float64, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.firsts)
	if n < 10 {
		return 0, time.Time{}
	}
	lo, hi := n/10, n*9/10
	span := r.firsts[hi].Sub(r.firsts[lo]).Seconds()
	if span <= 0 {
		return 0, r.firsts[n-1]
	}
	return float64(hi-lo) / span, r.firsts[n-1]
}

// deliveries is a snapshot of what a fake platform received.
type deliveries struct {
	Total       int
	Users       int
	Duplicates  int
	RateLimited int
	First, Last time.Time
}

func (r *recorder) snapshot() deliveries {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := deliveries{Total: r.total, Users: len(r.counts), RateLimited: r.rateLimited, First: r.first, Last: r.last}
	for _, n := range r.counts {
		if n > 1 {
			d.Duplicates += n - 1
		}
	}
	return d
}

// delivered returns how many of users received at least one message.
func (r *recorder) delivered(users func(yield func(string) bool)) (got, missing int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for u := range users {
		if r.counts[u] > 0 {
			got++
		} else {
			missing++
		}
	}
	return got, missing
}

// limiter decides which requests get a 429, at a fixed fraction, from a
// seeded generator so runs are comparable.
type limiter struct {
	mu       sync.Mutex
	rng      *rand.Rand
	fraction float64
}

func newLimiter(fraction float64) *limiter {
	return &limiter{rng: rand.New(rand.NewPCG(1, 2)), fraction: fraction}
}

func (l *limiter) hit() bool {
	if l.fraction <= 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rng.Float64() < l.fraction
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// bucket is a token bucket of rate tokens per second holding at most a
// tenth of a second's worth, as a platform's shared limit behaves.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64) *bucket {
	return &bucket{rate: rate, tokens: max(1, rate/10), last: time.Now()}
}

// take spends a token, or says how long until one is there.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	burst := max(1, b.rate/10)
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// fakeSlack is the part of the Slack Web API the bot calls in HTTP mode:
// auth.test, users.info, conversations.open, chat.postMessage and
// conversations.history (other methods, such as views.publish, answer ok).
// DM channels are "D" + user id, so each post is attributed to its member;
// a post to a user id lands in that DM, as on Slack. Every call waits
// latency first, like a round trip to Slack from a cloud host; with a
// capacity, chat.postMessage is a token bucket of that many messages per
// second answering 429 with Retry-After (whole seconds, as Slack sends)
// beyond it.
type fakeSlack struct {
	rec     *recorder
	limit   *limiter
	now     func() time.Time
	latency time.Duration
	bucket  *bucket

	mu sync.Mutex
	// history holds the outbox ids carried as message metadata, per DM.
	history      map[string][]string
	historyCalls int
}

func newFakeSlack(fraction429 float64) *fakeSlack {
	return &fakeSlack{rec: newRecorder(), limit: newLimiter(fraction429), now: time.Now, history: map[string][]string{}}
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	if f.latency > 0 {
		// The fake's network and processing time, not a test's wait.
		time.Sleep(f.latency)
	}
	switch path.Base(r.URL.Path) {
	case "auth.test":
		writeJSON(w, 200, map[string]any{"ok": true, "user_id": "UBOT", "team_id": "T1", "bot_id": "BBOT", "user": "coach"})
	case "users.info":
		u := r.FormValue("user")
		writeJSON(w, 200, map[string]any{"ok": true, "user": map[string]any{"id": u, "name": "user" + u, "tz": "UTC", "is_admin": false}})
	case "conversations.open":
		writeJSON(w, 200, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + r.FormValue("users"), "is_im": true}})
	case "chat.postMessage":
		if f.bucket != nil {
			if ok, wait := f.bucket.take(f.now()); !ok {
				f.rec.limited(f.now())
				w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
				writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
				return
			}
		}
		if f.limit.hit() {
			f.rec.limited(f.now())
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
			return
		}
		ch := r.FormValue("channel")
		user, isDM := strings.CutPrefix(ch, "D")
		if !isDM && (strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "S")) {
			user, isDM, ch = ch, true, "D"+ch
		}
		if isDM {
			f.rec.record(user, f.now())
			var meta struct {
				EventPayload struct {
					OutboxID string `json:"outbox_id"`
				} `json:"event_payload"`
			}
			if json.Unmarshal([]byte(r.FormValue("metadata")), &meta) == nil && meta.EventPayload.OutboxID != "" {
				f.mu.Lock()
				f.history[ch] = append(f.history[ch], meta.EventPayload.OutboxID)
				f.mu.Unlock()
			}
		}
		writeJSON(w, 200, map[string]any{"ok": true, "channel": ch, "ts": "1.000001"})
	case "conversations.history":
		f.mu.Lock()
		f.historyCalls++
		var msgs []map[string]any
		for _, id := range f.history[r.FormValue("channel")] {
			m := map[string]any{"type": "message", "ts": "1.000001", "text": "nudge"}
			if v := r.FormValue("include_all_metadata"); v == "1" || v == "true" {
				m["metadata"] = map[string]any{"event_type": "recoverycoach_outbox", "event_payload": map[string]any{"outbox_id": id}}
			}
			msgs = append(msgs, m)
		}
		f.mu.Unlock()
		writeJSON(w, 200, map[string]any{"ok": true, "messages": msgs, "has_more": false})
	default:
		writeJSON(w, 200, map[string]any{"ok": true})
	}
}

// fakeDiscord is the part of Discord's REST API the bot calls: opening a
// DM (POST .../users/@me/channels, channel id "dm" + user id) and posting
// to it (POST .../channels/ID/messages). Anything else, such as interaction
// follow-ups, answers an empty object.
type fakeDiscord struct {
	rec *recorder
	now func() time.Time
}

func newFakeDiscord() *fakeDiscord { return &fakeDiscord{rec: newRecorder(), now: time.Now} }

func (f *fakeDiscord) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/users/@me/channels"):
		var body struct {
			RecipientID string `json:"recipient_id"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil || body.RecipientID == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body"})
			return
		}
		writeJSON(w, 200, map[string]any{"id": "dm" + body.RecipientID, "type": 1})
	case r.Method == http.MethodPost && strings.Contains(p, "/channels/") && strings.HasSuffix(p, "/messages"):
		ch := path.Base(path.Dir(p))
		if user, ok := strings.CutPrefix(ch, "dm"); ok {
			f.rec.record(user, f.now())
		}
		writeJSON(w, 200, map[string]any{"id": "1", "channel_id": ch, "content": ""})
	default:
		writeJSON(w, 200, map[string]any{})
	}
}
