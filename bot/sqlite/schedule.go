package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

func scanTape(s scanner) (bot.TapeCycle, error) {
	var tc bot.TapeCycle
	var applied int64
	var removed sql.NullInt64
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

// SetSubscription implements bot.Store: it creates or replaces the member's
// reminder of s.Kind, with its times indexed for the scheduler.
func (db *DB) SetSubscription(ctx context.Context, s bot.Subscription) (bot.Subscription, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, s.Member)
		if err != nil {
			return err
		}
		err = db.txRow(ctx, tx, `INSERT INTO subscriptions (member_id, kind, times, days, tz, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (member_id, kind) DO UPDATE SET times = excluded.times, days = excluded.days, tz = excluded.tz, created_at = excluded.created_at
			RETURNING id`, mid, s.Kind, bot.FormatTimes(s.Times), int(s.Days), s.TZ, toMS(s.CreatedAt)).Scan(&s.ID)
		if err != nil {
			return err
		}
		return db.writeSubscriptionTimes(ctx, tx, s)
	})
	if err != nil {
		return bot.Subscription{}, fmt.Errorf("set subscription: %w", err)
	}
	return s, nil
}

func (db *DB) writeSubscriptionTimes(ctx context.Context, tx *sql.Tx, s bot.Subscription) error {
	if _, err := db.txExec(ctx, tx, `DELETE FROM subscription_times WHERE subscription_id = ?`, s.ID); err != nil {
		return err
	}
	for _, t := range s.Times {
		if _, err := db.txExec(ctx, tx, `INSERT INTO subscription_times (subscription_id, minute, tz, days) VALUES (?, ?, ?, ?)`,
			s.ID, int(t), s.TZ, int(s.Days)); err != nil {
			return err
		}
	}
	return nil
}

// DeleteSubscriptions implements bot.Store; an empty kind deletes all.
func (db *DB) DeleteSubscriptions(ctx context.Context, key bot.MemberKey, kind bot.ReminderKind) (int, error) {
	res, err := db.exec(ctx, `DELETE FROM subscriptions WHERE (? = '' OR kind = ?) AND member_id =
		(SELECT id FROM members WHERE platform = ? AND workspace = ? AND user_id = ?)`,
		kind, kind, key.Platform, key.Workspace, key.User)
	if err != nil {
		return 0, fmt.Errorf("delete subscriptions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Subscriptions implements bot.Store.
func (db *DB) Subscriptions(ctx context.Context, key bot.MemberKey) ([]bot.Subscription, error) {
	var out []bot.Subscription
	err := db.each(ctx, `SELECT t.id, t.kind, t.times, t.days, t.tz, t.created_at FROM subscriptions t
		JOIN members m ON m.id = t.member_id WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ? ORDER BY t.kind`,
		[]any{key.Platform, key.Workspace, key.User}, func(s scanner) error {
			sub, err := scanSubscription(s)
			sub.Member = key
			out = append(out, sub)
			return err
		})
	return out, err
}

// Subscription returns one subscription by id.
func (db *DB) Subscription(ctx context.Context, id int64) (bot.Subscription, error) {
	var sub bot.Subscription
	found := false
	err := db.each(ctx, `SELECT m.platform, m.workspace, m.user_id, t.id, t.kind, t.times, t.days, t.tz, t.created_at
		FROM subscriptions t JOIN members m ON m.id = t.member_id WHERE t.id = ?`, []any{id}, func(s scanner) error {
		var key bot.MemberKey
		var err error
		found = true
		sub, err = scanSubscription(prefixScanner{s, []any{&key.Platform, &key.Workspace, &key.User}})
		sub.Member = key
		return err
	})
	if err == nil && !found {
		return sub, notFound("reminder")
	}
	return sub, err
}

// SetSubscriptionsTZ moves all of the member's reminders to a new zone.
func (db *DB) SetSubscriptionsTZ(ctx context.Context, key bot.MemberKey, tz string) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, key)
		if err != nil {
			return err
		}
		if _, err := db.txExec(ctx, tx, `UPDATE subscriptions SET tz = ? WHERE member_id = ?`, tz, mid); err != nil {
			return err
		}
		_, err = db.txExec(ctx, tx, `UPDATE subscription_times SET tz = ? WHERE subscription_id IN
			(SELECT id FROM subscriptions WHERE member_id = ?)`, tz, mid)
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
	n, err := db.execForMember(ctx, c.Member, `INSERT INTO completions (member_id, day, exercise, session, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, c.Day, c.Exercise, max(c.Session, 1), toMS(c.At))
	if err != nil {
		return false, fmt.Errorf("add completion: %w", err)
	}
	return n == 1, nil
}

// execForMember runs one write statement whose first argument is the
// member's row id, and returns how many rows it changed. A member that does
// not exist is ENOTFOUND.
func (db *DB) execForMember(ctx context.Context, key bot.MemberKey, query string, args ...any) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, key)
		if err != nil {
			return err
		}
		res, err := db.txExec(ctx, tx, query, append([]any{mid}, args...)...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// insertForMember runs an INSERT ... RETURNING id whose first argument is
// the member's row id, and returns the new row's id.
func (db *DB) insertForMember(ctx context.Context, key bot.MemberKey, query string, args ...any) (int64, error) {
	var id int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, key)
		if err != nil {
			return err
		}
		return db.txRow(ctx, tx, query, append([]any{mid}, args...)...).Scan(&id)
	})
	return id, err
}

// Completions implements bot.Store: the member's completions on or after
// sinceDay (YYYY-MM-DD), oldest first.
func (db *DB) Completions(ctx context.Context, key bot.MemberKey, sinceDay string) ([]bot.Completion, error) {
	var out []bot.Completion
	err := db.each(ctx, `SELECT t.day, t.exercise, t.session, t.at FROM completions t JOIN members m ON m.id = t.member_id
		WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ? AND t.day >= ? ORDER BY t.day, t.exercise, t.session`,
		[]any{key.Platform, key.Workspace, key.User, sinceDay}, func(s scanner) error {
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
// one-shot reminders, all in one transaction.
func (db *DB) StartTape(ctx context.Context, tc bot.TapeCycle, nudges []bot.OutboxItem) (bot.TapeCycle, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, tc.Member)
		if err != nil {
			return err
		}
		if err := db.closeTape(ctx, tx, mid, tc.Area, tc.AppliedAt); err != nil {
			return err
		}
		err = db.txRow(ctx, tx, `INSERT INTO tape_cycles (member_id, area, days, applied_at) VALUES (?, ?, ?, ?) RETURNING id`,
			mid, tc.Area, tc.Days, toMS(tc.AppliedAt)).Scan(&tc.ID)
		if err != nil {
			return err
		}
		for _, n := range nudges {
			_, err := db.txExec(ctx, tx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, ref, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
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
// is empty) and cancels their pending reminders.
func (db *DB) closeTape(ctx context.Context, tx *sql.Tx, mid int64, area string, at time.Time) error {
	_, err := db.txExec(ctx, tx, `UPDATE outbox SET status = 'skipped', last_error = 'tape removed', done_at = ?
		WHERE status = 'pending' AND kind IN ('tape_check', 'tape_off') AND ref IN
		(SELECT id FROM tape_cycles WHERE member_id = ? AND removed_at IS NULL AND (? = '' OR area = ?))`, toMS(at), mid, area, area)
	if err != nil {
		return err
	}
	_, err = db.txExec(ctx, tx, `UPDATE tape_cycles SET removed_at = ? WHERE member_id = ? AND removed_at IS NULL AND (? = '' OR area = ?)`,
		toMS(at), mid, area, area)
	return err
}

// StopTape implements bot.Store: it ends every worn cycle and returns them.
func (db *DB) StopTape(ctx context.Context, key bot.MemberKey, at time.Time) ([]bot.TapeCycle, error) {
	worn, err := db.WornTape(ctx, key)
	if err != nil || len(worn) == 0 {
		return nil, err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, key)
		if err != nil {
			return err
		}
		return db.closeTape(ctx, tx, mid, "", at)
	})
	if err != nil {
		return nil, fmt.Errorf("stop tape: %w", err)
	}
	for i := range worn {
		worn[i].RemovedAt = at
	}
	return worn, nil
}

// WornTape implements bot.Store.
func (db *DB) WornTape(ctx context.Context, key bot.MemberKey) ([]bot.TapeCycle, error) {
	var out []bot.TapeCycle
	err := db.each(ctx, `SELECT t.id, t.area, t.days, t.applied_at, t.removed_at FROM tape_cycles t JOIN members m ON m.id = t.member_id
		WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ? AND t.removed_at IS NULL ORDER BY t.applied_at`,
		[]any{key.Platform, key.Workspace, key.User}, func(s scanner) error {
			tc, err := scanTape(s)
			tc.Member = key
			out = append(out, tc)
			return err
		})
	return out, err
}

// TapeCycle returns one tape cycle by id.
func (db *DB) TapeCycle(ctx context.Context, id int64) (bot.TapeCycle, error) {
	var tc bot.TapeCycle
	found := false
	err := db.each(ctx, `SELECT id, area, days, applied_at, removed_at FROM tape_cycles WHERE id = ?`, []any{id}, func(s scanner) error {
		var err error
		found = true
		tc, err = scanTape(s)
		return err
	})
	if err == nil && !found {
		return tc, notFound("tape cycle")
	}
	return tc, err
}
