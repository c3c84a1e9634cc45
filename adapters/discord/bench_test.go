package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// benchClients is the number of concurrent clients, as in BENCHMARKS.md.
const benchClients = 64

// benchPool is how many signed requests are prepared before timing starts.
const benchPool = 20000

// benchUsers is how many members the check-ins spread over, and
// memberPace how often each checks in on the Coach's clock: a real
// member's twice a day. Every check-in is then new (none is a repeat
// within two minutes, kept once without a write) and reads a month of
// history, which benchCoach stores before timing starts.
const (
	benchUsers = 500
	memberPace = 12 * time.Hour
)

// benchCoach returns a Coach on SQLite whose benchmark members each have a
// month of check-ins, and a func that moves the Coach's clock on by one
// check-in's share of memberPace.
func benchCoach(b *testing.B) (*bot.Coach, *sqlite.DB, func()) {
	coach, db, clock := bottest.NewCoach(b, nil)
	members := make([]bot.MemberKey, benchUsers)
	for u := range members {
		members[u] = bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: "u" + strconv.Itoa(u)}
	}
	bottest.History(b, db, members, clock.Now(), memberPace, 60)
	return coach, db, func() { clock.Advance(memberPace / benchUsers) }
}

// BenchmarkInteractions compares the verified /discord/interactions
// check-in path end to end (signature, dedupe, real Coach, real SQLite,
// rendering) with a bare handler that only verifies the signature, both over
// loopback HTTP with 64 concurrent clients. Each reports throughput, p50 and
// p99 latency and CPU per request; the check-in side also reports its
// throughput as a percentage of the bare side's in the same run. "coach"
// runs the same check-ins straight into the Coach, without HTTP or
// Discord: the ceiling any adapter could reach.
func BenchmarkInteractions(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	var bare float64

	b.Run("bare", func(b *testing.B) {
		clock := bottest.NewClock(bottest.Start)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, discord.MaxBodyBytes))
			if err != nil {
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
				return
			}
			if discord.Verify(pub, clock.Now(), r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp"), body) != nil {
				http.Error(w, "invalid request signature", http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"type":1}`))
		})
		bare = loadHTTP(b, h, priv, clock.Now(), false)
	})

	b.Run("checkin", func(b *testing.B) {
		coach, db, tick := benchCoach(b)
		// The adapter's clock stands still: it checks the signatures'
		// timestamps, made once before timing starts.
		clock := bottest.NewClock(bottest.Start)
		fake := newFakeDiscord(b)
		a, err := discord.New(discord.Config{Session: fake.session(), PublicKey: fmt.Sprintf("%x", pub), Handler: pacedHandler{coach, tick}, Store: db, Clock: clock})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(a.Shutdown)
		full := loadHTTP(b, a.HTTPHandler(), priv, clock.Now(), true)
		// A check-in slower than the ack deadline is deferred and edited in
		// later, which shows up here as a REST call.
		b.ReportMetric(float64(len(fake.Calls())), "deferred")
		if bare > 0 {
			b.ReportMetric(100*full/bare, "%bare-req/s")
		}
	})

	b.Run("coach", func(b *testing.B) {
		coach, _, tick := benchCoach(b)
		h := pacedHandler{coach, tick}
		ctx := context.Background()
		load(b, func(n int) error {
			reply := h.Handle(ctx, bot.Request{
				Platform: bot.Discord, Workspace: "g1", User: "u" + strconv.Itoa(n%benchUsers), Channel: "42",
				Path: []string{"pain"}, Options: map[string]string{"score": strconv.Itoa(n % 11), "area": "knee"},
			})
			if !strings.Contains(reply.Text, "Logged") {
				return fmt.Errorf("reply %q", reply.Text)
			}
			return nil
		})
	})
}

// pacedHandler moves the Coach's clock on before each request.
type pacedHandler struct {
	coach *bot.Coach
	tick  func()
}

func (h pacedHandler) Handle(ctx context.Context, req bot.Request) bot.Reply {
	h.tick()
	return h.coach.Handle(ctx, req)
}

// loadHTTP sends distinct signed /pain check-ins to h over loopback HTTP
// and returns the throughput in requests per second; with checkIns set,
// every answer must be a logged check-in.
func loadHTTP(b *testing.B, h http.Handler, priv ed25519.PrivateKey, at time.Time, checkIns bool) float64 {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: benchClients, MaxIdleConnsPerHost: benchClients}}
	defer client.CloseIdleConnections()
	url := srv.URL + "/discord/interactions"

	type signed struct {
		body    []byte
		sig, ts string
	}
	prepare := func(n int) signed {
		body := slash("b"+strconv.Itoa(n), "g1", "u"+strconv.Itoa(n%benchUsers), "pain", num("score", n%11), str("area", "knee"))
		sig, ts := sign(priv, at, body)
		return signed{body, sig, ts}
	}
	pool := make([]signed, benchPool)
	for n := range pool {
		pool[n] = prepare(n)
	}
	return load(b, func(n int) error {
		// Past the pool, signing counts in the latency; size -benchtime to
		// the pool to keep it out.
		var req signed
		if n < len(pool) {
			req = pool[n]
		} else {
			req = prepare(n)
		}
		status, answer, err := postOnce(client, url, req.body, req.sig, req.ts)
		switch {
		case err != nil:
		case status != http.StatusOK:
			err = fmt.Errorf("status %d", status)
		case checkIns && !bytes.Contains(answer, []byte("Logged")) && !bytes.HasPrefix(answer, []byte(`{"type":5`)):
			// An apology is not a check-in; a deferred answer (type 5)
			// is edited in later.
			err = fmt.Errorf("answer %.200s", answer)
		}
		return err
	})
}

// load runs do for every benchmark iteration from benchClients concurrent
// clients. It reports req/s, p50-ms, p99-ms and cpu-us/req and returns the
// throughput.
func load(b *testing.B, do func(n int) error) float64 {
	jobs := make(chan int, benchClients)
	latencies := make([][]time.Duration, benchClients)
	var failed sync.Once
	var wg sync.WaitGroup
	for w := range benchClients {
		wg.Go(func() {
			for n := range jobs {
				start := time.Now()
				err := do(n)
				latencies[w] = append(latencies[w], time.Since(start))
				if err != nil {
					failed.Do(func() { b.Errorf("request %d: %v", n, err) })
				}
			}
		})
	}
	start, cpuStart := time.Now(), bottest.CPUTime()
	n := 0
	for b.Loop() {
		jobs <- n
		n++
	}
	close(jobs)
	wg.Wait()
	elapsed, cpu := time.Since(start), bottest.CPUTime()-cpuStart

	all := slices.Concat(latencies...)
	slices.Sort(all)
	rps := float64(len(all)) / elapsed.Seconds()
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	if cpu > 0 {
		// Over HTTP, client and server share the process, so this includes
		// the client's half of each exchange.
		b.ReportMetric(float64(cpu.Microseconds())/float64(len(all)), "cpu-us/req")
	}
	return rps
}

func postOnce(client *http.Client, url string, body []byte, sig, ts string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Signature-Ed25519", sig)
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}
