package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/internal/storesql"
)

// ScheduleGroups returns every distinct (zone, time, days) reminder group.
func (db *DB) ScheduleGroups(ctx context.Context) ([]bot.ScheduleGroup, error) {
	var out []bot.ScheduleGroup
	err := db.each(ctx, `SELECT tz, minute, days FROM subscription_times UNION SELECT tz, minute, days FROM channel_post_times
		ORDER BY tz, minute, days`, nil, func(s scanner) error {
		var g bot.ScheduleGroup
		var minute, days int
		err := s.Scan(&g.TZ, &minute, &days)
		g.Time, g.Days = bot.TimeOfDay(minute), bot.Weekdays(days)
		out = append(out, g)
		return err
	})
	return out, err
}

// EnqueueGroup writes one outbox row for every subscriber of the group due
// at due, in one transaction. The dedupe key kind:subscription:due-minute
// makes it idempotent: whatever fires twice, each subscriber gets at most
// one row per due time. A team readiness or session-load prompt (owned by a
// staff member) fans out to every eligible member of the workspace instead: those who
// share with staff, or everyone who started, in wellness mode. With status
// skipped the rows only record that a nudge was missed. It returns the rows
// written.
func (db *DB) EnqueueGroup(ctx context.Context, g bot.ScheduleGroup, due, now time.Time, status bot.OutboxStatus, note string) (int, error) {
	var doneAt sql.NullInt64
	if status != bot.OutboxPending {
		doneAt = nullMS(now)
	}
	minute := due.Unix() / 60
	group := []any{g.TZ, int(g.Time), int(g.Days), toMS(due)}
	total := 0
	ownNudge, ownKinds := storesql.ReminderSQL(false)
	teamNudge, teamKinds := storesql.ReminderSQL(true)
	postNudge := storesql.ChannelPostNudgeSQL()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := db.txExec(ctx, tx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, status, last_error, ref, created_at, done_at)
			SELECT s.member_id, `+ownNudge+`, `+ownNudge+` || ':' || s.id || ':' || ?, ?, ?, ?, s.id, ?, ?
			FROM subscription_times t JOIN subscriptions s ON s.id = t.subscription_id
			WHERE t.tz = ? AND t.minute = ? AND t.days = ? AND s.created_at <= ? AND s.kind IN `+ownKinds+`
			ON CONFLICT (dedupe_key) DO NOTHING`,
			append([]any{minute, toMS(due), status, note, toMS(now), doneAt}, group...)...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		total += int(n)
		res, err = db.txExec(ctx, tx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, status, last_error, ref, created_at, done_at)
			SELECT m.id, `+teamNudge+`,
				`+teamNudge+` || ':' || s.id || ':' || m.id || ':' || ?, ?, ?, ?, s.id, ?, ?
			FROM subscription_times t JOIN subscriptions s ON s.id = t.subscription_id
			JOIN members owner ON owner.id = s.member_id
			JOIN workspaces w ON w.platform = owner.platform AND w.ext_id = owner.workspace
			JOIN members m ON m.platform = owner.platform AND m.workspace = owner.workspace
			WHERE t.tz = ? AND t.minute = ? AND t.days = ? AND s.created_at <= ? AND s.kind IN `+teamKinds+`
				-- bot.Workspace.Prompts, in SQL for the bulk path
				AND m.onboarded_at IS NOT NULL AND (m.share_with_staff = 1 OR w.privacy = 'wellness')
			ON CONFLICT (dedupe_key) DO NOTHING`,
			append([]any{minute, toMS(due), status, note, toMS(now), doneAt}, group...)...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		total += int(n)
		// A channel post is its owner's row; its dedupe key names the
		// channel, kind and minute, so a post set again (a new id) still
		// goes out once that minute.
		res, err = db.txExec(ctx, tx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, status, last_error, ref, created_at, done_at)
			SELECT p.owner_id, `+postNudge+`,
				'channel:' || p.platform || ':' || p.workspace || ':' || p.channel || ':' || p.kind || ':' || ?, ?, ?, ?, p.id, ?, ?
			FROM channel_post_times t JOIN channel_posts p ON p.id = t.post_id
			WHERE t.tz = ? AND t.minute = ? AND t.days = ? AND p.created_at <= ? AND p.off_at IS NULL
			ON CONFLICT (dedupe_key) DO NOTHING`,
			append([]any{minute, toMS(due), status, note, toMS(now), doneAt}, group...)...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		total += int(n)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue group: %w", err)
	}
	return total, nil
}

// State returns a stored scheduler value ("" when unset).
func (db *DB) State(ctx context.Context, name string) (string, error) {
	var v string
	err := db.readRow(ctx, `SELECT value FROM state WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("select state: %w", err)
	}
	return v, nil
}

// SetState stores a scheduler value.
func (db *DB) SetState(ctx context.Context, name, value string) error {
	_, err := db.exec(ctx, `INSERT INTO state (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	if err != nil {
		return fmt.Errorf("set state: %w", err)
	}
	return nil
}

// DueOutbox claims up to limit pending rows whose time has come, oldest
// first, leaving out the platforms in exclude (see ClaimOutbox).
func (db *DB) DueOutbox(ctx context.Context, now time.Time, limit int, exclude []bot.Platform) ([]bot.OutboxItem, error) {
	scopes := make([]bot.OutboxScope, len(exclude))
	for i, p := range exclude {
		scopes[i] = bot.OutboxScope{Platform: p}
	}
	return db.ClaimOutbox(ctx, now, limit, scopes)
}

// FinishOutbox marks a pending row sent, skipped or failed and releases
// its claim. A row that is no longer pending is left alone.
func (db *DB) FinishOutbox(ctx context.Context, id int64, status bot.OutboxStatus, attempts int, at time.Time, note string) error {
	defer db.claims.release(id)
	_, err := db.exec(ctx, `UPDATE outbox SET status = ?, attempts = ?, done_at = ?, last_error = ?, sending_at = NULL
		WHERE id = ? AND status = 'pending'`, status, attempts, toMS(at), note, id)
	if err != nil {
		return fmt.Errorf("finish outbox: %w", err)
	}
	return nil
}

// RetryOutbox keeps a row pending, moves it to notBefore, clears its send
// in progress and releases its claim.
func (db *DB) RetryOutbox(ctx context.Context, id int64, notBefore time.Time, attempts int, note string) error {
	defer db.claims.release(id)
	_, err := db.exec(ctx, `UPDATE outbox SET not_before = ?, attempts = ?, last_error = ?, sending_at = NULL
		WHERE id = ? AND status = 'pending'`, toMS(notBefore), attempts, note, id)
	if err != nil {
		return fmt.Errorf("retry outbox: %w", err)
	}
	return nil
}

// OutboxStats counts rows by status, for metrics and readiness.
func (db *DB) OutboxStats(ctx context.Context) (map[bot.OutboxStatus]int, error) {
	out := map[bot.OutboxStatus]int{}
	err := db.each(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`, nil, func(s scanner) error {
		var st bot.OutboxStatus
		var n int
		err := s.Scan(&st, &n)
		out[st] = n
		return err
	})
	return out, err
}

// LastSentNudge implements bot.Store: the member's most recent delivered
// nudge (found false when none).
func (db *DB) LastSentNudge(ctx context.Context, key bot.MemberKey) (bot.OutboxItem, bool, error) {
	it := bot.OutboxItem{Member: key, Status: bot.OutboxSent}
	var notBefore, created int64
	var done sql.NullInt64
	err := db.readRow(ctx, `SELECT o.id, o.kind, o.dedupe_key, o.not_before, o.ref, o.created_at, o.done_at
		FROM outbox o JOIN members m ON m.id = o.member_id
		WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ? AND o.status = 'sent' AND o.kind <> 'staff_alert'
		ORDER BY o.done_at DESC, o.id DESC LIMIT 1`, key.Platform, key.Workspace, key.User).
		Scan(&it.ID, &it.Kind, &it.DedupeKey, &notBefore, &it.Ref, &created, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.OutboxItem{}, false, nil
	}
	if err != nil {
		return bot.OutboxItem{}, false, fmt.Errorf("last sent nudge: %w", err)
	}
	it.NotBefore, it.CreatedAt, it.DoneAt = fromMS(notBefore), fromMS(created), fromNullMS(done)
	return it, true, nil
}
