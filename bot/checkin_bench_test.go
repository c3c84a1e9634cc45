package bot_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/content"
)

// BenchmarkCheckInCPU is the CPU one durable /pain costs in Coach.Handle
// (parse, member and workspace, history read, guidance, one transaction)
// on a SQLite file, for a member checking in twice a day with a month of
// history behind them. It reports cpu-us/op, the process's CPU time (user
// and system, every thread) per check-in, which unlike ns/op does not grow
// when other work shares the machine. The cases:
//
//   - typed: "/pain N knee stiff after stairs", area and note given;
//   - nudge: "/pain N", a check-in reminder's button, the area taken from
//     the member's last check-in;
//   - content: typed, with the real content library choosing guidance
//     (triage and cards), as deployed;
//   - bare-insert: Store.AddCheckIn alone, one row in one transaction, the
//     floor for any durable check-in.
func BenchmarkCheckInCPU(b *testing.B) {
	lib, err := content.Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		lib  bot.Library
		do   func(ctx context.Context, coach *bot.Coach, db bot.Store, now time.Time, score int) error
	}{
		{"typed", nil, typedCheckIn},
		{"nudge", nil, func(ctx context.Context, coach *bot.Coach, _ bot.Store, _ time.Time, score int) error {
			return logged(coach.Handle(ctx, bottest.Request("pain "+strconv.Itoa(score))))
		}},
		{"content", lib, typedCheckIn},
		{"bare-insert", nil, func(ctx context.Context, _ *bot.Coach, db bot.Store, now time.Time, score int) error {
			_, err := db.AddCheckIn(ctx, bot.CheckIn{Member: bottest.Request("").Member(), Score: score, Area: "knee", Note: "stiff after stairs", At: now})
			return err
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			coach, db, clock := bottest.NewCoach(b, tc.lib)
			ctx := context.Background()
			// A month of check-ins twice a day: the history read is full.
			for i := range 60 {
				clock.Advance(12 * time.Hour)
				if err := typedCheckIn(ctx, coach, db, clock.Now(), 3+i%3); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			start := bottest.CPUTime()
			for b.Loop() {
				i++
				clock.Advance(12 * time.Hour)
				if err := tc.do(ctx, coach, db, clock.Now(), 3+i%3); err != nil {
					b.Fatal(err)
				}
			}
			if cpu := bottest.CPUTime() - start; cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/float64(i), "cpu-us/op")
			}
		})
	}
}

func typedCheckIn(ctx context.Context, coach *bot.Coach, _ bot.Store, _ time.Time, score int) error {
	return logged(coach.Handle(ctx, bottest.Request("pain "+strconv.Itoa(score)+" knee stiff after stairs")))
}

// logged fails a check-in whose reply does not say it was logged.
func logged(reply bot.Reply) error {
	if !strings.Contains(reply.Text, "Logged **") {
		return fmt.Errorf("reply %q", reply.Text)
	}
	return nil
}
