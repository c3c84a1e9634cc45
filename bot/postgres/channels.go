package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recoverycoach/recoverycoach/bot"
)

const channelPostColumns = `p.id, p.platform, p.workspace, p.channel, p.kind, m.user_id, p.times, p.days, p.tz, p.challenge, p.created_at, p.off_at, p.off_reason`

func scanChannelPost(s scanner) (bot.ChannelPost, error) {
	var (
		p       bot.ChannelPost
		times   string
		days    int
		created int64
		off     *int64
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
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var err error
		p, err = setChannelPost(ctx, tx, p)
		return err
	})
	if err != nil {
		return bot.ChannelPost{}, fmt.Errorf("set channel post: %w", err)
	}
	return p, nil
}

func setChannelPost(ctx context.Context, tx pgx.Tx, p bot.ChannelPost) (bot.ChannelPost, error) {
	owner, err := memberID(ctx, tx, p.OwnerKey(), false)
	if err != nil {
		return p, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO channel_posts (platform, workspace, channel, kind, owner_id, times, days, tz, challenge, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (platform, workspace, channel, kind) DO UPDATE SET owner_id = excluded.owner_id, times = excluded.times,
			days = excluded.days, tz = excluded.tz, challenge = excluded.challenge, created_at = excluded.created_at,
			off_at = NULL, off_reason = ''
		RETURNING id`, p.Platform, p.Workspace, p.Channel, p.Kind, owner, bot.FormatTimes(p.Times), int(p.Days), p.TZ, p.Challenge, toMS(p.CreatedAt)).Scan(&p.ID)
	if err != nil {
		return p, err
	}
	p.OffAt, p.OffReason = time.Time{}, ""
	if _, err := tx.Exec(ctx, `DELETE FROM channel_post_times WHERE post_id = $1`, p.ID); err != nil {
		return p, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO channel_post_times (post_id, minute, tz, days)
		SELECT $1::bigint, minute, $3::text, $4::integer FROM unnest($2::integer[]) AS minute`,
		p.ID, minutes(p.Times), p.TZ, int(p.Days))
	return p, err
}

// ChannelPost implements bot.Store.
func (db *DB) ChannelPost(ctx context.Context, id int64) (bot.ChannelPost, error) {
	p, err := scanChannelPost(db.pool.QueryRow(ctx, `SELECT `+channelPostColumns+` FROM channel_posts p JOIN members m ON m.id = p.owner_id WHERE p.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
		WHERE p.platform = $1 AND p.workspace = $2 AND p.channel = $3 ORDER BY p.kind`, []any{platform, workspace, channel}, func(s scanner) error {
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
	tag, err := db.pool.Exec(ctx, `DELETE FROM channel_posts WHERE platform = $1 AND workspace = $2 AND channel = $3
		AND ($4::text = '' OR kind = $4::text)`, platform, workspace, channel, kind)
	if err != nil {
		return 0, fmt.Errorf("delete channel posts: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// TurnOffChannel implements bot.Store. The UPDATE locks the posts it turns
// off, so a second call racing on another instance waits, then finds them
// off and enqueues nothing.
func (db *DB) TurnOffChannel(ctx context.Context, platform bot.Platform, workspace, channel, reason string, at time.Time, notice func(bot.ChannelPost) bot.OutboxItem) ([]bot.ChannelPost, error) {
	type offPost struct {
		post  bot.ChannelPost
		owner int64
	}
	var off []bot.ChannelPost
	err := db.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE channel_posts p SET off_at = $1, off_reason = $2 FROM members m
			WHERE m.id = p.owner_id AND p.platform = $3 AND p.workspace = $4 AND p.channel = $5 AND p.off_at IS NULL
			RETURNING p.owner_id, `+channelPostColumns, toMS(at), reason, platform, workspace, channel)
		if err != nil {
			return err
		}
		posts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (offPost, error) {
			var o offPost
			var err error
			o.post, err = scanChannelPost(prefixScanner{row, []any{&o.owner}})
			return o, err
		})
		if err != nil {
			return err
		}
		// RETURNING has no order; SQLite turns posts off in id order.
		slices.SortFunc(posts, func(a, b offPost) int { return cmp.Compare(a.post.ID, b.post.ID) })
		for _, o := range posts {
			it := notice(o.post)
			if _, err := tx.Exec(ctx, `INSERT INTO outbox (member_id, kind, dedupe_key, not_before, ref, created_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedupe_key) DO NOTHING`,
				o.owner, it.Kind, it.DedupeKey, toMS(it.NotBefore), it.Ref, toMS(at)); err != nil {
				return err
			}
			off = append(off, o.post)
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
		stopped *int64
	)
	err := s.Scan(&ch.ID, &ch.Platform, &ch.Workspace, &ch.Channel, &ch.Name, &ch.Days, &ch.Goal, &ch.Owner, &start, &stopped)
	ch.Start, ch.StoppedAt = fromMS(start), fromNullMS(stopped)
	return ch, err
}

// channelLockKey maps a channel ($1..$3: platform, workspace, channel) to
// an advisory lock key, within the schema like memberLockKey.
const channelLockKey = `hashtextextended('recoverycoach.channel:' || COALESCE(current_schema(), '') || ':' || $1 || ':' || $2 || ':' || $3, 0)`

// StartChallenge implements bot.Store. A transaction-level advisory lock
// on the channel makes the check for a running challenge and the insert
// one step across instances, as SQLite's single writer does.
func (db *DB) StartChallenge(ctx context.Context, ch bot.Challenge, progress bot.ChannelPost) (bot.Challenge, error) {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+channelLockKey+`)`,
			string(ch.Platform), ch.Workspace, ch.Channel); err != nil {
			return err
		}
		var running bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM challenges WHERE platform = $1 AND workspace = $2 AND channel = $3
			AND stopped_at IS NULL AND end_at > $4)`, ch.Platform, ch.Workspace, ch.Channel, toMS(ch.Start)).Scan(&running); err != nil {
			return err
		}
		if running {
			return bot.Errorf(bot.ECONFLICT, "This channel already has a challenge running.")
		}
		if err := tx.QueryRow(ctx, `INSERT INTO challenges (platform, workspace, channel, name, days, goal, owner, start_at, end_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, ch.Platform, ch.Workspace, ch.Channel, ch.Name, ch.Days, ch.Goal, ch.Owner,
			toMS(ch.Start), toMS(ch.End())).Scan(&ch.ID); err != nil {
			return err
		}
		progress.Challenge = ch.ID
		_, err := setChannelPost(ctx, tx, progress)
		return err
	})
	if err != nil {
		if code := bot.ErrorCode(err); code == bot.ECONFLICT || code == bot.ENOTFOUND {
			return bot.Challenge{}, err
		}
		return bot.Challenge{}, fmt.Errorf("start challenge: %w", err)
	}
	return ch, nil
}

// Challenge implements bot.Store.
func (db *DB) Challenge(ctx context.Context, id int64) (bot.Challenge, error) {
	ch, err := scanChallenge(db.pool.QueryRow(ctx, `SELECT `+challengeColumns+` FROM challenges WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := db.each(ctx, `SELECT `+challengeColumns+` FROM challenges WHERE platform = $1 AND workspace = $2 ORDER BY start_at DESC, id DESC`,
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
	err := db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE challenges SET stopped_at = $1 WHERE platform = $2 AND workspace = $3 AND channel = $4
			AND stopped_at IS NULL AND end_at > $1`, toMS(at), platform, workspace, channel)
		if err != nil {
			return err
		}
		stopped = tag.RowsAffected()
		_, err = tx.Exec(ctx, `DELETE FROM channel_posts WHERE platform = $1 AND workspace = $2 AND channel = $3 AND kind = $4`,
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
	n, err := db.execForMember(ctx, b.Member, `INSERT INTO movement_breaks (member_id, day, minute, at)
		SELECT id, $4::text, $5::integer, $6::bigint FROM m ON CONFLICT (member_id, day, minute) DO NOTHING RETURNING 1`,
		b.Day, int(b.Minute), toMS(b.At))
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

// breaks returns the movement breaks of the members where selects, oldest
// first.
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
	return db.breaks(ctx, `m.platform = $1 AND m.workspace = $2 AND m.user_id = $3 AND b.day >= $4`, append(keyArgs(key), sinceDay))
}

// WorkspaceBreaks implements bot.Store.
func (db *DB) WorkspaceBreaks(ctx context.Context, platform bot.Platform, workspace, sinceDay string) ([]bot.MovementBreak, error) {
	return db.breaks(ctx, `m.platform = $1 AND m.workspace = $2 AND b.day >= $3`, []any{platform, workspace, sinceDay})
}

// SetPublicStreak implements bot.Store.
func (db *DB) SetPublicStreak(ctx context.Context, key bot.MemberKey, on bool, at time.Time) error {
	stmt := `DELETE FROM public_streaks WHERE member_id IN (SELECT id FROM m) RETURNING 1`
	var args []any
	if on {
		stmt = `INSERT INTO public_streaks (member_id, since) SELECT id, $4::bigint FROM m ON CONFLICT (member_id) DO NOTHING RETURNING 1`
		args = append(args, toMS(at))
	}
	if _, err := db.execForMember(ctx, key, stmt, args...); err != nil {
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return err
		}
		return fmt.Errorf("set public streak: %w", err)
	}
	return nil
}

// PublicStreak implements bot.Store.
func (db *DB) PublicStreak(ctx context.Context, key bot.MemberKey) (bool, error) {
	var on bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM public_streaks s JOIN members m ON m.id = s.member_id
		WHERE m.platform = $1 AND m.workspace = $2 AND m.user_id = $3)`, keyArgs(key)...).Scan(&on)
	if err != nil {
		return false, fmt.Errorf("public streak: %w", err)
	}
	return on, nil
}

// PublicStreaks implements bot.Store.
func (db *DB) PublicStreaks(ctx context.Context, platform bot.Platform, workspace string) ([]string, error) {
	var out []string
	err := db.each(ctx, `SELECT m.user_id FROM public_streaks s JOIN members m ON m.id = s.member_id
		WHERE m.platform = $1 AND m.workspace = $2 ORDER BY m.user_id`, []any{platform, workspace}, func(s scanner) error {
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
