package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// AddCheckIn implements bot.Store.
func (db *DB) AddCheckIn(ctx context.Context, c bot.CheckIn) (bot.CheckIn, error) {
	id, err := db.insertForMember(ctx, c.Member, `INSERT INTO checkins (member_id, score, area, note, at)
		SELECT id, $4::integer, $5::text, $6::text, $7::bigint FROM m RETURNING id`,
		c.Score, c.Area, c.Note, toMS(c.At))
	if err != nil {
		return bot.CheckIn{}, fmt.Errorf("insert check-in: %w", err)
	}
	c.ID = id
	return c, nil
}

// CheckIns implements bot.Store.
func (db *DB) CheckIns(ctx context.Context, key bot.MemberKey, since time.Time) ([]bot.CheckIn, error) {
	var out []bot.CheckIn
	err := db.each(ctx, `SELECT c.id, c.score, c.area, c.note, c.at FROM checkins c
		JOIN members m ON m.id = c.member_id
		WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3 AND c.at >= $4
		ORDER BY c.at, c.id`, append(keyArgs(key), toMS(since)), func(s scanner) error {
		c := bot.CheckIn{Member: key}
		var at int64
		if err := s.Scan(&c.ID, &c.Score, &c.Area, &c.Note, &at); err != nil {
			return fmt.Errorf("scan check-in: %w", err)
		}
		c.At = fromMS(at)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("select check-ins: %w", err)
	}
	return out, nil
}

// AddRedFlag implements bot.Store.
func (db *DB) AddRedFlag(ctx context.Context, e bot.RedFlagEvent) (bot.RedFlagEvent, error) {
	id, err := db.insertForMember(ctx, e.Member, `INSERT INTO red_flags (member_id, rule, area, checkin_id, at)
		SELECT id, $4::text, $5::text, $6::bigint, $7::bigint FROM m RETURNING id`,
		e.Rule, e.Area, e.CheckInID, toMS(e.At))
	if err != nil {
		return bot.RedFlagEvent{}, fmt.Errorf("insert red flag: %w", err)
	}
	e.ID = id
	return e, nil
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
	where := ` JOIN members m ON m.id = t.member_id WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3`
	args := keyArgs(key)

	if d.Completions, err = db.Completions(ctx, key, ""); err != nil {
		return d, err
	}
	err = db.each(ctx, `SELECT t.id, t.area, t.days, t.applied_at, t.removed_at FROM tape_cycles t`+where+` ORDER BY t.applied_at, t.id`, args, func(s scanner) error {
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
	err = db.each(ctx, `SELECT t.id, t.rule, t.area, t.checkin_id, t.at FROM red_flags t`+where+` ORDER BY t.at, t.id`, args, func(s scanner) error {
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
	d.Loads, err = db.LoadsSince(ctx, key, time.Time{})
	return d, err
}
