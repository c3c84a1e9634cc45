package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/recoverycoach/recoverycoach/bot"
)

// ImportSubscriptions is the operator import path: it writes many
// reminders (and, with createMembers, their members) in one transaction
// with statements prepared once, which is orders of magnitude faster than
// one SetSubscription per row. A reminder of a kind the member already has
// is replaced, so importing the same data twice changes nothing. Without
// createMembers an unknown member fails the whole import and nothing is
// written. It returns the number of reminders written.
func (db *DB) ImportSubscriptions(ctx context.Context, subs []bot.Subscription, createMembers bool) (int, error) {
	for i, s := range subs {
		switch {
		case !s.Member.Valid():
			return 0, fmt.Errorf("import subscriptions: row %d: incomplete member key %s", i, s.Member)
		case s.Kind == "" || len(s.Times) == 0 || s.TZ == "":
			return 0, fmt.Errorf("import subscriptions: row %d: kind, times and zone are required", i)
		}
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		memberSQL := `SELECT id FROM members WHERE platform = ? AND workspace = ? AND user_id = ?`
		if createMembers {
			// The no-op update makes RETURNING yield the id of an existing
			// member too, saving a SELECT per row.
			memberSQL = `INSERT INTO members (platform, workspace, user_id, tz, role, created_at) VALUES (?, ?, ?, ?, 'member', ?)
				ON CONFLICT (platform, workspace, user_id) DO UPDATE SET tz = members.tz RETURNING id`
		}
		member, err := tx.PrepareContext(ctx, memberSQL)
		if err != nil {
			return err
		}
		defer member.Close()
		sub, err := tx.PrepareContext(ctx, `INSERT INTO subscriptions (member_id, kind, times, days, tz, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (member_id, kind) DO UPDATE SET times = excluded.times, days = excluded.days, tz = excluded.tz, created_at = excluded.created_at
			RETURNING id`)
		if err != nil {
			return err
		}
		defer sub.Close()
		clear, err := tx.PrepareContext(ctx, `DELETE FROM subscription_times WHERE subscription_id = ?`)
		if err != nil {
			return err
		}
		defer clear.Close()
		addTime, err := tx.PrepareContext(ctx, `INSERT INTO subscription_times (subscription_id, minute, tz, days) VALUES (?, ?, ?, ?)
			ON CONFLICT (subscription_id, minute) DO NOTHING`)
		if err != nil {
			return err
		}
		defer addTime.Close()
		for i, s := range subs {
			var mid int64
			k := s.Member
			if createMembers {
				err = member.QueryRowContext(ctx, k.Platform, k.Workspace, k.User, s.TZ, toMS(s.CreatedAt)).Scan(&mid)
			} else {
				err = member.QueryRowContext(ctx, k.Platform, k.Workspace, k.User).Scan(&mid)
			}
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("row %d: member %s: %w", i, k, notFound("member"))
			}
			if err != nil {
				return fmt.Errorf("row %d: member %s: %w", i, k, err)
			}
			var id int64
			if err := sub.QueryRowContext(ctx, mid, s.Kind, bot.FormatTimes(s.Times), int(s.Days), s.TZ, toMS(s.CreatedAt)).Scan(&id); err != nil {
				return fmt.Errorf("row %d: subscription: %w", i, err)
			}
			if _, err := clear.ExecContext(ctx, id); err != nil {
				return fmt.Errorf("row %d: clear times: %w", i, err)
			}
			for _, t := range s.Times {
				if _, err := addTime.ExecContext(ctx, id, int(t), s.TZ, int(s.Days)); err != nil {
					return fmt.Errorf("row %d: time: %w", i, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("import subscriptions: %w", err)
	}
	return len(subs), nil
}
