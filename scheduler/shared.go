package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// SharedOutbox is an OutboxStore that several instances dispatch from at
// once (PostgreSQL). Run then beats every heartbeatEvery, which does three
// things. When an instance stops beating (killed, hung, cut off), the
// others take over the rows it had claimed within a few seconds instead of
// when its claims' lease runs out. Each instance paces a workspace at its
// share of the configured ceiling, the ceiling divided by the number of
// instances beating, since the platform's limit is the workspace's, not
// one process's. And the instances tell each other how they pace the
// workspaces they send to, so that they find the platform's limit
// together (see sharedPace).
type SharedOutbox interface {
	// Heartbeat records that this instance's dispatcher is alive and
	// returns how many instances are, this one included.
	Heartbeat(ctx context.Context) (live int, err error)
	// Leave withdraws this instance when its dispatcher stops, so that the
	// others take its share at once.
	Leave(ctx context.Context) error
	// SharePaces publishes this instance's paces, an opaque value per
	// scope (a platform's workspace), replacing what it published before,
	// and returns the values the other live instances published.
	SharePaces(ctx context.Context, paces map[bot.OutboxScope]string) (map[bot.OutboxScope][]string, error)
}

// heartbeatEvery is how often Run beats; a store takes an instance for
// dead after a few beats missed. Until then the others count it among
// those sharing the ceiling, so a dead instance's share stays unused for
// a few beats.
const heartbeatEvery = 500 * time.Millisecond

// presence is a Run's heartbeat on a shared store.
type presence struct {
	store SharedOutbox
	next  time.Time // pace clock
	// latest is, for each scope, the other instances' latest decrease as
	// of the last beat, and others what they delivered.
	latest map[bot.OutboxScope]sharedPace
	others map[bot.OutboxScope]senders
}

// senders adds up what the instances sending to a workspace delivered:
// each instance's rate over its last whole second (see
// adaptiveRate.measure) or, when it has none (held, or cut short by a
// hold), its pace. An instance that sends less than its share (it started
// late, or its own decreases took it lower) counts for what it sends.
type senders struct {
	sum float64
	n   int
	// measured is how many of the n had a whole second to tell.
	measured int
}

// add counts an instance that achieved achieved (0 for not measured)
// while paced at rate.
func (s *senders) add(achieved, rate float64) {
	s.n++
	if achieved > 0 {
		s.measured++
		s.sum += achieved
		return
	}
	s.sum += rate
}

// sharedPace is how an instance paces a workspace, as it tells the others.
// On its own each instance would find the limit from the 429s it draws,
// and they would drift apart: one at most of the limit, the others
// starving, every probe of one felt by all as 429s, every restart a burst
// at the ceiling; and what one instance achieves says little about the
// platform's limit, which is what all of them together achieve. So an
// instance that draws a shared 429 lowers its pace to just under what all
// achieve together (their achieved rates summed), and the others take the
// latest such decrease up; an instance that starts (or restarts) while
// the others send begins there too. Between decreases each probes upward
// on its own, from the same rate.
type sharedPace struct {
	// rate and limit are for all instances together, so that instances
	// that count each other differently for a moment agree; achieved is
	// this instance's alone, 0 when its last window was held or cut
	// short by a hold. All in messages per second; limit is 0 when not
	// known.
	rate, achieved, limit float64
	// decreased is when a shared 429 last lowered the pace (zero for
	// never), capped until when the rate probes no higher than the limit
	// (zero for not; row clock).
	decreased, capped time.Time
}

func (p sharedPace) String() string {
	return fmt.Sprintf("%g %g %g %d %d", p.rate, p.achieved, p.limit, unixMilli(p.decreased), unixMilli(p.capped))
}

func parseSharedPace(v string) (sharedPace, error) {
	var p sharedPace
	var decreased, capped int64
	if _, err := fmt.Sscanf(v, "%g %g %g %d %d", &p.rate, &p.achieved, &p.limit, &decreased, &capped); err != nil {
		return p, fmt.Errorf("shared pace %q: %w", v, err)
	}
	p.decreased, p.capped = fromUnixMilli(decreased), fromUnixMilli(capped)
	return p, nil
}

// unixMilli and fromUnixMilli keep the zero time zero.
func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromUnixMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// beat records this instance's heartbeat when one is due, applies the
// number of instances to the pacing and exchanges paces.
func (r *run) beat(ctx context.Context) {
	p := r.presence
	if p == nil || r.d.pace.Now().Before(p.next) {
		return
	}
	p.next = r.d.pace.Now().Add(heartbeatEvery)
	live, err := p.store.Heartbeat(ctx)
	if err != nil {
		// The others will take this instance for dead and its rows over;
		// the store refuses to mark its rows sending meanwhile.
		r.d.opts.Logger.Warn("dispatcher: heartbeat failed", "err", err)
		return
	}
	r.share(live)
	published, err := p.store.SharePaces(ctx, r.paces())
	if err != nil {
		r.d.opts.Logger.Warn("dispatcher: could not share paces", "err", err)
		return
	}
	p.latest, p.others = map[bot.OutboxScope]sharedPace{}, map[bot.OutboxScope]senders{}
	n := float64(max(live, 1))
	for scope, values := range published {
		for _, v := range values {
			sp, err := parseSharedPace(v)
			if err != nil {
				r.d.opts.Logger.Warn("dispatcher: ignoring a shared pace", "err", err)
				continue
			}
			sum := p.others[scope]
			sum.add(sp.achieved, sp.rate/n)
			p.others[scope] = sum
			if sp.decreased.After(p.latest[scope].decreased) {
				p.latest[scope] = sp
			}
		}
	}
	r.adopt()
}

// paces are how this instance paces the keys it is sending to, as
// published to the others.
func (r *run) paces() map[bot.OutboxScope]string {
	out := map[bot.OutboxScope]string{}
	for scope, p := range r.sharedPaces() {
		out[scope] = p.String()
	}
	return out
}

// sharedPaces are how this instance paces the keys it is sending to.
func (r *run) sharedPaces() map[bot.OutboxScope]sharedPace {
	d := r.d
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[bot.OutboxScope]sharedPace{}
	n := float64(d.instances)
	now, pnow := d.opts.Clock.Now(), d.pace.Now()
	for _, k := range d.keys {
		if k.inFlight == 0 && len(k.queue) == 0 {
			continue
		}
		var achieved float64
		if !k.holding {
			achieved = k.pace.measure(pnow)
		}
		sp := sharedPace{rate: k.pace.rate * n, achieved: achieved, limit: k.pace.limit * n, decreased: k.decreased}
		if left := k.pace.capLeft(pnow); left > 0 {
			sp.capped = now.Add(left)
		}
		out[k.id.scope()] = sp
	}
	return out
}

// adopt takes up, for every key, a decrease made by another instance
// since this one's last.
func (r *run) adopt() {
	d := r.d
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range d.keys {
		r.follow(k)
	}
}

// follow takes up the latest decrease of k's pace by another instance,
// when it is later than k's own; callers hold mu. A key this instance
// starts pacing begins there.
func (r *run) follow(k *keyState) {
	if r.presence == nil {
		return
	}
	sp, ok := r.presence.latest[k.id.scope()]
	if !ok || !sp.decreased.After(k.decreased) {
		return
	}
	n, pnow := float64(r.d.instances), r.d.pace.Now()
	change := k.pace.adopt(sp.rate/n, sp.limit/n, sp.capped.Sub(r.d.opts.Clock.Now()), pnow)
	k.decreased = sp.decreased
	r.d.logRate("dispatcher: rate follows another instance's", k, change, pnow)
}

// lowered is told that a shared 429 lowered k's pace (change): with other
// instances sending to k, the pace is set again from what all of them
// delivered together (see senders), split evenly, and the others take it
// up; callers hold mu. Taken as the mean of the instances' measures
// instead, one instance's low measure (it was sending at 46 msg/s, its
// own decreases having taken it there) set all three to 44 msg/s each
// against a limit of 300 for all, in a fleet simulation.
func (r *run) lowered(k *keyState, change rateChange) {
	now := r.d.opts.Clock.Now()
	if r.presence == nil {
		k.decreased = now
		return
	}
	all := r.presence.others[k.id.scope()]
	all.add(change.Measured, k.pace.Rate())
	if all.measured == 0 {
		// Nothing measured over the last second, here or by the others
		// (all just held): the decrease rests on an older limit, or
		// halves the rate. The others, with 429s of their own to go by,
		// are better off not taking it up.
		return
	}
	k.decreased = now
	var capFor time.Duration
	if change.Trusted {
		capFor = limitHold
	}
	each := all.sum / float64(all.n)
	k.pace.adopt(backoff*each, each, capFor, r.d.pace.Now())
}

// beatWait is how long until the next heartbeat.
func (r *run) beatWait() time.Duration {
	if r.presence == nil {
		return maxWait
	}
	return r.presence.next.Sub(r.d.pace.Now())
}

// leave withdraws this instance from a shared store.
func (r *run) leave(ctx context.Context) {
	if r.presence == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.presence.store.Leave(ctx); err != nil {
		r.d.opts.Logger.Warn("dispatcher: could not withdraw from the shared outbox", "err", err)
	}
}

// share paces every key at its ceiling's share among live instances. When
// the number changes, rates and learned limits scale by old/new: the
// instances together keep the pace they had found, split anew.
func (r *run) share(live int) {
	d := r.d
	live = max(live, 1)
	d.mu.Lock()
	defer d.mu.Unlock()
	if live == d.instances {
		return
	}
	factor := float64(d.instances) / float64(live)
	d.opts.Logger.Debug("dispatcher: instances sharing the outbox changed", "from", d.instances, "to", live)
	d.instances = live
	now := d.pace.Now()
	for _, k := range d.keys {
		k.pace.share(d.ceiling(k.id), factor, now)
	}
}
