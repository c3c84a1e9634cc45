package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// EnsureWorkspace implements bot.Store.
func (db *DB) EnsureWorkspace(ctx context.Context, w bot.Workspace) (bot.Workspace, error) {
	if got, err := db.Workspace(ctx, w.Platform, w.ID); err == nil {
		return got, nil
	} else if bot.ErrorCode(err) != bot.ENOTFOUND {
		return bot.Workspace{}, err
	}
	_, err := db.exec(ctx, `INSERT INTO workspaces (platform, ext_id, privacy, alert_channel, min_group_size, emergency_number, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, ext_id) DO NOTHING`,
		w.Platform, w.ID, w.Privacy, w.AlertChannel, w.MinGroupSize, w.EmergencyNumber, toMS(w.CreatedAt))
	if err != nil {
		return bot.Workspace{}, fmt.Errorf("insert workspace: %w", err)
	}
	return db.Workspace(ctx, w.Platform, w.ID)
}

// Workspace returns a stored workspace.
func (db *DB) Workspace(ctx context.Context, p bot.Platform, id string) (bot.Workspace, error) {
	w := bot.Workspace{Platform: p, ID: id}
	var created int64
	err := db.readRow(ctx, `SELECT privacy, alert_channel, min_group_size, emergency_number, created_at
		FROM workspaces WHERE platform = ? AND ext_id = ?`, p, id).Scan(&w.Privacy, &w.AlertChannel, &w.MinGroupSize, &w.EmergencyNumber, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Workspace{}, notFound("workspace")
	}
	if err != nil {
		return bot.Workspace{}, fmt.Errorf("select workspace: %w", err)
	}
	w.CreatedAt = fromMS(created)
	return w, nil
}

const memberColumns = `tz, role, onboarded_at, share_with_staff, consent_at, program, paused_until, snoozed_until,
	quiet_start, quiet_end, nudges_disabled, disabled_reason, skipped_day, hint_at, created_at`

// EnsureMember implements bot.Store.
func (db *DB) EnsureMember(ctx context.Context, m bot.Member) (bot.Member, bool, error) {
	if got, err := db.Member(ctx, m.Key); err == nil {
		return got, false, nil
	} else if bot.ErrorCode(err) != bot.ENOTFOUND {
		return bot.Member{}, false, err
	}
	if m.Role == "" {
		m.Role = bot.RoleMember
	}
	res, err := db.exec(ctx, `INSERT INTO members (platform, workspace, user_id, tz, role, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, workspace, user_id) DO NOTHING`,
		m.Key.Platform, m.Key.Workspace, m.Key.User, m.TZ, m.Role, toMS(m.CreatedAt))
	if err != nil {
		return bot.Member{}, false, fmt.Errorf("insert member: %w", err)
	}
	n, _ := res.RowsAffected()
	got, err := db.Member(ctx, m.Key)
	return got, n == 1, err
}

// Member returns a stored member.
func (db *DB) Member(ctx context.Context, key bot.MemberKey) (bot.Member, error) {
	row := db.readRow(ctx, `SELECT `+memberColumns+` FROM members
		WHERE platform = ? AND workspace = ? AND user_id = ?`, key.Platform, key.Workspace, key.User)
	m, err := scanMember(row)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Member{}, notFound("member")
	}
	if err != nil {
		return bot.Member{}, fmt.Errorf("select member: %w", err)
	}
	m.Key = key
	return m, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanMember(row scanner) (bot.Member, error) {
	var (
		m                                   bot.Member
		onboarded, consent, paused, snoozed sql.NullInt64
		quietStart, quietEnd, hint          sql.NullInt64
		created                             int64
		shareWithStaff, nudgesDisabled      bool
	)
	err := row.Scan(&m.TZ, &m.Role, &onboarded, &shareWithStaff, &consent, &m.Program, &paused, &snoozed,
		&quietStart, &quietEnd, &nudgesDisabled, &m.DisabledReason, &m.SkippedDay, &hint, &created)
	if err != nil {
		return bot.Member{}, err
	}
	m.OnboardedAt = fromNullMS(onboarded)
	m.ShareWithStaff = shareWithStaff
	m.ConsentAt = fromNullMS(consent)
	m.PausedUntil = fromNullMS(paused)
	m.SnoozedUntil = fromNullMS(snoozed)
	if quietStart.Valid && quietEnd.Valid {
		m.Quiet = bot.QuietHours{Set: true, Start: bot.TimeOfDay(quietStart.Int64), End: bot.TimeOfDay(quietEnd.Int64)}
	}
	m.NudgesDisabled = nudgesDisabled
	m.HintAt = fromNullMS(hint)
	m.CreatedAt = fromMS(created)
	return m, nil
}

// UpdateMember implements bot.Store.
func (db *DB) UpdateMember(ctx context.Context, m bot.Member) error {
	res, err := db.exec(ctx, updateMemberQuery, updateMemberArgs(m)...)
	if err != nil {
		return fmt.Errorf("update member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("member")
	}
	return nil
}

const updateMemberQuery = `UPDATE members SET tz = ?, role = ?, onboarded_at = ?, share_with_staff = ?,
	consent_at = ?, program = ?, paused_until = ?, snoozed_until = ?, quiet_start = ?, quiet_end = ?,
	nudges_disabled = ?, disabled_reason = ?, skipped_day = ?
	WHERE platform = ? AND workspace = ? AND user_id = ?`

// updateMemberArgs are updateMemberQuery's arguments, shared by
// UpdateMember and SetPause so that both save the same settings.
func updateMemberArgs(m bot.Member) []any {
	var quietStart, quietEnd sql.NullInt64
	if m.Quiet.Set {
		quietStart = sql.NullInt64{Int64: int64(m.Quiet.Start), Valid: true}
		quietEnd = sql.NullInt64{Int64: int64(m.Quiet.End), Valid: true}
	}
	return []any{m.TZ, m.Role, nullMS(m.OnboardedAt), m.ShareWithStaff, nullMS(m.ConsentAt), m.Program,
		nullMS(m.PausedUntil), nullMS(m.SnoozedUntil), quietStart, quietEnd, m.NudgesDisabled, m.DisabledReason, m.SkippedDay,
		m.Key.Platform, m.Key.Workspace, m.Key.User}
}

// SetPause implements bot.Store: the member's settings and their pause
// periods change in one transaction.
func (db *DB) SetPause(ctx context.Context, m bot.Member, ch bot.PauseChange) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := db.txExec(ctx, tx, updateMemberQuery, updateMemberArgs(m)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("member")
		}
		mid, err := db.memberID(ctx, tx, m.Key)
		if err != nil {
			return err
		}
		for _, kind := range ch.End {
			if _, err := db.txExec(ctx, tx, `UPDATE pauses SET until_at = ?
				WHERE member_id = ? AND kind = ? AND until_at > ?`, toMS(ch.At), mid, kind, toMS(ch.At)); err != nil {
				return err
			}
		}
		if p := ch.Start; p.Kind != "" {
			_, err = db.txExec(ctx, tx, `INSERT INTO pauses (member_id, kind, from_at, until_at) VALUES (?, ?, ?, ?)`,
				mid, p.Kind, toMS(p.From), toMS(p.Until))
		}
		return err
	})
	if err != nil {
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return err
		}
		return fmt.Errorf("set pause: %w", err)
	}
	return nil
}

// pausesOf returns the member's pause periods for MemberData, oldest first.
func (db *DB) pausesOf(ctx context.Context, key bot.MemberKey) ([]bot.PausePeriod, error) {
	var out []bot.PausePeriod
	err := db.each(ctx, `SELECT t.kind, t.from_at, t.until_at FROM pauses t
		JOIN members m ON m.id = t.member_id WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ?
		ORDER BY t.from_at, t.id`, []any{key.Platform, key.Workspace, key.User}, func(s scanner) error {
		p := bot.PausePeriod{Member: key}
		var from, until int64
		err := s.Scan(&p.Kind, &from, &until)
		p.From, p.Until = fromMS(from), fromMS(until)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("select pauses: %w", err)
	}
	return out, nil
}

// DMChannel returns the cached DM channel id of a member ("" when unknown).
func (db *DB) DMChannel(ctx context.Context, key bot.MemberKey) (string, error) {
	var ch string
	err := db.readRow(ctx, `SELECT dm_channel FROM members WHERE platform = ? AND workspace = ? AND user_id = ?`,
		key.Platform, key.Workspace, key.User).Scan(&ch)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("select dm channel: %w", err)
	}
	return ch, nil
}

// SetDMChannel caches the DM channel id of a member, so that a nudge costs
// one platform call.
func (db *DB) SetDMChannel(ctx context.Context, key bot.MemberKey, channel string) error {
	_, err := db.exec(ctx, `UPDATE members SET dm_channel = ? WHERE platform = ? AND workspace = ? AND user_id = ?`,
		channel, key.Platform, key.Workspace, key.User)
	if err != nil {
		return fmt.Errorf("update dm channel: %w", err)
	}
	return nil
}

const memberIDQuery = `SELECT id FROM members WHERE platform = ? AND workspace = ? AND user_id = ?`

// memberID resolves a key inside a transaction.
func (db *DB) memberID(ctx context.Context, tx *sql.Tx, key bot.MemberKey) (int64, error) {
	var id int64
	err := db.txRow(ctx, tx, memberIDQuery, key.Platform, key.Workspace, key.User).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("member")
	}
	return id, err
}

// ForgetMember implements bot.Store: one DELETE, cascading to every table.
func (db *DB) ForgetMember(ctx context.Context, key bot.MemberKey) error {
	_, err := db.exec(ctx, `DELETE FROM members WHERE platform = ? AND workspace = ? AND user_id = ?`,
		key.Platform, key.Workspace, key.User)
	if err != nil {
		return fmt.Errorf("delete member: %w", err)
	}
	return nil
}

// SeenEvent records an incoming event id and reports whether it had been
// seen before, so platform retries are acknowledged but not processed twice.
func (db *DB) SeenEvent(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := db.exec(ctx, `INSERT INTO seen_events (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, id, toMS(now))
	if err != nil {
		return false, fmt.Errorf("insert seen event: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 0, nil
}

// PruneEvents deletes event ids older than before.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) error {
	_, err := db.exec(ctx, `DELETE FROM seen_events WHERE seen_at < ?`, toMS(before))
	return err
}

// PruneEventsPrefix deletes the ids that start with prefix and are older
// than before, so ids that matter only briefly (request signatures) need
// not wait for the prune of all the others.
func (db *DB) PruneEventsPrefix(ctx context.Context, prefix string, before time.Time) error {
	// A range on the primary key (binary collation) finds the prefix
	// without reading the other ids.
	var err error
	if end, bounded := prefixEnd(prefix); bounded {
		_, err = db.exec(ctx, `DELETE FROM seen_events WHERE id >= ? AND id < ? AND seen_at < ?`, prefix, end, toMS(before))
	} else {
		_, err = db.exec(ctx, `DELETE FROM seen_events WHERE id >= ? AND seen_at < ?`, prefix, toMS(before))
	}
	if err != nil {
		return fmt.Errorf("prune seen events: %w", err)
	}
	return nil
}

// prefixEnd returns the smallest string above every string that starts
// with prefix, in byte order; there is none when prefix is empty or all
// 0xff bytes, whose range runs to the end.
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return "", false
	}
	b[len(b)-1]++
	return string(b), true
}

// ClaimHint implements bot.Store: it sets the member's hint time to now
// unless a hint was given after notBefore, in one statement, so two
// messages at once cannot both claim it.
func (db *DB) ClaimHint(ctx context.Context, key bot.MemberKey, now, notBefore time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE members SET hint_at = ?
		WHERE platform = ? AND workspace = ? AND user_id = ? AND (hint_at IS NULL OR hint_at <= ?)`,
		toMS(now), key.Platform, key.Workspace, key.User, toMS(notBefore))
	if err != nil {
		return false, fmt.Errorf("claim hint: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// MemberByDMChannel finds the member whose nudges go to a DM channel; when
// one person is a member in several workspaces, the one nudged last wins.
func (db *DB) MemberByDMChannel(ctx context.Context, p bot.Platform, channel string) (bot.MemberKey, bool, error) {
	key := bot.MemberKey{Platform: p}
	err := db.readRow(ctx, `SELECT m.workspace, m.user_id FROM members m
		LEFT JOIN outbox o ON o.member_id = m.id AND o.status = 'sent'
		WHERE m.platform = ? AND m.dm_channel = ? AND m.dm_channel <> ''
		GROUP BY m.id ORDER BY MAX(o.done_at) DESC, m.id DESC LIMIT 1`, p, channel).Scan(&key.Workspace, &key.User)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.MemberKey{}, false, nil
	}
	if err != nil {
		return bot.MemberKey{}, false, fmt.Errorf("member by dm channel: %w", err)
	}
	return key, true, nil
}

// memberTables are the tables whose rows belong to a member.
var memberTables = []string{"checkins", "completions", "tape_cycles", "subscriptions", "outbox", "red_flags", "readiness", "session_loads", "member_programs", "conversations", "pauses", "movement_breaks", "public_streaks"}

// RowsOf counts the rows that belong to a member in every table, plus any
// orphaned member-owned rows; after ForgetMember it must be zero. It backs
// the privacy tests and the operator's "forget" audit.
func (db *DB) RowsOf(ctx context.Context, key bot.MemberKey) (int, error) {
	total := 0
	var id int64
	err := db.readRow(ctx, memberIDQuery, key.Platform, key.Workspace, key.User).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("member")
	}
	switch {
	case err == nil:
		total++
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		id = -1
	default:
		return 0, err
	}
	for _, table := range memberTables {
		var n int
		err := db.readRow(ctx, `SELECT COUNT(*) FROM `+table+
			` WHERE member_id = ? OR member_id NOT IN (SELECT id FROM members)`, id).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("count %s: %w", table, err)
		}
		total += n
	}
	return total, nil
}
