package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	slackgo "github.com/slack-go/slack"

	"github.com/recoverycoach/recoverycoach/adapters/discord"

	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestPercentile(t *testing.T) {
	ds := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ds(7), 99, 7 * time.Millisecond},
		{"median of four is the second", ds(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 100", ds(hundred...), 99, 99 * time.Millisecond},
		{"p100 is the max", ds(hundred...), 100, 100 * time.Millisecond},
		{"tiny p is the min", ds(5, 6, 7), 0.0001, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestRunLoadCountsRequestsAndErrors(t *testing.T) {
	r := runLoad(context.Background(), 8, time.Hour, 200, func(_ context.Context, n int64) error {
		if n%10 == 0 {
			return errors.New("boom")
		}
		return nil
	})
	if r.Requests != 180 || r.Errors != 20 {
		t.Errorf("requests, errors = %d, %d; want 180, 20", r.Requests, r.Errors)
	}
	if r.RPS <= 0 || r.P99ms < r.P50ms {
		t.Errorf("rps %v, p50 %v, p99 %v", r.RPS, r.P50ms, r.P99ms)
	}
}

func slackClient(url string) *slackgo.Client {
	return slackgo.New("xoxb-test", slackgo.OptionAPIURL(url+"/api/"))
}

func TestFakeSlackRecordsDeliveriesAndDuplicates(t *testing.T) {
	fake := newFakeSlack(0)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	api := slackClient(srv.URL)
	ctx := context.Background()
	if _, err := api.AuthTestContext(ctx); err != nil {
		t.Fatalf("auth.test: %v", err)
	}
	if u, err := api.GetUserInfoContext(ctx, "U9"); err != nil || u.TZ != "UTC" {
		t.Fatalf("users.info = %+v, %v", u, err)
	}
	for _, user := range []string{"U1", "U1", "U2"} {
		ch, _, _, err := api.OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		if err != nil {
			t.Fatalf("conversations.open: %v", err)
		}
		if _, _, err := api.PostMessageContext(ctx, ch.ID, slackgo.MsgOptionText("hi", false)); err != nil {
			t.Fatalf("chat.postMessage: %v", err)
		}
	}
	// A post to a channel that is not a DM is not a nudge.
	if _, _, err := api.PostMessageContext(ctx, "C1", slackgo.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	snap := fake.rec.snapshot()
	if snap.Total != 3 || snap.Users != 2 || snap.Duplicates != 1 || snap.RateLimited != 0 {
		t.Errorf("snapshot = %+v; want 3 deliveries to 2 users, 1 duplicate", snap)
	}
	got, missing := fake.rec.delivered(func(yield func(string) bool) {
		for _, u := range []string{"U1", "U2", "U3"} {
			if !yield(u) {
				return
			}
		}
	})
	if got != 2 || missing != 1 {
		t.Errorf("delivered = %d, missing %d; want 2, 1", got, missing)
	}
}

func TestFakeSlackInjects429(t *testing.T) {
	fake := newFakeSlack(0.999999)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	_, _, err := slackClient(srv.URL).PostMessageContext(context.Background(), "DU1", slackgo.MsgOptionText("hi", false))
	var rl *slackgo.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("err = %v, want a 1 s RateLimitedError", err)
	}
	if snap := fake.rec.snapshot(); snap.Total != 0 || snap.RateLimited != 1 {
		t.Errorf("snapshot = %+v; want one 429 and no delivery", snap)
	}
}

func TestFakeDiscordRecordsDMs(t *testing.T) {
	fake := newFakeDiscord()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s, err := discord.NewSession("tok", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		ch, err := s.UserChannelCreate("42")
		if err != nil {
			t.Fatalf("open DM: %v", err)
		}
		if _, err := s.ChannelMessageSend(ch.ID, "hi"); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	if snap := fake.rec.snapshot(); snap.Total != 2 || snap.Users != 1 || snap.Duplicates != 1 {
		t.Errorf("snapshot = %+v; want 2 deliveries to one user, 1 duplicate", snap)
	}
}

func TestSignedRequestsPassOnlyTheBareVerifiers(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	slackBody, slackHeader := slackCheckIn("secret", 3, time.Now())
	discBody, discHeader := discordCheckIn(priv, 3, time.Now())
	tests := []struct {
		name   string
		h      http.Handler
		body   []byte
		header http.Header
		want   int
	}{
		{"slack signed", bareSlack("secret"), slackBody, slackHeader, 200},
		{"slack wrong secret", bareSlack("other"), slackBody, slackHeader, 401},
		{"slack tampered", bareSlack("secret"), append(bytes.Clone(slackBody), 'x'), slackHeader, 401},
		{"discord signed", bareDiscord(pub), discBody, discHeader, 200},
		{"discord tampered", bareDiscord(pub), append(bytes.Clone(discBody), ' '), discHeader, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(tt.body))
			req.Header = tt.header.Clone()
			w := httptest.NewRecorder()
			tt.h.ServeHTTP(w, req)
			if w.Code != tt.want {
				t.Errorf("status = %d, want %d", w.Code, tt.want)
			}
		})
	}
	if !json.Valid(discBody) {
		t.Errorf("interaction body is not JSON: %s", discBody)
	}
}

func TestParseFlags(t *testing.T) {
	defaults := options{Clients: 64, Duration: 10 * time.Second, Subscribers: 10000, Rate: 500, StartupSubscriptions: 100000, Instances: 1}
	tests := []struct {
		name    string
		args    []string
		want    options
		wantErr bool
	}{
		{name: "defaults", want: defaults},
		{name: "requests and json", args: []string{"--requests", "500", "--json", "--rate", "50", "--bin", "/x/bot"},
			want: func() options {
				o := defaults
				o.Requests, o.JSON, o.Rate, o.Bin = 500, true, 50, "/x/bot"
				return o
			}()},
		{name: "a million reminders", args: []string{"--startup-subscriptions", "1000000", "--subscribers", "0"},
			want: func() options {
				o := defaults
				o.StartupSubscriptions, o.Subscribers = 1000000, 0
				return o
			}()},
		{name: "timeline and logs", args: []string{"--timeline", "--logs", "/tmp/x"},
			want: func() options {
				o := defaults
				o.Timeline, o.Logs = true, "/tmp/x"
				return o
			}()},
		{name: "zero clients", args: []string{"--clients", "0"}, wantErr: true},
		{name: "negative rate", args: []string{"--rate", "-1"}, wantErr: true},
		{name: "429 fraction of one", args: []string{"--slack-429", "1"}, wantErr: true},
		{name: "stray argument", args: []string{"now"}, wantErr: true},
		{name: "unknown flag", args: []string{"--fast"}, wantErr: true},
		{name: "no phase length", args: []string{"--duration", "0"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr {
				var ue usageError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunRejectsBadFlagsBeforeBuilding(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"--clients", "-3"}, func(string) string { return "" }, &out, io.Discard)
	var ue usageError
	if !errors.As(err, &ue) || out.Len() != 0 {
		t.Fatalf("err = %v, stdout %q; want a usage error and no output", err, out.String())
	}
}

func sampleReport() report {
	lr := func(rps, p50, p99 float64) loadResult {
		return loadResult{Requests: int(rps * 10), Seconds: 10, RPS: rps, P50ms: p50, P99ms: p99}
	}
	return report{
		Machine: machine{OS: "linux", Arch: "amd64", CPUs: 2, GoVersion: "go1.26.8", CPUModel: "AMD EPYC", LoadAvg: "0.10 0.20 0.30"},
		Options: options{Clients: 64, Duration: 10 * time.Second, Subscribers: 10000, Rate: 500, StartupSubscriptions: 100000},
		Slack:   &checkinResult{Bot: lr(3000, 20, 40), Bare: lr(30000, 2, 8), Ratio: 0.1},
		Discord: &checkinResult{Bot: lr(2500, 22, 45), Bare: lr(15000, 4, 10), Ratio: 0.1667},
		Fanout: &fanoutResult{Subscribers: 10000, Due: time.Date(2026, 11, 23, 17, 31, 0, 0, time.UTC), EnqueueSeconds: 0.08,
			Delivered: 10000, DeliverySeconds: 20, Rate: 499.9, ConfiguredRate: 500, RateRatio: 0.9998, PeakRSSKB: 51200},
		Startup: &startupResult{Subscriptions: 100000, SeedSeconds: 2.5, ReadySeconds: 0.4, RSSKB: 40960, PeakRSSKB: 46080, SettledRSSKB: 51200, SettledPeakKB: 52224},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	bottest.Golden(t, filepath.Join("testdata", name), got, *update)
}

func TestJSONShape(t *testing.T) {
	got, err := json.MarshalIndent(sampleReport(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden.json", append(got, '\n'))
	var shape map[string]map[string]any
	if err := json.Unmarshal(got, &shape); err != nil {
		t.Fatal(err)
	}
	for section, keys := range map[string][]string{
		"slack_checkin": {"bot", "bare", "ratio"},
		"fanout":        {"enqueue_seconds", "lost", "duplicates", "rate", "configured_rate", "rate_ratio"},
		"startup":       {"ready_seconds", "rss_kb", "peak_rss_kb"},
		"options":       {"clients", "subscribers", "rate"},
	} {
		for _, k := range keys {
			if _, ok := shape[section][k]; !ok {
				t.Errorf("JSON lacks %s.%s", section, k)
			}
		}
	}
	if _, ok := shape["options"]["Bin"]; ok {
		t.Error("JSON carries the binary path")
	}
}

func TestTable(t *testing.T) {
	var out bytes.Buffer
	if err := writeTable(&out, sampleReport()); err != nil {
		t.Fatal(err)
	}
	golden(t, "table.golden.txt", out.Bytes())
	partial := sampleReport()
	partial.Fanout, partial.Startup = nil, nil
	out.Reset()
	if err := writeTable(&out, partial); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "fan-out") || strings.Contains(out.String(), "start-up") {
		t.Errorf("skipped phases are printed:\n%s", out.String())
	}
}

func TestDueMinute(t *testing.T) {
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 23, h, m, s, 0, time.UTC) }
	tests := []struct {
		now  time.Time
		lead time.Duration
		want time.Time
	}{
		{at(10, 0, 0), 0, at(10, 0, 0)},
		{at(10, 0, 1), 0, at(10, 1, 0)},
		{at(10, 0, 30), 55 * time.Second, at(10, 2, 0)},
		{at(10, 0, 5), 55 * time.Second, at(10, 1, 0)},
	}
	for _, tt := range tests {
		if got := dueMinute(tt.now, tt.lead); !got.Equal(tt.want) {
			t.Errorf("dueMinute(%v, %v) = %v, want %v", tt.now, tt.lead, got, tt.want)
		}
	}
}

const sampleMetrics = `# HELP coach_outbox_rows Outbox rows by status.
# TYPE coach_outbox_rows gauge
coach_outbox_rows{status="pending"} 9500
coach_outbox_rows{status="sent"} 500
coach_outbox_rows{status="failed"} 0
coach_outbox_rows_other{status="sent"} 7
go_goroutines 12
`

func TestParseOutboxRows(t *testing.T) {
	got := parseOutboxRows(sampleMetrics)
	want := map[string]float64{"pending": 9500, "sent": 500, "failed": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

const sampleStatus = "Name:\trecoverycoach\nVmPeak:\t 1300000 kB\nVmHWM:\t   46080 kB\nVmRSS:\t   40960 kB\nThreads:\t8\n"

func TestParseProcStatus(t *testing.T) {
	rss, hwm, err := parseProcStatus(strings.NewReader(sampleStatus))
	if err != nil || rss != 40960 || hwm != 46080 {
		t.Errorf("parseProcStatus = %d, %d, %v", rss, hwm, err)
	}
	if _, _, err := parseProcStatus(strings.NewReader("Name:\tx\n")); err == nil {
		t.Error("a status without memory lines parsed")
	}
}

func FuzzParseOutboxRows(f *testing.F) {
	f.Add(sampleMetrics)
	f.Add(`coach_outbox_rows{status="pending",x="y"} NaN`)
	f.Add(`coach_outbox_rows{status="`)
	f.Fuzz(func(t *testing.T, text string) {
		for status, n := range parseOutboxRows(text) {
			if status == "" || n != n {
				t.Fatalf("bad entry %q = %v", status, n)
			}
		}
	})
}

func FuzzParseProcStatus(f *testing.F) {
	f.Add(sampleStatus)
	f.Add("VmRSS: x kB\nVmHWM:\n")
	f.Fuzz(func(t *testing.T, text string) {
		rss, hwm, err := parseProcStatus(strings.NewReader(text))
		if err == nil && rss == 0 && hwm == 0 {
			t.Fatal("success without a value")
		}
	})
}

func TestRecorderTimeline(t *testing.T) {
	due := time.Date(2026, 11, 23, 17, 31, 0, 0, time.UTC)
	r := newRecorder()
	r.record("S1", due.Add(200*time.Millisecond))
	r.record("S1", due.Add(300*time.Millisecond)) // a duplicate is no first delivery
	r.record("S2", due.Add(900*time.Millisecond))
	r.limited(due.Add(1500 * time.Millisecond))
	r.record("S3", due.Add(2100*time.Millisecond))
	want := []second{{At: 0, First: 2}, {At: 1, Limited: 1}, {At: 2, First: 1}}
	if diff := cmp.Diff(want, r.timeline(due)); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
}
