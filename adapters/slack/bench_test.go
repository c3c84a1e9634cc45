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

// benchTarget is a server under load and a client with enough idle
// connections for 64 concurrent callers.
type benchTarget struct {
	srv    *httptest.Server
	client *http.Client
	seq    atomic.Int64
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
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Errorf("status %d", resp.StatusCode)
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
// users.info), warmed up so that every benchmark member exists and its
// Slack profile is cached.
func targets(b *testing.B) (bare, adapter, full *benchTarget) {
	bare = newBenchTarget(b, bareHandler(testSecret))
	stub := newHarness(b, func(c *slackadapter.Config, _ *fakeSlack) { c.Handler = stubHandler{} })
	adapter = newBenchTarget(b, stub.mux)
	h := newHarness(b)
	full = newBenchTarget(b, h.mux)
	for range benchUsers {
		adapter.checkIn(b)
		full.checkIn(b)
	}
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
// targets in the same run and reports each path's throughput relative to
// the bare verifier, and its p99 latency.
func BenchmarkSlashCommand64(b *testing.B) {
	const clients, perClient = 64, 40
	bare, adapter, full := targets(b)
	var bareRates, fullRates, ratios, adapterRatios, p99s, adapterP99s []float64
	for b.Loop() {
		bareRate, _ := load(b, bare, clients, perClient)
		adapterRate, adapterP99 := load(b, adapter, clients, perClient)
		fullRate, p99 := load(b, full, clients, perClient)
		bareRates = append(bareRates, bareRate)
		fullRates = append(fullRates, fullRate)
		ratios = append(ratios, fullRate/bareRate)
		adapterRatios = append(adapterRatios, adapterRate/bareRate)
		p99s = append(p99s, p99.Seconds()*1000)
		adapterP99s = append(adapterP99s, adapterP99.Seconds()*1000)
	}
	b.ReportMetric(mean(bareRates), "bare-req/s")
	b.ReportMetric(mean(fullRates), "checkin-req/s")
	b.ReportMetric(mean(ratios), "checkin/bare")
	b.ReportMetric(slices.Max(p99s), "checkin-p99-ms")
	b.ReportMetric(mean(adapterRatios), "adapter/bare")
	b.ReportMetric(slices.Max(adapterP99s), "adapter-p99-ms")
}

// load sends clients*perClient requests from clients goroutines and returns
// the throughput and the 99th percentile latency.
func load(tb testing.TB, bt *benchTarget, clients, perClient int) (perSecond float64, p99 time.Duration) {
	var mu sync.Mutex
	latencies := make([]time.Duration, 0, clients*perClient)
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			own := make([]time.Duration, 0, perClient)
			for range perClient {
				t0 := time.Now()
				bt.checkIn(tb)
				own = append(own, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, own...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	return float64(len(latencies)) / elapsed.Seconds(), latencies[len(latencies)*99/100]
}

func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
