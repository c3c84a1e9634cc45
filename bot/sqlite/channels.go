package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

const channelPostColumns = `p.id, p.platform, p.workspace, p.channel, p.kind, m.user_id, p.times, p.days, p.tz, p.challenge, p.created_at, p.off_at, p.off_reason`

func scanChannelPost(s scanner) (bot.ChannelPost, error) {
	var (
		p       bot.ChannelPost
		times   string
		days    int
		created int64
		off     sql.NullInt64
	)
	if err := s.Scan(&p.ID, &p.Platform, &p.Workspace, &p.Channel, &p.Kind, &p.Owner, &times, &days, &p.TZ, &p.Challenge, &created, &off, &p.OffReason); err != nil {
		return bot.ChannelPost{}, err
	}
	parsed, err := bot.ParseTimes(times)
	if err != nil {
		return bot.ChannelPost{}, fmt.Errorf("stored times %q: %w", times, err)
	}
	p.Times, p.Days, p.CreatedAt, p.OffAt = parsed, bot.Weekdays(days), fromMS(created), fromNullMS(off)
	return p, nil
}

// SetChannelPost implements bot.Store: one post of each kind per channel,
// replaced (and turned back on) when set again.
func (db *DB) SetChannelPost(ctx context.Context, p bot.ChannelPost) (bot.ChannelPost, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = db.setChannelPost(ctx, tx, p)
		return err
	})
	if err != nil {
		return bot.ChannelPost{}, fmt.Errorf("set channel post: %w", err)
	}
	return p, nil
}

func (db *DB) setChannelPost(ctx context.Context, tx *sql.Tx, p bot.ChannelPost) (bot.ChannelPost, error) {
	owner, err := db.memberID(ctx, tx, p.OwnerKey())
	if err != nil {
		return p, err
	}
	err = db.txRow(ctx, tx, `INSERT INTO channel_posts (platform, workspace, channel, kind, owner_id, times, days, tz, challenge, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, workspace, channel, kind) DO UPDATE SET owner_id = excluded.owner_id, times = excluded.times,
			days = excluded.days, tz = excluded.tz, challenge = excluded.challenge, created_at = excluded.created_at,
			off_at = NULL, off_reason = ''
		RETURNING id`, p.Platform, p.Workspace, p.Channel, p.Kind, owner, bot.FormatTimes(p.Times), int(p.Days), p.TZ, p.Challenge, toMS(p.CreatedAt)).Scan(&p.ID)
	if err != nil {
		return p, err
	}
	p.OffAt, p.OffReason = time.Time{}, ""
	if _, err := db.txExec(ctx, tx, `DELETE FROM channel_post_times WHERE post_id = ?`, p.ID); err != nil {
		return p, err
	}
	for _, t := range p.Times {
		if _, err := db.txExec(ctx, tx, `INSERT INTO channel_post_times (post_id, minute, tz, days) VALUES (?, ?, ?, ?)`,
			p.ID, int(t), p.TZ, int(p.Days)); err != nil {
			return p, err
		}
	}
	return p, nil
}

// ChannelPost implements bot.Store.
func (db *DB) ChannelPost(ctx context.Context, id int64) (bot.ChannelPost, error) {
	p, err := scanChannelPost(db.readRow(ctx, `SELECT `+channelPostColumns+` FROM channel_posts p JOIN members m ON m.id = p.owner_id WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.ChannelPost{}, notFound("channel post")
	}
	if err != nil {
		return bot.ChannelPost{}, fmt.Errorf("channel post: %w", err)
	}
	return p, nil
}

// ChannelPosts implements bot.Store.
func (db *DB) ChannelPosts(ctx context.Context, platform bot.Platform, workspace, channel string) ([]bot.ChannelPost, error) {
	var out []bot.ChannelPost
	err := db.each(ctx, `SELECT `+channelPostColumns+` FROM channel_posts p JOIN members m ON m.id = p.owner_id
		WHERE p.platform = ? AND p.workspace = ? AND p.channel = ? ORDER BY p.kind`, []any{platform, workspace, channel}, func(s scanner) error {
		p, err := scanChannelPost(s)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("channel posts: %w", err)
	}
	return out, nil
}

// DeleteChannelPosts implements bot.Store; an empty kind deletes all.
func (db *DB) DeleteChannelPosts(ctx context.Context, platform bot.Platform, workspace, channel string, kind bot.ChannelPostKind) (int, error) {
	res, err := db.exec(ctx, `DELETE FROM channel_posts WHERE platform = ? AND workspace = ? AND channel = ? AND (? = '' OR kind = ?)`,
		platform, workspace, channel, kind, kind)
	if err != nil {
		return 0, fmt.Errorf("delete channel posts: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// TurnOffChannel implements bot.Store.
func (db *DB) TurnOffChannel(ctx context.Context, platform bot.Platform, workspace, channel, reason string, at time.Time, notice func(bot.ChannelPost) bot.OutboxItem) ([]bot.ChannelPost, error) {
	var off []bot.ChannelPost
	err := db.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE channel_posts SET off_at = ?, off_reason = ?
			WHERE platform = ? AND workspace = ? AND channel = ? AND off_at IS NULL RETURNING id`, toMS(at), reason, platform, workspace, channel)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for _, id := range ids {
			p, err := scanChannelPost(tx.QueryRowContext(ctx, `SELECT `+channelPostColumns+` FROM channel_posts p JOIN members m ON m.id = p.owner_id WHERE p.id = ?`, id))
			if err != nil {
				return err
			}
			it := notice(p)
			if _, err := db.txExec(ctx, tx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, ref, created_at)
				SELECT owner_id, ?, ?, ?, ?, ? FROM channel_posts WHERE id = ? ON CONFLICT (dedupe_key) DO NOTHING`,
				it.Kind, it.DedupeKey, toMS(it.NotBefore), it.Ref, toMS(at), id); err != nil {
				return err
			}
			off = append(off, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("turn off channel: %w", err)
	}
	return off, nil
}

const challengeColumns = `id, platform, workspace, channel, name, days, goal, owner, start_at, stopped_at`

func scanChallenge(s scanner) (bot.Challenge, error) {
	var (
		ch      bot.Challenge
		start   int64
		stopped sql.NullInt64
	)
	err := s.Scan(&ch.ID, &ch.Platform, &ch.Workspace, &ch.Channel, &ch.Name, &ch.Days, &ch.Goal, &ch.Owner, &start, &stopped)
	ch.Start, ch.StoppedAt = fromMS(start), fromNullMS(stopped)
	return ch, err
}

// StartChallenge implements bot.Store.
func (db *DB) StartChallenge(ctx context.Context, ch bot.Challenge, progress bot.ChannelPost) (bot.Challenge, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var running int
		if err := db.txRow(ctx, tx, `SELECT COUNT(*) FROM challenges WHERE platform = ? AND workspace = ? AND channel = ?
			AND stopped_at IS NULL AND end_at > ?`, ch.Platform, ch.Workspace, ch.Channel, toMS(ch.Start)).Scan(&running); err != nil {
			return err
		}
		if running > 0 {
			return bot.Errorf(bot.ECONFLICT, "This channel already has a challenge running.")
		}
		if err := db.txRow(ctx, tx, `INSERT INTO challenges (platform, workspace, channel, name, days, goal, owner, start_at, end_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, ch.Platform, ch.Workspace, ch.Channel, ch.Name, ch.Days, ch.Goal, ch.Owner,
			toMS(ch.Start), toMS(ch.End())).Scan(&ch.ID); err != nil {
			return err
		}
		progress.Challenge = ch.ID
		_, err := db.setChannelPost(ctx, tx, progress)
		return err
	})
	if err != nil {
		if bot.ErrorCode(err) == bot.ECONFLICT || bot.ErrorCode(err) == bot.ENOTFOUND {
			return bot.Challenge{}, err
		}
		return bot.Challenge{}, fmt.Errorf("start challenge: %w", err)
	}
	return ch, nil
}

// Challenge implements bot.Store.
func (db *DB) Challenge(ctx context.Context, id int64) (bot.Challenge, error) {
	ch, err := scanChallenge(db.readRow(ctx, `SELECT `+challengeColumns+` FROM challenges WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Challenge{}, notFound("challenge")
	}
	if err != nil {
		return bot.Challenge{}, fmt.Errorf("challenge: %w", err)
	}
	return ch, nil
}

// Challenges implements bot.Store.
func (db *DB) Challenges(ctx context.Context, platform bot.Platform, workspace string) ([]bot.Challenge, error) {
	var out []bot.Challenge
	err := db.each(ctx, `SELECT `+challengeColumns+` FROM challenges WHERE platform = ? AND workspace = ? ORDER BY start_at DESC, id DESC`,
		[]any{platform, workspace}, func(s scanner) error {
			ch, err := scanChallenge(s)
			out = append(out, ch)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("challenges: %w", err)
	}
	return out, nil
}

// StopChallenge implements bot.Store.
func (db *DB) StopChallenge(ctx context.Context, platform bot.Platform, workspace, channel string, at time.Time) (bool, error) {
	var stopped int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := db.txExec(ctx, tx, `UPDATE challenges SET stopped_at = ? WHERE platform = ? AND workspace = ? AND channel = ?
			AND stopped_at IS NULL AND end_at > ?`, toMS(at), platform, workspace, channel, toMS(at))
		if err != nil {
			return err
		}
		stopped, _ = res.RowsAffected()
		_, err = db.txExec(ctx, tx, `DELETE FROM channel_posts WHERE platform = ? AND workspace = ? AND channel = ? AND kind = ?`,
			platform, workspace, channel, bot.PostChallenge)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("stop challenge: %w", err)
	}
	return stopped > 0, nil
}

// AddMovementBreak implements bot.Store.
func (db *DB) AddMovementBreak(ctx context.Context, b bot.MovementBreak) (bool, error) {
	n, err := db.execForMember(ctx, b.Member, `INSERT INTO movement_breaks (member_id, day, minute, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (member_id, day, minute) DO NOTHING`, b.Day, int(b.Minute), toMS(b.At))
	if err != nil {
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return false, err
		}
		return false, fmt.Errorf("add movement break: %w", err)
	}
	return n == 1, nil
}

func scanBreak(s scanner, b *bot.MovementBreak) error {
	var minute int
	var at int64
	err := s.Scan(&b.Member.Platform, &b.Member.Workspace, &b.Member.User, &b.Day, &minute, &at)
	b.Minute, b.At = bot.TimeOfDay(minute), fromMS(at)
	return err
}

func (db *DB) breaks(ctx context.Context, where string, args []any) ([]bot.MovementBreak, error) {
	var out []bot.MovementBreak
	err := db.each(ctx, `SELECT m.platform, m.workspace, m.user_id, b.day, b.minute, b.at FROM movement_breaks b
		JOIN members m ON m.id = b.member_id WHERE `+where+` ORDER BY b.at, b.day, b.minute`, args, func(s scanner) error {
		var b bot.MovementBreak
		err := scanBreak(s, &b)
		out = append(out, b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("movement breaks: %w", err)
	}
	return out, nil
}

// MovementBreaks implements bot.Store.
func (db *DB) MovementBreaks(ctx context.Context, key bot.MemberKey, sinceDay string) ([]bot.MovementBreak, error) {
	return db.breaks(ctx, `m.platform = ? AND m.workspace = ? AND m.user_id = ? AND b.day >= ?`,
		[]any{key.Platform, key.Workspace, key.User, sinceDay})
}

// WorkspaceBreaks implements bot.Store.
func (db *DB) WorkspaceBreaks(ctx context.Context, platform bot.Platform, workspace, sinceDay string) ([]bot.MovementBreak, error) {
	return db.breaks(ctx, `m.platform = ? AND m.workspace = ? AND b.day >= ?`, []any{platform, workspace, sinceDay})
}

// SetPublicStreak implements bot.Store.
func (db *DB) SetPublicStreak(ctx context.Context, key bot.MemberKey, on bool, at time.Time) error {
	query := `DELETE FROM public_streaks WHERE member_id = ?`
	args := []any{}
	if on {
		query = `INSERT INTO public_streaks (member_id, since) VALUES (?, ?) ON CONFLICT (member_id) DO NOTHING`
		args = append(args, toMS(at))
	}
	if _, err := db.execForMember(ctx, key, query, args...); err != nil {
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return err
		}
		return fmt.Errorf("set public streak: %w", err)
	}
	return nil
}

// PublicStreak implements bot.Store.
func (db *DB) PublicStreak(ctx context.Context, key bot.MemberKey) (bool, error) {
	var n int
	err := db.readRow(ctx, `SELECT COUNT(*) FROM public_streaks s JOIN members m ON m.id = s.member_id
		WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ?`, key.Platform, key.Workspace, key.User).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("public streak: %w", err)
	}
	return n > 0, nil
}

// PublicStreaks implements bot.Store.
func (db *DB) PublicStreaks(ctx context.Context, platform bot.Platform, workspace string) ([]string, error) {
	var out []string
	err := db.each(ctx, `SELECT m.user_id FROM public_streaks s JOIN members m ON m.id = s.member_id
		WHERE m.platform = ? AND m.workspace = ? ORDER BY m.user_id`, []any{platform, workspace}, func(s scanner) error {
		var user string
		err := s.Scan(&user)
		out = append(out, user)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("public streaks: %w", err)
	}
	return out, nil
}
