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

// simulate drives an adaptiveRate with an endless backlog against p for
// total, as the dispatcher does (hold the key on a shared 429), and
// measures the span after warmup.
func simulate(a *adaptiveRate, p *platformSim, total, warmup time.Duration) simResult {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	type answer struct {
		at, started time.Time
		ok          bool
		ch          string
	}
	var pending []answer
	var holdUntil time.Time
	held := false
	var res simResult
	okCount, rateSum, samples := 0, 0.0, 0
	step := time.Millisecond
	for now := start; now.Before(start.Add(total)); now = now.Add(step) {
		measuring := now.Sub(start) >= warmup
		for len(pending) > 0 && !pending[0].at.After(now) {
			ans := pending[0]
			pending = pending[1:]
			if ans.ok {
				a.success(now)
				if measuring {
					okCount++
				}
				continue
			}
			res.limited429++
			if ch := a.rateLimited(now, ans.started, ans.ch, false); ch.Shared && !held {
				held, holdUntil = true, now.Add(time.Second)
				res.holds++
			}
		}
		if held && !now.Before(holdUntil) {
			held = false
			a.holdEnded(now)
		}
		if !held {
			for {
				ok, _ := a.take(now)
				if !ok {
					break
				}
				pending = append(pending, answer{at: now.Add(p.latency), started: now, ok: p.accept(now), ch: fmt.Sprint("D", p.rng.IntN(1e6))})
			}
		}
		if simTrace != nil && now.Sub(start)%(5*time.Second) == 0 {
			simTrace(now.Sub(start), a)
		}
		if measuring {
			rateSum += a.Rate()
			samples++
		}
	}
	span := (total - warmup).Seconds()
	res.delivered = float64(okCount) / span
	res.meanRate = rateSum / float64(samples)
	return res
}

func TestAdaptiveRateConvergesToCapacity(t *testing.T) {
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
			res := simulate(a, p, 180*time.Second, 60*time.Second)
			t.Logf("delivered %.1f/s, mean pace %.1f/s, %d holds, %d 429s", res.delivered, res.meanRate, res.holds, res.limited429)
			if res.meanRate < 0.95*capacity || res.meanRate > 1.05*capacity {
				t.Errorf("mean pace %.1f/s, want within 5%% of the capacity %v", res.meanRate, capacity)
			}
			// Each shared 429 holds the workspace for its Retry-After (1s
			// here), which the pace does not make up for.
			if res.delivered < 0.93*capacity {
				t.Errorf("delivered %.1f/s, want at least 93%% of the capacity %v", res.delivered, capacity)
			}
		})
	}
}

func TestAdaptiveRateIgnoresIsolated429s(t *testing.T) {
	const ceiling = 500.0
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	a := newAdaptiveRate(ceiling, now)
	p := &platformSim{random: 0.02, latency: 100 * time.Millisecond, rng: rand.New(rand.NewPCG(3, 4))}
	res := simulate(a, p, 120*time.Second, 10*time.Second)
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
