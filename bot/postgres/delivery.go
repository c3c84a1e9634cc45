package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recoverycoach/recoverycoach/bot"
)

// ClaimOutbox claims and returns up to limit pending rows: first those
// left half-sent (SendingAt set) by an instance whose claim has run out,
// that is one that died mid-send, then those whose time has come, oldest
// first. Rows of the scopes in exclude (platforms or
// workspaces pacing us with 429s) are left out. Claimed rows are leased to
// this instance until now plus the lease: no instance, this one included,
// gets them again before the lease runs out, unless FinishOutbox or
// RetryOutbox releases them first. SKIP LOCKED lets instances claim at the
// same moment without waiting for each other or taking the same row. now
// is the caller's clock, so the lease is measured on it rather than on the
// server's.
func (db *DB) ClaimOutbox(ctx context.Context, now time.Time, limit int, exclude []bot.OutboxScope) ([]bot.OutboxItem, error) {
	if limit <= 0 {
		return nil, nil
	}
	var platforms, workspaces []string
	for _, sc := range exclude {
		if sc.Workspace == "" {
			platforms = append(platforms, string(sc.Platform))
		} else {
			workspaces = append(workspaces, string(sc.Platform)+"\x1f"+sc.Workspace)
		}
	}
	// The scope test is a subquery per candidate rather than a join, so
	// the plan walks outbox_due in order and stops at the limit instead of
	// joining every pending row first.
	const free = `o.status = 'pending' AND (o.claimed_until IS NULL OR o.claimed_until <= $1)
				AND ((cardinality($2::text[]) = 0 AND cardinality($6::text[]) = 0) OR NOT EXISTS (
					SELECT 1 FROM members m WHERE m.id = o.member_id
						AND (m.platform = ANY ($2::text[]) OR m.platform || chr(31) || m.workspace = ANY ($6::text[]))))`
	rows, err := db.pool.Query(ctx, `WITH stranded AS MATERIALIZED (
			SELECT o.id FROM outbox o
			WHERE o.sending_at IS NOT NULL AND `+free+`
			ORDER BY o.id LIMIT $3
			FOR UPDATE OF o SKIP LOCKED),
		due AS MATERIALIZED (
			SELECT o.id FROM outbox o
			WHERE o.not_before <= $1 AND o.sending_at IS NULL AND `+free+`
			ORDER BY o.not_before, o.id LIMIT GREATEST($3 - (SELECT count(*) FROM stranded), 0)
			FOR UPDATE OF o SKIP LOCKED)
		UPDATE outbox o SET claimed_by = $4, claimed_until = $5
		FROM (SELECT id FROM stranded UNION ALL SELECT id FROM due) c, members m
		WHERE o.id = c.id AND m.id = o.member_id
		RETURNING o.id, o.kind, o.dedupe_key, o.not_before, o.attempts, o.last_error, o.ref, o.created_at, o.sending_at,
			m.platform, m.workspace, m.user_id`,
		toMS(now), platforms, limit, db.instance, toMS(now.Add(db.lease)), workspaces)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (bot.OutboxItem, error) {
		it := bot.OutboxItem{Status: bot.OutboxPending}
		var notBefore, created int64
		var sending *int64
		err := row.Scan(&it.ID, &it.Kind, &it.DedupeKey, &notBefore, &it.Attempts, &it.LastError, &it.Ref, &created, &sending,
			&it.Member.Platform, &it.Member.Workspace, &it.Member.User)
		it.NotBefore, it.CreatedAt, it.SendingAt = fromMS(notBefore), fromMS(created), fromNullMS(sending)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	// RETURNING follows no ORDER BY: half-sent rows first, then by time.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.SendingAt.IsZero() != b.SendingAt.IsZero() {
			return !a.SendingAt.IsZero()
		}
		if !a.NotBefore.Equal(b.NotBefore) {
			return a.NotBefore.Before(b.NotBefore)
		}
		return a.ID < b.ID
	})
	return out, nil
}

// MarkSending records that a send of a row claimed by this instance
// begins at at, before the platform is called, so that a crash leaves a
// trace to reconcile; it renews the claim for a lease from at. It reports
// false when the row is no longer pending or another instance has claimed
// it since this one's lease ran out: then it must not be sent.
func (db *DB) MarkSending(ctx context.Context, id int64, at time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE outbox SET sending_at = $1, claimed_by = $2, claimed_until = $3
		WHERE id = $4 AND status = 'pending' AND (claimed_by = $2 OR claimed_until IS NULL OR claimed_until <= $1)`,
		toMS(at), db.instance, toMS(at.Add(db.lease)), id)
	if err != nil {
		return false, fmt.Errorf("mark outbox sending: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// NextDue returns when the earliest pending row after now comes due
// (false when none is waiting), so that the dispatcher sleeps until then.
func (db *DB) NextDue(ctx context.Context, now time.Time) (time.Time, bool, error) {
	var next *int64
	err := db.pool.QueryRow(ctx, `SELECT MIN(not_before) FROM outbox WHERE status = 'pending' AND not_before > $1`, toMS(now)).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next due outbox row: %w", err)
	}
	return fromNullMS(next), next != nil, nil
}
