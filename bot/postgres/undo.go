package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recoverycoach/recoverycoach/bot"
)

// UndoLast implements bot.Store. The member row is locked first, so two
// undos at once (on any instances) remove two entries, never one twice.
func (db *DB) UndoLast(ctx context.Context, key bot.MemberKey, since, now time.Time) (bot.Entry, bool, error) {
	var out bot.Entry
	found := false
	err := db.tx(ctx, func(tx pgx.Tx) error {
		out, found = bot.Entry{}, false
		mid, err := memberID(ctx, tx, key, true)
		if err != nil {
			if bot.ErrorCode(err) == bot.ENOTFOUND {
				return nil
			}
			return err
		}
		cands, err := undoCandidates(ctx, tx, mid, key, toMS(since))
		if err != nil || len(cands) == 0 {
			return err
		}
		out, found = bot.Newest(cands), true
		return undoEntry(ctx, tx, mid, &out, toMS(now))
	})
	if err != nil {
		return bot.Entry{}, false, fmt.Errorf("undo: %w", err)
	}
	return out, found, nil
}

// undoCandidates reads the newest entry of each kind at or after since.
func undoCandidates(ctx context.Context, tx pgx.Tx, mid int64, key bot.MemberKey, since int64) ([]bot.Entry, error) {
	var out []bot.Entry
	one := func(query string, scan func(pgx.Row) (bot.Entry, error)) error {
		e, err := scan(tx.QueryRow(ctx, query, mid, since))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err == nil {
			out = append(out, e)
		}
		return err
	}
	err := one(`SELECT id, score, area, note, at FROM checkins WHERE member_id = $1 AND at >= $2 ORDER BY at DESC, id DESC LIMIT 1`,
		func(r pgx.Row) (bot.Entry, error) {
			c := bot.CheckIn{Member: key}
			var at int64
			err := r.Scan(&c.ID, &c.Score, &c.Area, &c.Note, &at)
			c.At = fromMS(at)
			return bot.Entry{Kind: bot.EntryCheckIn, At: c.At, CheckIn: c}, err
		})
	if err == nil {
		err = one(`SELECT day, exercise, at FROM completions WHERE member_id = $1 AND at >= $2 ORDER BY at DESC, exercise DESC LIMIT 1`,
			func(r pgx.Row) (bot.Entry, error) {
				c := bot.Completion{Member: key}
				var at int64
				err := r.Scan(&c.Day, &c.Exercise, &at)
				c.At = fromMS(at)
				return bot.Entry{Kind: bot.EntryCompletion, At: c.At, Completion: c}, err
			})
	}
	if err == nil {
		err = one(`SELECT id, area, days, applied_at, removed_at FROM tape_cycles WHERE member_id = $1 AND applied_at >= $2 ORDER BY applied_at DESC, id DESC LIMIT 1`,
			func(r pgx.Row) (bot.Entry, error) {
				tc, err := scanTape(r)
				tc.Member = key
				return bot.Entry{Kind: bot.EntryTapeOn, At: tc.AppliedAt, Tape: []bot.TapeCycle{tc}}, err
			})
	}
	if err == nil {
		err = one(`SELECT removed_at FROM tape_cycles WHERE member_id = $1 AND removed_at >= $2 ORDER BY removed_at DESC LIMIT 1`,
			func(r pgx.Row) (bot.Entry, error) {
				var at int64
				err := r.Scan(&at)
				return bot.Entry{Kind: bot.EntryTapeOff, At: fromMS(at)}, err
			})
	}
	if err == nil {
		err = one(`SELECT day, fatigue, sleep, soreness, stress, mood, at FROM readiness WHERE member_id = $1 AND at >= $2 ORDER BY at DESC LIMIT 1`,
			func(r pgx.Row) (bot.Entry, error) {
				rd := bot.Readiness{Member: key}
				var at int64
				err := r.Scan(&rd.Day, &rd.Items[0], &rd.Items[1], &rd.Items[2], &rd.Items[3], &rd.Items[4], &at)
				rd.At = fromMS(at)
				return bot.Entry{Kind: bot.EntryReadiness, At: rd.At, Readiness: rd}, err
			})
	}
	if err == nil {
		err = one(`SELECT id, rpe, minutes, note, at FROM session_loads WHERE member_id = $1 AND at >= $2 ORDER BY at DESC, id DESC LIMIT 1`,
			func(r pgx.Row) (bot.Entry, error) {
				l := bot.SessionLoad{Member: key}
				var at int64
				err := r.Scan(&l.ID, &l.RPE, &l.Minutes, &l.Note, &at)
				l.At = fromMS(at)
				return bot.Entry{Kind: bot.EntryLoad, At: l.At, Load: l}, err
			})
	}
	if err == nil {
		err = one(`SELECT day, minute, at FROM movement_breaks WHERE member_id = $1 AND at >= $2 ORDER BY at DESC, minute DESC LIMIT 1`,
			func(r pgx.Row) (bot.Entry, error) {
				b := bot.MovementBreak{Member: key}
				var minute int
				var at int64
				err := r.Scan(&b.Day, &minute, &at)
				b.Minute, b.At = bot.TimeOfDay(minute), fromMS(at)
				return bot.Entry{Kind: bot.EntryBreak, At: b.At, Break: b}, err
			})
	}
	return out, err
}

// undoEntry removes the chosen entry and what hangs on it.
func undoEntry(ctx context.Context, tx pgx.Tx, mid int64, e *bot.Entry, now int64) error {
	var err error
	switch e.Kind {
	case bot.EntryCheckIn:
		// Warnings the check-in raised go with it; their staff alerts
		// still waiting are cancelled (one already sent stays sent).
		e.RedFlags, err = dropCheckIn(ctx, tx, mid, e.CheckIn.ID, fromMS(now), "check-in undone")
		return err
	case bot.EntryCompletion:
		_, err = tx.Exec(ctx, `DELETE FROM completions WHERE member_id = $1 AND day = $2 AND exercise = $3 AND at = $4`,
			mid, e.Completion.Day, e.Completion.Exercise, toMS(e.Completion.At))
	case bot.EntryTapeOn:
		tc := e.Tape[0]
		if _, err = tx.Exec(ctx, `DELETE FROM outbox WHERE member_id = $1 AND kind IN ('tape_check', 'tape_off') AND ref = $2 AND status = 'pending'`, mid, tc.ID); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `DELETE FROM tape_cycles WHERE id = $1 AND member_id = $2`, tc.ID, mid); err != nil {
			return err
		}
		// A cycle on the same area that this application ended is worn
		// again.
		e.Reopened, err = reopenTape(ctx, tx, mid, tc.Area, toMS(tc.AppliedAt), now)
	case bot.EntryTapeOff:
		e.Tape, err = reopenTape(ctx, tx, mid, "", toMS(e.At), now)
	case bot.EntryReadiness:
		_, err = tx.Exec(ctx, `DELETE FROM readiness WHERE member_id = $1 AND day = $2`, mid, e.Readiness.Day)
	case bot.EntryLoad:
		_, err = tx.Exec(ctx, `DELETE FROM session_loads WHERE id = $1 AND member_id = $2`, e.Load.ID, mid)
	case bot.EntryBreak:
		_, err = tx.Exec(ctx, `DELETE FROM movement_breaks WHERE member_id = $1 AND day = $2 AND minute = $3`, mid, e.Break.Day, int(e.Break.Minute))
	}
	return err
}

// reopenTape puts back on the cycles removed at removedAt (on one area, or
// any when area is empty), with those of their cancelled reminders that
// are still ahead, and returns them.
func reopenTape(ctx context.Context, tx pgx.Tx, mid int64, area string, removedAt, now int64) ([]bot.TapeCycle, error) {
	rows, err := tx.Query(ctx, `UPDATE tape_cycles SET removed_at = NULL
		WHERE member_id = $1 AND removed_at = $2 AND ($3::text = '' OR area = $3::text)
		RETURNING id, area, days, applied_at, removed_at`, mid, removedAt, area)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (bot.TapeCycle, error) { return scanTape(row) })
	if err != nil {
		return nil, err
	}
	for _, tc := range out {
		if _, err := tx.Exec(ctx, `UPDATE outbox SET status = 'pending', last_error = '', done_at = NULL, sending_at = NULL
			WHERE member_id = $1 AND ref = $2 AND kind IN ('tape_check', 'tape_off') AND status = 'skipped'
			AND last_error = 'tape removed' AND not_before > $3`, mid, tc.ID, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}
