package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/recoverycoach/recoverycoach/bot"
)

// SaveSharedProgram implements bot.Store.
func (db *DB) SaveSharedProgram(ctx context.Context, p bot.SharedProgram) error {
	tag, err := db.pool.Exec(ctx, `INSERT INTO shared_programs (code, title, source, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO NOTHING`, p.Code, p.Title, p.Source, toMS(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert shared program: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return bot.Errorf(bot.ECONFLICT, "The program code %s is taken.", p.Code)
	}
	return nil
}

// SharedProgram implements bot.Store.
func (db *DB) SharedProgram(ctx context.Context, code string) (bot.SharedProgram, error) {
	p := bot.SharedProgram{Code: code}
	var created int64
	err := db.pool.QueryRow(ctx, `SELECT title, source, created_at FROM shared_programs WHERE code = $1`, code).Scan(&p.Title, &p.Source, &created)
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := db.tx(ctx, func(tx pgx.Tx) error {
		mid, err := memberID(ctx, tx, p.Member, true)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO member_programs (member_id, code, source, loaded_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (member_id) DO UPDATE SET code = excluded.code, source = excluded.source, loaded_at = excluded.loaded_at`,
			mid, p.Code, p.Source, toMS(p.LoadedAt)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE members SET program = '' WHERE id = $1`, mid)
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
	err := db.pool.QueryRow(ctx, `SELECT p.code, p.source, p.loaded_at FROM member_programs p JOIN members m ON m.id = p.member_id
		WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3`, keyArgs(key)...).Scan(&p.Code, &p.Source, &loaded)
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := db.tx(ctx, func(tx pgx.Tx) error {
		mid, err := memberID(ctx, tx, key, true)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM member_programs WHERE member_id = $1`, mid)
		if err != nil {
			return err
		}
		had = tag.RowsAffected() > 0
		_, err = tx.Exec(ctx, `UPDATE members SET program = $1 WHERE id = $2`, program, mid)
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
