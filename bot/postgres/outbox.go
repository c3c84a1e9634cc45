package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
// makes it idempotent: whatever fires twice, on whichever instance, each
// subscriber gets at most one row per due time. A team readiness or
// session-load prompt (owned by a staff member) fans out to every eligible
// member of the workspace instead: those who share with staff, or everyone
// who started, in wellness mode. With status skipped the rows only record
// that a nudge was missed. It returns the rows written. Rows are inserted
// in id order so that two overlapping fan-outs wait on each other's keys in
// the same order instead of deadlocking.
func (db *DB) EnqueueGroup(ctx context.Context, g bot.ScheduleGroup, due, now time.Time, status bot.OutboxStatus, note string) (int, error) {
	var doneAt *int64
	if status != bot.OutboxPending {
		doneAt = nullMS(now)
	}
	args := []any{due.Unix() / 60, toMS(due), status, note, toMS(now), doneAt, g.TZ, int(g.Time), int(g.Days)}
	total := 0
	ownNudge, ownKinds := storesql.ReminderSQL(false)
	teamNudge, teamKinds := storesql.ReminderSQL(true)
	postNudge := storesql.ChannelPostNudgeSQL()
	err := db.tx(ctx, func(tx pgx.Tx) error {
		total = 0
		tag, err := tx.Exec(ctx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, status, last_error, ref, created_at, done_at)
			SELECT s.member_id, `+ownNudge+`, `+ownNudge+` || ':' || s.id::text || ':' || $1::bigint::text,
				$2::bigint, $3::text, $4::text, s.id, $5::bigint, $6::bigint
			FROM subscription_times t JOIN subscriptions s ON s.id = t.subscription_id
			WHERE t.tz = $7 AND t.minute = $8 AND t.days = $9 AND s.created_at <= $2::bigint AND s.kind IN `+ownKinds+`
			ORDER BY s.id
			ON CONFLICT (dedupe_key) DO NOTHING`, args...)
		if err != nil {
			return err
		}
		total += int(tag.RowsAffected())
		tag, err = tx.Exec(ctx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, status, last_error, ref, created_at, done_at)
			SELECT m.id, `+teamNudge+`,
				`+teamNudge+` || ':' || s.id::text || ':' || m.id::text || ':' || $1::bigint::text,
				$2::bigint, $3::text, $4::text, s.id, $5::bigint, $6::bigint
			FROM subscription_times t JOIN subscriptions s ON s.id = t.subscription_id
			JOIN members owner ON owner.id = s.member_id
			JOIN workspaces w ON w.platform = owner.platform AND w.ext_id = owner.workspace
			JOIN members m ON m.platform = owner.platform AND m.workspace = owner.workspace
			WHERE t.tz = $7 AND t.minute = $8 AND t.days = $9 AND s.created_at <= $2::bigint AND s.kind IN `+teamKinds+`
				-- bot.Workspace.Prompts, in SQL for the bulk path
				AND m.onboarded_at IS NOT NULL AND (m.share_with_staff OR w.privacy = 'wellness')
			ORDER BY s.id, m.id
			ON CONFLICT (dedupe_key) DO NOTHING`, args...)
		if err != nil {
			return err
		}
		total += int(tag.RowsAffected())
		// A channel post is its owner's row; its dedupe key names the
		// channel, kind and minute, so a post set again (a new id) still
		// goes out once that minute.
		tag, err = tx.Exec(ctx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, status, last_error, ref, created_at, done_at)
			SELECT p.owner_id, `+postNudge+`,
				'channel:' || p.platform || ':' || p.workspace || ':' || p.channel || ':' || p.kind || ':' || $1::bigint::text,
				$2::bigint, $3::text, $4::text, p.id, $5::bigint, $6::bigint
			FROM channel_post_times t JOIN channel_posts p ON p.id = t.post_id
			WHERE t.tz = $7 AND t.minute = $8 AND t.days = $9 AND p.created_at <= $2::bigint AND p.off_at IS NULL
			ORDER BY p.id
			ON CONFLICT (dedupe_key) DO NOTHING`, args...)
		if err != nil {
			return err
		}
		total += int(tag.RowsAffected())
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
	err := db.pool.QueryRow(ctx, `SELECT value FROM state WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("select state: %w", err)
	}
	return v, nil
}

// SetState stores a scheduler value.
func (db *DB) SetState(ctx context.Context, name, value string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO state (name, value) VALUES ($1, $2)
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
	_, err := db.pool.Exec(ctx, `UPDATE outbox SET status = $1, attempts = $2, done_at = $3, last_error = $4,
			claimed_by = '', claimed_until = NULL, sending_at = NULL
		WHERE id = $5 AND status = 'pending'`, status, attempts, toMS(at), note, id)
	if err != nil {
		return fmt.Errorf("finish outbox: %w", err)
	}
	return nil
}

// RetryOutbox keeps a row pending, moves it to notBefore, clears its send
// in progress and releases its claim, so whichever instance is free at
// notBefore sends it. A row another instance has claimed since (this one
// stalled past its lease) is left alone: clearing that claim could let a
// third instance send what the second is sending.
func (db *DB) RetryOutbox(ctx context.Context, id int64, notBefore time.Time, attempts int, note string) error {
	_, err := db.pool.Exec(ctx, `UPDATE outbox SET not_before = $1, attempts = $2, last_error = $3,
			claimed_by = '', claimed_until = NULL, sending_at = NULL
		WHERE id = $4 AND status = 'pending' AND claimed_by IN ('', $5)`, toMS(notBefore), attempts, note, id, db.instance)
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
	var done *int64
	err := db.pool.QueryRow(ctx, `SELECT o.id, o.kind, o.dedupe_key, o.not_before, o.ref, o.created_at, o.done_at
		FROM outbox o JOIN members m ON m.id = o.member_id
		WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3 AND o.status = 'sent' AND o.kind <> 'staff_alert'
		ORDER BY o.done_at DESC NULLS LAST, o.id DESC LIMIT 1`, keyArgs(key)...).
		Scan(&it.ID, &it.Kind, &it.DedupeKey, &notBefore, &it.Ref, &created, &done)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.OutboxItem{}, false, nil
	}
	if err != nil {
		return bot.OutboxItem{}, false, fmt.Errorf("last sent nudge: %w", err)
	}
	it.NotBefore, it.CreatedAt, it.DoneAt = fromMS(notBefore), fromMS(created), fromNullMS(done)
	return it, true, nil
}
