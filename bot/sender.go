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
	Err        error
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
