// Package scheduler turns reminders into outbox rows and delivers them.
//
// The Scheduler keeps one cron/v3 entry per distinct (zone, time, days)
// group; a firing group fans out to every subscriber due at that minute in
// one transaction. A periodic sweep and the start-up catch-up run the same
// idempotent enqueue over every minute since the last processed one, which
// covers missed fires, DST gaps and downtime. Outbox dedupe keys make every
// path safe to repeat. The Dispatcher drains due rows through each
// platform's Sender.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Store is what the Scheduler needs from storage.
type Store interface {
	ScheduleGroups(ctx context.Context) ([]bot.ScheduleGroup, error)
	EnqueueGroup(ctx context.Context, g bot.ScheduleGroup, due, now time.Time, status bot.OutboxStatus, note string) (int, error)
	State(ctx context.Context, name string) (string, error)
	SetState(ctx context.Context, name, value string) error
}

// stateLastProcessed names the stored instant up to which every group has
// been enqueued.
const stateLastProcessed = "scheduler.last_processed"

// maxSkipRecord bounds how far back missed nudges are recorded after a
// long outage.
const maxSkipRecord = 7 * 24 * time.Hour

// Options configure a Scheduler.
type Options struct {
	Clock  bot.Clock
	Logger *slog.Logger
	// CatchupWindow is how old a missed nudge may be and still be sent
	// after downtime (COACH_CATCHUP_WINDOW, default 2h).
	CatchupWindow time.Duration
	// SweepEvery is how often every group is re-checked (default 5m).
	SweepEvery time.Duration
	// Enqueued, when set, is called after rows are written, for example to
	// wake the dispatcher.
	Enqueued func(n int)
	// Housekeeping, when set, runs after each sweep (pruning old records).
	Housekeeping func(ctx context.Context) error
}

// Scheduler owns the cron entries.
type Scheduler struct {
	store   Store
	clock   bot.Clock
	log     *slog.Logger
	catchup time.Duration
	sweep   time.Duration
	notify  func(int)
	chores  func(context.Context) error
	cron    *cron.Cron
	changed chan struct{}
	started chan struct{}
	once    sync.Once
	running atomic.Bool

	mu      sync.Mutex // guards entries and serializes enqueue passes
	entries map[bot.ScheduleGroup]cron.EntryID
}

// New returns a Scheduler; call Run to start it.
func New(store Store, opts Options) *Scheduler {
	if opts.Clock == nil {
		opts.Clock = bot.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.CatchupWindow <= 0 {
		opts.CatchupWindow = 2 * time.Hour
	}
	if opts.SweepEvery <= 0 {
		opts.SweepEvery = 5 * time.Minute
	}
	if opts.Enqueued == nil {
		opts.Enqueued = func(int) {}
	}
	if opts.Housekeeping == nil {
		opts.Housekeeping = func(context.Context) error { return nil }
	}
	logger := cronLogger{opts.Logger}
	return &Scheduler{
		store:   store,
		clock:   opts.Clock,
		log:     opts.Logger,
		catchup: opts.CatchupWindow,
		sweep:   opts.SweepEvery,
		notify:  opts.Enqueued,
		chores:  opts.Housekeeping,
		cron:    cron.New(cron.WithLocation(time.UTC), cron.WithLogger(logger), cron.WithChain(cron.Recover(logger))),
		changed: make(chan struct{}, 1),
		started: make(chan struct{}),
		entries: map[bot.ScheduleGroup]cron.EntryID{},
	}
}

// Started is closed once Run has caught up and loaded every reminder group
// (or has failed to).
func (s *Scheduler) Started() <-chan struct{} { return s.started }

// Running reports whether Run is active, for readiness checks.
func (s *Scheduler) Running() bool { return s.running.Load() }

// Changed tells the scheduler that reminders changed; it never blocks.
func (s *Scheduler) Changed() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// Run catches up on missed nudges, starts the cron entries and keeps them in
// step with the reminders until ctx ends; then it waits for running jobs.
func (s *Scheduler) Run(ctx context.Context) error {
	// Started is closed however Run ends, so nobody waits forever on a
	// scheduler that failed; Running tells the two apart.
	defer s.once.Do(func() { close(s.started) })
	if _, err := s.CatchUp(ctx); err != nil {
		return fmt.Errorf("scheduler: catch-up: %w", err)
	}
	if err := s.Sync(ctx); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	sweepSpec := fmt.Sprintf("@every %s", s.sweep)
	if _, err := s.cron.AddFunc(sweepSpec, func() {
		// Reminders may change where Changed is not called (another
		// instance sharing the database), so the sweep re-reads them too.
		if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler sync failed", "err", err)
		}
		if _, err := s.CatchUp(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler sweep failed", "err", err)
		}
		if err := s.chores(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler housekeeping failed", "err", err)
		}
	}); err != nil {
		return fmt.Errorf("scheduler: sweep entry: %w", err)
	}
	s.cron.Start()
	defer func() { <-s.cron.Stop().Done() }()
	s.running.Store(true)
	defer s.running.Store(false)
	s.once.Do(func() { close(s.started) })
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.changed:
			if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("scheduler sync failed", "err", err)
			}
		}
	}
}

// Spec returns the cron spec of a group, such as
// "CRON_TZ=Europe/Berlin 30 7 * * 1,2,3,4,5".
func Spec(g bot.ScheduleGroup) string {
	return fmt.Sprintf("CRON_TZ=%s %d %d * * %s", g.TZ, g.Time.Minute(), g.Time.Hour(), g.Days.CronDays())
}

// Sync adds a cron entry for every new group and removes the entries of
// groups that no longer have subscribers.
func (s *Scheduler) Sync(ctx context.Context) error {
	groups, err := s.store.ScheduleGroups(ctx)
	if err != nil {
		return fmt.Errorf("schedule groups: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	live := make(map[bot.ScheduleGroup]bool, len(groups))
	for _, g := range groups {
		live[g] = true
		if _, ok := s.entries[g]; ok {
			continue
		}
		id, err := s.cron.AddFunc(Spec(g), func() {
			if _, err := s.Fire(ctx, g); err != nil && ctx.Err() == nil {
				s.log.Error("scheduler fire failed", "group", Spec(g), "err", err)
			}
		})
		if err != nil {
			s.log.Error("scheduler: bad group", "group", Spec(g), "err", err)
			continue
		}
		s.entries[g] = id
	}
	for g, id := range s.entries {
		if !live[g] {
			s.cron.Remove(id)
			delete(s.entries, g)
		}
	}
	return nil
}

// Groups returns the number of cron entries for reminder groups.
func (s *Scheduler) Groups() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Fire enqueues a group's nudges due in the last few minutes. Cron calls it
// at the group's time; the due instant is computed here, not taken from
// cron, so a DST fold that makes cron fire twice still yields one row.
func (s *Scheduler) Fire(ctx context.Context, g bot.ScheduleGroup) (int, error) {
	now := s.clock.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	total := 0
	for _, due := range DueTimes(g, now.Add(-5*time.Minute), now) {
		n, err := s.store.EnqueueGroup(ctx, g, due, now, bot.OutboxPending, "")
		if err != nil {
			return total, err
		}
		total += n
	}
	if total > 0 {
		s.notify(total)
	}
	return total, nil
}

// CatchUp enqueues, once, every nudge due since the last processed instant:
// those within the catch-up window as pending, older ones as skipped so the
// miss is on record. It returns the pending rows written.
func (s *Scheduler) CatchUp(ctx context.Context) (int, error) {
	now := s.clock.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, err := s.store.State(ctx, stateLastProcessed)
	if err != nil {
		return 0, err
	}
	last := now
	if raw != "" {
		if last, err = time.Parse(time.RFC3339, raw); err != nil {
			return 0, fmt.Errorf("bad %s %q: %w", stateLastProcessed, raw, err)
		}
	}
	if last.After(now) {
		last = now
	}
	if now.Sub(last) > maxSkipRecord {
		last = now.Add(-maxSkipRecord)
	}
	groups, err := s.store.ScheduleGroups(ctx)
	if err != nil {
		return 0, fmt.Errorf("schedule groups: %w", err)
	}
	pending, skipped := 0, 0
	for _, g := range groups {
		for _, due := range DueTimes(g, last, now) {
			status, note := bot.OutboxPending, ""
			if now.Sub(due) > s.catchup {
				status, note = bot.OutboxSkipped, "missed: older than the catch-up window"
			}
			n, err := s.store.EnqueueGroup(ctx, g, due, now, status, note)
			if err != nil {
				return pending, err
			}
			if status == bot.OutboxPending {
				pending += n
			} else {
				skipped += n
			}
		}
	}
	if err := s.store.SetState(ctx, stateLastProcessed, now.Format(time.RFC3339)); err != nil {
		return pending, err
	}
	if skipped > 0 {
		s.log.Warn("nudges missed during downtime were skipped", "skipped", skipped, "window", s.catchup)
	}
	if pending > 0 {
		s.notify(pending)
	}
	return pending, nil
}

// DueTimes returns the instants in (from, to] at which a group is due. A
// local time that does not exist on a spring-forward day maps to one real
// instant just after the gap, and a time that occurs twice on a fall-back
// day to its first occurrence, so each local day yields at most one instant.
func DueTimes(g bot.ScheduleGroup, from, to time.Time) []time.Time {
	loc, err := time.LoadLocation(g.TZ)
	if err != nil {
		return nil
	}
	var out []time.Time
	start := from.In(loc)
	day := time.Date(start.Year(), start.Month(), start.Day()-1, 12, 0, 0, 0, loc)
	for ; !day.After(to.In(loc).AddDate(0, 0, 1)); day = day.AddDate(0, 0, 1) {
		if !g.Days.Has(day.Weekday()) {
			continue
		}
		due := localInstant(day, g.Time, loc)
		if due.After(from) && !due.After(to) {
			out = append(out, due.UTC())
		}
	}
	return out
}

// localInstant returns the instant of a wall-clock time on a local day.
// Go's time.Date leaves the gap and fold cases unspecified, so they are
// settled here: a time skipped by spring-forward fires at the same minute
// after the gap (02:30 -> 03:30), and a time that occurs twice fires at its
// first occurrence.
func localInstant(day time.Time, at bot.TimeOfDay, loc *time.Location) time.Time {
	y, m, d := day.Date()
	t := time.Date(y, m, d, at.Hour(), at.Minute(), 0, 0, loc)
	if t.Hour() != at.Hour() || t.Minute() != at.Minute() {
		// In a gap: read the wall time with the offset in force before it.
		_, before := time.Date(y, m, d, 0, 0, 0, 0, loc).Zone()
		return time.Date(y, m, d, at.Hour(), at.Minute(), 0, 0, time.UTC).Add(-time.Duration(before) * time.Second)
	}
	for _, back := range []time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute} {
		earlier := t.Add(-back).In(loc)
		if earlier.Day() == d && earlier.Hour() == at.Hour() && earlier.Minute() == at.Minute() {
			return earlier
		}
	}
	return t
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
