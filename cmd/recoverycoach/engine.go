package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// engine is the Coach with its scheduler and dispatcher: everything but the
// adapters, shared by console and serve mode.
type engine struct {
	coach *bot.Coach
	sched *scheduler.Scheduler
	disp  *scheduler.Dispatcher
	cfg   config
	db    *sqlite.DB
	log   *slog.Logger
	// metrics is nil in console mode.
	metrics *metrics
}

// openEngine opens the store and content and builds the engine on them;
// the caller closes the returned store.
func openEngine(ctx context.Context, cfg config, logger *slog.Logger, clock bot.Clock, m *metrics) (*sqlite.DB, *engine, error) {
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

// newEngine builds the Coach and its scheduler. Senders are attached with
// start, once the adapters exist (they need the Coach first).
func newEngine(cfg config, db *sqlite.DB, lib bot.Library, logger *slog.Logger, clock bot.Clock, m *metrics) *engine {
	e := &engine{cfg: cfg, db: db, log: logger, metrics: m}
	e.sched = scheduler.New(db, scheduler.Options{
		Clock:         clock,
		Logger:        logger,
		CatchupWindow: cfg.CatchupWindow,
		Enqueued:      func(int) { e.wake() },
		// Platform retries arrive within hours; a week of event ids is plenty.
		Housekeeping: func(ctx context.Context) error {
			return db.PruneEvents(ctx, clock.Now().Add(-7*24*time.Hour))
		},
	})
	coachCfg := bot.Config{
		Store:           db,
		Library:         lib,
		Clock:           clock,
		Logger:          logger,
		DefaultTZ:       cfg.DefaultTZ,
		ScheduleChanged: e.sched.Changed,
	}
	if r := newRenderer(); r != nil {
		coachCfg.Renderer = r
	}
	if m != nil {
		coachCfg.Observer = m
	}
	e.coach = bot.NewCoach(coachCfg)
	return e
}

func (e *engine) wake() {
	if e.disp != nil {
		e.disp.Wake()
	}
}

// start runs the scheduler and a dispatcher over senders until ctx ends;
// the returned wait blocks until both have stopped.
func (e *engine) start(ctx context.Context, clock bot.Clock, senders map[bot.Platform]bot.Sender) (wait func()) {
	opts := scheduler.DispatcherOptions{
		Clock:  clock,
		Logger: e.log,
		Rates:  map[bot.Platform]float64{bot.Slack: e.cfg.SlackRPS, bot.Discord: e.cfg.DiscordRPS},
	}
	if e.metrics != nil {
		opts.Observer = e.metrics
	}
	e.disp = scheduler.NewDispatcher(e.db, e.coach, senders, opts)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := e.sched.Run(ctx); err != nil {
			e.log.Error("scheduler stopped", "err", err)
		}
	})
	wg.Go(func() {
		if err := e.disp.Run(ctx); err != nil {
			e.log.Error("dispatcher stopped", "err", err)
		}
	})
	// Serve only once reminders are loaded and the dispatcher runs, so
	// /readyz means nudges flow.
	for _, started := range []<-chan struct{}{e.sched.Started(), e.disp.Started()} {
		select {
		case <-started:
		case <-ctx.Done():
		}
	}
	return wg.Wait
}
