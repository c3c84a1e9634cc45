package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// AddCheckIn implements bot.Store.
func (db *DB) AddCheckIn(ctx context.Context, c bot.CheckIn) (bot.CheckIn, error) {
	id, err := db.insertForMember(ctx, c.Member, `INSERT INTO checkins (member_id, score, area, note, at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		c.Score, c.Area, c.Note, toMS(c.At))
	if err != nil {
		return bot.CheckIn{}, fmt.Errorf("insert check-in: %w", err)
	}
	c.ID = id
	return c, nil
}

// CheckIns implements bot.Store.
func (db *DB) CheckIns(ctx context.Context, key bot.MemberKey, since time.Time) ([]bot.CheckIn, error) {
	rows, err := db.readRows(ctx, `SELECT c.id, c.score, c.area, c.note, c.at FROM checkins c
		JOIN members m ON m.id = c.member_id
		WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ? AND c.at >= ?
		ORDER BY c.at, c.id`, key.Platform, key.Workspace, key.User, toMS(since))
	if err != nil {
		return nil, fmt.Errorf("select check-ins: %w", err)
	}
	defer rows.Close()
	var out []bot.CheckIn
	for rows.Next() {
		c := bot.CheckIn{Member: key}
		var at int64
		if err := rows.Scan(&c.ID, &c.Score, &c.Area, &c.Note, &at); err != nil {
			return nil, fmt.Errorf("scan check-in: %w", err)
		}
		c.At = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// MemberData implements bot.Store.
func (db *DB) MemberData(ctx context.Context, key bot.MemberKey) (bot.MemberData, error) {
	m, err := db.Member(ctx, key)
	if err != nil {
		return bot.MemberData{}, err
	}
	d := bot.MemberData{Member: m}
	if d.CheckIns, err = db.CheckIns(ctx, key, time.Time{}); err != nil {
		return d, err
	}
	where := ` JOIN members m ON m.id = t.member_id WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ?`
	args := []any{key.Platform, key.Workspace, key.User}

	if d.Completions, err = db.Completions(ctx, key, ""); err != nil {
		return d, err
	}
	err = db.each(ctx, `SELECT t.id, t.area, t.days, t.applied_at, t.removed_at FROM tape_cycles t`+where+` ORDER BY t.applied_at`, args, func(s scanner) error {
		tc, err := scanTape(s)
		tc.Member = key
		d.TapeCycles = append(d.TapeCycles, tc)
		return err
	})
	if err != nil {
		return d, err
	}
	if d.Subscriptions, err = db.Subscriptions(ctx, key); err != nil {
		return d, err
	}
	err = db.each(ctx, `SELECT t.id, t.rule, t.area, t.checkin_id, t.at FROM red_flags t`+where+` ORDER BY t.at`, args, func(s scanner) error {
		e := bot.RedFlagEvent{Member: key}
		var at int64
		err := s.Scan(&e.ID, &e.Rule, &e.Area, &e.CheckInID, &at)
		e.At = fromMS(at)
		d.RedFlags = append(d.RedFlags, e)
		return err
	})
	if err != nil {
		return d, err
	}
	if d.Readiness, err = db.ReadinessSince(ctx, key, ""); err != nil {
		return d, err
	}
	if d.Loads, err = db.LoadsSince(ctx, key, time.Time{}); err != nil {
		return d, err
	}
	if d.Program, err = db.memberProgramOf(ctx, key); err != nil {
		return d, err
	}
	d.Pauses, err = db.pausesOf(ctx, key)
	return d, err
}

// each runs a read query and calls fn for every row.
func (db *DB) each(ctx context.Context, query string, args []any, fn func(scanner) error) error {
	rows, err := db.readRows(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
	}
	return rows.Err()
}

// RecordCheckIn implements bot.Store.
func (db *DB) RecordCheckIn(ctx context.Context, rec bot.CheckInRecord) (bot.RecordedCheckIn, error) {
	out := bot.RecordedCheckIn{CheckIn: rec.CheckIn}
	c := rec.CheckIn
	err := db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, c.Member)
		if err != nil {
			return err
		}
		if rec.DuplicateWithin > 0 {
			var id, at int64
			err := db.txRow(ctx, tx, `SELECT id, at FROM checkins WHERE member_id = ? AND score = ? AND area = ? AND note = ? AND at >= ?
				ORDER BY at DESC, id DESC LIMIT 1`, mid, c.Score, c.Area, c.Note, toMS(c.At.Add(-rec.DuplicateWithin))).Scan(&id, &at)
			if err == nil {
				out.CheckIn.ID, out.CheckIn.At, out.Duplicate = id, fromMS(at), true
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if rec.Replaces != 0 {
			if _, err := dropCheckIn(ctx, tx, mid, rec.Replaces, c.At, "check-in corrected"); err != nil {
				return err
			}
		}
		if err := db.txRow(ctx, tx, `INSERT INTO checkins (member_id, score, area, note, at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			mid, c.Score, c.Area, c.Note, toMS(c.At)).Scan(&out.CheckIn.ID); err != nil {
			return err
		}
		out.RedFlags, err = db.recordFlags(ctx, tx, mid, c.Member, out.CheckIn.ID, rec.Flags)
		return err
	})
	if err != nil {
		return bot.RecordedCheckIn{}, fmt.Errorf("record check-in: %w", err)
	}
	return out, nil
}

// recordFlags stores red flags (of a check-in, or of a message when
// checkInID is 0) and enqueues their staff alerts, inside tx.
func (db *DB) recordFlags(ctx context.Context, tx *sql.Tx, mid int64, member bot.MemberKey, checkInID int64, flags []bot.FlagRecord) ([]bot.RedFlagEvent, error) {
	var out []bot.RedFlagEvent
	for _, f := range flags {
		e := f.Event
		if e.Rule == "" {
			return nil, bot.Errorf(bot.EINVALID, "a red flag needs a rule")
		}
		e.Member = member
		if checkInID != 0 {
			e.CheckInID = checkInID
		}
		if err := db.txRow(ctx, tx, `INSERT INTO red_flags (member_id, rule, area, checkin_id, at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			mid, e.Rule, e.Area, e.CheckInID, toMS(e.At)).Scan(&e.ID); err != nil {
			return nil, err
		}
		out = append(out, e)
		if a := f.Alert; a != nil {
			if _, err := db.txExec(ctx, tx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, ref, created_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (dedupe_key) DO NOTHING`,
				mid, a.Kind, a.DedupeKey+strconv.FormatInt(e.ID, 10), toMS(a.NotBefore), e.ID, toMS(a.CreatedAt)); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// RecordRedFlags implements bot.Store.
func (db *DB) RecordRedFlags(ctx context.Context, member bot.MemberKey, flags []bot.FlagRecord) ([]bot.RedFlagEvent, error) {
	var out []bot.RedFlagEvent
	err := db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, member)
		if err != nil {
			return err
		}
		out, err = db.recordFlags(ctx, tx, mid, member, 0, flags)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("record red flags: %w", err)
	}
	return out, nil
}

// recentCheckIns reads a member's newest check-ins from the index
// checkins_member_history alone (migration 013), newest first.
const recentCheckIns = `SELECT c.id, c.score, c.area, c.note, c.at FROM checkins c JOIN members m ON m.id = c.member_id
		WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ? AND c.at >= ?
		ORDER BY c.at DESC, c.id DESC LIMIT ?`

// RecentCheckIns implements bot.Store. The index yields the rows newest
// first; they are turned oldest first here rather than by a second sort
// in SQL.
func (db *DB) RecentCheckIns(ctx context.Context, key bot.MemberKey, since time.Time, limit int) ([]bot.CheckIn, error) {
	out := make([]bot.CheckIn, 0, min(max(limit, 0), 64))
	err := db.each(ctx, recentCheckIns, []any{key.Platform, key.Workspace, key.User, toMS(since), limit}, func(s scanner) error {
		c := bot.CheckIn{Member: key}
		// Into int64: database/sql turns an integer into an int by way
		// of its decimal text.
		var score, at int64
		err := s.Scan(&c.ID, &score, &c.Area, &c.Note, &at)
		c.Score, c.At = int(score), fromMS(at)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("select recent check-ins: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// dropCheckIn deletes a member's check-in with its red flags, cancelling
// their staff alerts not yet sent (reason says why), inside tx; undo and
// /pain edit both use it. It returns how many red flags went with it.
func dropCheckIn(ctx context.Context, tx *sql.Tx, mid, id int64, at time.Time, reason string) (int, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'skipped', last_error = ?, done_at = ?
		WHERE status = 'pending' AND kind = 'staff_alert' AND ref IN
		(SELECT id FROM red_flags WHERE member_id = ? AND checkin_id = ?)`, reason, toMS(at), mid, id); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM red_flags WHERE member_id = ? AND checkin_id = ?`, mid, id)
	if err != nil {
		return 0, err
	}
	flags, _ := res.RowsAffected()
	if res, err = tx.ExecContext(ctx, `DELETE FROM checkins WHERE id = ? AND member_id = ?`, id, mid); err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, bot.Errorf(bot.ENOTFOUND, "that check-in is gone")
	}
	return int(flags), nil
}
