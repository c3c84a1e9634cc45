package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// UpdateWorkspace implements bot.Store.
func (db *DB) UpdateWorkspace(ctx context.Context, w bot.Workspace) error {
	res, err := db.exec(ctx, `UPDATE workspaces SET privacy = ?, alert_channel = ?, min_group_size = ?, emergency_number = ?
		WHERE platform = ? AND ext_id = ?`, w.Privacy, w.AlertChannel, w.MinGroupSize, w.EmergencyNumber, w.Platform, w.ID)
	if err != nil {
		return fmt.Errorf("update workspace: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("workspace")
	}
	return nil
}

// StaffCount implements bot.Store.
func (db *DB) StaffCount(ctx context.Context, p bot.Platform, workspace string) (int, error) {
	var n int
	err := db.readRow(ctx, `SELECT COUNT(*) FROM members WHERE platform = ? AND workspace = ? AND role = 'staff'`,
		p, workspace).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count staff: %w", err)
	}
	return n, nil
}

// PromoteFirstStaff implements bot.Store. The check for existing staff and
// the promotion are one UPDATE, and SQLite runs one write at a time, so
// of two admins arriving at once only the first is promoted.
func (db *DB) PromoteFirstStaff(ctx context.Context, key bot.MemberKey) (bool, error) {
	promoted := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := db.txExec(ctx, tx, `UPDATE members SET role = 'staff'
			WHERE platform = ? AND workspace = ? AND user_id = ?
			AND NOT EXISTS (SELECT 1 FROM members WHERE platform = ? AND workspace = ? AND role = 'staff')`,
			key.Platform, key.Workspace, key.User, key.Platform, key.Workspace)
		if err != nil {
			return fmt.Errorf("promote first staff: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			promoted = true
			return nil
		}
		_, err = db.memberRole(ctx, tx, key)
		return err
	})
	return promoted, err
}

// RemoveStaff implements bot.Store: one UPDATE that demotes only while
// another staff member remains, so concurrent removals keep at least one.
func (db *DB) RemoveStaff(ctx context.Context, key bot.MemberKey) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := db.txExec(ctx, tx, `UPDATE members SET role = 'member'
			WHERE platform = ? AND workspace = ? AND user_id = ? AND role = 'staff'
			AND (SELECT COUNT(*) FROM members WHERE platform = ? AND workspace = ? AND role = 'staff') > 1`,
			key.Platform, key.Workspace, key.User, key.Platform, key.Workspace)
		if err != nil {
			return fmt.Errorf("remove staff: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		// Nothing changed; say why, from the same transaction.
		role, err := db.memberRole(ctx, tx, key)
		if err != nil {
			return err
		}
		if role != bot.RoleStaff {
			return notFound("staff member")
		}
		return bot.Errorf(bot.ECONFLICT, "That is the workspace's last staff member.")
	})
}

// memberRole reads a member's role inside tx (ENOTFOUND when unknown).
func (db *DB) memberRole(ctx context.Context, tx *sql.Tx, key bot.MemberKey) (bot.Role, error) {
	var role bot.Role
	err := db.txRow(ctx, tx, `SELECT role FROM members WHERE platform = ? AND workspace = ? AND user_id = ?`,
		key.Platform, key.Workspace, key.User).Scan(&role)
	if err == sql.ErrNoRows {
		return "", notFound("member")
	}
	if err != nil {
		return "", fmt.Errorf("member role: %w", err)
	}
	return role, nil
}

// TeamData implements bot.Store: every member of a workspace with their
// check-ins, completions, readiness and red flags since the given time
// (completions and readiness from the day before, in UTC, so that callers
// can cut them at their own local day) and the tape they wear now.
func (db *DB) TeamData(ctx context.Context, p bot.Platform, workspace string, since time.Time) ([]bot.MemberData, error) {
	var out []bot.MemberData
	index := map[int64]int{}
	err := db.each(ctx, `SELECT id, user_id, `+memberColumns+` FROM members WHERE platform = ? AND workspace = ? ORDER BY user_id`,
		[]any{p, workspace}, func(s scanner) error {
			var id int64
			var user string
			m, err := scanMember(prefixScanner{s, []any{&id, &user}})
			m.Key = bot.MemberKey{Platform: p, Workspace: workspace, User: user}
			index[id] = len(out)
			out = append(out, bot.MemberData{Member: m})
			return err
		})
	if err != nil || len(out) == 0 {
		return out, err
	}
	args := []any{p, workspace, toMS(since)}
	join := ` JOIN members m ON m.id = t.member_id WHERE m.platform = ? AND m.workspace = ? AND `
	err = db.each(ctx, `SELECT t.member_id, t.id, t.score, t.area, t.note, t.at FROM checkins t`+join+`t.at >= ? ORDER BY t.at, t.id`, args, func(s scanner) error {
		var mid, at int64
		var c bot.CheckIn
		err := s.Scan(&mid, &c.ID, &c.Score, &c.Area, &c.Note, &at)
		d := &out[index[mid]]
		c.Member, c.At = d.Member.Key, fromMS(at)
		d.CheckIns = append(d.CheckIns, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	sinceDay := since.UTC().AddDate(0, 0, -1).Format("2006-01-02")
	err = db.each(ctx, `SELECT t.member_id, t.day, t.exercise, t.session, t.at FROM completions t`+join+`t.day >= ? ORDER BY t.day`,
		[]any{p, workspace, sinceDay}, func(s scanner) error {
			var mid, at int64
			var c bot.Completion
			err := s.Scan(&mid, &c.Day, &c.Exercise, &c.Session, &at)
			d := &out[index[mid]]
			c.Member, c.At = d.Member.Key, fromMS(at)
			d.Completions = append(d.Completions, c)
			return err
		})
	if err != nil {
		return nil, err
	}
	err = db.each(ctx, `SELECT t.member_id, t.id, t.area, t.days, t.applied_at, t.removed_at FROM tape_cycles t`+join+`t.removed_at IS NULL`,
		[]any{p, workspace}, func(s scanner) error {
			var mid int64
			var tc bot.TapeCycle
			var applied int64
			var removed sql.NullInt64
			err := s.Scan(&mid, &tc.ID, &tc.Area, &tc.Days, &applied, &removed)
			d := &out[index[mid]]
			tc.Member, tc.AppliedAt = d.Member.Key, fromMS(applied)
			d.TapeCycles = append(d.TapeCycles, tc)
			return err
		})
	if err != nil {
		return nil, err
	}
	err = db.each(ctx, `SELECT t.member_id, t.id, t.rule, t.area, t.checkin_id, t.at FROM red_flags t`+join+`t.at >= ? ORDER BY t.at`, args, func(s scanner) error {
		var mid, at int64
		var e bot.RedFlagEvent
		err := s.Scan(&mid, &e.ID, &e.Rule, &e.Area, &e.CheckInID, &at)
		d := &out[index[mid]]
		e.Member, e.At = d.Member.Key, fromMS(at)
		d.RedFlags = append(d.RedFlags, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = db.each(ctx, `SELECT t.member_id, t.day, t.fatigue, t.sleep, t.soreness, t.stress, t.mood, t.at FROM readiness t`+join+`t.day >= ? ORDER BY t.day`,
		[]any{p, workspace, sinceDay}, func(s scanner) error {
			var mid, at int64
			var r bot.Readiness
			err := s.Scan(&mid, &r.Day, &r.Items[0], &r.Items[1], &r.Items[2], &r.Items[3], &r.Items[4], &at)
			d := &out[index[mid]]
			r.Member, r.At = d.Member.Key, fromMS(at)
			d.Readiness = append(d.Readiness, r)
			return err
		})
	return out, err
}

// prefixScanner scans leading columns into extra before the member columns.
type prefixScanner struct {
	s     scanner
	extra []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.s.Scan(append(p.extra, dest...)...) }

// AddAudit implements bot.Store.
func (db *DB) AddAudit(ctx context.Context, e bot.AuditEntry) error {
	_, err := db.exec(ctx, `INSERT INTO audit_log (platform, workspace, actor, action, detail, at) VALUES (?, ?, ?, ?, ?, ?)`,
		e.Platform, e.Workspace, e.Actor, e.Action, e.Detail, toMS(e.At))
	if err != nil {
		return fmt.Errorf("insert audit: %w", err)
	}
	return nil
}

// Audit implements bot.Store: the newest entries first.
func (db *DB) Audit(ctx context.Context, p bot.Platform, workspace string, limit int) ([]bot.AuditEntry, error) {
	var out []bot.AuditEntry
	err := db.each(ctx, `SELECT actor, action, detail, at FROM audit_log WHERE platform = ? AND workspace = ? ORDER BY at DESC, id DESC LIMIT ?`,
		[]any{p, workspace, limit}, func(s scanner) error {
			e := bot.AuditEntry{Platform: p, Workspace: workspace}
			var at int64
			err := s.Scan(&e.Actor, &e.Action, &e.Detail, &at)
			e.At = fromMS(at)
			out = append(out, e)
			return err
		})
	return out, err
}

// Enqueue implements bot.Store: one outbox row with its own dedupe key;
// false when that key exists already.
func (db *DB) Enqueue(ctx context.Context, it bot.OutboxItem) (bool, error) {
	n, err := db.execForMember(ctx, it.Member, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, ref, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (dedupe_key) DO NOTHING`, it.Kind, it.DedupeKey, toMS(it.NotBefore), it.Ref, toMS(it.CreatedAt))
	if err != nil {
		return false, fmt.Errorf("enqueue: %w", err)
	}
	return n == 1, nil
}

// AlertedSince implements bot.Store: whether a staff alert for the
// member's red flags of this rule was enqueued at or after since.
func (db *DB) AlertedSince(ctx context.Context, key bot.MemberKey, rule string, since time.Time) (bool, error) {
	var n int
	err := db.readRow(ctx, `SELECT COUNT(*) FROM outbox o JOIN members m ON m.id = o.member_id
		JOIN red_flags r ON r.id = o.ref
		WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ? AND o.kind = 'staff_alert' AND r.rule = ? AND o.created_at >= ?`,
		key.Platform, key.Workspace, key.User, rule, toMS(since)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count alerts: %w", err)
	}
	return n > 0, nil
}

// RedFlag returns one red-flag event by id.
func (db *DB) RedFlag(ctx context.Context, id int64) (bot.RedFlagEvent, error) {
	var e bot.RedFlagEvent
	var at int64
	err := db.readRow(ctx, `SELECT r.id, r.rule, r.area, r.checkin_id, r.at, m.platform, m.workspace, m.user_id
		FROM red_flags r JOIN members m ON m.id = r.member_id WHERE r.id = ?`, id).
		Scan(&e.ID, &e.Rule, &e.Area, &e.CheckInID, &at, &e.Member.Platform, &e.Member.Workspace, &e.Member.User)
	if err == sql.ErrNoRows {
		return e, notFound("red flag")
	}
	if err != nil {
		return e, fmt.Errorf("select red flag: %w", err)
	}
	e.At = fromMS(at)
	return e, nil
}
