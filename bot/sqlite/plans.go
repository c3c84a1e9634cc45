package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/recoverycoach/recoverycoach/bot"
)

// SaveSharedProgram implements bot.Store.
func (db *DB) SaveSharedProgram(ctx context.Context, p bot.SharedProgram) error {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO shared_programs (code, title, source, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (code) DO NOTHING`, p.Code, p.Title, p.Source, toMS(p.CreatedAt))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("insert shared program: %w", err)
	}
	if n == 0 {
		return bot.Errorf(bot.ECONFLICT, "The program code %s is taken.", p.Code)
	}
	return nil
}

// SharedProgram implements bot.Store.
func (db *DB) SharedProgram(ctx context.Context, code string) (bot.SharedProgram, error) {
	p := bot.SharedProgram{Code: code}
	var created int64
	err := db.readRow(ctx, `SELECT title, source, created_at FROM shared_programs WHERE code = ?`, code).Scan(&p.Title, &p.Source, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.SharedProgram{}, notFound("program")
	}
	if err != nil {
		return bot.SharedProgram{}, fmt.Errorf("select shared program: %w", err)
	}
	p.CreatedAt = fromMS(created)
	return p, nil
}

// SetMemberProgram implements bot.Store.
func (db *DB) SetMemberProgram(ctx context.Context, p bot.MemberProgram) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, p.Member)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_programs (member_id, code, source, loaded_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (member_id) DO UPDATE SET code = excluded.code, source = excluded.source, loaded_at = excluded.loaded_at`,
			mid, p.Code, p.Source, toMS(p.LoadedAt)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE members SET program = '' WHERE id = ?`, mid)
		return err
	})
	if err != nil {
		return fmt.Errorf("set member program: %w", err)
	}
	return nil
}

// MemberProgram implements bot.Store.
func (db *DB) MemberProgram(ctx context.Context, key bot.MemberKey) (bot.MemberProgram, error) {
	p := bot.MemberProgram{Member: key}
	var loaded int64
	err := db.readRow(ctx, `SELECT p.code, p.source, p.loaded_at FROM member_programs p JOIN members m ON m.id = p.member_id
		WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ?`, key.Platform, key.Workspace, key.User).Scan(&p.Code, &p.Source, &loaded)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.MemberProgram{}, notFound("program")
	}
	if err != nil {
		return bot.MemberProgram{}, fmt.Errorf("select member program: %w", err)
	}
	p.LoadedAt = fromMS(loaded)
	return p, nil
}

// ClearMemberProgram implements bot.Store.
func (db *DB) ClearMemberProgram(ctx context.Context, key bot.MemberKey, program string) (bool, error) {
	had := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		mid, err := db.memberID(ctx, tx, key)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM member_programs WHERE member_id = ?`, mid)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		had = n > 0
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE members SET program = ? WHERE id = ?`, program, mid)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("clear member program: %w", err)
	}
	return had, nil
}

// memberProgramOf returns the member's own program for MemberData, nil
// when they have none.
func (db *DB) memberProgramOf(ctx context.Context, key bot.MemberKey) (*bot.MemberProgram, error) {
	p, err := db.MemberProgram(ctx, key)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}
