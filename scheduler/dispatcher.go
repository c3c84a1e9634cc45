package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// OutboxStore is what the Dispatcher needs from storage. ClaimOutbox claims
// the rows it returns for a lease, so no other caller takes them;
// FinishOutbox and RetryOutbox end the claim, and a crashed instance's rows
// come back once the lease has run out, carrying SendingAt when a send had
// begun.
type OutboxStore interface {
	ClaimOutbox(ctx context.Context, now time.Time, limit int, exclude []bot.OutboxScope) ([]bot.OutboxItem, error)
	MarkSending(ctx context.Context, id int64, at time.Time) (bool, error)
	NextDue(ctx context.Context, now time.Time) (time.Time, bool, error)
	FinishOutbox(ctx context.Context, id int64, status bot.OutboxStatus, attempts int, at time.Time, note string) error
	RetryOutbox(ctx context.Context, id int64, notBefore time.Time, attempts int, note string) error
}

// Nudger decides at send time what a row becomes; *bot.Coach implements it.
type Nudger interface {
	Nudge(ctx context.Context, item bot.OutboxItem) (bot.NudgeDecision, error)
	DisableNudges(ctx context.Context, key bot.MemberKey, reason string) error
}

// Observer is told what happened to each row, for metrics. Labels carry
// platform and kind only, never a user.
type Observer interface {
	NudgeSent(platform bot.Platform, kind bot.NudgeKind, latency time.Duration)
	NudgeSkipped(platform bot.Platform, kind bot.NudgeKind, reason string)
	NudgeFailed(platform bot.Platform, kind bot.NudgeKind)
	RateLimited(platform bot.Platform)
}

// ReconcileObserver, when the Observer implements it, is told how each row
// left half-sent by a crash was settled: "found" (the platform had it),
// "absent" (sent now), "nonce" (sent again; the platform drops a repeat)
// or "unverified" (the platform could not tell, so it was sent again and
// may arrive twice).
type ReconcileObserver interface {
	Reconciled(platform bot.Platform, outcome string)
}

// ChannelKeeper, when the Nudger implements it, is told when the platform
// says the bot can no longer post to a channel (removed, archived,
// deleted), so that what posts there can be turned off. The row is failed
// whatever ChannelGone returns; an error is logged.
type ChannelKeeper interface {
	ChannelGone(ctx context.Context, item bot.OutboxItem, channel string) error
}

// TimerClock is a bot.Clock that can also wake a waiter. When the
// dispatcher's Clock implements it, pacing, holds and waits all run on it
// (tests use a fake one, so nothing sleeps); otherwise pacing and timers
// use the wall clock and the Clock only stamps rows.
type TimerClock interface {
	bot.Clock
	NewTimer(d time.Duration) Timer
}

// Timer is a TimerClock's timer.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// DispatcherOptions configure a Dispatcher.
type DispatcherOptions struct {
	Clock  bot.Clock
	Logger *slog.Logger
	// Rates is the ceiling of messages per second for each (platform,
	// workspace) of a platform (COACH_*_RPS); the dispatcher adapts below
	// it to what the platform accepts. Discord's limits are the bot's, so
	// all of Discord is one workspace here. A platform without a rate is
	// unlimited until it answers 429. On a store several instances
	// dispatch from (SharedOutbox), the ceiling is for all of them
	// together: each paces at its share.
	Rates map[bot.Platform]float64
	// MaxAttempts bounds transient failures before a row is failed (default 6).
	MaxAttempts int
	// BaseBackoff is the first retry delay, doubled per attempt (default 30s)
	// up to MaxBackoff (default 30m), with ±20% jitter.
	BaseBackoff, MaxBackoff time.Duration
	// Concurrency is how many platform calls may be in flight per
	// platform (COACH_SEND_CONCURRENCY, default 32). A send holds its slot
	// only for the call: deciding and marking it before, and recording its
	// outcome after, run outside the slots, for half as many rows again.
	// Every send is marked in the store before the call, so a crash with
	// many in flight repeats none whose platform can be asked (see
	// bot.TrackedSender).
	Concurrency int
	// Workers is the former name of Concurrency, used when it is unset.
	Workers int
	// Batch is how many rows one claim takes at most (default four times
	// Concurrency).
	Batch int
	// PollEvery is how often Run looks for due rows when nothing else
	// wakes it (default 5s): rows written by another instance, and leases
	// of a dead one running out. Holds ending and rows of this store
	// coming due wake it at their time.
	PollEvery time.Duration
	Observer  Observer
	// Jitter returns a number in [0, 1); tests make it fixed.
	Jitter func() float64
}

// nopObserver counts nothing; it stands in when no Observer is configured.
type nopObserver struct{}

func (nopObserver) NudgeSent(bot.Platform, bot.NudgeKind, time.Duration) {}
func (nopObserver) NudgeSkipped(bot.Platform, bot.NudgeKind, string)     {}
func (nopObserver) NudgeFailed(bot.Platform, bot.NudgeKind)              {}
func (nopObserver) RateLimited(bot.Platform)                             {}

// unlimited stands in for a platform without a configured rate.
const unlimited = 1e6

// maxWait is a wait for nothing in particular.
const maxWait = time.Duration(math.MaxInt64)

// longHold is the member hold beyond which a member's waiting rows go back
// to the store instead of staying claimed in memory.
const longHold = 10 * time.Second

// keyID is what the platform paces: a Slack workspace, or all of another
// platform.
type keyID struct {
	platform  bot.Platform
	workspace string
}

// scope is the outbox rows id paces.
func (id keyID) scope() bot.OutboxScope {
	return bot.OutboxScope{Platform: id.platform, Workspace: id.workspace}
}

func keyOf(m bot.MemberKey) keyID {
	if m.Platform == bot.Slack {
		return keyID{m.Platform, m.Workspace}
	}
	return keyID{platform: m.Platform}
}

// keyState is the pacing and the waiting rows of one key. The run loop
// owns it; Stats reads it under Dispatcher.mu.
type keyState struct {
	id       keyID
	pace     *adaptiveRate
	queue    []bot.OutboxItem
	hold     time.Time // row clock: no send before
	holding  bool
	inFlight int
	// decreased is when a shared 429 last lowered the pace (row clock),
	// here or, on a shared store, in another instance.
	decreased time.Time
}

// KeyStats describes one paced key, for metrics.
type KeyStats struct {
	Platform  bot.Platform
	Workspace string
	// Rate is the current pace and Ceiling the configured one, in
	// messages per second.
	Rate, Ceiling float64
	// Held is set while a shared 429's Retry-After lasts.
	Held     bool
	InFlight int
	Queued   int
}

// outcome is a finished row, reported by its worker to the run loop.
type outcome struct {
	it  bot.OutboxItem
	key keyID
	// admitted is when the pace let the send go (pace clock). A 429 is
	// judged against the pace at admission, not at the call: sends
	// admitted at the old pace still wait for a slot after a decrease,
	// and a 429 of theirs, judged at the call, lowered the already
	// lowered pace again a tenth of a second later (333 to 166 to 83 msg/s
	// each, seen on every instance of three in their first seconds).
	admitted time.Time
	sent     bool
	limited  *bot.RateLimitedError
	// retryAt is when the row, handed back pending, comes due again.
	retryAt time.Time
	err     error // the row could not be updated
}

// Dispatcher delivers due outbox rows through the platforms' Senders, with
// up to Concurrency sends in flight per platform, paced per (platform,
// workspace) by an adaptive rate, fair between workspaces, one send at a
// time per member.
type Dispatcher struct {
	store   OutboxStore
	nudger  Nudger
	senders map[bot.Platform]bot.Sender
	opts    DispatcherOptions
	pace    TimerClock
	wake    chan struct{}

	// runMu lets one Run or Drain use the keys at a time.
	runMu sync.Mutex

	mu   sync.Mutex
	keys map[keyID]*keyState
	// instances is how many instances share the store's outbox and so
	// each key's ceiling (see SharedOutbox); 1 otherwise.
	instances int
	running   bool
	started   chan struct{}
	startOnce sync.Once
}

// NewDispatcher returns a Dispatcher; call Run or Drain.
func NewDispatcher(store OutboxStore, nudger Nudger, senders map[bot.Platform]bot.Sender, opts DispatcherOptions) *Dispatcher {
	if opts.Clock == nil {
		opts.Clock = bot.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 6
	}
	if opts.BaseBackoff <= 0 {
		opts.BaseBackoff = 30 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Minute
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = opts.Workers
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 32
	}
	if opts.Batch <= 0 {
		opts.Batch = 4 * opts.Concurrency
	}
	if opts.PollEvery <= 0 {
		opts.PollEvery = 5 * time.Second
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	pace, ok := opts.Clock.(TimerClock)
	if !ok {
		pace = wallClock{}
	}
	return &Dispatcher{
		store: store, nudger: nudger, senders: senders, opts: opts, pace: pace,
		wake: make(chan struct{}, 1), keys: map[keyID]*keyState{}, instances: 1, started: make(chan struct{}),
	}
}

// Wake makes Run look for due rows now; it never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Started is closed once Run has begun.
func (d *Dispatcher) Started() <-chan struct{} { return d.started }

// Running reports whether Run is active, for readiness checks.
func (d *Dispatcher) Running() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.running
}

// Stats returns the pacing of every key seen, for metrics.
func (d *Dispatcher) Stats() []KeyStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.opts.Clock.Now()
	out := make([]KeyStats, 0, len(d.keys))
	for _, k := range d.keys {
		out = append(out, KeyStats{Platform: k.id.platform, Workspace: k.id.workspace, Rate: k.pace.Rate(), Ceiling: k.pace.ceiling,
			Held: k.hold.After(now), InFlight: k.inFlight, Queued: len(k.queue)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Platform != out[j].Platform {
			return out[i].Platform < out[j].Platform
		}
		return out[i].Workspace < out[j].Workspace
	})
	return out
}

// Run delivers due rows until ctx ends: rows left half-sent first, then
// due rows as fast as the platforms allow. It sleeps until a row comes
// due, a hold ends, Wake is called or PollEvery passes. When ctx ends,
// sends in flight finish (they are not cut off halfway), waiting rows are
// handed back, and Run returns.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.setRunning(true)
	defer d.setRunning(false)
	d.startOnce.Do(func() { close(d.started) })
	_, err := d.loop(ctx, false)
	return err
}

func (d *Dispatcher) setRunning(v bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.running = v
}

// Drain delivers every row due now, waiting for the pace but not for holds
// or rows due later, and returns how many rows it handled.
func (d *Dispatcher) Drain(ctx context.Context) (int, error) {
	return d.loop(ctx, true)
}

// run is the state of one Run or Drain.
type run struct {
	d     *Dispatcher
	drain bool
	done  chan outcome
	// flying counts the rows of each platform between their start and
	// their reported outcome: deciding, marking, calling, recording; at
	// most depth(Concurrency).
	flying map[bot.Platform]int
	// slots hold the platform calls of each platform: Concurrency at most
	// are in flight. A send holds its slot only for the call, so the
	// store's reads and writes around it do not keep the platform idle.
	slots   map[bot.Platform]chan struct{}
	busy    map[bot.MemberKey]bool      // members with a send in flight
	mholds  map[bot.MemberKey]time.Time // row clock: member's DM paced
	queued  map[int64]bool              // ids waiting or in flight
	waiting int
	handled int
	// exhausted is set when the last claim found every due row; capped
	// lists keys left out of it for having enough waiting.
	exhausted bool
	capped    []*keyState
	// failStreak counts updates failed since the last that worked, and
	// claimedSince the rows claimed since then: all of them failing means
	// the store cannot be written.
	failStreak, claimedSince int
	rr                       int
	nextDue                  time.Time
	nextDueSeen              bool
	ctx                      context.Context
	// presence is the heartbeat of a Run on a shared store, nil otherwise.
	presence *presence
	// memory keeps learned paces across restarts, nil when the store
	// cannot.
	memory *memory
}

// loop is Run (drain false) or Drain (drain true).
func (d *Dispatcher) loop(ctx context.Context, drain bool) (int, error) {
	d.runMu.Lock()
	defer d.runMu.Unlock()
	r := &run{d: d, drain: drain, done: make(chan outcome, 4*d.opts.Concurrency),
		flying: map[bot.Platform]int{}, slots: map[bot.Platform]chan struct{}{}, busy: map[bot.MemberKey]bool{}, mholds: map[bot.MemberKey]time.Time{}, queued: map[int64]bool{}}
	// Sends are not cut off when ctx ends; they finish and are recorded.
	work := context.WithoutCancel(ctx)
	r.ctx = work
	if s, ok := d.store.(SharedOutbox); ok && !drain {
		r.presence = &presence{store: s}
		// Deferred first, so it runs last: the rows are handed back
		// before the others stop waiting for this instance.
		defer r.leave(work)
	}
	defer r.finish(work)
	r.recallPaces(ctx)
	poll := d.pace.Now().Add(d.opts.PollEvery)
	for {
		r.collect()
		if ctx.Err() != nil {
			return r.handled, nil
		}
		r.beat(ctx)
		r.remember(ctx)
		r.endHolds()
		if r.nextDueSeen && !d.opts.Clock.Now().Before(r.nextDue) {
			r.exhausted, r.nextDueSeen = false, false
		}
		if err := r.claim(ctx); err != nil {
			if drain {
				return r.handled, err
			}
			d.opts.Logger.Error("dispatcher: claim failed", "err", err)
			r.exhausted = true
		}
		paceWait := r.dispatch(work)
		if r.failStreak > 0 && r.failStreak >= r.claimedSince {
			// Nothing could be recorded (read-only or broken database):
			// stop rather than resend the same rows in a tight loop.
			err := fmt.Errorf("no outbox row of a batch of %d could be updated", r.claimedSince)
			if drain {
				return r.handled, err
			}
			d.opts.Logger.Error("dispatcher: outbox updates failing", "err", err)
			r.failStreak, r.claimedSince = 0, 0
			poll = d.pace.Now().Add(d.opts.PollEvery)
			r.exhausted = true
		}
		if drain && r.exhausted && r.inFlight() == 0 && r.sendable() == 0 {
			return r.handled, nil
		}
		wait := paceWait
		if !drain {
			wait = min(wait, r.rowWait(), poll.Sub(d.pace.Now()), r.beatWait())
		}
		if err := r.sleep(ctx, max(wait, 0)); err != nil {
			return r.handled, nil
		}
		if !drain && !d.pace.Now().Before(poll) {
			poll = d.pace.Now().Add(d.opts.PollEvery)
			r.exhausted = false
		}
	}
}

// sleep waits for a finished send, Wake, ctx or d; any but a finished send
// makes the next pass claim again.
func (r *run) sleep(ctx context.Context, d time.Duration) error {
	if r.inFlight() == 0 && r.waiting == 0 && d >= maxWait/2 {
		d = r.d.opts.PollEvery
	}
	t := r.d.pace.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case o := <-r.done:
		r.apply(o)
		if len(r.capped) > 0 {
			r.exhausted = false
		}
	case <-r.d.wake:
		r.exhausted = false
	case <-t.C():
		// The loop tells which wait ended: a token, a hold, a due row or
		// the poll.
	}
	return nil
}

// collect applies every finished send without waiting.
func (r *run) collect() {
	for {
		select {
		case o := <-r.done:
			r.apply(o)
		default:
			return
		}
	}
}

func (r *run) inFlight() int {
	n := 0
	for _, f := range r.flying {
		n += f
	}
	return n
}

// depth is how many rows of a platform may be between start and outcome
// with concurrency send slots: half as many again, so that a row is
// decided and marked when a slot frees, and recorded after it has freed
// it. The extra rows wait marked sending, so a crash leaves them to be
// reconciled too; with one slot, sends go strictly one at a time.
func depth(concurrency int) int { return concurrency + concurrency/2 }

// slot returns the platform's send slots.
func (r *run) slot(p bot.Platform) chan struct{} {
	s := r.slots[p]
	if s == nil {
		s = make(chan struct{}, r.d.opts.Concurrency)
		r.slots[p] = s
	}
	return s
}

// sendable counts waiting rows not held back by a hold.
func (r *run) sendable() int {
	now := r.d.opts.Clock.Now()
	n := 0
	r.d.mu.Lock()
	defer r.d.mu.Unlock()
	for _, k := range r.d.keys {
		if k.hold.After(now) {
			continue
		}
		n += len(k.queue)
	}
	return n
}

// key returns the state of id, creating it at its ceiling.
func (r *run) key(id keyID) *keyState {
	k := r.d.keys[id]
	if k == nil {
		k = &keyState{id: id, pace: newAdaptiveRate(r.d.ceiling(id), r.d.pace.Now())}
		r.follow(k)
		r.recall(k)
		r.d.keys[id] = k
	}
	return k
}

// ceiling is this instance's share of the configured rate of id's
// platform; callers hold mu.
func (d *Dispatcher) ceiling(id keyID) float64 {
	c := d.opts.Rates[id.platform]
	if c <= 0 {
		return unlimited
	}
	return c / float64(d.instances)
}

// endHolds restarts probing on keys whose hold has ended.
func (r *run) endHolds() {
	now := r.d.opts.Clock.Now()
	r.d.mu.Lock()
	defer r.d.mu.Unlock()
	for _, k := range r.d.keys {
		if k.holding && !k.hold.After(now) {
			k.holding = false
			k.pace.holdEnded(r.d.pace.Now())
			r.exhausted = false
			r.d.opts.Logger.Debug("dispatcher: hold ended", "platform", k.id.platform, "workspace", k.id.workspace, "rate", k.pace.Rate())
		}
	}
	for m, t := range r.mholds {
		if !t.After(now) {
			delete(r.mholds, m)
		}
	}
}

// claim takes more due rows when there is room for a batch, leaving out
// held keys and keys that have plenty waiting, so that one large workspace
// cannot crowd the others out of the claim.
func (r *run) claim(ctx context.Context) error {
	d := r.d
	room := 2*d.opts.Batch - r.waiting
	if r.exhausted || room < d.opts.Batch {
		return nil
	}
	now := d.opts.Clock.Now().UTC()
	var exclude []bot.OutboxScope
	d.mu.Lock()
	r.capped = r.capped[:0]
	for _, k := range d.keys {
		switch {
		case k.hold.After(now):
		case len(k.queue) >= keyCap(k, d.opts.Concurrency):
			r.capped = append(r.capped, k)
		default:
			continue
		}
		exclude = append(exclude, k.id.scope())
	}
	d.mu.Unlock()
	items, err := d.store.ClaimOutbox(ctx, now, room, exclude)
	if err != nil {
		return fmt.Errorf("due outbox: %w", err)
	}
	r.claimedSince += len(items)
	r.exhausted = len(items) < room
	if r.exhausted && !r.drain {
		r.findNextDue(ctx)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, it := range items {
		if r.queued[it.ID] {
			// A claim that outlived its lease in our own queue.
			continue
		}
		r.queued[it.ID] = true
		k := r.key(keyOf(it.Member))
		k.queue = append(k.queue, it)
		r.waiting++
	}
	return nil
}

// keyCap is how many rows a key may have waiting before claims leave it
// out: two seconds at its pace, at least the concurrency.
func keyCap(k *keyState, concurrency int) int {
	return max(concurrency, int(math.Min(k.pace.Rate()*2, 1<<20)))
}

// dispatch starts sends, one per key in turn while a key has a sendable
// row, a token and the platform a free slot; it returns how long until the
// next token of a key that is waiting for one.
func (r *run) dispatch(ctx context.Context) time.Duration {
	d := r.d
	now := d.opts.Clock.Now()
	wait := maxWait
	d.mu.Lock()
	var keys []*keyState
	for _, k := range d.keys {
		if len(k.queue) > 0 && !k.hold.After(now) {
			keys = append(keys, k)
		}
	}
	d.mu.Unlock()
	if len(keys) == 0 {
		return wait
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].id.platform != keys[j].id.platform {
			return keys[i].id.platform < keys[j].id.platform
		}
		return keys[i].id.workspace < keys[j].id.workspace
	})
	r.rr++
	for progress := true; progress; {
		progress = false
		for i := range keys {
			k := keys[(r.rr+i)%len(keys)]
			if r.flying[k.id.platform] >= depth(d.opts.Concurrency) || len(k.queue) == 0 {
				continue
			}
			idx := r.pick(ctx, k, now)
			if idx < 0 {
				continue
			}
			admitted := d.pace.Now()
			ok, w := k.pace.take(admitted)
			if !ok {
				wait = min(wait, w)
				continue
			}
			d.mu.Lock()
			it := k.queue[idx]
			k.queue = append(k.queue[:idx], k.queue[idx+1:]...)
			k.inFlight++
			d.mu.Unlock()
			r.waiting--
			r.flying[k.id.platform]++
			r.busy[it.Member] = true
			// The row's send is stamped with the time its token was
			// taken: that is when the pace let it go.
			at, slot := d.opts.Clock.Now().UTC(), r.slot(k.id.platform)
			go func() { r.done <- d.deliver(ctx, it, k.id, at, admitted, slot) }()
			progress = true
		}
	}
	return wait
}

// pick returns the index of the key's first row whose member has no send
// in flight and no hold, or -1. Rows of a member held for long go back to
// the store, to come due when the hold ends.
func (r *run) pick(ctx context.Context, k *keyState, now time.Time) int {
	for i := 0; i < len(k.queue); i++ {
		it := k.queue[i]
		if r.busy[it.Member] {
			continue
		}
		hold, held := r.mholds[it.Member]
		if !held || !hold.After(now) {
			return i
		}
		if r.drain || hold.Sub(now) > longHold {
			notBefore := it.NotBefore
			if hold.After(notBefore) {
				notBefore = hold
			}
			if err := r.d.store.RetryOutbox(ctx, it.ID, notBefore, it.Attempts, it.LastError); err != nil {
				r.d.opts.Logger.Error("dispatcher: could not hand back a held row", "id", it.ID, "err", err)
			}
			r.d.mu.Lock()
			k.queue = append(k.queue[:i], k.queue[i+1:]...)
			r.d.mu.Unlock()
			delete(r.queued, it.ID)
			r.waiting--
			i--
		}
	}
	return -1
}

// apply records a finished send: it frees its slot and feeds the key's
// pace (see paced).
func (r *run) apply(o outcome) {
	d := r.d
	r.flying[o.key.platform]--
	delete(r.busy, o.it.Member)
	delete(r.queued, o.it.ID)
	r.handled++
	if o.err != nil {
		r.failStreak++
		d.opts.Logger.Error("outbox row not updated", "id", o.it.ID, "kind", o.it.Kind, "err", o.err)
	} else {
		r.failStreak, r.claimedSince = 0, 0
	}
	if !r.drain && !o.retryAt.IsZero() && o.err == nil && (!r.nextDueSeen || o.retryAt.Before(r.nextDue)) {
		// The claim that last asked for the next due row may have run
		// before this row was handed back: wake for it without a poll.
		r.nextDue, r.nextDueSeen = o.retryAt, true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	k := r.key(o.key)
	k.inFlight--
	r.paced(k, o)
}

// paced applies a send's outcome to k's pace: a success may raise it; a
// 429 holds the member's DM or, when the shared limit was reached, lowers
// the pace and holds the whole key. Callers hold mu.
func (r *run) paced(k *keyState, o outcome) {
	d := r.d
	pnow := d.pace.Now()
	var change rateChange
	switch {
	case o.sent:
		change = k.pace.success(pnow)
	case o.limited != nil:
		now := d.opts.Clock.Now()
		retry := max(o.limited.RetryAfter, time.Second)
		r.mholds[o.it.Member] = now.Add(retry)
		d.opts.Observer.RateLimited(o.key.platform)
		change = k.pace.rateLimited(pnow, o.admitted, o.it.Member.User, o.limited.Shared)
		if change.Shared && k.pace.warm(pnow) {
			r.lowered(k, change)
			change.To = k.pace.Rate()
		}
		if change.Shared && now.Add(retry).After(k.hold) {
			k.hold, k.holding = now.Add(retry), true
			d.opts.Logger.Debug("dispatcher: shared rate limit; holding", "platform", o.key.platform, "workspace", o.key.workspace, "for", retry)
			if retry > longHold {
				// Claims would lapse before the hold ends: hand the
				// waiting rows back (claims leave the key out till then).
				for _, it := range k.queue {
					if err := d.release(r.ctx, it); err != nil {
						d.opts.Logger.Error("dispatcher: could not hand back a row", "id", it.ID, "err", err)
					}
					delete(r.queued, it.ID)
				}
				r.waiting -= len(k.queue)
				k.queue = nil
			}
		}
	}
	if change.To != 0 {
		d.logRate("dispatcher: rate changed", k, change, pnow)
	}
}

// logRate logs a change of k's rate at debug level, with the limit it
// probes against and how long it stays capped there at pnow (pace
// clock); callers hold mu.
func (d *Dispatcher) logRate(msg string, k *keyState, change rateChange, pnow time.Time) {
	d.opts.Logger.Debug(msg, "platform", k.id.platform, "workspace", k.id.workspace,
		"from", round(change.From), "to", round(change.To), "limit", round(k.pace.limit), "capped_for", k.pace.capLeft(pnow))
}

// finish hands waiting rows back and waits for sends in flight.
func (r *run) finish(ctx context.Context) {
	d := r.d
	d.mu.Lock()
	var back []bot.OutboxItem
	for _, k := range d.keys {
		back = append(back, k.queue...)
		k.queue = nil
	}
	d.mu.Unlock()
	for _, it := range back {
		if err := d.release(ctx, it); err != nil {
			d.opts.Logger.Error("dispatcher: could not hand back a row", "id", it.ID, "err", err)
		}
	}
	r.waiting = 0
	for r.inFlight() > 0 {
		r.apply(<-r.done)
	}
}

// rowWait is how long until the earliest hold ends or row comes due.
func (r *run) rowWait() time.Duration {
	now := r.d.opts.Clock.Now()
	next := time.Time{}
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	r.d.mu.Lock()
	for _, k := range r.d.keys {
		if k.holding {
			consider(k.hold)
		}
	}
	r.d.mu.Unlock()
	for _, t := range r.mholds {
		consider(t)
	}
	if r.nextDueSeen {
		consider(r.nextDue)
	}
	if next.IsZero() {
		return maxWait
	}
	return next.Sub(now)
}

// findNextDue asks the store when the next row comes due.
func (r *run) findNextDue(ctx context.Context) {
	t, ok, err := r.d.store.NextDue(ctx, r.d.opts.Clock.Now().UTC())
	if err != nil {
		r.d.opts.Logger.Warn("dispatcher: next due row", "err", err)
		return
	}
	r.nextDue, r.nextDueSeen = t, ok
}

// deliver settles one row and records the outcome. Each send is marked in
// the store first; a crash before the outcome is recorded leaves the mark,
// and the next claim of the row asks the platform (reconcile). at is when
// the pace admitted the row (admitted on the pace clock); the send is
// stamped with it. Only the platform calls hold one of the slots; deciding
// and recording do not.
func (d *Dispatcher) deliver(ctx context.Context, it bot.OutboxItem, key keyID, at, admitted time.Time, slots chan struct{}) (o outcome) {
	o = outcome{it: it, key: key, admitted: admitted}
	now := at
	sender, ok := d.senders[it.Member.Platform]
	if !ok {
		o.err = d.store.FinishOutbox(ctx, it.ID, bot.OutboxFailed, it.Attempts, now, "no sender for platform "+string(it.Member.Platform))
		return o
	}
	decision, err := d.nudger.Nudge(ctx, it)
	if err != nil {
		o.retryAt, o.err = d.retry(ctx, it, now, fmt.Errorf("decide: %w", err))
		return o
	}
	tracked, _ := sender.(bot.TrackedSender)
	if !it.SendingAt.IsZero() {
		var found bool
		err := call(slots, func() (err error) {
			found, err = d.reconcile(ctx, tracked, it, decision)
			return err
		})
		if err != nil {
			o.err = err
			return o
		}
		if found {
			d.opts.Observer.NudgeSent(it.Member.Platform, it.Kind, 0)
			o.err = d.store.FinishOutbox(ctx, it.ID, bot.OutboxSent, it.Attempts+1, now, "")
			return o
		}
	}
	switch {
	case decision.SkipReason != "":
		d.opts.Observer.NudgeSkipped(it.Member.Platform, it.Kind, decision.SkipReason)
		o.err = d.store.FinishOutbox(ctx, it.ID, bot.OutboxSkipped, it.Attempts, now, decision.SkipReason)
		return o
	case !decision.Postpone.IsZero():
		o.retryAt, o.err = decision.Postpone, d.store.RetryOutbox(ctx, it.ID, decision.Postpone, it.Attempts, "postponed")
		return o
	}
	mine, err := d.store.MarkSending(ctx, it.ID, now)
	if err != nil {
		o.err = fmt.Errorf("mark sending: %w", err)
		return o
	}
	if !mine {
		// Finished, or taken by another instance after our lease ran out.
		return o
	}
	var latency time.Duration
	err = call(slots, func() error {
		start := time.Now()
		defer func() { latency = time.Since(start) }()
		return d.send(ctx, sender, tracked, it, decision, now)
	})
	now = d.opts.Clock.Now().UTC()
	var limited *bot.RateLimitedError
	switch {
	case err == nil:
		d.opts.Observer.NudgeSent(it.Member.Platform, it.Kind, latency)
		o.sent = true
		o.err = d.store.FinishOutbox(ctx, it.ID, bot.OutboxSent, it.Attempts+1, now, "")
		return o
	case errors.As(err, &limited):
		// A 429 is the platform pacing us, not a failure of this message:
		// retry once Retry-After has passed, without spending an attempt.
		o.limited = limited
		o.retryAt = now.Add(max(limited.RetryAfter, time.Second))
		o.err = d.store.RetryOutbox(ctx, it.ID, o.retryAt, it.Attempts, truncate("rate limited: "+err.Error(), 500))
		return o
	case errors.Is(err, bot.ErrUnreachable) && decision.Channel != "":
		// The staff channel refused us; the member is not at fault.
		d.opts.Logger.Warn("staff channel unreachable", "platform", it.Member.Platform, "err", err)
		d.opts.Observer.NudgeFailed(it.Member.Platform, it.Kind)
		if keeper, ok := d.nudger.(ChannelKeeper); ok {
			if err := keeper.ChannelGone(ctx, it, decision.Channel); err != nil {
				d.opts.Logger.Error("dispatcher: could not turn off what posts to a channel that is gone",
					"platform", it.Member.Platform, "workspace", it.Member.Workspace, "channel", decision.Channel, "err", err)
			} else {
				// The keeper may have written rows due now (telling the
				// posts' owners): send them without waiting for a poll.
				d.Wake()
			}
		}
		o.err = d.store.FinishOutbox(ctx, it.ID, bot.OutboxFailed, it.Attempts+1, now, "channel unreachable: "+err.Error())
		return o
	case errors.Is(err, bot.ErrUnreachable):
		d.opts.Logger.Warn("member unreachable; nudges disabled", "platform", it.Member.Platform, "kind", it.Kind, "err", err)
		d.opts.Observer.NudgeFailed(it.Member.Platform, it.Kind)
		if err := d.nudger.DisableNudges(ctx, it.Member, "the platform refused a direct message"); err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
			o.err = err
			return o
		}
		o.err = d.store.FinishOutbox(ctx, it.ID, bot.OutboxFailed, it.Attempts+1, now, "unreachable: "+err.Error())
		return o
	}
	d.opts.Logger.Warn("send failed; will retry", "platform", it.Member.Platform, "kind", it.Kind, "attempt", it.Attempts+1, "err", err)
	o.retryAt, o.err = d.retry(ctx, it, now, err)
	return o
}

// call runs one platform call in one of the slots, waiting for a free one.
func call(slots chan struct{}, f func() error) error {
	slots <- struct{}{}
	defer func() { <-slots }()
	return f()
}

// reconcile settles a row left half-sent: it reports whether the platform
// already has the message. When the platform cannot tell, the row is sent
// again (counted, since that may repeat it), unless the platform drops
// repeats itself.
func (d *Dispatcher) reconcile(ctx context.Context, tracked bot.TrackedSender, it bot.OutboxItem, decision bot.NudgeDecision) (bool, error) {
	report := func(outcome string) {
		if ro, ok := d.opts.Observer.(ReconcileObserver); ok {
			ro.Reconciled(it.Member.Platform, outcome)
		}
	}
	if tracked == nil {
		report("unverified")
		d.opts.Logger.Warn("dispatcher: a send was interrupted and this platform cannot be asked; sending again", "platform", it.Member.Platform, "id", it.ID)
		return false, nil
	}
	found, err := tracked.Delivered(ctx, it.Member, decision.Channel, bot.Delivery{ID: it.ID, Began: it.SendingAt})
	switch {
	case errors.Is(err, bot.ErrCannotTell):
		report("nonce")
		return false, nil
	case err != nil:
		report("unverified")
		d.opts.Logger.Warn("dispatcher: could not tell whether an interrupted send arrived; sending again", "platform", it.Member.Platform, "id", it.ID, "err", err)
		return false, nil
	case found:
		report("found")
		return true, nil
	}
	report("absent")
	return false, nil
}

// send delivers to the member's DM, or to a workspace channel for staff
// alerts, tagged with the row when the sender can.
func (d *Dispatcher) send(ctx context.Context, sender bot.Sender, tracked bot.TrackedSender, it bot.OutboxItem, decision bot.NudgeDecision, began time.Time) error {
	if tracked != nil {
		return tracked.SendTracked(ctx, it.Member, decision.Channel, decision.Reply, bot.Delivery{ID: it.ID, Began: began})
	}
	if decision.Channel == "" {
		return sender.Send(ctx, it.Member, decision.Reply)
	}
	cs, ok := sender.(bot.ChannelSender)
	if !ok {
		return fmt.Errorf("%s cannot post to channels: %w", it.Member.Platform, bot.ErrUnreachable)
	}
	return cs.SendChannel(ctx, it.Member.Platform, it.Member.Workspace, decision.Channel, decision.Reply)
}

// retry schedules a transient failure with exponential backoff and jitter,
// or fails the row when attempts run out. It returns when the row comes
// due again (zero when failed).
func (d *Dispatcher) retry(ctx context.Context, it bot.OutboxItem, now time.Time, cause error) (time.Time, error) {
	attempts := it.Attempts + 1
	note := truncate(cause.Error(), 500)
	if attempts >= d.opts.MaxAttempts {
		d.opts.Logger.Warn("nudge failed after retries", "platform", it.Member.Platform, "kind", it.Kind, "attempts", attempts, "err", cause)
		d.opts.Observer.NudgeFailed(it.Member.Platform, it.Kind)
		return time.Time{}, d.store.FinishOutbox(ctx, it.ID, bot.OutboxFailed, attempts, now, note)
	}
	at := now.Add(d.Backoff(attempts))
	return at, d.store.RetryOutbox(ctx, it.ID, at, attempts, note)
}

// release hands a row back untouched: still pending at its old time, no
// attempt spent.
func (d *Dispatcher) release(ctx context.Context, it bot.OutboxItem) error {
	return d.store.RetryOutbox(ctx, it.ID, it.NotBefore, it.Attempts, it.LastError)
}

// Backoff returns the delay before retry number attempts (1-based).
func (d *Dispatcher) Backoff(attempts int) time.Duration {
	delay := d.opts.BaseBackoff
	for i := 1; i < attempts && delay < d.opts.MaxBackoff; i++ {
		delay *= 2
	}
	delay = min(delay, d.opts.MaxBackoff)
	jitter := 0.8 + 0.4*d.opts.Jitter()
	return time.Duration(float64(delay) * jitter)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func round(f float64) float64 { return math.Round(f*10) / 10 }

// wallClock is the system clock with real timers.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) NewTimer(d time.Duration) Timer { return wallTimer{time.NewTimer(d)} }

type wallTimer struct{ t *time.Timer }

func (w wallTimer) C() <-chan time.Time { return w.t.C }
func (w wallTimer) Stop() bool          { return w.t.Stop() }
