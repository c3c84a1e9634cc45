package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recoverycoach/recoverycoach/bot"
)

func scanTape(s scanner) (bot.TapeCycle, error) {
	var tc bot.TapeCycle
	var applied int64
	var removed *int64
	err := s.Scan(&tc.ID, &tc.Area, &tc.Days, &applied, &removed)
	tc.AppliedAt = fromMS(applied)
	tc.RemovedAt = fromNullMS(removed)
	return tc, err
}

func scanSubscription(s scanner) (bot.Subscription, error) {
	var sub bot.Subscription
	var times string
	var days int
	var created int64
	if err := s.Scan(&sub.ID, &sub.Kind, &times, &days, &sub.TZ, &created); err != nil {
		return sub, err
	}
	sub.Days = bot.Weekdays(days)
	sub.CreatedAt = fromMS(created)
	parsed, err := bot.ParseTimes(times)
	sub.Times = parsed
	return sub, err
}

// prefixScanner scans leading columns into extra before the columns the
// wrapped scan function expects.
type prefixScanner struct {
	s     scanner
	extra []any
}

// Scan fills the extra columns, then dest.
func (p prefixScanner) Scan(dest ...any) error { return p.s.Scan(append(p.extra, dest...)...) }

// minutes converts times of day for an integer[] parameter.
func minutes(ts []bot.TimeOfDay) []int32 {
	out := make([]int32, len(ts))
	for i, t := range ts {
		out[i] = int32(t)
	}
	return out
}

const upsertSubscription = `INSERT INTO subscriptions (member_id, kind, times, days, tz, created_at) VALUES ($1, $2, $3, $4, $5, $6)
	ON CONFLICT (member_id, kind) DO UPDATE SET times = excluded.times, days = excluded.days, tz = excluded.tz, created_at = excluded.created_at
	RETURNING id`

// SetSubscription implements bot.Store: it creates or replaces the member's
// reminder of s.Kind, with its times indexed for the scheduler.
func (db *DB) SetSubscription(ctx context.Context, s bot.Subscription) (bot.Subscription, error) {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		mid, err := memberID(ctx, tx, s.Member, false)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, upsertSubscription, mid, s.Kind, bot.FormatTimes(s.Times), int(s.Days), s.TZ, toMS(s.CreatedAt)).Scan(&s.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM subscription_times WHERE subscription_id = $1`, s.ID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO subscription_times (subscription_id, minute, tz, days)
			SELECT $1::bigint, minute, $3::text, $4::integer FROM unnest($2::integer[]) AS minute`,
			s.ID, minutes(s.Times), s.TZ, int(s.Days))
		return err
	})
	if err != nil {
		return bot.Subscription{}, fmt.Errorf("set subscription: %w", err)
	}
	return s, nil
}

// DeleteSubscriptions implements bot.Store; an empty kind deletes all.
func (db *DB) DeleteSubscriptions(ctx context.Context, key bot.MemberKey, kind bot.ReminderKind) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM subscriptions WHERE ($1::text = '' OR kind = $1::text) AND member_id =
		(SELECT id FROM members WHERE platform = $2 AND workspace = $3 AND user_id = $4)`,
		kind, key.Platform, key.Workspace, key.User)
	if err != nil {
		return 0, fmt.Errorf("delete subscriptions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Subscriptions implements bot.Store.
func (db *DB) Subscriptions(ctx context.Context, key bot.MemberKey) ([]bot.Subscription, error) {
	var out []bot.Subscription
	err := db.each(ctx, `SELECT t.id, t.kind, t.times, t.days, t.tz, t.created_at FROM subscriptions t
		JOIN members m ON m.id = t.member_id WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3 ORDER BY t.kind`,
		keyArgs(key), func(s scanner) error {
			sub, err := scanSubscription(s)
			sub.Member = key
			out = append(out, sub)
			return err
		})
	return out, err
}

// Subscription returns one subscription by id.
func (db *DB) Subscription(ctx context.Context, id int64) (bot.Subscription, error) {
	var key bot.MemberKey
	row := db.pool.QueryRow(ctx, `SELECT m.platform, m.workspace, m.user_id, t.id, t.kind, t.times, t.days, t.tz, t.created_at
		FROM subscriptions t JOIN members m ON m.id = t.member_id WHERE t.id = $1`, id)
	sub, err := scanSubscription(prefixScanner{row, []any{&key.Platform, &key.Workspace, &key.User}})
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Subscription{}, notFound("reminder")
	}
	if err != nil {
		return sub, fmt.Errorf("select subscription: %w", err)
	}
	sub.Member = key
	return sub, nil
}

// SetSubscriptionsTZ moves all of the member's reminders to a new zone.
func (db *DB) SetSubscriptionsTZ(ctx context.Context, key bot.MemberKey, tz string) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		mid, err := memberID(ctx, tx, key, false)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE subscriptions SET tz = $1 WHERE member_id = $2`, tz, mid); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE subscription_times SET tz = $1 WHERE subscription_id IN
			(SELECT id FROM subscriptions WHERE member_id = $2)`, tz, mid)
		return err
	})
	if err != nil {
		return fmt.Errorf("set subscriptions tz: %w", err)
	}
	return nil
}

// AddCompletion implements bot.Store; it reports false when that day (and
// exercise) was already logged.
func (db *DB) AddCompletion(ctx context.Context, c bot.Completion) (bool, error) {
	n, err := db.execForMember(ctx, c.Member, `INSERT INTO completions (member_id, day, exercise, session, at)
		SELECT id, $4::text, $5::text, $6::integer, $7::bigint FROM m ON CONFLICT DO NOTHING RETURNING 1`, c.Day, c.Exercise, max(c.Session, 1), toMS(c.At))
	if err != nil {
		return false, fmt.Errorf("add completion: %w", err)
	}
	return n == 1, nil
}

// Completions implements bot.Store: the member's completions on or after
// sinceDay (YYYY-MM-DD), oldest first.
func (db *DB) Completions(ctx context.Context, key bot.MemberKey, sinceDay string) ([]bot.Completion, error) {
	var out []bot.Completion
	err := db.each(ctx, `SELECT t.day, t.exercise, t.session, t.at FROM completions t JOIN members m ON m.id = t.member_id
		WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3 AND t.day >= $4 ORDER BY t.day, t.exercise, t.session`,
		append(keyArgs(key), sinceDay), func(s scanner) error {
			c := bot.Completion{Member: key}
			var at int64
			err := s.Scan(&c.Day, &c.Exercise, &c.Session, &at)
			c.At = fromMS(at)
			out = append(out, c)
			return err
		})
	return out, err
}

// StartTape implements bot.Store: it closes a worn cycle on the same area
// (cancelling its pending reminders), records the new one and enqueues its
// one-shot reminders, all in one transaction. The member row is locked
// first, so two applications at once (on any instances) cannot both
// replace the same worn cycle and leave two worn on one area.
func (db *DB) StartTape(ctx context.Context, tc bot.TapeCycle, nudges []bot.OutboxItem) (bot.TapeCycle, error) {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		mid, err := memberID(ctx, tx, tc.Member, true)
		if err != nil {
			return err
		}
		if _, err := closeTape(ctx, tx, mid, tc.Area, tc.AppliedAt); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO tape_cycles (member_id, area, days, applied_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			mid, tc.Area, tc.Days, toMS(tc.AppliedAt)).Scan(&tc.ID)
		if err != nil {
			return err
		}
		for _, n := range nudges {
			_, err := tx.Exec(ctx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, ref, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				mid, n.Kind, fmt.Sprintf("%s:%d", n.Kind, tc.ID), toMS(n.NotBefore), tc.ID, toMS(tc.AppliedAt))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return bot.TapeCycle{}, fmt.Errorf("start tape: %w", err)
	}
	return tc, nil
}

// closeTape ends the worn cycles of a member (on one area, or all when area
// is empty), cancels their pending reminders and returns the cycles it
// ended, without RemovedAt.
func closeTape(ctx context.Context, tx pgx.Tx, mid int64, area string, at time.Time) ([]bot.TapeCycle, error) {
	_, err := tx.Exec(ctx, `UPDATE outbox SET status = 'skipped', last_error = 'tape removed', done_at = $1,
			claimed_by = '', claimed_until = NULL
		WHERE status = 'pending' AND kind IN ('tape_check', 'tape_off') AND ref IN
		(SELECT id FROM tape_cycles WHERE member_id = $2 AND removed_at IS NULL AND ($3::text = '' OR area = $3::text))`,
		toMS(at), mid, area)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `UPDATE tape_cycles SET removed_at = $1 WHERE member_id = $2 AND removed_at IS NULL AND ($3::text = '' OR area = $3::text)
		RETURNING id, area, days, applied_at, NULL::bigint`, toMS(at), mid, area)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (bot.TapeCycle, error) { return scanTape(row) })
}

// StopTape implements bot.Store: it ends every worn cycle and returns them
// (none, and no error, for an unknown member).
func (db *DB) StopTape(ctx context.Context, key bot.MemberKey, at time.Time) ([]bot.TapeCycle, error) {
	var worn []bot.TapeCycle
	err := db.tx(ctx, func(tx pgx.Tx) error {
		mid, err := memberID(ctx, tx, key, true)
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		worn, err = closeTape(ctx, tx, mid, "", at)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("stop tape: %w", err)
	}
	if len(worn) == 0 {
		return nil, nil
	}
	sort.Slice(worn, func(i, j int) bool {
		if !worn[i].AppliedAt.Equal(worn[j].AppliedAt) {
			return worn[i].AppliedAt.Before(worn[j].AppliedAt)
		}
		return worn[i].ID < worn[j].ID
	})
	for i := range worn {
		worn[i].Member = key
		worn[i].RemovedAt = at
	}
	return worn, nil
}

// WornTape implements bot.Store.
func (db *DB) WornTape(ctx context.Context, key bot.MemberKey) ([]bot.TapeCycle, error) {
	var out []bot.TapeCycle
	err := db.each(ctx, `SELECT t.id, t.area, t.days, t.applied_at, t.removed_at FROM tape_cycles t JOIN members m ON m.id = t.member_id
		WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3 AND t.removed_at IS NULL ORDER BY t.applied_at, t.id`,
		keyArgs(key), func(s scanner) error {
			tc, err := scanTape(s)
			tc.Member = key
			out = append(out, tc)
			return err
		})
	return out, err
}

// TapeCycle returns one tape cycle by id.
func (db *DB) TapeCycle(ctx context.Context, id int64) (bot.TapeCycle, error) {
	tc, err := scanTape(db.pool.QueryRow(ctx, `SELECT id, area, days, applied_at, removed_at FROM tape_cycles WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.TapeCycle{}, notFound("tape cycle")
	}
	if err != nil {
		return bot.TapeCycle{}, fmt.Errorf("select tape cycle: %w", err)
	}
	return tc, nil
}
