package scheduler_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

var faultSeedFlag = flag.Uint64("fault.seed", 0, "seed of the faults injected by the fault tests (0: one from the time, logged)")

// faultSeed returns the seed of a test's injected faults: -fault.seed, or
// one from the time. It is logged, so a failure can be run again with it.
func faultSeed(t *testing.T) uint64 {
	seed := *faultSeedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("faults seeded with %d (-fault.seed %d repeats them)", seed, seed)
	return seed
}

// faultySender fails a seeded pseudo-random share of calls with 429s,
// transient errors and timeouts, and records every call's wall time and
// every delivery per member.
type faultySender struct {
	limited, transient, timeout float64 // shares of calls, summing below 1

	mu        sync.Mutex
	rng       *rand.Rand
	calls     []time.Time
	byTeam    map[string][]time.Time
	delivered map[string]int
	failures  map[string]int
}

func newFaultySender(seed uint64, limited, transient, timeout float64) *faultySender {
	return &faultySender{limited: limited, transient: transient, timeout: timeout,
		rng: rand.New(rand.NewPCG(seed, 42)), byTeam: map[string][]time.Time{}, delivered: map[string]int{}, failures: map[string]int{}}
}

func (s *faultySender) Send(_ context.Context, to bot.MemberKey, _ bot.Reply) error {
	return s.send(to, time.Now())
}

// send records a call at at and decides its fate.
func (s *faultySender) send(to bot.MemberKey, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, at)
	s.byTeam[to.Workspace] = append(s.byTeam[to.Workspace], at)
	x := s.rng.Float64()
	var err error
	switch {
	case x < s.limited:
		err = &bot.RateLimitedError{RetryAfter: time.Duration(1+s.rng.IntN(30)) * time.Second, Err: errors.New("429 ratelimited")}
	case x < s.limited+s.transient:
		err = errors.New("502 bad gateway")
	case x < s.limited+s.transient+s.timeout:
		// A request that timed out before the platform accepted it.
		err = fmt.Errorf("chat.postMessage: %w", context.DeadlineExceeded)
	}
	if err != nil {
		s.failures[fmt.Sprintf("%T", err)]++
		return err
	}
	s.delivered[to.User]++
	return nil
}

// TestStormWithTimeoutsLosesAndRepeatsNothing adds timeouts to a storm of
// 429s with varying Retry-After and transient errors (TestRetryAfterStorm
// covers a fixed pattern without timeouts): with a fake clock advancing,
// every nudge arrives exactly once and none is failed.
func TestStormWithTimeoutsLosesAndRepeatsNothing(t *testing.T) {
	members := 600
	if testing.Short() {
		members = 200
	}
	db, clock, coach := dueFanOut(t, members)
	sender := newFaultySender(faultSeed(t), 0.30, 0.05, 0.05)
	disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, MaxAttempts: 30, BaseBackoff: time.Second, MaxBackoff: 10 * time.Second})
	for range 2000 {
		if _, err := disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if stats, _ := db.OutboxStats(ctx); stats[bot.OutboxPending] == 0 {
			break
		}
		clock.Advance(5 * time.Second)
	}
	stats, err := db.OutboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats[bot.OutboxSent] != members || stats[bot.OutboxPending] != 0 || stats[bot.OutboxFailed] != 0 {
		t.Fatalf("outbox = %v, want all %d sent", stats, members)
	}
	if len(sender.delivered) != members {
		t.Fatalf("%d of %d members reached", len(sender.delivered), members)
	}
	for u, n := range sender.delivered {
		if n != 1 {
			t.Errorf("%s got %d nudges", u, n)
		}
	}
	if len(sender.failures) != 3 {
		t.Errorf("failures injected = %v, want 429s, transient errors and timeouts", sender.failures)
	}
}

// TestSendRateNeverExceedsTheLimit drains at 25 messages per second per
// workspace (fifty workspaces) with transient errors and timeouts, on the
// fake clock: the limiter reserves tokens at the clock's time, and every
// wait for a token moves the clock to its end, so nothing sleeps. Each
// send is stamped with the time the pace admitted it (bot.Delivery.Began),
// and no workspace's 200 ms window may hold more sends than its rate
// allows plus the limiter's burst.
func TestSendRateNeverExceedsTheLimit(t *testing.T) {
	const rps = 25.0
	members := 500
	if testing.Short() {
		members = 300
	}
	db, _, _ := dueFanOut(t, members)
	clock := newTimerClock(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC))
	coach := bot.NewCoach(bot.Config{Store: db, Clock: clock})
	sender := &stampedSender{faultySender: newFaultySender(faultSeed(t), 0, 0.05, 0.03)}
	disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, Rates: map[bot.Platform]float64{bot.Slack: rps}, Concurrency: 16,
			MaxAttempts: 30, BaseBackoff: time.Second, MaxBackoff: time.Second})
	stop := clock.advanceOnWait()
	for range 100 {
		if _, err := disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Second)
		if stats, _ := db.OutboxStats(ctx); stats[bot.OutboxPending] == 0 {
			break
		}
	}
	stop()
	if stats, _ := db.OutboxStats(ctx); stats[bot.OutboxSent] != members {
		t.Fatalf("outbox = %v, want all %d sent", stats, members)
	}
	for u, n := range sender.delivered {
		if n != 1 {
			t.Errorf("%s got %d nudges", u, n)
		}
	}
	burst := max(1, int(math.Ceil(rps*0.03)))
	const window = 200 * time.Millisecond
	worst := 0
	for team, calls := range sender.byTeam {
		sort.Slice(calls, func(i, j int) bool { return calls[i].Before(calls[j]) })
		// Sliding windows starting at every send; a token bucket allows at
		// most rate*window + burst in any window.
		for i, start := range calls {
			j := sort.Search(len(calls), func(k int) bool { return !calls[k].Before(start.Add(window)) })
			worst = max(worst, j-i)
		}
		if limit := int(rps*window.Seconds()) + burst; worst > limit {
			t.Errorf("workspace %s: %d sends within %s, want at most %d (rate %v + burst %d)", team, worst, window, limit, rps, burst)
		}
	}
	calls := sender.calls
	elapsed := calls[len(calls)-1].Sub(calls[0]).Seconds()
	t.Logf("%d sends (%d members, %d workspaces) in %.2fs of fake time, busiest %s of a workspace %d", len(calls), members, len(sender.byTeam), elapsed, window, worst)
}

// stampedSender is a faultySender that platforms' senders call tracked, so
// that each send carries the time the pace admitted it; those are the
// times it records.
type stampedSender struct{ *faultySender }

func (s *stampedSender) SendTracked(ctx context.Context, to bot.MemberKey, _ string, msg bot.Reply, d bot.Delivery) error {
	return s.send(to, d.Began)
}

func (s *stampedSender) Delivered(context.Context, bot.MemberKey, string, bot.Delivery) (bool, error) {
	return false, nil
}
