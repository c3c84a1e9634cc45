package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/recoverycoach/recoverycoach/bot"
)

// ImportSubscriptions is the operator import path: it writes many
// reminders (and, with createMembers, their members) in one transaction of
// four set-based statements, whatever the number of rows, which is orders
// of magnitude faster than one SetSubscription per row. A reminder of a
// kind the member already has is replaced, so importing the same data twice
// changes nothing; when the input holds one member and kind twice, the
// later row wins, as if the rows were written one by one. A new member
// takes the zone and time of its first row. Without createMembers an
// unknown member fails the whole import and nothing is written. It returns
// the number of reminders written.
func (db *DB) ImportSubscriptions(ctx context.Context, subs []bot.Subscription, createMembers bool) (int, error) {
	for i, s := range subs {
		switch {
		case !s.Member.Valid():
			return 0, fmt.Errorf("import subscriptions: row %d: incomplete member key %s", i, s.Member)
		case s.Kind == "" || len(s.Times) == 0 || s.TZ == "":
			return 0, fmt.Errorf("import subscriptions: row %d: kind, times and zone are required", i)
		}
	}
	if len(subs) == 0 {
		return 0, nil
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		ids, err := importMembers(ctx, tx, subs, createMembers)
		if err != nil {
			return err
		}
		return importReminders(ctx, tx, subs, ids)
	})
	if err != nil {
		return 0, fmt.Errorf("import subscriptions: %w", err)
	}
	// A bulk load can change the tables' size by orders of magnitude:
	// fresh statistics keep the planner from reusing plans made for the
	// old, small tables (a sequential scan per member lookup) until
	// autovacuum gets round to it.
	if _, err := db.pool.Exec(ctx, `ANALYZE members, subscriptions, subscription_times`); err != nil {
		return len(subs), fmt.Errorf("import subscriptions: analyze: %w", err)
	}
	return len(subs), nil
}

// importMembers returns the row id of every member in subs, creating the
// missing ones when create is set.
func importMembers(ctx context.Context, tx pgx.Tx, subs []bot.Subscription, create bool) (map[bot.MemberKey]int64, error) {
	var platforms, workspaces, users, zones []string
	var created []int64
	seen := map[bot.MemberKey]bool{}
	for _, s := range subs {
		if seen[s.Member] {
			continue
		}
		seen[s.Member] = true
		platforms = append(platforms, string(s.Member.Platform))
		workspaces = append(workspaces, s.Member.Workspace)
		users = append(users, s.Member.User)
		zones = append(zones, s.TZ)
		created = append(created, toMS(s.CreatedAt))
	}
	var rows pgx.Rows
	var err error
	if create {
		// The no-op update makes RETURNING yield the id of an existing
		// member too, saving a second query.
		rows, err = tx.Query(ctx, `INSERT INTO members (platform, workspace, user_id, tz, role, created_at)
			SELECT p, w, u, z, 'member', c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS x (p, w, u, z, c)
			ON CONFLICT (platform, workspace, user_id) DO UPDATE SET tz = members.tz
			RETURNING id, platform, workspace, user_id`, platforms, workspaces, users, zones, created)
	} else {
		rows, err = tx.Query(ctx, `SELECT m.id, m.platform, m.workspace, m.user_id
			FROM unnest($1::text[], $2::text[], $3::text[]) AS x (p, w, u)
			JOIN members m ON m.platform = x.p AND m.workspace = x.w AND m.user_id = x.u`, platforms, workspaces, users)
	}
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	ids := map[bot.MemberKey]int64{}
	var id int64
	var k bot.MemberKey
	_, err = pgx.ForEachRow(rows, []any{&id, &k.Platform, &k.Workspace, &k.User}, func() error {
		ids[k] = id
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	for i, s := range subs {
		if _, ok := ids[s.Member]; !ok {
			return nil, fmt.Errorf("row %d: member %s: %w", i, s.Member, notFound("member"))
		}
	}
	return ids, nil
}

// importReminders upserts the reminders of subs and replaces their times.
func importReminders(ctx context.Context, tx pgx.Tx, subs []bot.Subscription, ids map[bot.MemberKey]int64) error {
	type reminder struct {
		member int64
		kind   bot.ReminderKind
	}
	last := map[reminder]int{}
	var order []reminder
	for i, s := range subs {
		r := reminder{ids[s.Member], s.Kind}
		if _, ok := last[r]; !ok {
			order = append(order, r)
		}
		last[r] = i
	}
	var (
		members, created []int64
		kinds, times     []string
		zones            []string
		days             []int32
	)
	for _, r := range order {
		s := subs[last[r]]
		members = append(members, r.member)
		kinds = append(kinds, string(s.Kind))
		times = append(times, bot.FormatTimes(s.Times))
		days = append(days, int32(s.Days))
		zones = append(zones, s.TZ)
		created = append(created, toMS(s.CreatedAt))
	}
	rows, err := tx.Query(ctx, `INSERT INTO subscriptions (member_id, kind, times, days, tz, created_at)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::bigint[])
		ON CONFLICT (member_id, kind) DO UPDATE SET times = excluded.times, days = excluded.days, tz = excluded.tz, created_at = excluded.created_at
		RETURNING id, member_id, kind`, members, kinds, times, days, zones, created)
	if err != nil {
		return fmt.Errorf("subscriptions: %w", err)
	}
	subIDs := map[reminder]int64{}
	var id int64
	var r reminder
	if _, err := pgx.ForEachRow(rows, []any{&id, &r.member, &r.kind}, func() error {
		subIDs[r] = id
		return nil
	}); err != nil {
		return fmt.Errorf("subscriptions: %w", err)
	}

	var allIDs, timeIDs []int64
	var minute, timeDays []int32
	var timeZones []string
	for _, r := range order {
		s := subs[last[r]]
		allIDs = append(allIDs, subIDs[r])
		for _, t := range s.Times {
			timeIDs = append(timeIDs, subIDs[r])
			minute = append(minute, int32(t))
			timeZones = append(timeZones, s.TZ)
			timeDays = append(timeDays, int32(s.Days))
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM subscription_times WHERE subscription_id = ANY ($1::bigint[])`, allIDs); err != nil {
		return fmt.Errorf("clear times: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO subscription_times (subscription_id, minute, tz, days)
		SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::integer[])
		ON CONFLICT (subscription_id, minute) DO NOTHING`, timeIDs, minute, timeZones, timeDays)
	if err != nil {
		return fmt.Errorf("times: %w", err)
	}
	return nil
}
