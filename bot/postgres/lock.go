package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

var _ bot.MemberLocker = (*DB)(nil)

// memberLockKey maps a member to an advisory lock key, within the schema
// so that stores sharing a database in other schemas never wait on it.
const memberLockKey = `hashtextextended('recoverycoach.member:' || COALESCE(current_schema(), '') || ':' || $1, 0)`

// LockMember holds a session-level advisory lock on the member, on a
// pooled connection kept until unlock, so that instances handle one
// member's commands one at a time (bot.MemberLocker). A connection that
// cannot be unlocked is closed, which frees the lock on the server.
func (db *DB) LockMember(ctx context.Context, key bot.MemberKey) (unlock func(), err error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock member: %w", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+memberLockKey+`)`, key.String()); err != nil {
		// A cancelled wait may leave the session unsure; start afresh.
		conn.Conn().Close(context.Background())
		conn.Release()
		return nil, fmt.Errorf("lock member: %w", err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(`+memberLockKey+`)`, key.String()); err != nil {
			conn.Conn().Close(ctx)
		}
		conn.Release()
	}, nil
}
