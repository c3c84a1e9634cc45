package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/recoverycoach/recoverycoach/bot"
)

// OutboxStore is what the Dispatcher needs from storage. A store shared by
// several instances claims the rows DueOutbox returns for a lease, so no
// other instance takes them; FinishOutbox and RetryOutbox end the claim,
// and a crashed instance's rows come back once the lease has run out.
type OutboxStore interface {
	DueOutbox(ctx context.Context, now time.Time, limit int, exclude []bot.Platform) ([]bot.OutboxItem, error)
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

// DispatcherOptions configure a Dispatcher.
type DispatcherOptions struct {
	Clock  bot.Clock
	Logger *slog.Logger
	// Rates caps messages per second per platform; a platform without a
	// rate is unlimited.
	Rates map[bot.Platform]float64
	// MaxAttempts bounds transient failures before a row is failed (default 6).
	MaxAttempts int
	// BaseBackoff is the first retry delay, doubled per attempt (default 30s)
	// up to MaxBackoff (default 30m), with ±20% jitter.
	BaseBackoff, MaxBackoff time.Duration
	// Workers send in parallel (default 1). A crash can repeat each send in
	// flight at that instant, so one worker keeps the promise "at most one
	// repeated message per crash"; raise it only for platforms whose
	// latency limits a single worker below the configured rate. Batch rows
	// are claimed at once (default 256).
	Workers, Batch int
	// PollEvery is how often Run looks for due rows when not woken (default 5s).
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

// Dispatcher delivers due outbox rows through the platforms' Senders.
type Dispatcher struct {
	store    OutboxStore
	nudger   Nudger
	senders  map[bot.Platform]bot.Sender
	limiters map[bot.Platform]*rate.Limiter
	opts     DispatcherOptions
	wake     chan struct{}

	mu          sync.Mutex
	blockedTill map[bot.Platform]time.Time
	running     bool
	started     chan struct{}
	startOnce   sync.Once
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
	if opts.Workers <= 0 {
		opts.Workers = 1
	}
	if opts.Batch <= 0 {
		opts.Batch = 256
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
	limiters := map[bot.Platform]*rate.Limiter{}
	for p := range senders {
		limiters[p] = rate.NewLimiter(rate.Inf, 1)
		if r, ok := opts.Rates[p]; ok && r > 0 {
			limiters[p] = rate.NewLimiter(rate.Limit(r), max(1, int(r/10)))
		}
	}
	return &Dispatcher{
		store: store, nudger: nudger, senders: senders, limiters: limiters, opts: opts,
		wake: make(chan struct{}, 1), blockedTill: map[bot.Platform]time.Time{}, started: make(chan struct{}),
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

// Run drains due rows until ctx ends. A batch in progress when ctx ends is
// finished (sends are not cut off halfway), then Run returns.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.setRunning(true)
	defer d.setRunning(false)
	d.startOnce.Do(func() { close(d.started) })
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-d.wake:
		}
		if _, err := d.Drain(ctx); err != nil && ctx.Err() == nil {
			d.opts.Logger.Error("dispatcher drain failed", "err", err)
		}
		timer.Reset(d.opts.PollEvery)
	}
}

func (d *Dispatcher) setRunning(v bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.running = v
}

// Drain processes due rows batch by batch until none is due or ctx ends,
// and returns how many rows it handled.
func (d *Dispatcher) Drain(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		now := d.opts.Clock.Now().UTC()
		items, err := d.store.DueOutbox(ctx, now, d.opts.Batch, d.blockedPlatforms(now))
		if err != nil {
			return total, fmt.Errorf("due outbox: %w", err)
		}
		if len(items) == 0 {
			return total, nil
		}
		if failed := d.process(context.WithoutCancel(ctx), items); failed == len(items) {
			// Nothing could be recorded (read-only or broken database):
			// stop rather than resend the same rows in a tight loop.
			return total, fmt.Errorf("no outbox row of a batch of %d could be updated", len(items))
		}
		total += len(items)
	}
	return total, nil
}

// process handles one batch with a pool of workers and returns how many
// rows could not be updated.
func (d *Dispatcher) process(ctx context.Context, items []bot.OutboxItem) int {
	work := make(chan bot.OutboxItem)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for range min(d.opts.Workers, len(items)) {
		wg.Go(func() {
			for it := range work {
				if err := d.handle(ctx, it); err != nil {
					d.opts.Logger.Error("outbox row not updated", "id", it.ID, "kind", it.Kind, "err", err)
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		})
	}
	for _, it := range items {
		work <- it
	}
	close(work)
	wg.Wait()
	return failed
}

// handle delivers one row and records the outcome. A crash between Send
// and the update below repeats this one message on restart; nothing else
// can be sent twice, because every other path updates the row first.
func (d *Dispatcher) handle(ctx context.Context, it bot.OutboxItem) error {
	now := d.opts.Clock.Now().UTC()
	sender, ok := d.senders[it.Member.Platform]
	if !ok {
		return d.store.FinishOutbox(ctx, it.ID, bot.OutboxFailed, it.Attempts, now, "no sender for platform "+string(it.Member.Platform))
	}
	if d.blocked(it.Member.Platform).After(now) {
		// Handed back unchanged (no attempt spent), so a store that claims
		// rows frees it at once; Drain fetches it again once the
		// platform's Retry-After has passed.
		return d.release(ctx, it)
	}
	decision, err := d.nudger.Nudge(ctx, it)
	if err != nil {
		return d.retry(ctx, it, now, fmt.Errorf("decide: %w", err))
	}
	switch {
	case decision.SkipReason != "":
		d.opts.Observer.NudgeSkipped(it.Member.Platform, it.Kind, decision.SkipReason)
		return d.store.FinishOutbox(ctx, it.ID, bot.OutboxSkipped, it.Attempts, now, decision.SkipReason)
	case !decision.Postpone.IsZero():
		return d.store.RetryOutbox(ctx, it.ID, decision.Postpone, it.Attempts, "postponed")
	}
	if err := d.limiters[it.Member.Platform].Wait(ctx); err != nil {
		return d.store.RetryOutbox(ctx, it.ID, now, it.Attempts, "rate limiter: "+err.Error())
	}
	start := time.Now()
	err = d.send(ctx, sender, it, decision)
	latency := time.Since(start)
	now = d.opts.Clock.Now().UTC()
	var limited *bot.RateLimitedError
	switch {
	case err == nil:
		d.opts.Observer.NudgeSent(it.Member.Platform, it.Kind, latency)
		return d.store.FinishOutbox(ctx, it.ID, bot.OutboxSent, it.Attempts+1, now, "")
	case errors.As(err, &limited):
		// A 429 is the platform pacing us, not a failure of this message:
		// hold the whole platform and retry without spending an attempt.
		d.block(it.Member.Platform, now.Add(max(limited.RetryAfter, time.Second)))
		d.opts.Observer.RateLimited(it.Member.Platform)
		return d.release(ctx, it)
	case errors.Is(err, bot.ErrUnreachable) && decision.Channel != "":
		// The staff channel refused us; the member is not at fault.
		d.opts.Logger.Warn("staff channel unreachable", "platform", it.Member.Platform, "err", err)
		d.opts.Observer.NudgeFailed(it.Member.Platform, it.Kind)
		return d.store.FinishOutbox(ctx, it.ID, bot.OutboxFailed, it.Attempts+1, now, "channel unreachable: "+err.Error())
	case errors.Is(err, bot.ErrUnreachable):
		d.opts.Logger.Warn("member unreachable; nudges disabled", "platform", it.Member.Platform, "kind", it.Kind, "err", err)
		d.opts.Observer.NudgeFailed(it.Member.Platform, it.Kind)
		if err := d.nudger.DisableNudges(ctx, it.Member, "the platform refused a direct message"); err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
			return err
		}
		return d.store.FinishOutbox(ctx, it.ID, bot.OutboxFailed, it.Attempts+1, now, "unreachable: "+err.Error())
	}
	return d.retry(ctx, it, now, err)
}

// send delivers to the member's DM, or to a workspace channel for staff
// alerts.
func (d *Dispatcher) send(ctx context.Context, sender bot.Sender, it bot.OutboxItem, decision bot.NudgeDecision) error {
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
// or fails the row when attempts run out.
func (d *Dispatcher) retry(ctx context.Context, it bot.OutboxItem, now time.Time, cause error) error {
	attempts := it.Attempts + 1
	note := truncate(cause.Error(), 500)
	if attempts >= d.opts.MaxAttempts {
		d.opts.Logger.Warn("nudge failed after retries", "platform", it.Member.Platform, "kind", it.Kind, "attempts", attempts, "err", cause)
		d.opts.Observer.NudgeFailed(it.Member.Platform, it.Kind)
		return d.store.FinishOutbox(ctx, it.ID, bot.OutboxFailed, attempts, now, note)
	}
	return d.store.RetryOutbox(ctx, it.ID, now.Add(d.Backoff(attempts)), attempts, note)
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

// blockedPlatforms lists the platforms still inside a Retry-After.
func (d *Dispatcher) blockedPlatforms(now time.Time) []bot.Platform {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []bot.Platform
	for p, till := range d.blockedTill {
		if till.After(now) {
			out = append(out, p)
		}
	}
	return out
}

func (d *Dispatcher) blocked(p bot.Platform) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.blockedTill[p]
}

func (d *Dispatcher) block(p bot.Platform, till time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if till.After(d.blockedTill[p]) {
		d.blockedTill[p] = till
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
