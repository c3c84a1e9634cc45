package scheduler

import (
	"time"

	"golang.org/x/time/rate"
)

// Tuning of the adaptive rate. The platforms do not publish the limit a
// workspace has, so it is found the way TCP finds a path's capacity:
// additive increase while sends succeed, multiplicative decrease when the
// platform says "slow down".
const (
	// outcomeWindow is how many recent sends judge whether 429s mean the
	// shared limit was reached; minOutcomes must be seen before a share is
	// trusted.
	outcomeWindow = 200
	minOutcomes   = 50
	// sharedShare is the share of limited sends in the window above which
	// the limit is taken to be the workspace's, not one channel's: a share
	// below it is what a few busy DM channels produce on their own.
	sharedShare = 0.05
	// sharedRun is how many 429s in a row, from at least two channels, mean
	// the shared limit: isolated 429s almost never come several in a row.
	sharedRun = 3
	// achievedWindow is how far back the achieved rate is measured;
	// minAchievedSpan is the shortest span it is trusted over (shorter, a
	// platform's burst allowance overstates it), else the rate halves.
	achievedWindow  = 2 * time.Second
	minAchievedSpan = 500 * time.Millisecond
	// backoff is the share of the achieved rate a decrease drops to: just
	// under what the platform let through.
	backoff = 0.95
	// probeEvery is how often the rate may rise.
	probeEvery = time.Second
	// fastProbe is the rise per probeEvery while well below the last rate
	// that drew a shared 429 (or when none did yet); slowProbe above it,
	// so the rate creeps past the known limit rather than jumps, and the
	// hold that a shared 429 costs comes seldom.
	fastProbe = 0.05
	slowProbe = 0.004
	// nearLimit bounds the band around the last limit in which probing
	// slows: from nearLimit of it to 1/nearLimit of it. Beyond the band the
	// old limit no longer says much, and probing is fast again.
	nearLimit = 0.9
	// busyShare is how much of the rate must be used for it to rise: a rate
	// that is not reached says nothing about the platform's limit.
	busyShare = 0.8
	// minRate is the floor of any key's rate, in messages per second.
	minRate = 0.2
)

// rateChange reports what an outcome did to a key's pacing.
type rateChange struct {
	// Shared is set when the outcome showed the shared limit was reached:
	// the key is held until Retry-After.
	Shared bool
	// From and To are the rate before and after, when it changed.
	From, To float64
}

// adaptiveRate paces one (platform, workspace): it starts at the ceiling
// (COACH_*_RPS), drops to just under the achieved rate when 429s show the
// shared limit was reached, and probes upward while none come. It is not
// safe for concurrent use: the dispatcher's loop owns it. Every method takes
// the time, so tests drive it with a fake clock.
type adaptiveRate struct {
	ceiling float64
	rate    float64
	lim     *rate.Limiter

	// limit is the achieved rate at the last shared 429 (0 before one).
	limit float64
	// lastDecrease is when the rate was last lowered.
	lastDecrease time.Time
	// activeSince is when sending last resumed (creation or a hold's end):
	// the achieved rate is measured from then at most.
	activeSince time.Time
	lastProbe   time.Time

	outcomes      []bool // ring of recent outcomes, true = limited
	next          int
	seen, limited int
	run           int
	runChannel    string
	runMixed      bool
	sent          []time.Time // successful sends within achievedWindow
	admitted      []time.Time // sends started since lastProbe
}

func newAdaptiveRate(ceiling float64, now time.Time) *adaptiveRate {
	a := &adaptiveRate{ceiling: ceiling, rate: ceiling, lastProbe: now, activeSince: now, outcomes: make([]bool, outcomeWindow)}
	a.lim = rate.NewLimiter(rate.Limit(ceiling), burstFor(ceiling))
	return a
}

// burstFor is a fiftieth of a second's worth of sends (at most 1000):
// enough that a short scheduling hiccup does not lose throughput, small
// enough that sends freed together do not hit the platform as a burst it
// refuses, which would read as the shared limit.
func burstFor(r float64) int { return max(1, int(min(r/50, 1000))) }

// Rate is the current pace in messages per second.
func (a *adaptiveRate) Rate() float64 { return a.rate }

// take spends a token at now if one is there; otherwise it returns how long
// until one is.
func (a *adaptiveRate) take(now time.Time) (bool, time.Duration) {
	r := a.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	if len(a.admitted) >= 4096 {
		// No success has come to count them (every send refused): keep
		// the newest half.
		a.admitted = append(a.admitted[:0], a.admitted[2048:]...)
	}
	a.admitted = append(a.admitted, now)
	return true, 0
}

// success records a send the platform accepted, and may raise the rate.
func (a *adaptiveRate) success(now time.Time) rateChange {
	a.record(false, "")
	a.sent = append(a.sent, now)
	a.pruneSent(now)
	return a.probe(now)
}

// rateLimited records a 429 for a send to channel that started at
// started; shared says the platform declared the limit shared (Discord's
// global limit). It reports whether the shared limit was reached, and then
// lowers the rate. A 429 of a send started before the last decrease is
// ignored: it answers for the old rate, which was already lowered.
func (a *adaptiveRate) rateLimited(now, started time.Time, channel string, shared bool) rateChange {
	if started.Before(a.lastDecrease) {
		return rateChange{}
	}
	a.record(true, channel)
	if !shared {
		share := float64(a.limited) / float64(max(a.seen, 1))
		shared = (a.run >= sharedRun && a.runMixed) || (a.seen >= minOutcomes && share > sharedShare)
	}
	if !shared {
		return rateChange{}
	}
	from := a.rate
	achieved := a.achieved(now)
	to := from * 0.5
	if achieved > 0 {
		to = backoff * min(achieved, from)
	}
	to = max(to, minRate)
	a.limit = achieved
	a.set(to, now)
	a.lastDecrease = now
	a.resetWindow()
	a.lastProbe = now
	return rateChange{Shared: true, From: from, To: to}
}

// holdEnded restarts probing after a hold: the first second at the lowered
// rate shows whether it is used.
func (a *adaptiveRate) holdEnded(now time.Time) {
	a.lastProbe = now
	a.admitted = a.admitted[:0]
	// Successes before the hold would spread over a time in which nothing
	// was sent and understate what the platform lets through.
	a.sent = a.sent[:0]
	a.activeSince = now
}

// achieved is the successful sends per second over the last
// achievedWindow, or 0 when too few to tell.
func (a *adaptiveRate) achieved(now time.Time) float64 {
	a.pruneSent(now)
	span := min(now.Sub(a.activeSince), achievedWindow)
	if len(a.sent) < 10 || span < minAchievedSpan {
		return 0
	}
	return float64(len(a.sent)) / span.Seconds()
}

// probe raises the rate once per probeEvery when no 429 came in that time
// and the rate was nearly used.
func (a *adaptiveRate) probe(now time.Time) rateChange {
	if a.rate >= a.ceiling || now.Sub(a.lastProbe) < probeEvery {
		return rateChange{}
	}
	since := a.lastProbe
	a.lastProbe = now
	used := 0
	for _, t := range a.admitted {
		if !t.Before(since) {
			used++
		}
	}
	a.admitted = a.admitted[:0]
	if float64(used) < busyShare*a.rate*now.Sub(since).Seconds() {
		return rateChange{}
	}
	step := fastProbe
	if a.limit > 0 && a.rate >= nearLimit*a.limit && a.rate <= a.limit/nearLimit {
		step = slowProbe
	}
	from := a.rate
	a.set(min(a.ceiling, a.rate*(1+step)+0.1), now)
	return rateChange{From: from, To: a.rate}
}

func (a *adaptiveRate) set(r float64, now time.Time) {
	a.rate = r
	a.lim.SetLimitAt(now, rate.Limit(r))
	a.lim.SetBurstAt(now, burstFor(r))
}

// record adds an outcome to the window and to the run of 429s.
func (a *adaptiveRate) record(limited bool, channel string) {
	if a.seen == outcomeWindow && a.outcomes[a.next] {
		a.limited--
	}
	a.outcomes[a.next] = limited
	a.next = (a.next + 1) % outcomeWindow
	a.seen = min(a.seen+1, outcomeWindow)
	if limited {
		a.limited++
		if a.run > 0 && channel != a.runChannel {
			a.runMixed = true
		}
		a.run++
		a.runChannel = channel
		return
	}
	a.run, a.runMixed = 0, false
}

func (a *adaptiveRate) resetWindow() {
	clear(a.outcomes)
	a.next, a.seen, a.limited, a.run, a.runMixed = 0, 0, 0, 0, false
}

func (a *adaptiveRate) pruneSent(now time.Time) {
	cut := now.Add(-achievedWindow)
	i := 0
	for i < len(a.sent) && a.sent[i].Before(cut) {
		i++
	}
	if i > 0 {
		a.sent = append(a.sent[:0], a.sent[i:]...)
	}
}
