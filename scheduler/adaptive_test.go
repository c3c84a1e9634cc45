package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// platformSim is a platform in fake time: a token bucket of capacity
// messages per second (a tenth of a second's burst) that answers 429 with
// Retry-After: 1 beyond it, and, independently, refuses a share of sends as
// one busy DM channel would. Answers come after latency.
type platformSim struct {
	capacity float64 // 0: no shared limit
	random   float64 // share of sends refused at random
	latency  time.Duration
	rng      *rand.Rand

	tokens float64
	last   time.Time
}

func (p *platformSim) accept(now time.Time) bool {
	if p.random > 0 && p.rng.Float64() < p.random {
		return false
	}
	if p.capacity == 0 {
		return true
	}
	burst := max(1, p.capacity/10)
	if p.last.IsZero() {
		p.tokens = burst
	}
	p.tokens = min(burst, p.tokens+now.Sub(p.last).Seconds()*p.capacity)
	p.last = now
	if p.tokens < 1 {
		return false
	}
	p.tokens--
	return true
}

// simTrace, when set, sees the limiter every five simulated seconds.
var simTrace func(at time.Duration, a *adaptiveRate)

type simResult struct {
	delivered  float64 // successful sends per second in the measured span
	meanRate   float64 // time-averaged pacing rate in the measured span
	holds      int
	limited429 int
}

// simulate drives adaptiveRates, one per instance, each with an endless
// backlog, against one platform p for total, as the dispatcher does (hold
// the key on a shared 429), and measures the span after warmup: delivered
// and pace are the instances' sums.
func simulate(as []*adaptiveRate, p *platformSim, total, warmup time.Duration) simResult {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	type answer struct {
		at, started time.Time
		ok          bool
		ch          string
		from        int
	}
	var pending []answer
	holdUntil := make([]time.Time, len(as))
	var res simResult
	okCount, rateSum, samples := 0, 0.0, 0
	step := time.Millisecond
	for now := start; now.Before(start.Add(total)); now = now.Add(step) {
		measuring := now.Sub(start) >= warmup
		for len(pending) > 0 && !pending[0].at.After(now) {
			ans := pending[0]
			pending = pending[1:]
			a := as[ans.from]
			if ans.ok {
				a.success(now)
				if measuring {
					okCount++
				}
				continue
			}
			res.limited429++
			if ch := a.rateLimited(now, ans.started, ans.ch, false); ch.Shared && !holdUntil[ans.from].After(now) {
				holdUntil[ans.from] = now.Add(time.Second)
				res.holds++
			}
		}
		for i, a := range as {
			if !holdUntil[i].IsZero() && !now.Before(holdUntil[i]) {
				holdUntil[i] = time.Time{}
				a.holdEnded(now)
			}
			if !holdUntil[i].IsZero() {
				continue
			}
			for {
				ok, _ := a.take(now)
				if !ok {
					break
				}
				pending = append(pending, answer{at: now.Add(p.latency), started: now, ok: p.accept(now), ch: fmt.Sprint("D", p.rng.IntN(1e6)), from: i})
			}
		}
		if simTrace != nil && now.Sub(start)%(5*time.Second) == 0 {
			for _, a := range as {
				simTrace(now.Sub(start), a)
			}
		}
		if measuring {
			for _, a := range as {
				rateSum += a.Rate()
			}
			samples++
		}
	}
	span := (total - warmup).Seconds()
	res.delivered = float64(okCount) / span
	res.meanRate = rateSum / float64(samples)
	return res
}

func TestAdaptiveRateConvergesToCapacity(t *testing.T) {
	if underRace {
		t.Skip("a simulation on a fake clock, no goroutines: the plain run covers it")
	}
	const capacity = 300.0
	for _, tc := range []struct {
		name  string
		start float64
	}{
		{"from above", 1000},
		{"from below", 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
			a := newAdaptiveRate(1000, now)
			a.set(tc.start, now)
			p := &platformSim{capacity: capacity, latency: 100 * time.Millisecond, rng: rand.New(rand.NewPCG(1, 2))}
			res := simulate([]*adaptiveRate{a}, p, 180*time.Second, 60*time.Second)
			t.Logf("delivered %.1f/s, mean pace %.1f/s, %d holds, %d 429s", res.delivered, res.meanRate, res.holds, res.limited429)
			if res.meanRate < 0.95*capacity || res.meanRate > 1.05*capacity {
				t.Errorf("mean pace %.1f/s, want within 5%% of the capacity %v", res.meanRate, capacity)
			}
			// Each shared 429 holds the workspace for its Retry-After (1s
			// here), which the pace does not make up for; stopping at the
			// limit found (limitHold) keeps them rare.
			if res.delivered < 0.96*capacity {
				t.Errorf("delivered %.1f/s, want at least 96%% of the capacity %v", res.delivered, capacity)
			}
		})
	}
}

func TestAdaptiveRateIgnoresIsolated429s(t *testing.T) {
	if underRace {
		t.Skip("a simulation on a fake clock, no goroutines: the plain run covers it")
	}
	const ceiling = 500.0
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	a := newAdaptiveRate(ceiling, now)
	p := &platformSim{random: 0.02, latency: 100 * time.Millisecond, rng: rand.New(rand.NewPCG(3, 4))}
	res := simulate([]*adaptiveRate{a}, p, 120*time.Second, 10*time.Second)
	t.Logf("delivered %.1f/s, mean pace %.1f/s, %d holds, %d 429s", res.delivered, res.meanRate, res.holds, res.limited429)
	if res.meanRate < 0.8*ceiling {
		t.Errorf("mean pace %.1f/s with 2%% random 429s, want at least 0.8 of the ceiling %v", res.meanRate, ceiling)
	}
}

func TestAdaptiveRateSharedLimitDeclared(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	a := newAdaptiveRate(50, now)
	for i := range 40 {
		a.take(now)
		a.success(now.Add(time.Duration(i) * 25 * time.Millisecond))
	}
	now = now.Add(time.Second)
	ch := a.rateLimited(now, now.Add(-100*time.Millisecond), "D1", true)
	if !ch.Shared || ch.To >= 50 || ch.To <= 0 {
		t.Fatalf("declared shared 429 = %+v, want a hold and a lower rate", ch)
	}
	if again := a.rateLimited(now.Add(10*time.Millisecond), now.Add(-90*time.Millisecond), "D2", true); again.To != 0 || again.Shared {
		t.Errorf("a 429 of a send made before the decrease acted again: %+v", again)
	}
}

// succeed has a send start and pass every 1/perSecond for seconds from
// from, and returns when that ends.
func succeed(a *adaptiveRate, from time.Time, perSecond, seconds int) time.Time {
	for i := range perSecond * seconds {
		at := from.Add(time.Duration(i) * time.Second / time.Duration(perSecond))
		a.take(at)
		a.success(at)
	}
	return from.Add(time.Duration(seconds) * time.Second)
}

// TestAdaptiveRateLimitIsTheRecentPeak: a shared 429 right after a second
// in which the dispatcher itself sent well under its pace (a stall of its
// own: its sends bunch after it and the platform refuses the bunch) takes
// the limit from the best whole second before, steps just under it, and
// stops no probe there, since the stall measured nothing of the
// platform; a 429 while sending at
// the pace is trusted, and probing stops at the limit it measured for
// limitHold, also right after a fast rise.
func TestAdaptiveRateLimitIsTheRecentPeak(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	a := newAdaptiveRate(1000, start)
	a.set(310, start)
	now := succeed(a, start, 300, 3)
	now = succeed(a, now, 150, 1)
	ch := a.rateLimited(now, now.Add(-50*time.Millisecond), "D1", true)
	if !ch.Shared || a.limit < 295 || a.limit > 305 {
		t.Fatalf("after a stall: change %+v, limit %.1f; want the shared limit at about 300", ch, a.limit)
	}
	if got := a.Rate(); got < 0.95*295 || got > 0.95*305 {
		t.Errorf("after a stall: rate %.1f, want just under the limit, not under the stalled second's 150", got)
	}
	if ch.Trusted || a.capLeft(now) != 0 {
		t.Errorf("after a stall: change %+v, capped for %s; want nothing trusted", ch, a.capLeft(now))
	}

	now = now.Add(time.Second)
	a.holdEnded(now)
	a.set(300, now)
	now = succeed(a, now, 290, 3)
	ch = a.rateLimited(now, now.Add(-50*time.Millisecond), "D2", true)
	if !ch.Trusted || ch.Measured < 285 || ch.Measured > 295 || a.capLeft(now) != limitHold {
		t.Fatalf("at the pace: change %+v, capped for %s; want about 290 measured and trusted for limitHold", ch, a.capLeft(now))
	}
	for range 30 {
		now = succeed(a, now, int(a.Rate()), 1)
	}
	if got := a.Rate(); got > a.limit {
		t.Errorf("rate %.1f probed past the limit %.1f within limitHold", got, a.limit)
	}

	// The rate rises fast (no limit known) once a second, and the platform
	// refuses the rise: what was achieved is the limit, trusted.
	b := newAdaptiveRate(1000, start)
	b.set(200, start)
	now = succeed(b, start, 200, 3)
	if b.Rate() <= 200 {
		t.Fatalf("rate %.1f after three seconds at the pace, want a rise", b.Rate())
	}
	ch = b.rateLimited(now, now.Add(-50*time.Millisecond), "D1", true)
	if !ch.Trusted || b.capLeft(now) != limitHold || b.limit < 195 || b.limit > 205 {
		t.Errorf("a 429 right after a fast rise: change %+v, limit %.1f, capped for %s; want about 200, trusted for limitHold", ch, b.limit, b.capLeft(now))
	}
}

// TestAdaptiveRateColdStartKeepsTheKnownLimit: a restarted process starts
// a workspace at its remembered pace (limit 300). A shared 429 in its first
// second, when only 100 sends have been answered, says little about the
// limit: the rate drops just under what it was, the limit stays, and
// probing is not stopped there. A key with no limit known keeps none from
// such a 429 either: what it achieved sets only how far the rate drops.
// Once the key is warm, the same measure (100 a second, sent at the pace)
// is taken as it is.
func TestAdaptiveRateColdStartKeepsTheKnownLimit(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

	cold := newAdaptiveRate(1000, start)
	cold.adopt(290, 300, 20*time.Second, start)
	now := succeed(cold, start, 100, 1)
	ch := cold.rateLimited(now, now.Add(-50*time.Millisecond), "D1", true)
	if !ch.Shared || cold.limit != 300 || ch.To < 0.95*290 || cold.trusted {
		t.Errorf("cold: change %+v, limit %.1f, trusted %v; want a hold, the rate just under 290, the limit 300 kept, not trusted", ch, cold.limit, cold.trusted)
	}

	fresh := newAdaptiveRate(1000, start)
	fresh.set(300, start)
	now = succeed(fresh, start, 250, 1)
	ch = fresh.rateLimited(now, now.Add(-50*time.Millisecond), "D1", true)
	if !ch.Shared || fresh.limit != 0 || ch.To < 0.95*240 || ch.To > 0.95*260 {
		t.Errorf("cold, no limit known: change %+v, limit %.1f; want the rate just under the 250 achieved, no limit kept", ch, fresh.limit)
	}

	warm := newAdaptiveRate(1000, start)
	warm.adopt(105, 300, 20*time.Second, start)
	now = succeed(warm, start, 100, 4)
	ch = warm.rateLimited(now, now.Add(-50*time.Millisecond), "D1", true)
	if !ch.Shared || warm.limit < 95 || warm.limit > 105 || ch.To > 100 {
		t.Errorf("warm: change %+v, limit %.1f; want the limit and rate at what was achieved, about 100", ch, warm.limit)
	}
}

// TestAdaptiveRateWithoutAMeasureUsesTheLimit: a shared 429 right after a
// hold, before enough has been sent to measure anything, drops the rate
// to just under the limit found at the last shared 429 rather than
// halving it (several instances halving each other down was a third of
// the limit for twenty seconds).
func TestAdaptiveRateWithoutAMeasureUsesTheLimit(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	a := newAdaptiveRate(1000, start)
	now := succeed(a, start, 300, 4)
	if ch := a.rateLimited(now, now.Add(-50*time.Millisecond), "D1", true); !ch.Shared || a.limit < 290 || a.limit > 310 {
		t.Fatalf("first shared 429: %+v, limit %.1f; want the limit at about 300", ch, a.limit)
	}
	now = now.Add(time.Second)
	a.holdEnded(now)
	a.set(320, now) // probing went past the limit again
	now = now.Add(100 * time.Millisecond)
	ch := a.rateLimited(now, now.Add(-50*time.Millisecond), "D2", true)
	if !ch.Shared || ch.To < 0.95*290 || ch.To > 0.95*310 {
		t.Errorf("a 429 with nothing measured since the hold: %+v; want just under the limit %.1f, not half of %v", ch, a.limit, ch.From)
	}
}

// TestAdaptiveRateMeasure: what an instance publishes for the others to
// set the shared pace from is what it achieved over a whole window; a
// window just after a hold measures nothing. A second sent well under the
// pace still counts (it is part of what all instances sent together), but
// a 429 then is not taken for the platform's limit.
func TestAdaptiveRateMeasure(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	held := newAdaptiveRate(1000, start)
	held.set(100, start)
	now := succeed(held, start, 95, 2)
	if got := held.measure(now); got < 90 || got > 100 {
		t.Errorf("at the pace: measure %.1f, want about 95", got)
	}
	held.holdEnded(now)
	if got := held.measure(now); got != 0 {
		t.Errorf("right after a hold: measure %.1f, want 0", got)
	}

	stalled := newAdaptiveRate(1000, start)
	stalled.set(100, start)
	now = succeed(stalled, start, 95, 3)
	now = succeed(stalled, now, 30, 1)
	if got := stalled.measure(now); got < 28 || got > 32 {
		t.Errorf("a second sent at a third of the pace: measure %.1f, want about 30", got)
	}
	ch := stalled.rateLimited(now, now.Add(-50*time.Millisecond), "D1", true)
	if ch.Trusted || ch.Measured < 28 || ch.Measured > 32 || stalled.limit < 90 || ch.To < 0.95*90 {
		t.Errorf("a 429 after a second at a third of the pace: %+v, limit %.1f; want 30 measured, not trusted, the limit and the rate from the seconds before", ch, stalled.limit)
	}
}
