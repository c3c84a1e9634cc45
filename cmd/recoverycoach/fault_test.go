package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// dispatcherWorkers is the dispatcher's default parallelism
// (COACH_SEND_CONCURRENCY): that many rows can be between "sent" and
// "marked sent" when the process dies. Each is reconciled from the DM's
// history on restart, so none may repeat.
const dispatcherWorkers = 32

// TestMain removes the binary that buildBinary may have built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binDir holds the built binary; set once by buildBinary.
var binDir string

// buildBinary builds the real recoverycoach binary once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "recoverycoach-fault-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "recoverycoach")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func mustBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH; cannot build the binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// deliverySlack is a fake Slack Web API that records every chat.postMessage
// it accepts, with its metadata for conversations.history. DM channels are
// "D"+user, and a post to a user id lands there. Each post takes latency,
// during which a client that disconnects (a killed process) has delivered
// nothing.
type deliverySlack struct {
	*httptest.Server
	latency time.Duration

	mu        sync.Mutex
	delivered []string // users, in order of delivery
	history   map[string][]json.RawMessage
	changed   chan struct{}
}

func newDeliverySlack(t *testing.T, latency time.Duration) *deliverySlack {
	f := &deliverySlack{latency: latency, changed: make(chan struct{})}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *deliverySlack) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	method := strings.TrimPrefix(r.URL.Path, "/")
	resp := map[string]any{"ok": true}
	switch method {
	case "auth.test":
		resp["user_id"], resp["team_id"] = "UBOT", "T1"
	case "conversations.open":
		resp["channel"] = map[string]any{"id": "D" + r.Form.Get("users")}
	case "chat.postMessage":
		select {
		case <-time.After(f.latency):
		case <-r.Context().Done():
			return
		}
		ch := r.Form.Get("channel")
		if !strings.HasPrefix(ch, "D") {
			ch = "D" + ch
		}
		f.mu.Lock()
		f.delivered = append(f.delivered, strings.TrimPrefix(ch, "D"))
		if meta := r.Form.Get("metadata"); meta != "" {
			if f.history == nil {
				f.history = map[string][]json.RawMessage{}
			}
			f.history[ch] = append(f.history[ch], json.RawMessage(meta))
		}
		close(f.changed)
		f.changed = make(chan struct{})
		f.mu.Unlock()
		resp["channel"], resp["ts"] = ch, fmt.Sprint(time.Now().UnixNano())
	case "conversations.history":
		var msgs []map[string]any
		f.mu.Lock()
		for _, meta := range f.history[r.Form.Get("channel")] {
			msgs = append(msgs, map[string]any{"type": "message", "ts": "1.000001", "metadata": meta})
		}
		f.mu.Unlock()
		resp["messages"] = msgs
	}
	json.NewEncoder(w).Encode(resp)
}

// count returns the deliveries so far and a channel closed at the next one.
func (f *deliverySlack) count() (int, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.delivered), f.changed
}

// waitUntil blocks until cond holds for the delivery count, or fails the
// test at the deadline.
func (f *deliverySlack) waitUntil(t *testing.T, deadline time.Time, what string, cond func(int) bool) {
	t.Helper()
	for {
		n, changed := f.count()
		if cond(n) {
			return
		}
		select {
		case <-changed:
		case <-time.After(time.Until(deadline)):
			t.Fatalf("%s: still %d deliveries at the deadline", what, n)
		}
	}
}

func (f *deliverySlack) perUser() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, u := range f.delivered {
		out[u]++
	}
	return out
}

// child is one running `recoverycoach serve` process.
type child struct {
	cmd  *exec.Cmd
	done chan error
}

func startChild(t *testing.T, bin string, vars map[string]string) *child {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdout)
		c.done <- cmd.Wait()
	}()
	select {
	case line := <-lines:
		if !strings.HasPrefix(line, "listening on ") {
			cmd.Process.Kill()
			<-c.done
			t.Fatalf("serve did not start: %q\n%s", line, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not start within 20s\n%s", stderr.String())
	}
	return c
}

func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.done
}

func (c *child) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM, want 0", err)
		}
	case <-time.After(25 * time.Second):
		c.cmd.Process.Kill()
		t.Fatal("serve did not stop within 25s of SIGTERM")
	}
}

// seedDueCheckIns subscribes n Slack members to a daily check-in at the
// current UTC minute and marks the scheduler as having processed up to the
// minute before, so the first start's catch-up enqueues all n nudges.
func seedDueCheckIns(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	due := now.Truncate(time.Minute)
	created := now.Add(-24 * time.Hour)
	for i := range n {
		key := bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: fmt.Sprintf("U%05d", i)}
		if _, _, err := db.EnsureMember(ctx, bot.Member{Key: key, TZ: "UTC", CreatedAt: created, OnboardedAt: created}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetSubscription(ctx, bot.Subscription{Member: key, Kind: bot.RemindCheckIn,
			Times: []bot.TimeOfDay{bot.TimeOfDay(due.Hour()*60 + due.Minute())}, Days: bot.EveryDay, TZ: "UTC", CreatedAt: created}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetState(ctx, "scheduler.last_processed", due.Add(-time.Minute).Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
}

// TestCrashDuringFanOut kills the real binary with SIGKILL at random points
// while it drains a fan-out, restarts it, and checks that every subscriber
// got their nudge and that crashes repeat only messages that were in flight.
// COACH_SOAK=1 runs the full size (10k nudges, 20 kills). It builds and
// runs the real binary, so -short (the quick loop, and the race run) leaves
// it to the full run.
func TestCrashDuringFanOut(t *testing.T) {
	nudges, kills, latency := 300, 3, 15*time.Millisecond
	if os.Getenv("COACH_SOAK") == "1" {
		nudges, kills, latency = 10_000, 20, 2*time.Millisecond
	} else if testing.Short() {
		t.Skip("builds and kills the real binary; run without -short")
	}
	bin := mustBinary(t)
	api := newDeliverySlack(t, latency)
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	seedDueCheckIns(t, dbPath, nudges)
	vars := map[string]string{
		"COACH_DB":             dbPath,
		"COACH_HTTP_ADDR":      "127.0.0.1:0",
		"COACH_METRICS_ADDR":   "127.0.0.1:0",
		"COACH_LOG_LEVEL":      "error",
		"COACH_SLACK_RPS":      "2000",
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_SIGNING_SECRET": "s3cret",
		"SLACK_API_URL":        api.URL + "/",
	}
	deadline := time.Now().Add(5 * time.Minute)
	if os.Getenv("COACH_SOAK") != "1" {
		deadline = time.Now().Add(25 * time.Second)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	// Kill points spread over the drain: each after a random number of
	// further deliveries, leaving room for the final run to finish.
	step := nudges / (kills + 1)
	for k := range kills {
		c := startChild(t, bin, vars)
		before, _ := api.count()
		// A few sends first, so that the row a previous kill left in flight
		// (the oldest, so the first claimed) is done.
		lead := min(2*dispatcherWorkers, step/2)
		target := before + lead + rng.IntN(max(1, step-lead))
		api.waitUntil(t, deadline, fmt.Sprintf("run %d", k+1), func(n int) bool { return n >= target })
		c.kill(t)
	}
	c := startChild(t, bin, vars)
	api.waitUntil(t, deadline, "final run", func(int) bool { return len(api.perUser()) == nudges })
	c.stop(t)

	per := api.perUser()
	total, _ := api.count()
	dups := total - len(per)
	t.Logf("%d nudges, %d kills: %d deliveries, %d repeated", nudges, kills, total, dups)
	if len(per) != nudges {
		t.Fatalf("%d of %d subscribers got a nudge", len(per), nudges)
	}
	for u, n := range per {
		if n > 1+kills {
			t.Errorf("%s got %d nudges; each crash may repeat a message at most once", u, n)
		}
	}
	// Up to dispatcherWorkers rows can be between Send and marking the row
	// when the process dies; the DM's history settles each of them.
	if dups > 0 {
		t.Errorf("%d repeats after %d kills, want none (every interrupted send is looked up in the DM)", dups, kills)
	}
	db, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stats, err := db.OutboxStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats[bot.OutboxSent] != nudges || stats[bot.OutboxPending] != 0 || stats[bot.OutboxFailed] != 0 {
		t.Errorf("outbox = %v, want %d sent and nothing pending or failed", stats, nudges)
	}
}
