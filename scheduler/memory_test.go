package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// TestRestartStartsAtTheRememberedPace: a dispatcher that starts while a
// workspace's limit is remembered from before a restart paces it there
// (just under the limit, probing no higher than it for what was left of
// the cap it was written with), not at COACH_SLACK_RPS (which would draw a
// burst of 429s and a hold); a limit written without a cap (not trusted,
// or its cap long over) is started under but not capped; a remembered
// pace older than an hour is not trusted; and what it paces is written
// back for the next restart.
func TestRestartStartsAtTheRememberedPace(t *testing.T) {
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		pace      string // rate, achieved, limit
		written   time.Time
		capped    time.Time // zero for none
		wantRate  float64
		remembers bool
	}{
		{"a minute ago", "280 0 300", start.Add(-time.Minute), start.Add(20 * time.Second), 280, true},
		{"probing past its limit", "320 0 300", start.Add(-time.Minute), start.Add(20 * time.Second), 285, false},
		{"not capped", "280 0 300", start.Add(-time.Minute), time.Time{}, 280, true},
		{"cap over", "280 0 300", start.Add(-time.Minute), start.Add(-time.Second), 280, true},
		{"two hours ago", "280 0 300", start.Add(-2 * time.Hour), start.Add(20 * time.Second), 1000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, clock, coach := timedFanOutIn(t, 5, 1)
			before := fmt.Sprintf("slack\tT0\t%s %d %d\t%d\n", tc.pace, tc.written.Add(-time.Second).UnixMilli(), orZero(tc.capped), tc.written.UnixMilli())
			if err := db.SetState(t.Context(), "dispatcher.paces", before); err != nil {
				t.Fatal(err)
			}
			sender := newTrackedSender(clock)
			started, release := make(chan struct{}, 8), make(chan struct{})
			sender.fail = func(int, bot.MemberKey) error {
				started <- struct{}{}
				<-release
				return nil
			}
			disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
				scheduler.DispatcherOptions{Clock: clock, PollEvery: time.Hour, Concurrency: 1, Rates: map[bot.Platform]float64{bot.Slack: 1000}})
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- disp.Run(ctx) }()
			// The first send blocks on release, keeping the rest queued.
			bottest.Within(t, started, "the first send")
			if k := keyStats(t, disp); k.Rate != tc.wantRate || k.Ceiling != 1000 {
				t.Errorf("rate %v (ceiling %v) at start, want %v", k.Rate, k.Ceiling, tc.wantRate)
			}
			// Two seconds on, the next outcome writes the paces again.
			clock.Advance(2 * time.Second)
			close(release)
			for range 5 {
				bottest.Within(t, sender.sent, "a send")
			}
			cancel()
			if err := bottest.Within(t, done, "Run"); err != nil {
				t.Fatal(err)
			}
			raw, err := db.State(t.Context(), "dispatcher.paces")
			if err != nil {
				t.Fatal(err)
			}
			// Probing stops at the remembered limit for what was left of its
			// cap, and not at all without one.
			wantCapped := tc.capped
			if !wantCapped.After(start) {
				wantCapped = time.Time{}
			}
			line := fmt.Sprintf("slack\tT0\t280 0 300 %d %d\t%d\n", tc.written.Add(-time.Second).UnixMilli(), orZero(wantCapped), start.Add(2*time.Second).UnixMilli())
			if got := strings.Contains(raw, line); got != tc.remembers {
				t.Errorf("remembered paces %q; want the line %q: %v", raw, line, tc.remembers)
			}
		})
	}
}

// orZero is t in Unix milliseconds, keeping the zero time 0 as the
// remembered paces do.
func orZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
