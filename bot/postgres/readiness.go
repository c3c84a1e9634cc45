package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// SetReadiness implements bot.Store: one entry per member and local day; a
// second answer the same day replaces the first. The upsert is one
// statement, so answers arriving at two instances at once leave one row.
func (db *DB) SetReadiness(ctx context.Context, r bot.Readiness) error {
	_, err := db.execForMember(ctx, r.Member, `INSERT INTO readiness (member_id, day, fatigue, sleep, soreness, stress, mood, at)
		SELECT id, $4::text, $5::integer, $6::integer, $7::integer, $8::integer, $9::integer, $10::bigint FROM m
		ON CONFLICT (member_id, day) DO UPDATE SET fatigue = excluded.fatigue, sleep = excluded.sleep,
			soreness = excluded.soreness, stress = excluded.stress, mood = excluded.mood, at = excluded.at
		RETURNING 1`,
		r.Day, r.Items[0], r.Items[1], r.Items[2], r.Items[3], r.Items[4], toMS(r.At))
	if err != nil {
		return fmt.Errorf("set readiness: %w", err)
	}
	return nil
}

// ReadinessSince implements bot.Store: entries on or after sinceDay,
// oldest first.
func (db *DB) ReadinessSince(ctx context.Context, key bot.MemberKey, sinceDay string) ([]bot.Readiness, error) {
	var out []bot.Readiness
	err := db.each(ctx, `SELECT t.day, t.fatigue, t.sleep, t.soreness, t.stress, t.mood, t.at FROM readiness t
		JOIN members m ON m.id = t.member_id WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3 AND t.day >= $4 ORDER BY t.day`,
		append(keyArgs(key), sinceDay), func(s scanner) error {
			r := bot.Readiness{Member: key}
			var at int64
			err := s.Scan(&r.Day, &r.Items[0], &r.Items[1], &r.Items[2], &r.Items[3], &r.Items[4], &at)
			r.At = fromMS(at)
			out = append(out, r)
			return err
		})
	return out, err
}

// AddLoad implements bot.Store.
func (db *DB) AddLoad(ctx context.Context, l bot.SessionLoad) (bot.SessionLoad, error) {
	id, err := db.insertForMember(ctx, l.Member, `INSERT INTO session_loads (member_id, rpe, minutes, note, at)
		SELECT id, $4::integer, $5::integer, $6::text, $7::bigint FROM m RETURNING id`,
		l.RPE, l.Minutes, l.Note, toMS(l.At))
	if err != nil {
		return bot.SessionLoad{}, fmt.Errorf("add load: %w", err)
	}
	l.ID = id
	return l, nil
}

// LoadsSince implements bot.Store: sessions at or after since, oldest first.
func (db *DB) LoadsSince(ctx context.Context, key bot.MemberKey, since time.Time) ([]bot.SessionLoad, error) {
	var out []bot.SessionLoad
	err := db.each(ctx, `SELECT t.id, t.rpe, t.minutes, t.note, t.at FROM session_loads t
		JOIN members m ON m.id = t.member_id WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3 AND t.at >= $4 ORDER BY t.at, t.id`,
		append(keyArgs(key), toMS(since)), func(s scanner) error {
			l := bot.SessionLoad{Member: key}
			var at int64
			err := s.Scan(&l.ID, &l.RPE, &l.Minutes, &l.Note, &at)
			l.At = fromMS(at)
			out = append(out, l)
			return err
		})
	return out, err
}
