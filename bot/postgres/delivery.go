package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"
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
// RetryOutbox releases them first, or the instance stopped beating (see
// Heartbeat). SKIP LOCKED lets instances claim at the same moment without
// waiting for each other or taking the same row. now is the caller's
// clock, so the lease is measured on it rather than on the server's.
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
	const free = `o.status = 'pending' AND (o.claimed_until IS NULL OR o.claimed_until <= $1 OR ` + claimerGone + `)
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
		toMS(now), platforms, limit, db.instance, toMS(now.Add(db.lease)), workspaces, presenceTTL.Milliseconds())
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
// false when the row is no longer pending, when another instance has
// claimed it since this one's lease ran out, or when this instance's
// heartbeat is so late that the others may be taking its rows over: then
// it must not be sent.
func (db *DB) MarkSending(ctx context.Context, id int64, at time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE outbox SET sending_at = $1, claimed_by = $2, claimed_until = $3
		WHERE id = $4 AND status = 'pending' AND (claimed_by = $2 OR claimed_until IS NULL OR claimed_until <= $1)
			AND NOT EXISTS (SELECT 1 FROM state s WHERE s.name = $5 AND `+beatMS+` <= `+serverMS+` - $6)`,
		toMS(at), db.instance, toMS(at.Add(db.lease)), id, presencePrefix+db.instance, presenceTTL.Milliseconds())
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

// Presence of the instances dispatching from the outbox (see Heartbeat).
// Each keeps a row in state named presencePrefix plus its instance name,
// holding the server's time of its last heartbeat in milliseconds. The
// server's clock is the one that judges, so instances need not agree on
// the time.
const (
	presencePrefix = "outbox.instance:"
	// pacePrefix names the paces published by instances (see SharePaces):
	// the prefix, the instance, paceSep and the scope (the platform, ':'
	// and the workspace); the value is the scheduler's.
	pacePrefix = "outbox.pace:"
	paceSep    = "\x1f"
	// presenceTTL is how late a heartbeat may be before the instance is
	// taken for dead and its claimed rows are free: a few missed beats of
	// the dispatcher's (twice a second), so a busy moment is not a death.
	presenceTTL = 2 * time.Second
	// countedWithin is how recent a heartbeat must be for the instance to
	// count among those sharing a workspace's pace (Heartbeat's answer)
	// and for its paces to count (SharePaces): two beats. Shorter than
	// presenceTTL, so that a dead instance's share of the pace goes to the
	// others within a second, while its rows wait a little longer.
	countedWithin = time.Second
	// presenceKeep is how long the row of a dead instance stays, so that
	// rows it had claimed are still known free after presenceTTL; then it
	// is deleted.
	presenceKeep = time.Hour
	// serverMS is the server's time in milliseconds.
	serverMS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`
	// claimerGone holds for a row whose claimer beat once and has since
	// stopped ($7 presenceTTL in milliseconds). A claimer that never beat
	// (a tool, a test) keeps its claims for the lease.
	claimerGone = `EXISTS (SELECT 1 FROM state s WHERE s.name = '` + presencePrefix + `' || o.claimed_by AND ` + beatMS + ` <= ` + serverMS + ` - $7)`
	// beatMS is the last heartbeat of the presence row s: NULL for other
	// rows of state, whose values are no numbers (the CASE keeps the cast
	// off them); beatMSOf is that of the row p.
	beatMS   = `CASE WHEN starts_with(s.name, '` + presencePrefix + `') THEN s.value::bigint END`
	beatMSOf = `CASE WHEN starts_with(p.name, '` + presencePrefix + `') THEN p.value::bigint END`
	// presenceOfPace names the presence row of the instance that
	// published the pace row s.
	presenceOfPace = `'` + presencePrefix + `' || split_part(substr(s.name, length('` + pacePrefix + `') + 1), chr(31), 1)`
)

// Heartbeat implements scheduler.SharedOutbox: it records that this
// instance dispatches now and returns how many instances do (beat within
// countedWithin), this one included. Rows claimed by an instance whose
// heartbeat is older than presenceTTL are free for ClaimOutbox, without
// waiting for the lease. Rows of instances dead for presenceKeep are
// deleted on the way, and the paces of instances whose row is gone.
func (db *DB) Heartbeat(ctx context.Context) (int, error) {
	var others int
	err := db.pool.QueryRow(ctx, `WITH beat AS (
			INSERT INTO state (name, value) VALUES ($1, `+serverMS+`::text)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value),
		gone AS (
			DELETE FROM state s WHERE s.name <> $1 AND `+beatMS+` < `+serverMS+` - $3
				OR starts_with(s.name, '`+pacePrefix+`') AND NOT EXISTS (SELECT 1 FROM state p WHERE p.name = `+presenceOfPace+`))
		SELECT count(*) FROM state s WHERE s.name <> $1 AND `+beatMS+` > `+serverMS+` - $2`,
		presencePrefix+db.instance, countedWithin.Milliseconds(), presenceKeep.Milliseconds()).Scan(&others)
	if err != nil {
		return 0, fmt.Errorf("outbox heartbeat: %w", err)
	}
	return others + 1, nil
}

// Leave implements scheduler.SharedOutbox: the instance's presence row and
// paces are deleted, so the others count it out at once. Rows it still
// has claimed stay leased (a clean stop hands them back first).
func (db *DB) Leave(ctx context.Context) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM state WHERE name = $1 OR starts_with(name, $2)`,
		presencePrefix+db.instance, pacePrefix+db.instance+paceSep); err != nil {
		return fmt.Errorf("outbox leave: %w", err)
	}
	return nil
}

// SharePaces implements scheduler.SharedOutbox: this instance's paces
// replace those it published before, and the paces published by the other
// instances that beat within countedWithin come back.
func (db *DB) SharePaces(ctx context.Context, paces map[bot.OutboxScope]string) (map[bot.OutboxScope][]string, error) {
	mine := pacePrefix + db.instance + paceSep
	names, values := make([]string, 0, len(paces)), make([]string, 0, len(paces))
	for scope, v := range paces {
		names = append(names, mine+scopeName(scope))
		values = append(values, v)
	}
	out := map[bot.OutboxScope][]string{}
	// The statement sees state as it was before its own writes: it
	// returns the others' paces.
	err := db.each(ctx, `WITH up AS (
			INSERT INTO state (name, value) SELECT * FROM unnest($2::text[], $3::text[])
			ON CONFLICT (name) DO UPDATE SET value = excluded.value),
		stale AS (
			DELETE FROM state WHERE starts_with(name, $1) AND name <> ALL ($2))
		SELECT substr(s.name, strpos(s.name, chr(31)) + 1), s.value FROM state s
		JOIN state p ON p.name = `+presenceOfPace+`
		WHERE starts_with(s.name, '`+pacePrefix+`') AND NOT starts_with(s.name, $1) AND `+beatMSOf+` > `+serverMS+` - $4`,
		[]any{mine, names, values, countedWithin.Milliseconds()}, func(s scanner) error {
			var scope, value string
			if err := s.Scan(&scope, &value); err != nil {
				return err
			}
			out[parseScope(scope)] = append(out[parseScope(scope)], value)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("share paces: %w", err)
	}
	return out, nil
}

// scopeName and parseScope write and read a scope in a name of state.
func scopeName(s bot.OutboxScope) string { return string(s.Platform) + ":" + s.Workspace }

func parseScope(name string) bot.OutboxScope {
	platform, workspace, _ := strings.Cut(name, ":")
	return bot.OutboxScope{Platform: bot.Platform(platform), Workspace: workspace}
}
