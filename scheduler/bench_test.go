package scheduler_test

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

var (
	benchSubscribers = flag.Int("bench.subscribers", 100_000, "subscribers due at one minute in BenchmarkEnqueue")
	benchMessages    = flag.Int("bench.messages", 5_000, "messages for BenchmarkDispatchRate (30000 = 30 s at 1000/s)")
	benchRate        = flag.Float64("bench.rate", 1000, "configured messages per second for BenchmarkDispatchRate")
)

var benchGroup = bot.ScheduleGroup{TZ: "Europe/Berlin", Time: 8 * 60, Days: bot.EveryDay}

// seed subscribes n members to benchGroup through the store API.
func seed(tb testing.TB, db *sqlite.DB, n int) {
	tb.Helper()
	seedIn(tb, db, n, 50)
}

// seedIn is seed with the members spread over the given number of Slack
// workspaces (member i is in workspace i%workspaces).
func seedIn(tb testing.TB, db *sqlite.DB, n, workspaces int) {
	tb.Helper()
	ctx := context.Background()
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		key := bot.MemberKey{Platform: bot.Slack, Workspace: "T" + strconv.Itoa(i%workspaces), User: "U" + strconv.Itoa(i)}
		if _, _, err := db.EnsureMember(ctx, bot.Member{Key: key, TZ: benchGroup.TZ, CreatedAt: created}); err != nil {
			tb.Fatal(err)
		}
		if _, err := db.SetSubscription(ctx, bot.Subscription{Member: key, Kind: bot.RemindExercises,
			Times: []bot.TimeOfDay{benchGroup.Time}, Days: benchGroup.Days, TZ: benchGroup.TZ, CreatedAt: created}); err != nil {
			tb.Fatal(err)
		}
	}
}

// seededDB returns a store with the subscribers, built once per size and
// copied for each benchmark so that setup stays out of the measurement.
func seededDB(b *testing.B, n int) *sqlite.DB {
	b.Helper()
	cache := filepath.Join(os.TempDir(), fmt.Sprintf("recoverycoach-bench-%d-v%d.db", n, sqlite.LatestVersion()))
	if _, err := os.Stat(cache); err != nil {
		db, err := sqlite.Open(context.Background(), cache+".tmp")
		if err != nil {
			b.Fatal(err)
		}
		seed(b, db, n)
		db.Close()
		if err := os.Rename(cache+".tmp", cache); err != nil {
			b.Fatal(err)
		}
	}
	src, err := sqlite.Open(context.Background(), cache)
	if err != nil {
		b.Fatal(err)
	}
	copyPath := filepath.Join(b.TempDir(), "bench.db")
	if err := src.Backup(context.Background(), copyPath); err != nil {
		b.Fatal(err)
	}
	src.Close()
	db, err := sqlite.Open(context.Background(), copyPath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkEnqueue measures the fan-out of one due minute to every
// subscriber: one INSERT ... SELECT in one transaction.
func BenchmarkEnqueue(b *testing.B) {
	n := *benchSubscribers
	db := seededDB(b, n)
	due := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for b.Loop() {
		due = due.Add(24 * time.Hour)
		got, err := db.EnqueueGroup(context.Background(), benchGroup, due, due, bot.OutboxPending, "")
		if err != nil || got != n {
			b.Fatalf("enqueued %d, %v", got, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	reportRSS(b)
}

// BenchmarkBareInsert is the baseline for BenchmarkEnqueue: the same rows
// into a table of the same shape with a prepared statement in one
// transaction, straight through database/sql and the same driver.
func BenchmarkBareInsert(b *testing.B) {
	n := *benchSubscribers
	path := filepath.Join(b.TempDir(), "bare.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE outbox (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, kind TEXT NOT NULL,
		dedupe_key TEXT NOT NULL UNIQUE, not_before INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
		attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', ref INTEGER NOT NULL DEFAULT 0,
		created_at INTEGER NOT NULL, done_at INTEGER);
		CREATE INDEX outbox_due ON outbox (status, not_before); CREATE INDEX outbox_member ON outbox (member_id);`); err != nil {
		b.Fatal(err)
	}
	round := 0
	for b.Loop() {
		round++
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.Prepare(`INSERT INTO outbox (member_id, kind, dedupe_key, not_before, ref, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			if _, err := stmt.Exec(i, "exercises", "exercises:"+strconv.Itoa(i)+":"+strconv.Itoa(round), round, i, round); err != nil {
				b.Fatal(err)
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// countingSender is a no-op Sender that counts per member.
type countingSender struct {
	sent  atomic.Int64
	seen  []atomic.Int32
	fails func(i int64) error
	calls atomic.Int64
}

func (s *countingSender) Send(_ context.Context, to bot.MemberKey, _ bot.Reply) error {
	if s.fails != nil {
		if err := s.fails(s.calls.Add(1)); err != nil {
			return err
		}
	}
	i, _ := strconv.Atoi(strings.TrimPrefix(to.User, "U"))
	s.seen[i].Add(1)
	s.sent.Add(1)
	return nil
}

// BenchmarkDispatchRate drains -bench.messages nudges through a no-op
// Sender with the platform limited to -bench.rate messages per second and
// reports the achieved rate and its ratio to the configured one, with the
// default single worker.
func BenchmarkDispatchRate(b *testing.B) {
	n := *benchMessages
	for b.Loop() {
		db := bottest.MustOpenStore(b)
		seed(b, db, n)
		due := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
		if _, err := db.EnqueueGroup(context.Background(), benchGroup, due, due, bot.OutboxPending, ""); err != nil {
			b.Fatal(err)
		}
		clock := bottest.NewClock(due)
		coach := bot.NewCoach(bot.Config{Store: db, Clock: clock})
		sender := &countingSender{seen: make([]atomic.Int32, n)}
		disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
			scheduler.DispatcherOptions{Clock: clock, Rates: map[bot.Platform]float64{bot.Slack: *benchRate}})
		start := time.Now()
		if _, err := disp.Drain(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		if got := sender.sent.Load(); got != int64(n) {
			b.Fatalf("sent %d of %d", got, n)
		}
		achieved := float64(n) / elapsed.Seconds()
		b.ReportMetric(achieved, "msg/s")
		b.ReportMetric(achieved / *benchRate, "ratio-to-configured")
	}
}

func reportRSS(b *testing.B) {
	runtime.GC()
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
		}
	}
}
