package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recoverycoach/recoverycoach/bot"
)

// EnsureWorkspace implements bot.Store. Instances race to create a new
// workspace; the insert that loses finds the winner's row.
func (db *DB) EnsureWorkspace(ctx context.Context, w bot.Workspace) (bot.Workspace, error) {
	if got, err := db.Workspace(ctx, w.Platform, w.ID); err == nil {
		return got, nil
	} else if bot.ErrorCode(err) != bot.ENOTFOUND {
		return bot.Workspace{}, err
	}
	got := bot.Workspace{Platform: w.Platform, ID: w.ID}
	var created int64
	err := db.pool.QueryRow(ctx, `INSERT INTO workspaces (platform, ext_id, privacy, alert_channel, min_group_size, emergency_number, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (platform, ext_id) DO NOTHING
		RETURNING privacy, alert_channel, min_group_size, emergency_number, created_at`,
		w.Platform, w.ID, w.Privacy, w.AlertChannel, w.MinGroupSize, w.EmergencyNumber, toMS(w.CreatedAt)).
		Scan(&got.Privacy, &got.AlertChannel, &got.MinGroupSize, &got.EmergencyNumber, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.Workspace(ctx, w.Platform, w.ID)
	}
	if err != nil {
		return bot.Workspace{}, fmt.Errorf("insert workspace: %w", err)
	}
	got.CreatedAt = fromMS(created)
	return got, nil
}

// Workspace returns a stored workspace.
func (db *DB) Workspace(ctx context.Context, p bot.Platform, id string) (bot.Workspace, error) {
	w := bot.Workspace{Platform: p, ID: id}
	var created int64
	err := db.pool.QueryRow(ctx, `SELECT privacy, alert_channel, min_group_size, emergency_number, created_at
		FROM workspaces WHERE platform = $1 AND ext_id = $2`, p, id).Scan(&w.Privacy, &w.AlertChannel, &w.MinGroupSize, &w.EmergencyNumber, &created)
	if errors.Is(err, pgx.ErrNoRows) {
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

// EnsureMember implements bot.Store. Instances race to create a new
// member; created is true only for the one whose insert won.
func (db *DB) EnsureMember(ctx context.Context, m bot.Member) (bot.Member, bool, error) {
	if got, err := db.Member(ctx, m.Key); err == nil {
		return got, false, nil
	} else if bot.ErrorCode(err) != bot.ENOTFOUND {
		return bot.Member{}, false, err
	}
	if m.Role == "" {
		m.Role = bot.RoleMember
	}
	got, err := scanMember(db.pool.QueryRow(ctx, `INSERT INTO members (platform, workspace, user_id, tz, role, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (platform, workspace, user_id) DO NOTHING
		RETURNING `+memberColumns,
		m.Key.Platform, m.Key.Workspace, m.Key.User, m.TZ, m.Role, toMS(m.CreatedAt)))
	if errors.Is(err, pgx.ErrNoRows) {
		got, err := db.Member(ctx, m.Key)
		return got, false, err
	}
	if err != nil {
		return bot.Member{}, false, fmt.Errorf("insert member: %w", err)
	}
	got.Key = m.Key
	return got, true, nil
}

// Member returns a stored member.
func (db *DB) Member(ctx context.Context, key bot.MemberKey) (bot.Member, error) {
	m, err := scanMember(db.pool.QueryRow(ctx, `SELECT `+memberColumns+` FROM members
		WHERE platform = $1 AND workspace = $2 AND user_id = $3`, keyArgs(key)...))
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Member{}, notFound("member")
	}
	if err != nil {
		return bot.Member{}, fmt.Errorf("select member: %w", err)
	}
	m.Key = key
	return m, nil
}

// keyArgs are the arguments of a "platform = $1 AND workspace = $2 AND
// user_id = $3" condition.
func keyArgs(key bot.MemberKey) []any {
	return []any{key.Platform, key.Workspace, key.User}
}

func scanMember(row scanner) (bot.Member, error) {
	var (
		m                                   bot.Member
		onboarded, consent, paused, snoozed *int64
		quietStart, quietEnd, hint          *int64
		created                             int64
	)
	err := row.Scan(&m.TZ, &m.Role, &onboarded, &m.ShareWithStaff, &consent, &m.Program, &paused, &snoozed,
		&quietStart, &quietEnd, &m.NudgesDisabled, &m.DisabledReason, &m.SkippedDay, &hint, &created)
	if err != nil {
		return bot.Member{}, err
	}
	m.OnboardedAt = fromNullMS(onboarded)
	m.ConsentAt = fromNullMS(consent)
	m.PausedUntil = fromNullMS(paused)
	m.SnoozedUntil = fromNullMS(snoozed)
	if quietStart != nil && quietEnd != nil {
		m.Quiet = bot.QuietHours{Set: true, Start: bot.TimeOfDay(*quietStart), End: bot.TimeOfDay(*quietEnd)}
	}
	m.HintAt = fromNullMS(hint)
	m.CreatedAt = fromMS(created)
	return m, nil
}

// UpdateMember implements bot.Store.
func (db *DB) UpdateMember(ctx context.Context, m bot.Member) error {
	tag, err := db.pool.Exec(ctx, updateMemberStmt, updateMemberArgs(m)...)
	if err != nil {
		return fmt.Errorf("update member: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("member")
	}
	return nil
}

const updateMemberStmt = `UPDATE members SET tz = $1, role = $2, onboarded_at = $3, share_with_staff = $4,
	consent_at = $5, program = $6, paused_until = $7, snoozed_until = $8, quiet_start = $9, quiet_end = $10,
	nudges_disabled = $11, disabled_reason = $12, skipped_day = $13
	WHERE platform = $14 AND workspace = $15 AND user_id = $16`

// updateMemberArgs are updateMemberStmt's arguments, shared by
// UpdateMember and SetPause so that both save the same settings.
func updateMemberArgs(m bot.Member) []any {
	var quietStart, quietEnd *int64
	if m.Quiet.Set {
		s, e := int64(m.Quiet.Start), int64(m.Quiet.End)
		quietStart, quietEnd = &s, &e
	}
	return []any{m.TZ, m.Role, nullMS(m.OnboardedAt), m.ShareWithStaff, nullMS(m.ConsentAt), m.Program,
		nullMS(m.PausedUntil), nullMS(m.SnoozedUntil), quietStart, quietEnd, m.NudgesDisabled, m.DisabledReason, m.SkippedDay,
		m.Key.Platform, m.Key.Workspace, m.Key.User}
}

// SetPause implements bot.Store: the member's settings and their pause
// periods change in one transaction. The UPDATE locks the member row, so
// a pause and a resume racing on two instances apply one after the other.
func (db *DB) SetPause(ctx context.Context, m bot.Member, ch bot.PauseChange) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var mid int64
		err := tx.QueryRow(ctx, updateMemberStmt+` RETURNING id`, updateMemberArgs(m)...).Scan(&mid)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("member")
		}
		if err != nil {
			return err
		}
		for _, kind := range ch.End {
			if _, err := tx.Exec(ctx, `UPDATE pauses SET until_at = $1
				WHERE member_id = $2 AND kind = $3 AND until_at > $1`, toMS(ch.At), mid, kind); err != nil {
				return err
			}
		}
		if p := ch.Start; p.Kind != "" {
			_, err = tx.Exec(ctx, `INSERT INTO pauses (member_id, kind, from_at, until_at) VALUES ($1, $2, $3, $4)`,
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
		JOIN members m ON m.id = t.member_id WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3
		ORDER BY t.from_at, t.id`, keyArgs(key), func(s scanner) error {
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
	err := db.pool.QueryRow(ctx, `SELECT dm_channel FROM members WHERE platform = $1 AND workspace = $2 AND user_id = $3`,
		keyArgs(key)...).Scan(&ch)
	if errors.Is(err, pgx.ErrNoRows) {
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
	_, err := db.pool.Exec(ctx, `UPDATE members SET dm_channel = $1 WHERE platform = $2 AND workspace = $3 AND user_id = $4`,
		channel, key.Platform, key.Workspace, key.User)
	if err != nil {
		return fmt.Errorf("update dm channel: %w", err)
	}
	return nil
}

// memberIDQuery finds a member's row id from the key in $1..$3.
const memberIDQuery = `SELECT id FROM members WHERE platform = $1 AND workspace = $2 AND user_id = $3`

// memberID resolves a key inside a transaction. With lock, the member row
// stays locked until the transaction ends, serialising writers that read
// before they write (StartTape, StopTape) across instances; FOR NO KEY
// UPDATE still lets other transactions insert rows that reference it.
func memberID(ctx context.Context, tx pgx.Tx, key bot.MemberKey, lock bool) (int64, error) {
	query := memberIDQuery
	if lock {
		query += ` FOR NO KEY UPDATE`
	}
	var id int64
	err := tx.QueryRow(ctx, query, keyArgs(key)...).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, notFound("member")
	}
	return id, err
}

// insertForMember runs insert, an INSERT ... SELECT ... FROM m RETURNING id
// whose rows come from m, the member's row (found with $1..$3), and
// returns the new row's id. A member that does not exist is ENOTFOUND. One
// statement instead of a lookup and an insert saves round trips.
func (db *DB) insertForMember(ctx context.Context, key bot.MemberKey, insert string, args ...any) (int64, error) {
	var found bool
	var id *int64
	err := db.pool.QueryRow(ctx, `WITH m AS (`+memberIDQuery+`), w AS (`+insert+`)
		SELECT EXISTS (SELECT 1 FROM m), (SELECT id FROM w)`, append(keyArgs(key), args...)...).Scan(&found, &id)
	if err != nil {
		return 0, err
	}
	if !found || id == nil {
		return 0, notFound("member")
	}
	return *id, nil
}

// execForMember is insertForMember for a statement that returns one row
// per row it changed (RETURNING 1), and returns how many it changed.
func (db *DB) execForMember(ctx context.Context, key bot.MemberKey, stmt string, args ...any) (int64, error) {
	var found bool
	var n int64
	err := db.pool.QueryRow(ctx, `WITH m AS (`+memberIDQuery+`), w AS (`+stmt+`)
		SELECT EXISTS (SELECT 1 FROM m), (SELECT COUNT(*) FROM w)`, append(keyArgs(key), args...)...).Scan(&found, &n)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, notFound("member")
	}
	return n, nil
}

// ForgetMember implements bot.Store: one DELETE, cascading to every table.
func (db *DB) ForgetMember(ctx context.Context, key bot.MemberKey) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM members WHERE platform = $1 AND workspace = $2 AND user_id = $3`, keyArgs(key)...)
	if err != nil {
		return fmt.Errorf("delete member: %w", err)
	}
	return nil
}

// SeenEvent records an incoming event id and reports whether it had been
// seen before, so platform retries are acknowledged but not processed twice
// (by any instance).
func (db *DB) SeenEvent(ctx context.Context, id string, now time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `INSERT INTO seen_events (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, id, toMS(now))
	if err != nil {
		return false, fmt.Errorf("insert seen event: %w", err)
	}
	return tag.RowsAffected() == 0, nil
}

// PruneEvents deletes event ids older than before.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM seen_events WHERE seen_at < $1`, toMS(before))
	return err
}

// PruneEventsPrefix deletes the ids that start with prefix and are older
// than before, so ids that matter only briefly (request signatures) need
// not wait for the prune of all the others.
func (db *DB) PruneEventsPrefix(ctx context.Context, prefix string, before time.Time) error {
	// The ids collate as "C" (bytes), so a range on the primary key finds
	// the prefix without reading the other ids.
	var err error
	if end, bounded := prefixEnd(prefix); bounded {
		_, err = db.pool.Exec(ctx, `DELETE FROM seen_events WHERE id >= $1 AND id < $2 AND seen_at < $3`, prefix, end, toMS(before))
	} else {
		_, err = db.pool.Exec(ctx, `DELETE FROM seen_events WHERE id >= $1 AND seen_at < $2`, prefix, toMS(before))
	}
	if err != nil {
		return fmt.Errorf("prune seen events: %w", err)
	}
	return nil
}

// prefixEnd returns the smallest string above every string that starts
// with prefix, in byte order; there is none when prefix is empty or all
// 0xff bytes, whose range runs to the end. Prefixes are ASCII, so the
// bound stays valid UTF-8.
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
// unless a hint was given after notBefore, in one statement. A concurrent
// claim waits for the row lock and re-checks the condition on the updated
// row, so two messages at once, on any instances, cannot both claim it.
func (db *DB) ClaimHint(ctx context.Context, key bot.MemberKey, now, notBefore time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE members SET hint_at = $1
		WHERE platform = $2 AND workspace = $3 AND user_id = $4 AND (hint_at IS NULL OR hint_at <= $5)`,
		toMS(now), key.Platform, key.Workspace, key.User, toMS(notBefore))
	if err != nil {
		return false, fmt.Errorf("claim hint: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// MemberByDMChannel finds the member whose nudges go to a DM channel; when
// one person is a member in several workspaces, the one nudged last wins.
// NULLS LAST keeps SQLite's order, where a member never nudged sorts last.
func (db *DB) MemberByDMChannel(ctx context.Context, p bot.Platform, channel string) (bot.MemberKey, bool, error) {
	key := bot.MemberKey{Platform: p}
	err := db.pool.QueryRow(ctx, `SELECT m.workspace, m.user_id FROM members m
		LEFT JOIN outbox o ON o.member_id = m.id AND o.status = 'sent'
		WHERE m.platform = $1 AND m.dm_channel = $2 AND m.dm_channel <> ''
		GROUP BY m.id ORDER BY MAX(o.done_at) DESC NULLS LAST, m.id DESC LIMIT 1`, p, channel).Scan(&key.Workspace, &key.User)
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := db.pool.QueryRow(ctx, memberIDQuery, keyArgs(key)...).Scan(&id)
	switch {
	case err == nil:
		total++
	case errors.Is(err, pgx.ErrNoRows):
		id = -1
	default:
		return 0, err
	}
	for _, table := range memberTables {
		var n int
		err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+
			` WHERE member_id = $1 OR member_id NOT IN (SELECT id FROM members)`, id).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("count %s: %w", table, err)
		}
		total += n
	}
	return total, nil
}
