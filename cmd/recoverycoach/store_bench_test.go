package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/postgres/pgtest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// The benchmarks below run the same work on both stores in one run, for
// BENCHMARKS.md. PostgreSQL needs COACH_TEST_POSTGRES_URL.

// openBenchStore opens a store of the engine; instances of one benchmark
// share a PostgreSQL schema through url, and PostgreSQL is skipped when no
// server is configured.
func openBenchStore(b *testing.B, engine, instance string, url *string) database {
	b.Helper()
	ctx := context.Background()
	switch engine {
	case "sqlite":
		db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db
	default:
		if *url == "" {
			*url = pgtest.SchemaURL(b)
		}
		db, err := postgres.Open(ctx, *url, postgres.Options{Instance: instance, MaxConns: 32})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db
	}
}

func benchEngine(b *testing.B, db database, clock bot.Clock) *engine {
	b.Helper()
	cfg := config{DB: "bench", DefaultTZ: "UTC", CatchupWindow: 2 * time.Hour, SlackRPS: 1e6, DiscordRPS: 1e6}
	lib, err := loadLibrary(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return newEngine(cfg, db, lib, slog.New(slog.DiscardHandler), clock, nil)
}

// BenchmarkCheckIn records pain check-ins through the Coach from 16
// concurrent clients, each its own member.
func BenchmarkCheckIn(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var url string
			db := openBenchStore(b, engine, "bench", &url)
			clock := bottest.NewClock(time.Now().UTC())
			eng := benchEngine(b, db, clock)
			ctx := context.Background()
			var next atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				user := "U" + strconv.FormatInt(next.Add(1), 10)
				for pb.Next() {
					// Minutes apart, a member's same check-in again is a
					// new one to store, not a repeat kept once.
					clock.Advance(3 * time.Minute)
					eng.coach.Handle(ctx, bot.Request{
						Platform: bot.Slack, Workspace: "T1", User: user, Text: "/pain 4 knee stiff after stairs",
					})
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkins/s")
			b.StopTimer()
			stored := 0
			for i := range next.Load() {
				got, err := db.CheckIns(ctx, bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U" + strconv.FormatInt(i+1, 10)}, time.Time{})
				if err != nil {
					b.Fatal(err)
				}
				stored += len(got)
			}
			if stored != b.N {
				b.Fatalf("%d check-ins stored, want %d", stored, b.N)
			}
		})
	}
}

// discard accepts every message.
type discard struct{}

func (discard) Send(context.Context, bot.MemberKey, bot.Reply) error { return nil }

// BenchmarkFanOut enqueues a reminder group of 10,000 members and drains it
// with no-op senders: one dispatcher, or (postgres-3) three instances
// claiming from the same outbox.
func BenchmarkFanOut(b *testing.B) {
	const members = 10_000
	for _, variant := range []struct {
		engine    string
		instances int
	}{{"sqlite", 1}, {"postgres", 1}, {"postgres", 3}} {
		b.Run(fmt.Sprintf("%s-%d", variant.engine, variant.instances), func(b *testing.B) {
			var url string
			var dbs []database
			for i := range variant.instances {
				dbs = append(dbs, openBenchStore(b, variant.engine, "bench-"+strconv.Itoa(i), &url))
			}
			ctx := context.Background()
			base := time.Now().UTC().Truncate(time.Minute)
			g := bot.ScheduleGroup{TZ: "UTC", Time: bot.TimeOfDay(base.Hour()*60 + base.Minute()), Days: bot.EveryDay}
			subs := make([]bot.Subscription, members)
			for i := range subs {
				subs[i] = bot.Subscription{
					Member: bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U" + strconv.Itoa(i)},
					Kind:   bot.RemindCheckIn, Times: []bot.TimeOfDay{g.Time}, Days: g.Days, TZ: g.TZ, CreatedAt: base.Add(-24 * time.Hour),
				}
			}
			importer := dbs[0].(interface {
				ImportSubscriptions(ctx context.Context, subs []bot.Subscription, createMembers bool) (int, error)
			})
			if _, err := importer.ImportSubscriptions(ctx, subs, true); err != nil {
				b.Fatal(err)
			}
			var dispatchers []*scheduler.Dispatcher
			for _, db := range dbs {
				eng := benchEngine(b, db, bot.SystemClock{})
				dispatchers = append(dispatchers, scheduler.NewDispatcher(db, eng.coach,
					map[bot.Platform]bot.Sender{bot.Slack: discard{}}, scheduler.DispatcherOptions{Batch: sharedBatch}))
			}
			b.ResetTimer()
			for i := range b.N {
				// A minute earlier each round: a fresh due time, still recent
				// enough to be sent rather than skipped as stale.
				due := base.Add(-time.Duration(i) * time.Minute)
				n, err := dbs[0].EnqueueGroup(ctx, g, due, due, bot.OutboxPending, "")
				if err != nil || n != members {
					b.Fatalf("enqueued %d, %v", n, err)
				}
				var wg sync.WaitGroup
				var drained atomic.Int64
				for _, d := range dispatchers {
					wg.Go(func() {
						n, err := d.Drain(ctx)
						if err != nil {
							b.Error(err)
						}
						drained.Add(int64(n))
					})
				}
				wg.Wait()
				if drained.Load() != members {
					b.Fatalf("drained %d of %d", drained.Load(), members)
				}
			}
			b.ReportMetric(float64(b.N*members)/b.Elapsed().Seconds(), "nudges/s")
		})
	}
}
