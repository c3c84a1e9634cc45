package bot

import (
	"context"
	"time"
)

// A channel (a #wellness channel in Slack, a team's #training channel on
// Discord) can get group posts: a movement break, a readiness prompt, a
// session-load prompt, an anonymous weekly summary and a group
// challenge's progress. The post is public; every answer to it is private
// to the person who gave it and is stored exactly as if they had typed
// the command, so nobody in the channel learns who answered or what.

// ChannelPostKind is what a channel subscription posts.
type ChannelPostKind string

// Channel post kinds.
const (
	PostMovement  ChannelPostKind = "movement"
	PostReadiness ChannelPostKind = "readiness"
	PostLoad      ChannelPostKind = "load"
	// PostSummary is the anonymous weekly summary of the group.
	PostSummary ChannelPostKind = "summary"
	// PostChallenge is the weekly progress of the channel's challenge.
	PostChallenge ChannelPostKind = "challenge"
)

// Nudge kinds of channel posts, and the direct message that tells a
// post's owner the bot lost the channel.
const (
	NudgeChannelMovement  NudgeKind = "channel_movement"
	NudgeChannelReadiness NudgeKind = "channel_readiness"
	NudgeChannelLoad      NudgeKind = "channel_load"
	NudgeChannelSummary   NudgeKind = "channel_summary"
	NudgeChannelChallenge NudgeKind = "channel_challenge"
	NudgeChannelGone      NudgeKind = "channel_gone"
)

// ChannelPostKinds lists every kind of channel post.
func ChannelPostKinds() []ChannelPostKind {
	return []ChannelPostKind{PostMovement, PostReadiness, PostLoad, PostSummary, PostChallenge}
}

// Nudge is the outbox kind of the post. The stores build their fan-out
// from this table.
func (k ChannelPostKind) Nudge() NudgeKind {
	switch k {
	case PostMovement:
		return NudgeChannelMovement
	case PostReadiness:
		return NudgeChannelReadiness
	case PostLoad:
		return NudgeChannelLoad
	case PostSummary:
		return NudgeChannelSummary
	case PostChallenge:
		return NudgeChannelChallenge
	}
	return ""
}

// channelPostOf is the post kind an outbox kind delivers; false for a
// nudge that is not a channel post.
func channelPostOf(k NudgeKind) (ChannelPostKind, bool) {
	for _, p := range ChannelPostKinds() {
		if p.Nudge() == k {
			return p, true
		}
	}
	return "", false
}

// ChannelPost is a recurring group post in one channel, set by a staff
// member.
type ChannelPost struct {
	ID        int64
	Platform  Platform
	Workspace string
	Channel   string
	Kind      ChannelPostKind
	// Owner is the staff member who set it: its outbox rows are theirs,
	// and they are told by direct message if the channel is lost.
	Owner string
	Times []TimeOfDay
	Days  Weekdays
	TZ    string
	// Challenge is the challenge a progress post reports on.
	Challenge int64
	CreatedAt time.Time
	// OffAt is when posting stopped because the platform refused the
	// channel (the bot was removed, the channel archived or deleted), and
	// OffReason why; zero while the post is on.
	OffAt     time.Time
	OffReason string
}

// OwnerKey is the member who set the post.
func (p ChannelPost) OwnerKey() MemberKey {
	return MemberKey{Platform: p.Platform, Workspace: p.Workspace, User: p.Owner}
}

// On reports whether the post is still being posted.
func (p ChannelPost) On() bool { return p.OffAt.IsZero() }

// Challenge is a group challenge in a channel: over Days days from Start,
// each person who takes part aims for Goal movement breaks.
type Challenge struct {
	ID        int64
	Platform  Platform
	Workspace string
	Channel   string
	Name      string
	Days      int
	Goal      int
	Owner     string
	Start     time.Time
	// StoppedAt is when staff ended the challenge early; zero otherwise.
	StoppedAt time.Time
}

// End is when the challenge ends.
func (ch Challenge) End() time.Time { return ch.Start.AddDate(0, 0, ch.Days) }

// Active reports whether the challenge is running at now.
func (ch Challenge) Active(now time.Time) bool {
	return ch.StoppedAt.IsZero() && !now.Before(ch.Start) && now.Before(ch.End())
}

// MovementBreak is one movement break a member did: on their local Day, at
// the local Minute of the post it answered (or of the moment they typed
// it), so that two taps on one post count once.
type MovementBreak struct {
	Member MemberKey
	Day    string // YYYY-MM-DD in the member's zone
	Minute TimeOfDay
	At     time.Time
}

// channelStore is what channel posts, challenges and movement breaks need
// from storage.
type channelStore interface {
	// SetChannelPost creates or replaces the channel's post of p.Kind
	// (turning it back on) and returns it with its id.
	SetChannelPost(ctx context.Context, p ChannelPost) (ChannelPost, error)
	// ChannelPost returns one post by id, on or off.
	ChannelPost(ctx context.Context, id int64) (ChannelPost, error)
	// ChannelPosts returns a channel's posts, on and off.
	ChannelPosts(ctx context.Context, p Platform, workspace, channel string) ([]ChannelPost, error)
	// DeleteChannelPosts removes a channel's posts of a kind (every kind
	// when kind is empty) and returns how many there were.
	DeleteChannelPosts(ctx context.Context, p Platform, workspace, channel string, kind ChannelPostKind) (int, error)
	// TurnOffChannel marks every post of a channel that is on as off with
	// the reason, and in the same transaction enqueues the notice that
	// notice builds for each (a direct message to its owner). It returns
	// the posts it turned off.
	TurnOffChannel(ctx context.Context, p Platform, workspace, channel, reason string, at time.Time, notice func(ChannelPost) OutboxItem) ([]ChannelPost, error)

	// StartChallenge records a challenge and its weekly progress post in
	// one transaction; ECONFLICT when the channel has a challenge that has
	// not ended or been stopped at ch.Start.
	StartChallenge(ctx context.Context, ch Challenge, progress ChannelPost) (Challenge, error)
	// Challenge returns one challenge by id.
	Challenge(ctx context.Context, id int64) (Challenge, error)
	// Challenges returns a workspace's challenges, newest first.
	Challenges(ctx context.Context, p Platform, workspace string) ([]Challenge, error)
	// StopChallenge stops the channel's running challenge at at and
	// removes its progress post; false when none was running.
	StopChallenge(ctx context.Context, p Platform, workspace, channel string, at time.Time) (bool, error)

	// AddMovementBreak records a movement break; false when the member
	// already has one on that day at that minute.
	AddMovementBreak(ctx context.Context, b MovementBreak) (bool, error)
	// MovementBreaks returns a member's breaks on or after sinceDay,
	// oldest first.
	MovementBreaks(ctx context.Context, key MemberKey, sinceDay string) ([]MovementBreak, error)
	// WorkspaceBreaks returns the breaks of every member of a workspace on
	// or after sinceDay, oldest first.
	WorkspaceBreaks(ctx context.Context, p Platform, workspace, sinceDay string) ([]MovementBreak, error)

	// SetPublicStreak records whether the member shows their streak count
	// on channel boards.
	SetPublicStreak(ctx context.Context, key MemberKey, on bool, at time.Time) error
	// PublicStreak reports whether the member shows it.
	PublicStreak(ctx context.Context, key MemberKey) (bool, error)
	// PublicStreaks returns the members of a workspace who show it.
	PublicStreaks(ctx context.Context, p Platform, workspace string) ([]string, error)
}
