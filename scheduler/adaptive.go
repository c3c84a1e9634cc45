package scheduler

import (
	"math"
	"sort"
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
	achievedWindow  = time.Second
	minAchievedSpan = 500 * time.Millisecond
	// peakWindows is how many windows back the highest achieved rate is
	// looked for when a shared 429 sets the limit: a stall of the
	// dispatcher's own (a busy database, a pause) lowers one window's rate
	// without saying anything about the platform's limit.
	peakWindows = 3
	// warmWindows is how long a key must have been paced before a 429's
	// measure of the limit may lower a limit known from before or be
	// taken up by other instances (see warm).
	warmWindows = 3
	// backoff is the share of the achieved rate a decrease drops to: just
	// under what the platform let through.
	backoff = 0.95
	// probeEvery is how often the rate may rise.
	probeEvery = time.Second
	// fastProbe is the rise per probeEvery while well below the last rate
	// that drew a shared 429 (or when none did yet); slowProbe near it,
	// so the rate creeps past the known limit rather than jumps, and the
	// hold that a shared 429 costs comes seldom. A limit measured while
	// the rate was not steady (see steady) may be well short of the
	// platform's: near it the rate rises by midProbe, to find out soon.
	fastProbe = 0.05
	midProbe  = 0.02
	slowProbe = 0.004
	// nearBelow and nearAbove bound the band around the last limit in
	// which probing is slow: from nearBelow of it to nearAbove of it. A
	// decrease (backoff) drops below the band, so the rate comes back to
	// the limit in a step or two; beyond the band the old limit no longer
	// says much, and probing is fast again.
	nearBelow = 0.97
	nearAbove = 1.1
	// limitHold is how long after a shared 429 probing stops at the limit
	// it measured, when it was measured while the rate was steady: the
	// platform's limit rarely moves, and every probe past it costs a hold.
	limitHold = 30 * time.Second
	// capShare is the share of the limit probing stops at while capped.
	// The limit is the best second achieved, which a platform's burst
	// allowance lifts a little above what it lets through for long: paced
	// at the limit itself, a few percent of sends draw 429s, and now and
	// then enough of them in a row to read as the shared limit and cost a
	// hold.
	capShare = 0.98
	// busyShare is how much of the rate must be used for it to rise, or
	// for what was achieved at a 429 to be taken for the platform's limit:
	// a rate that is not reached says nothing about the platform's limit,
	// and what a process that could not keep up with its own pace
	// achieved (its database busy, its CPU shared) understates it.
	busyShare = 0.8
	// minRate is the floor of any key's rate, in messages per second.
	minRate = 0.2
	// burstSpan is how much of a second's pace may go at once (burstFor).
	burstSpan = 30 * time.Millisecond
)

// rateChange reports what an outcome did to a key's pacing.
type rateChange struct {
	// Shared is set when the outcome showed the shared limit was reached:
	// the key is held until Retry-After.
	Shared bool
	// Measured is what was achieved at a shared 429 over a whole window
	// (see measure), else 0; Trusted is set when it was measured while
	// sending at the pace (see busy) and the rate was steady (see steady).
	Measured float64
	Trusted  bool
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

	// limit is the rate the platform let through at the last shared 429
	// (0 before one): the highest achieved over the last few windows.
	limit float64
	// lastDecrease is when the rate was last lowered; until capped the
	// rate probes no higher than limit.
	lastDecrease, capped time.Time
	// activeSince is when sending last resumed (creation or a hold's end):
	// the achieved rate is measured from then at most.
	activeSince time.Time
	lastProbe   time.Time
	// created is when the key was first paced (see warm).
	created time.Time
	// trusted is set when the limit was measured while the rate was
	// steady.
	trusted bool

	outcomes      []bool // ring of recent outcomes, true = limited
	next          int
	seen, limited int
	run           int
	runChannel    string
	runMixed      bool
	sent          []time.Time // successful sends within peakWindows
	admitted      []time.Time // sends started within the last window, or since lastProbe
}

func newAdaptiveRate(ceiling float64, now time.Time) *adaptiveRate {
	a := &adaptiveRate{ceiling: ceiling, rate: ceiling, lastProbe: now, activeSince: now, created: now, outcomes: make([]bool, outcomeWindow)}
	a.lim = rate.NewLimiter(rate.Limit(ceiling), burstFor(ceiling))
	return a
}

// burstFor is burstSpan's worth of sends (at least 1, at most 1000):
// enough that the dispatcher waking a few milliseconds late for a token
// does not lose it (a bucket of one loses every token it is late for),
// small enough that sends freed together do not hit the platform as a
// burst it refuses, which would read as the shared limit.
func burstFor(r float64) int { return max(1, int(min(math.Ceil(r*burstSpan.Seconds()), 1000))) }

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
	a.pruneAdmitted(now)
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

// rateLimited records a 429 for a send to channel that the pace let go
// at admitted; shared says the platform declared the limit shared (Discord's
// global limit). It reports whether the shared limit was reached, and then
// lowers the rate. A 429 of a send admitted before the last decrease is
// ignored: it answers for the old rate, which was already lowered.
func (a *adaptiveRate) rateLimited(now, admitted time.Time, channel string, shared bool) rateChange {
	if admitted.Before(a.lastDecrease) {
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
	achieved, full := a.achieved(now)
	busy, peak := a.busy(now), a.peak(now)
	known := achieved
	if !a.warm(now) || !busy || known == 0 {
		// What was achieved is then only a floor of the limit: a key not
		// yet warm measures a skewed start (see warm), and a process that
		// did not keep its own pace (a stall of its own) sent its sends
		// bunched after the stall, which the platform refused at a rate
		// below its limit. A limit known from before, or the best second
		// lately, counts more, and more than nothing: with too little
		// sent since a hold to measure, several instances each drawing
		// 429s right after their holds used to halve themselves down to
		// a third of the limit.
		known = max(known, a.limit, peak)
	}
	to := from * 0.5
	if known > 0 {
		to = backoff * min(known, from)
	}
	to = max(to, minRate)
	if limit := max(known, peak); limit > 0 && a.warm(now) {
		a.limit = limit
	}
	measured := a.measure(now)
	a.trusted = busy && a.steady(now, full)
	if a.trusted {
		a.capped = now.Add(limitHold)
	}
	a.set(to, now)
	a.lastDecrease = now
	a.resetWindow()
	a.lastProbe = now
	return rateChange{Shared: true, From: from, To: to, Measured: measured, Trusted: a.trusted}
}

// adopt takes up a decrease another instance sharing the key made (see
// sharedPace) as if it were its own, but for the hold: the rate, the
// limit (when known) and, for capFor, probing no higher than it.
func (a *adaptiveRate) adopt(rate, limit float64, capFor time.Duration, now time.Time) rateChange {
	from := a.rate
	a.set(max(minRate, min(a.ceiling, rate)), now)
	if limit > 0 {
		a.limit = limit
	}
	// A cap of this key's own from before is dropped with the limit it
	// was for: kept, it would hold the rate under a limit it never
	// trusted while the other instances probe past it.
	a.trusted = capFor > 0
	a.capped = time.Time{}
	if a.trusted {
		a.capped = now.Add(capFor)
	}
	a.lastDecrease, a.lastProbe = now, now
	a.resetWindow()
	return rateChange{From: from, To: a.rate}
}

// capLeft is how long the rate still probes no higher than the limit.
func (a *adaptiveRate) capLeft(now time.Time) time.Duration {
	if a.limit <= 0 || !now.Before(a.capped) {
		return 0
	}
	return a.capped.Sub(now)
}

// share sets a new ceiling when the number of instances sharing it
// changes, and scales the rate and the learned limit by factor (old over
// new number of instances).
func (a *adaptiveRate) share(ceiling, factor float64, now time.Time) {
	a.ceiling = ceiling
	a.limit *= factor
	a.set(max(minRate, min(ceiling, a.rate*factor)), now)
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
// achievedWindow, or 0 when too few to tell; full reports whether sending
// went on for the whole window.
func (a *adaptiveRate) achieved(now time.Time) (rate float64, full bool) {
	a.pruneSent(now)
	last := a.sentSince(now.Add(-achievedWindow))
	if len(last) < 10 {
		return 0, false
	}
	if now.Sub(a.activeSince) >= achievedWindow {
		return float64(len(last)) / achievedWindow.Seconds(), true
	}
	// Sending began less than a window ago: count from the first success,
	// since the platform's answers come a latency after the sends.
	span := now.Sub(last[0])
	if span < minAchievedSpan {
		return 0, false
	}
	return float64(len(last)-1) / span.Seconds(), false
}

// measure is what was achieved over the last window when sending went on
// for the whole of it, else 0: a window cut short by a hold would count
// the hold's time as refused. Callers leave out a key being held. A
// window in which this process did not keep its pace (see busy) still
// counts: added up with the other instances', what it sent is part of
// what the platform let through.
func (a *adaptiveRate) measure(now time.Time) float64 {
	if achieved, full := a.achieved(now); full {
		return achieved
	}
	return 0
}

// busy reports whether sends started at nearly the whole rate over the
// last window.
func (a *adaptiveRate) busy(now time.Time) bool { return a.used(now.Add(-achievedWindow), now) }

// used reports whether sends started from since to now came to busyShare
// of the rate.
func (a *adaptiveRate) used(since, now time.Time) bool {
	return float64(len(a.admittedSince(since))) >= busyShare*a.rate*now.Sub(since).Seconds()
}

// peak is the highest rate achieved over a whole window in the last
// peakWindows, counting only windows that began a window after sending
// (re)started, when a platform's burst allowance is spent; 0 for none.
func (a *adaptiveRate) peak(now time.Time) float64 {
	a.pruneSent(now)
	best := 0
	for end := now; end.Sub(a.activeSince) >= 2*achievedWindow && now.Sub(end) < peakWindows*achievedWindow; end = end.Add(-achievedWindow) {
		n := len(a.sentSince(end.Add(-achievedWindow))) - len(a.sentSince(end))
		best = max(best, n)
	}
	return float64(best) / achievedWindow.Seconds()
}

// sentSince returns the successes at or after t.
func (a *adaptiveRate) sentSince(t time.Time) []time.Time { return atOrAfter(a.sent, t) }

// probe raises the rate once per probeEvery when the rate was nearly used,
// but not past the limit for limitHold after a shared 429.
func (a *adaptiveRate) probe(now time.Time) rateChange {
	if a.rate >= a.ceiling || now.Sub(a.lastProbe) < probeEvery {
		return rateChange{}
	}
	since := a.lastProbe
	a.lastProbe = now
	if !a.used(since, now) {
		return rateChange{}
	}
	step := fastProbe
	if a.limit > 0 && a.rate >= nearBelow*a.limit && a.rate <= nearAbove*a.limit {
		step = midProbe
		if a.trusted {
			step = slowProbe
		}
	}
	to := min(a.ceiling, a.rate*(1+step)+0.1)
	if a.limit > 0 && now.Before(a.capped) {
		to = min(to, capShare*a.limit)
	}
	if to <= a.rate {
		return rateChange{}
	}
	from := a.rate
	a.set(to, now)
	return rateChange{From: from, To: a.rate}
}

// steady reports whether the achieved rate, measured over a whole window
// (full) that began a window after sending (re)started, tells the
// platform's limit: probing then stops there for limitHold. In the first
// seconds of a burst or after a hold it is skewed, by answers still on
// their way and the platform's burst allowance. A window with a fast rise
// in it counts: the 429 that soon follows a rise says the rise went past
// the limit, and the window holds mostly the rate just under it. (When
// such a window did not count, the instances of a simulated fleet went
// on probing past the limit in their bad rounds, each drawing a hold
// every time, for 10-20 s.)
func (a *adaptiveRate) steady(now time.Time, full bool) bool {
	return full && now.Sub(a.activeSince) >= 2*achievedWindow
}

// warm reports whether the key has been paced for warmWindows. Before
// that, what was achieved is skewed: the first answers are still on their
// way, a restarted process is settling rows a crash left half-sent, and
// the first 429s' holds cut the windows short. A limit measured then is
// not kept: a later decrease would fall back on it and hand it to the
// other instances (one measured in the first burst was twice the real
// limit). It only sets how far the rate drops.
func (a *adaptiveRate) warm(now time.Time) bool {
	return now.Sub(a.created) >= warmWindows*achievedWindow
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

// admittedSince returns the sends started at or after t.
func (a *adaptiveRate) admittedSince(t time.Time) []time.Time { return atOrAfter(a.admitted, t) }

// pruneAdmitted keeps the sends that busy and the next probe count: those
// of the last window, and those since the last probe. With no success to
// probe (every send refused) that could grow without end, so at most the
// newest half of a few thousand are kept.
func (a *adaptiveRate) pruneAdmitted(now time.Time) {
	cut := now.Add(-achievedWindow)
	if a.lastProbe.Before(cut) {
		cut = a.lastProbe
	}
	a.admitted = dropBefore(a.admitted, cut)
	if len(a.admitted) >= 4096 {
		a.admitted = append(a.admitted[:0], a.admitted[len(a.admitted)-2048:]...)
	}
}

func (a *adaptiveRate) pruneSent(now time.Time) {
	a.sent = dropBefore(a.sent, now.Add(-peakWindows*achievedWindow))
}

// atOrAfter returns the times of ts, which is in order, at or after t.
func atOrAfter(ts []time.Time, t time.Time) []time.Time {
	i := sort.Search(len(ts), func(i int) bool { return !ts[i].Before(t) })
	return ts[i:]
}

// dropBefore removes the times of ts, which is in order, before cut,
// keeping the backing array.
func dropBefore(ts []time.Time, cut time.Time) []time.Time {
	keep := atOrAfter(ts, cut)
	if len(keep) == len(ts) {
		return ts
	}
	return append(ts[:0], keep...)
}
