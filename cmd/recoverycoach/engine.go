package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// Recorded Slack request signatures: adapters/slack stores each under
// this prefix (see its http.go). Slack's verifier accepts a timestamp up to
// five minutes either side of now, so a signature first seen five minutes
// early stays acceptable for ten; one more covers clock skew.
const (
	slackSignaturePrefix = "slack-sig:"
	slackSignatureKeep   = 11 * time.Minute
)

// engine is the Coach with its scheduler and dispatcher: everything but the
// adapters, shared by console and serve mode.
//
// With a shared database (PostgreSQL) every instance dispatches, but only
// the leader runs a scheduler; it gets a fresh one each time it wins the
// leadership, since a scheduler's cron entries belong to one Run.
type engine struct {
	coach *bot.Coach
	disp  *scheduler.Dispatcher
	cfg   config
	db    database
	// elector is the store's leader election, nil when the store is not
	// shared (SQLite).
	elector elector
	clock   bot.Clock
	log     *slog.Logger
	// metrics is nil in console mode.
	metrics *metrics
	// senders are the platforms' senders, set by start.
	senders map[bot.Platform]bot.Sender

	mu    sync.Mutex
	sched *scheduler.Scheduler // nil while another instance leads
}

// openEngine opens the store and content and builds the engine on them;
// the caller closes the returned store.
func openEngine(ctx context.Context, cfg config, logger *slog.Logger, clock bot.Clock, m *metrics) (database, *engine, error) {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	lib, err := loadLibrary(cfg)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, newEngine(cfg, db, lib, logger, clock, m), nil
}

// newEngine builds the Coach. Senders are attached with start, once the
// adapters exist (they need the Coach first).
func newEngine(cfg config, db database, lib bot.Library, logger *slog.Logger, clock bot.Clock, m *metrics) *engine {
	e := &engine{cfg: cfg, db: db, clock: clock, log: logger, metrics: m}
	e.elector, _ = db.(elector)
	coachCfg := bot.Config{
		Store:           db,
		Library:         lib,
		Clock:           clock,
		Logger:          logger,
		DefaultTZ:       cfg.DefaultTZ,
		ScheduleChanged: e.scheduleChanged,
	}
	if r := newRenderer(); r != nil {
		coachCfg.Renderer = r
	}
	if m != nil {
		coachCfg.Observer = m
		m.watchLeader(e.leading)
	}
	e.coach = bot.NewCoach(coachCfg)
	return e
}

// newScheduler returns a scheduler over the engine's store.
func (e *engine) newScheduler() *scheduler.Scheduler {
	opts := scheduler.Options{
		Clock:         e.clock,
		Logger:        e.log,
		CatchupWindow: e.cfg.CatchupWindow,
		Enqueued:      func(int) { e.wake() },
		Housekeeping:  e.housekeeping,
	}
	if e.elector != nil {
		opts.SweepEvery = sharedSweep
	}
	return scheduler.New(e.db, opts)
}

// housekeeping runs after every sweep: it prunes old records, deletes the
// data of workspaces uninstalled longer ago than the retention period and
// refreshes rotating Slack tokens that expire soon. Each chore runs even
// when another fails.
func (e *engine) housekeeping(ctx context.Context) error {
	now := e.clock.Now()
	// Platform retries arrive within hours; a week of event ids is plenty.
	// Request signatures, one per Slack request, go much sooner.
	return errors.Join(
		e.db.PruneEventsPrefix(ctx, slackSignaturePrefix, now.Add(-slackSignatureKeep)),
		e.purgeUninstalled(ctx),
		e.db.PruneEvents(ctx, now.Add(-7*24*time.Hour)),
		e.refreshTokens(ctx),
	)
}

func (e *engine) scheduleChanged() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sched != nil {
		e.sched.Changed()
	}
}

func (e *engine) setScheduler(s *scheduler.Scheduler) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sched = s
}

// leading reports whether this instance runs the cron triggers.
func (e *engine) leading() bool {
	return e.elector == nil || e.elector.Leading()
}

// schedulerReady reports whether cron triggers are handled: by this
// instance's running scheduler, or by another instance while this one
// stands by.
func (e *engine) schedulerReady() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sched != nil {
		return e.sched.Running()
	}
	return e.elector != nil && !e.elector.Leading()
}

func (e *engine) wake() {
	if e.disp != nil {
		e.disp.Wake()
	}
}

// start runs the scheduler (under the leadership, with a shared store) and
// a dispatcher over senders until ctx ends; the returned wait blocks until
// both have stopped.
func (e *engine) start(ctx context.Context, senders map[bot.Platform]bot.Sender) (wait func()) {
	opts := scheduler.DispatcherOptions{
		Clock:       e.clock,
		Logger:      e.log,
		Rates:       map[bot.Platform]float64{bot.Slack: e.cfg.SlackRPS, bot.Discord: e.cfg.DiscordRPS},
		Concurrency: e.cfg.SendConcurrency,
	}
	if e.metrics != nil {
		opts.Observer = e.metrics
	}
	shared := e.elector != nil
	if shared {
		// Only the leader's dispatcher is woken by a fan-out it enqueued;
		// the others find the rows by polling. Claims stay small so a
		// burst spreads over the instances, but hold at least one row per
		// send slot, or the slots would go idle.
		opts.Batch, opts.PollEvery = max(sharedBatch, e.cfg.SendConcurrency), sharedPoll
	}
	e.senders = senders
	e.disp = scheduler.NewDispatcher(e.db, installedNudger{Nudger: e.coach, senders: senders}, senders, opts)
	if e.metrics != nil {
		e.metrics.watchDispatcher(e.disp.Stats)
	}
	var wg sync.WaitGroup
	schedStarted := make(chan struct{})
	wg.Go(func() {
		if !shared {
			s := e.newScheduler()
			e.setScheduler(s)
			go func() {
				<-s.Started()
				close(schedStarted)
			}()
			if err := s.Run(ctx); err != nil {
				e.log.Error("scheduler stopped", "err", err)
			}
			return
		}
		// A standby instance is ready at once: the leader fires triggers.
		close(schedStarted)
		e.lead(ctx)
	})
	wg.Go(func() {
		if err := e.disp.Run(ctx); err != nil {
			e.log.Error("dispatcher stopped", "err", err)
		}
	})
	// Serve only once reminders are loaded and the dispatcher runs, so
	// /readyz means nudges flow.
	for _, started := range []<-chan struct{}{schedStarted, e.disp.Started()} {
		select {
		case <-started:
		case <-ctx.Done():
		}
	}
	return wg.Wait
}

// lead competes for the leadership until ctx ends and runs a fresh
// scheduler whenever this instance holds it.
func (e *engine) lead(ctx context.Context) {
	for ctx.Err() == nil {
		err := e.elector.Lead(ctx, "scheduler", leaderPoll, func(ctx context.Context) error {
			s := e.newScheduler()
			e.setScheduler(s)
			defer e.setScheduler(nil)
			e.log.Info("leading: this instance runs the reminder triggers")
			defer e.log.Info("no longer leading")
			return s.Run(ctx)
		})
		if err == nil || ctx.Err() != nil {
			continue
		}
		e.log.Error("leader election", "err", err)
		t := time.NewTimer(leaderPoll)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}
