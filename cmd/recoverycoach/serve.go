package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// deps are what every platform adapter is built from.
type deps struct {
	cfg    config
	coach  *bot.Coach
	store  database
	logger *slog.Logger
	clock  bot.Clock
	// reconnected counts a Socket Mode or gateway reconnect for metrics.
	reconnected func(bot.Platform)
}

// platform is one running chat adapter in serve mode.
type platform struct {
	name   bot.Platform
	sender bot.Sender
	// routes are mounted on the shared HTTP server (signed webhooks).
	routes map[string]http.Handler
	// run keeps a long-lived connection (Socket Mode, gateway) until ctx
	// ends; nil for HTTP-only adapters.
	run func(ctx context.Context) error
	// ready reports whether the adapter is connected.
	ready func() bool
	// idle waits for the adapter's late work started so far (tests).
	idle func()
}

// serve runs every configured platform adapter and the HTTP server until
// ctx ends, then drains in-flight work.
func serve(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	clock := bot.SystemClock{}
	met := newMetrics()
	db, eng, err := openEngine(ctx, cfg, logger, clock, met)
	if err != nil {
		return err
	}
	defer db.Close()
	met.watchOutbox(db)
	storage := newStorageHealth(db, clock, logger)
	met.watchStorage(storage.ok)
	d := deps{cfg: cfg, coach: eng.coach, store: db, logger: logger, clock: clock, reconnected: met.Reconnected}

	var platforms []*platform
	if cfg.SlackBotToken != "" || cfg.slackDistribution() {
		p, err := newSlack(ctx, d)
		if err != nil {
			return err
		}
		platforms = append(platforms, p)
	}
	if cfg.DiscordBotToken != "" {
		p, err := newDiscord(ctx, d)
		if err != nil {
			return err
		}
		platforms = append(platforms, p)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := storage.check(r.Context()); err != nil {
			msg := errStorageWrite.Error()
			if errors.Is(err, errStorageFile) {
				msg = errStorageFile.Error()
			}
			http.Error(w, msg, http.StatusServiceUnavailable)
			return
		}
		if err := db.Ping(r.Context()); err != nil {
			http.Error(w, "database not reachable", http.StatusServiceUnavailable)
			return
		}
		if eng.disp == nil || !eng.disp.Running() {
			http.Error(w, "dispatcher not running", http.StatusServiceUnavailable)
			return
		}
		if !eng.schedulerReady() {
			http.Error(w, "scheduler not running", http.StatusServiceUnavailable)
			return
		}
		for _, p := range platforms {
			if p.ready != nil && !p.ready() {
				http.Error(w, string(p.name)+" not connected", http.StatusServiceUnavailable)
				return
			}
		}
		io.WriteString(w, "ready\n")
	})
	for _, p := range platforms {
		for route, h := range p.routes {
			mux.Handle(route, h)
		}
	}
	// Metrics get a listener of their own: the public port is open to the
	// internet, and the series describe the whole user base's activity.
	metricsMux := http.NewServeMux()
	metricsMux.Handle("GET /metrics", met.handler())

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("COACH_HTTP_ADDR: cannot listen on %s: %w", cfg.HTTPAddr, err)
	}
	mln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		ln.Close()
		return fmt.Errorf("COACH_METRICS_ADDR: cannot listen on %s: %w", cfg.MetricsAddr, err)
	}
	srv := &http.Server{Handler: met.instrument(mux), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second}
	metricsSrv := &http.Server{Handler: metricsMux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	senders := map[bot.Platform]bot.Sender{}
	for _, p := range platforms {
		senders[p.name] = p.sender
	}
	waitEngine := eng.start(runCtx, senders)
	logger.Info("serving", "addr", ln.Addr().String(), "metrics", mln.Addr().String(), "platforms", len(platforms))
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	fmt.Fprintf(stdout, "metrics on %s\n", mln.Addr())
	var wg sync.WaitGroup
	errs := make(chan error, len(platforms)+2)
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("http: %w", err)
		}
	})
	wg.Go(func() {
		if err := metricsSrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("metrics http: %w", err)
		}
	})
	for _, p := range platforms {
		if p.run == nil {
			continue
		}
		wg.Go(func() {
			if err := p.run(runCtx); err != nil && runCtx.Err() == nil {
				errs <- fmt.Errorf("%s: %w", p.name, err)
			}
		})
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errs:
	}
	logger.Info("shutting down")
	// Stop accepting and let in-flight requests finish, then stop the
	// adapters and the scheduler; the dispatcher completes its batch. The
	// deferred db.Close checkpoints the WAL last.
	shutdownCtx, cancelShutdown := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancelShutdown()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("http shutdown: %w", err))
	}
	// Metrics last, so a scrape during the drain still answers.
	if err := metricsSrv.Shutdown(shutdownCtx); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("metrics http shutdown: %w", err))
	}
	cancel()
	wg.Wait()
	waitEngine()
	logger.Info("stopped")
	return runErr
}
