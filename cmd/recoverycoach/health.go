package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Storage probe settings.
const (
	// probeEvery spaces the probe writes: /readyz and scrapes may come
	// every few seconds, and one small write per interval is plenty to
	// notice a full or read-only disk.
	probeEvery = 10 * time.Second
	// probeTimeout bounds a probe write. The single SQLite writer may be
	// busy with a large fan-out, which is no fault; a full disk fails at
	// once.
	probeTimeout = time.Second
	// probeKey is the state row the probe rewrites.
	probeKey = "storage_probe"
)

// The two ways storage fails, for /readyz to name without the details
// (paths, driver errors), which go to the log.
var (
	errStorageFile  = errors.New("database file deleted or replaced")
	errStorageWrite = errors.New("database not writable")
)

// fileChecker is offered by a store kept in a local file (SQLite): it tells
// whether the path still names the file in use.
type fileChecker interface {
	CheckFile() error
}

// stateWriter is the small key/value write the probe uses.
type stateWriter interface {
	SetState(ctx context.Context, name, value string) error
}

// storageHealth answers whether writes still reach the database: the file
// is the one opened (SQLite) and a small write succeeds. A deleted file or
// a full disk otherwise goes unnoticed while commands seem to succeed.
type storageHealth struct {
	file  fileChecker // nil for PostgreSQL
	state stateWriter
	clock bot.Clock
	log   *slog.Logger

	mu       sync.Mutex
	wroteAt  time.Time // last successful probe write
	writeErr error     // the last probe write's verdict
	failing  error     // the last verdict, so changes are logged once
}

func newStorageHealth(db database, clock bot.Clock, log *slog.Logger) *storageHealth {
	h := &storageHealth{state: db, clock: clock, log: log}
	h.file, _ = db.(fileChecker)
	return h
}

// check reports the storage's health. The file check is a stat on every
// call; the write runs at most once per probeEvery while it succeeds, and
// on every call while it fails, so recovery shows at once.
func (h *storageHealth) check(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	err := h.probe(ctx)
	switch {
	case err != nil && h.failing == nil:
		h.log.Error("storage unhealthy", "err", err)
	case err == nil && h.failing != nil:
		h.log.Info("storage healthy again")
	}
	h.failing = err
	return err
}

func (h *storageHealth) probe(ctx context.Context) error {
	if h.file != nil {
		if err := h.file.CheckFile(); err != nil {
			return fmt.Errorf("%w: %w", errStorageFile, err)
		}
	}
	now := h.clock.Now()
	if h.writeErr == nil && !h.wroteAt.IsZero() && now.Sub(h.wroteAt) < probeEvery {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	err := h.state.SetState(wctx, probeKey, now.UTC().Format(time.RFC3339))
	switch {
	case err == nil:
		h.wroteAt, h.writeErr = now, nil
	case wctx.Err() != nil:
		// Out of time: the writer is busy (or the caller left), which
		// says nothing new; the last verdict stands until a probe ends.
	default:
		h.writeErr = fmt.Errorf("%w: %w", errStorageWrite, err)
	}
	return h.writeErr
}

// ok is check for a gauge.
func (h *storageHealth) ok() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*probeTimeout)
	defer cancel()
	return h.check(ctx) == nil
}
