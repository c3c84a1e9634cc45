package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Sender delivers a message to a member outside a request, such as a nudge
// in their DMs. Each adapter provides one for its platform.
type Sender interface {
	Send(ctx context.Context, to MemberKey, msg Reply) error
}

// ErrUnreachable marks a permanent delivery failure: the member closed their
// DMs, left, or blocked the bot. Retrying cannot help; the dispatcher
// disables that member's nudges instead. Adapters wrap it with %w.
var ErrUnreachable = errors.New("member cannot be reached")

// RateLimitedError is a platform's "slow down": retry after RetryAfter.
type RateLimitedError struct {
	RetryAfter time.Duration
	// Shared is set when the platform says the limit covers every send of
	// the bot or workspace (Discord's global limit), not one channel; the
	// dispatcher then holds them all. Unset, the dispatcher judges from the
	// pattern of 429s.
	Shared bool
	Err    error
}

// Error implements the error interface.
func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s: %v", e.RetryAfter, e.Err)
}

// Unwrap returns the platform's error.
func (e *RateLimitedError) Unwrap() error { return e.Err }

// ChannelSender posts to a channel of a workspace, for staff alerts.
// Adapters whose platform has channels implement it beside Sender.
type ChannelSender interface {
	SendChannel(ctx context.Context, platform Platform, workspace, channel string, msg Reply) error
}

// Delivery identifies one send of an outbox row, so that a platform can tag
// the message with the row and later tell whether it arrived.
type Delivery struct {
	// ID is the outbox row's id.
	ID int64
	// Began is when the send started (the row's SendingAt); a message
	// carrying ID can only have been posted after it.
	Began time.Time
}

// TrackedSender is a Sender whose messages carry their outbox id, so that a
// row left half-sent by a crash is settled by asking the platform instead
// of sending again. The dispatcher prefers it to Send and SendChannel.
type TrackedSender interface {
	// SendTracked delivers msg to the member's DM, or to channel of the
	// member's workspace when channel is not empty (a staff alert), tagged
	// with d. Errors follow Sender's contract.
	SendTracked(ctx context.Context, to MemberKey, channel string, msg Reply, d Delivery) error
	// Delivered reports whether the message of d is on the platform. An
	// error means the platform could not tell; the caller then sends again.
	// ErrCannotTell means this platform never can, but SendTracked itself
	// drops a repeat of d (Discord's enforced nonce), so sending again is
	// safe.
	Delivered(ctx context.Context, to MemberKey, channel string, d Delivery) (bool, error)
}

// ErrCannotTell is returned by TrackedSender.Delivered on a platform that
// cannot look a message up but de-duplicates repeated sends itself.
var ErrCannotTell = errors.New("the platform cannot tell whether the message arrived")
