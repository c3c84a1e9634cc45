package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
)

// loadResult is one measured phase.
type loadResult struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted durations, or 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runLoad calls do from clients goroutines until duration has passed (or,
// with requests > 0, until that many calls were made) and summarises the
// latencies of the successful calls.
func runLoad(ctx context.Context, clients int, duration time.Duration, requests int, do func(ctx context.Context, n int64) error) loadResult {
	var seq atomic.Int64
	var errs atomic.Int64
	lat := make([][]time.Duration, clients)
	start := time.Now()
	deadline := start.Add(duration)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				n := seq.Add(1)
				if requests > 0 && n > int64(requests) {
					return
				}
				if requests <= 0 && time.Now().After(deadline) {
					return
				}
				t0 := time.Now()
				if err := do(ctx, n); err != nil {
					errs.Add(1)
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := loadResult{Requests: len(all), Errors: int(errs.Load()), Seconds: elapsed.Seconds()}
	if elapsed > 0 {
		r.RPS = float64(len(all)) / elapsed.Seconds()
	}
	r.P50ms, r.P99ms = ms(percentile(all, 50)), ms(percentile(all, 99))
	return r
}

// poster sends signed requests over one keep-alive pool.
type poster struct {
	client *http.Client
}

func newPoster(clients int) *poster {
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: time.Minute}
	return &poster{client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (p *poster) close() { p.client.CloseIdleConnections() }

func (p *poster) post(ctx context.Context, u string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", u, resp.StatusCode)
	}
	return nil
}

// loadUsers is how many distinct users the check-in phases rotate through.
const loadUsers = 1000

// slackCheckIn builds the n-th signed `/pain` slash command. Each differs
// (trigger_id) so none is refused as a replay.
func slackCheckIn(secret string, n int64, now time.Time) ([]byte, http.Header) {
	body := url.Values{
		"team_id":      {"T1"},
		"channel_id":   {"C1"},
		"channel_name": {"general"},
		"user_id":      {"L" + strconv.FormatInt(n%loadUsers, 10)},
		"user_name":    {"load"},
		"command":      {"/pain"},
		"text":         {strconv.FormatInt(n%11, 10) + " knee stairs"},
		"response_url": {"https://hooks.slack.com/commands/T1/1/x"},
		"trigger_id":   {"t" + strconv.FormatInt(n, 10)},
	}.Encode()
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return []byte(body), h
}

// discordCheckIn builds the n-th signed `/pain` application command with a
// distinct interaction id.
func discordCheckIn(priv ed25519.PrivateKey, n int64, now time.Time) ([]byte, http.Header) {
	id := strconv.FormatInt(1_000_000+n, 10)
	user := strconv.FormatInt(n%loadUsers, 10)
	body := fmt.Appendf(nil, `{"id":"i%s","type":2,"application_id":"app1","token":"tok%s","guild_id":"g1","channel_id":"c1",`+
		`"member":{"user":{"id":"l%s","username":"load"},"permissions":"0"},`+
		`"data":{"id":"cmd1","name":"pain","type":1,"options":[{"name":"score","type":4,"value":%d},{"name":"area","type":3,"value":"knee"}]}}`,
		id, id, user, n%11)
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Signature-Timestamp", ts)
	h.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
	return body, h
}

// bareSlack only verifies the Slack signature: the ceiling for a signed
// endpoint on this machine, measured in the same run as the bot.
func bareSlack(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := slackgo.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			http.Error(w, "unsigned", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.TeeReader(http.MaxBytesReader(w, r.Body, 64<<10), &v))
		if err != nil || v.Ensure() != nil || len(body) == 0 {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
	})
}

// bareDiscord only verifies the Ed25519 signature and answers a PONG.
func bareDiscord(pub ed25519.PublicKey) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, discord.MaxBodyBytes))
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		if discord.Verify(pub, time.Now(), r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp"), body) != nil {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"type":1}`)
	})
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// parseOutboxRows sums the coach_outbox_rows series of a Prometheus text
// exposition by status.
func parseOutboxRows(text string) map[string]float64 {
	out := map[string]float64{}
	for line := range strings.Lines(text) {
		rest, ok := strings.CutPrefix(line, "coach_outbox_rows{")
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(rest, "}")
		if !ok {
			continue
		}
		status := ""
		for l := range strings.SplitSeq(labels, ",") {
			if v, ok := strings.CutPrefix(l, `status="`); ok {
				status = strings.TrimSuffix(v, `"`)
			}
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || status == "" || math.IsNaN(f) {
			continue
		}
		out[status] += f
	}
	return out
}
