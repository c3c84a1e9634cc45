package slack_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// benchUsers is how many distinct members the benchmark's check-ins
// spread over, so that no member's history grows without bound.
const benchUsers = 500

// bareHandler only verifies the signature: the floor any signed endpoint
// pays, against which the full check-in path is compared.
func bareHandler(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sv, err := slackgo.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, slackadapter.MaxBodyBytes))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		sv.Write(body)
		if sv.Ensure() != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// memberPace is how often each benchmark member checks in, on the Coach's
// clock: a real member's twice a day. Every check-in is then new (none is
// a repeat within two minutes, kept once without a write) and reads a full
// month of history.
const memberPace = 12 * time.Hour

// benchTarget is a server under load and a client with enough idle
// connections for 64 concurrent callers.
type benchTarget struct {
	srv    *httptest.Server
	client *http.Client
	seq    atomic.Int64
	// clock, when set, is the Coach's; each request moves it on so that
	// every member checks in at memberPace.
	clock *bottest.Clock
}

func newBenchTarget(b *testing.B, h http.Handler) *benchTarget {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}
	b.Cleanup(tr.CloseIdleConnections)
	return &benchTarget{srv: srv, client: &http.Client{Transport: tr}}
}

// checkIn sends one signed `/pain 4 knee` and fails on anything but 200.
// Each request differs (trigger_id), so none is refused as a replay.
func (bt *benchTarget) checkIn(tb testing.TB) {
	n := bt.seq.Add(1)
	if bt.clock != nil {
		bt.clock.Advance(memberPace / benchUsers)
	}
	body := url.Values{
		"team_id":      {"T1"},
		"channel_id":   {"C1"},
		"channel_name": {"general"},
		"user_id":      {"U" + strconv.FormatInt(n%benchUsers, 10)},
		"user_name":    {"bench"},
		"command":      {"/pain"},
		"text":         {"4 knee stairs"},
		"response_url": {"https://hooks.slack.com/commands/T1/1/x"},
		"trigger_id":   {strconv.FormatInt(n, 10)},
	}.Encode()
	ts := time.Now().Unix()
	req, err := http.NewRequest(http.MethodPost, bt.srv.URL+"/slack/commands", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", sign(testSecret, ts, body))
	resp, err := bt.client.Do(req)
	if err != nil {
		tb.Error(err)
		return
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		tb.Error(err)
	case resp.StatusCode != http.StatusOK:
		tb.Errorf("status %d", resp.StatusCode)
	case bt.clock != nil && !strings.Contains(string(answer), "Logged"):
		// A check-in answered with an apology is not a check-in.
		tb.Errorf("answer %.200s", answer)
	}
}

// stubHandler answers every request like a check-in without storing
// anything: with it, the benchmark measures the adapter alone.
type stubHandler struct{}

func (stubHandler) Handle(context.Context, bot.Request) bot.Reply {
	return bot.Reply{Text: "Logged **4/10** for your knee. Moderate. Pace yourself today.", Footer: "Why this advice: a moderate score"}
}

// targets returns the bare verifier, the adapter around a stub handler, and
// the full path (real Coach, real SQLite on disk, fake Slack for
// users.info), warmed up so that every benchmark member exists, its Slack
// profile is cached and it has a month of check-ins behind it.
func targets(b *testing.B) (bare, adapter, full *benchTarget) {
	bare = newBenchTarget(b, bareHandler(testSecret))
	stub := newHarness(b, func(c *slackadapter.Config, _ *fakeSlack) { c.Handler = stubHandler{} })
	adapter = newBenchTarget(b, stub.mux)
	// Profiles stay cached while the clock runs a month on: users.info is
	// the adapter's cost, not the check-in's.
	h := newHarness(b, func(c *slackadapter.Config, _ *fakeSlack) { c.UserTTL = 365 * 24 * time.Hour })
	full = newBenchTarget(b, h.mux)
	full.clock = h.clock
	for range benchUsers {
		adapter.checkIn(b)
		full.checkIn(b)
	}
	members := make([]bot.MemberKey, benchUsers)
	for u := range members {
		members[u] = bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U" + strconv.Itoa(u)}
	}
	bottest.History(b, h.db, members, h.clock.Now(), memberPace, 60)
	return bare, adapter, full
}

// BenchmarkSlashCommand measures one client sending signed check-ins to the
// bare verifier and to the full path (verify, parse, store, render).
func BenchmarkSlashCommand(b *testing.B) {
	bare, adapter, full := targets(b)
	for _, tc := range []struct {
		name   string
		target *benchTarget
	}{{"bare", bare}, {"adapter", adapter}, {"checkin", full}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tc.target.checkIn(b)
			}
		})
	}
}

// BenchmarkSlashCommand64 runs 64 concurrent clients against the three
// targets in the same run, round after round, and reports each path's
// throughput relative to the bare verifier in the same round, latency
// percentiles over all rounds and CPU per request (client and server share
// the process, so it includes the client's half of each exchange).
func BenchmarkSlashCommand64(b *testing.B) {
	const clients, perClient = 64, 40
	bare, adapter, full := targets(b)
	var bareLoad, adapterLoad, fullLoad loadStats
	var ratios, adapterRatios []float64
	for b.Loop() {
		bareRate := bareLoad.run(b, bare, clients, perClient)
		adapterRate := adapterLoad.run(b, adapter, clients, perClient)
		fullRate := fullLoad.run(b, full, clients, perClient)
		ratios = append(ratios, fullRate/bareRate)
		adapterRatios = append(adapterRatios, adapterRate/bareRate)
	}
	b.ReportMetric(bareLoad.rate(), "bare-req/s")
	b.ReportMetric(fullLoad.rate(), "checkin-req/s")
	b.ReportMetric(mean(ratios), "checkin/bare")
	b.ReportMetric(fullLoad.percentile(50), "checkin-p50-ms")
	b.ReportMetric(fullLoad.percentile(99), "checkin-p99-ms")
	b.ReportMetric(mean(adapterRatios), "adapter/bare")
	b.ReportMetric(adapterLoad.percentile(99), "adapter-p99-ms")
	if fullLoad.cpu > 0 {
		b.ReportMetric(bareLoad.cpuPerRequest(), "bare-cpu-us/req")
		b.ReportMetric(fullLoad.cpuPerRequest(), "checkin-cpu-us/req")
	}
}

// loadStats adds up one target's rounds of load.
type loadStats struct {
	latencies    []time.Duration
	elapsed, cpu time.Duration
}

// run sends clients*perClient requests from clients goroutines, records
// them and returns this round's throughput.
func (s *loadStats) run(tb testing.TB, bt *benchTarget, clients, perClient int) (perSecond float64) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	n := len(s.latencies)
	start, cpuStart := time.Now(), bottest.CPUTime()
	for range clients {
		wg.Go(func() {
			own := make([]time.Duration, 0, perClient)
			for range perClient {
				t0 := time.Now()
				bt.checkIn(tb)
				own = append(own, time.Since(t0))
			}
			mu.Lock()
			s.latencies = append(s.latencies, own...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	s.elapsed += elapsed
	s.cpu += bottest.CPUTime() - cpuStart
	return float64(len(s.latencies)-n) / elapsed.Seconds()
}

func (s *loadStats) rate() float64 { return float64(len(s.latencies)) / s.elapsed.Seconds() }

// percentile returns the latency below which p percent of requests
// finished, in milliseconds.
func (s *loadStats) percentile(p int) float64 {
	slices.Sort(s.latencies)
	return s.latencies[len(s.latencies)*p/100].Seconds() * 1000
}

func (s *loadStats) cpuPerRequest() float64 {
	return float64(s.cpu.Microseconds()) / float64(len(s.latencies))
}

func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
