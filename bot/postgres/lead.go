package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// leadership counts the Lead calls currently running their function under
// the lock.
type leadership struct{ n atomic.Int32 }

// Leading reports whether this DB holds a leader lock and is running the
// function given to Lead, for metrics and readiness.
func (db *DB) Leading() bool { return db.leading.n.Load() > 0 }

// Lead elects one leader among the instances sharing the database (and
// schema) for name, and runs run on the leader until ctx ends.
//
// It keeps a session-level advisory lock on a connection of its own, made
// outside the pool. Until it holds the lock it retries every poll; once it
// does, it calls run with a context that ends when ctx does or when the
// lock's session fails a health check (SELECT 1, every poll). When the
// holder dies or its connection is cut, the server ends the session and
// frees the lock, so another instance takes over within one poll. Two
// leaders may overlap for up to one poll while the old one notices the
// loss, so run's work must stay idempotent (the outbox's dedupe keys make
// the scheduler's so).
//
// When run returns nil, or returns after the lock was lost, Lead closes
// the session (freeing the lock) and competes again. When run returns any
// other error while ctx is live, Lead frees the lock and returns that
// error; the caller decides whether to log it and call Lead again. Lead
// returns nil once ctx ends; connection failures never end it, they are
// retried every poll. A non-positive poll means one second.
func (db *DB) Lead(ctx context.Context, name string, poll time.Duration, run func(ctx context.Context) error) error {
	if poll <= 0 {
		poll = time.Second
	}
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			closeConn(conn)
		}
	}()
	for ctx.Err() == nil {
		if conn == nil {
			c, err := pgx.ConnectConfig(ctx, db.leadConfig)
			if err == nil {
				conn = c
			}
		}
		if conn != nil {
			var held bool
			err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext('recoverycoach.leader:' || COALESCE(current_schema(), '') || ':' || $1))`, name).Scan(&held)
			switch {
			case err != nil:
				closeConn(conn)
				conn = nil
			case held:
				lost, err := db.runLocked(ctx, conn, poll, run)
				// Closing the session is the one sure way to free the lock:
				// an unlock on a broken connection would never arrive.
				closeConn(conn)
				conn = nil
				if err != nil && !lost && ctx.Err() == nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
					return fmt.Errorf("postgres: leader %s: %w", name, err)
				}
				continue
			}
		}
		if !wait(ctx, poll) {
			break
		}
	}
	return nil
}

// runLocked calls run while conn holds the lock, watching the session;
// lost reports that the session failed before run returned.
func (db *DB) runLocked(ctx context.Context, conn *pgx.Conn, poll time.Duration, run func(context.Context) error) (lost bool, err error) {
	leaderCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	watched := make(chan bool, 1)
	go func() {
		lost := watch(leaderCtx, conn, poll)
		cancel()
		watched <- lost
	}()
	db.leading.n.Add(1)
	err = run(leaderCtx)
	db.leading.n.Add(-1)
	cancel()
	return <-watched, err
}

// watch returns when ctx ends (false) or when conn's session stops
// answering (true), which means the server has dropped it and every lock
// it held.
func watch(ctx context.Context, conn *pgx.Conn, poll time.Duration) bool {
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-ticker.C:
		}
		// A session that takes this long to answer is as good as lost.
		check, cancel := context.WithTimeout(ctx, max(poll, 5*time.Second))
		_, err := conn.Exec(check, `SELECT 1`)
		cancel()
		if err != nil {
			return ctx.Err() == nil
		}
	}
}

// closeConn ends a lock session; it must not wait long on a dead server.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = conn.Close(ctx)
}

// wait sleeps for d and reports false when ctx ended first.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
