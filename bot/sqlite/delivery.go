package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// claimLease is how long a claimed row stays out of ClaimOutbox's answers
// when the dispatcher neither finishes nor retries it (a failed update).
const claimLease = 30 * time.Second

// claimSet remembers the rows handed out by ClaimOutbox. SQLite serves one
// process, so claims live in its memory: a crash forgets them with the
// process, and the next one sees every unfinished row at once, instead of
// waiting for a stored lease to run out.
type claimSet struct {
	mu    sync.Mutex
	until map[int64]time.Time
	// A claim's read may have begun before a row's outcome committed and
	// so see the row as it was; if the claim is released in between, take
	// must not hand out that stale copy (the dispatcher would skip it as
	// still queued and hold it for claimLease). released records at which
	// release count each row was last released, since the oldest read
	// that may still be running.
	releases uint64
	released map[int64]uint64
}

// readBegins returns the release count a claim's read starts at.
func (c *claimSet) readBegins() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.releases
}

// readEnds forgets the releases no read begun at or after start can have
// missed.
func (c *claimSet) readEnds(start uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, at := range c.released {
		if at <= start {
			delete(c.released, id)
		}
	}
}

// held reports whether id is claimed at now.
func (c *claimSet) held(id int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.until[id].After(now)
}

func (c *claimSet) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.until)
}

// take claims id until, unless it is claimed at now or was released
// after the read that found it began (at release count start); it reports
// success.
func (c *claimSet) take(id int64, start uint64, now, until time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.until == nil {
		c.until = map[int64]time.Time{}
	}
	if c.until[id].After(now) || c.released[id] > start {
		return false
	}
	c.until[id] = until
	return true
}

func (c *claimSet) release(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.until, id)
	if c.released == nil {
		c.released = map[int64]uint64{}
	}
	c.releases++
	c.released[id] = c.releases
}

const outboxColumns = `o.id, o.kind, o.dedupe_key, o.not_before, o.attempts, o.last_error, o.ref, o.created_at, o.sending_at,
			m.platform, m.workspace, m.user_id`

// ClaimOutbox claims and returns up to limit pending rows: first those left
// half-sent (SendingAt set, by a process that died), then those whose time
// has come, oldest first. Rows of the scopes in exclude (platforms or
// workspaces pacing us with 429s) are left out, and so are rows already
// claimed: a claim lasts until FinishOutbox or RetryOutbox, or for
// claimLease after now.
func (db *DB) ClaimOutbox(ctx context.Context, now time.Time, limit int, exclude []bot.OutboxScope) ([]bot.OutboxItem, error) {
	if limit <= 0 {
		return nil, nil
	}
	skip, args := scopeFilter(exclude)
	// Claimed rows are filtered here rather than in SQL, so ask for enough
	// to fill the limit even if every claimed row comes back.
	ask := limit + db.claims.size()
	start := db.claims.readBegins()
	defer db.claims.readEnds(start)
	var out []bot.OutboxItem
	collect := func(s scanner) error {
		it, err := scanOutbox(s)
		if err == nil && len(out) < limit && db.claims.take(it.ID, start, now, now.Add(claimLease)) {
			out = append(out, it)
		}
		return err
	}
	err := db.each(ctx, `SELECT `+outboxColumns+`
		FROM outbox o JOIN members m ON m.id = o.member_id
		WHERE o.status = 'pending' AND o.sending_at IS NOT NULL`+skip+` ORDER BY o.id LIMIT ?`,
		append(slices.Clone(args), ask), collect)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	if len(out) == limit {
		return out, nil
	}
	err = db.each(ctx, `SELECT `+outboxColumns+`
		FROM outbox o JOIN members m ON m.id = o.member_id
		WHERE o.status = 'pending' AND o.not_before <= ? AND o.sending_at IS NULL`+skip+` ORDER BY o.not_before, o.id LIMIT ?`,
		append(append([]any{toMS(now)}, args...), ask), collect)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// scopeFilter returns the SQL conditions (and arguments) that leave out
// the rows of the scopes.
func scopeFilter(exclude []bot.OutboxScope) (string, []any) {
	var b strings.Builder
	var args []any
	for _, sc := range exclude {
		if sc.Workspace == "" {
			b.WriteString(" AND m.platform <> ?")
			args = append(args, sc.Platform)
			continue
		}
		b.WriteString(" AND NOT (m.platform = ? AND m.workspace = ?)")
		args = append(args, sc.Platform, sc.Workspace)
	}
	return b.String(), args
}

func scanOutbox(s scanner) (bot.OutboxItem, error) {
	it := bot.OutboxItem{Status: bot.OutboxPending}
	var notBefore, created int64
	var sending sql.NullInt64
	err := s.Scan(&it.ID, &it.Kind, &it.DedupeKey, &notBefore, &it.Attempts, &it.LastError, &it.Ref, &created, &sending,
		&it.Member.Platform, &it.Member.Workspace, &it.Member.User)
	it.NotBefore, it.CreatedAt, it.SendingAt = fromMS(notBefore), fromMS(created), fromNullMS(sending)
	return it, err
}

// MarkSending records that a send of the claimed row begins at at, before
// the platform is called, so that a crash leaves a trace to reconcile. It
// reports false when the row is no longer pending (then it must not be
// sent).
func (db *DB) MarkSending(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE outbox SET sending_at = ? WHERE id = ? AND status = 'pending'`, toMS(at), id)
	if err != nil {
		return false, fmt.Errorf("mark outbox sending: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark outbox sending: %w", err)
	}
	return n == 1, nil
}

// NextDue returns when the earliest pending row after now comes due
// (false when none is waiting), so that the dispatcher sleeps until then.
func (db *DB) NextDue(ctx context.Context, now time.Time) (time.Time, bool, error) {
	var next sql.NullInt64
	err := db.readRow(ctx, `SELECT MIN(not_before) FROM outbox WHERE status = 'pending' AND not_before > ?`, toMS(now)).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next due outbox row: %w", err)
	}
	return fromNullMS(next), next.Valid, nil
}
