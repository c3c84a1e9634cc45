package bot

import (
	"context"
	"time"
)

// Store is what the Coach needs from storage. It speaks in domain types
// only, so that a second implementation (PostgreSQL) can follow SQLite
// without touching the core. Not-found results are *Error{Code: ENOTFOUND}.
type Store interface {
	// EnsureWorkspace returns the stored workspace, creating it from w when new.
	EnsureWorkspace(ctx context.Context, w Workspace) (Workspace, error)
	// EnsureMember returns the stored member, creating it from m when new;
	// created reports which happened.
	EnsureMember(ctx context.Context, m Member) (member Member, created bool, err error)
	// UpdateMember saves the member's settings.
	UpdateMember(ctx context.Context, m Member) error

	// AddCheckIn stores a check-in and returns it with its id.
	AddCheckIn(ctx context.Context, c CheckIn) (CheckIn, error)
	// CheckIns returns the member's check-ins at or after since, oldest first.
	CheckIns(ctx context.Context, key MemberKey, since time.Time) ([]CheckIn, error)

	// AddRedFlag records a red flag raised by a check-in.
	AddRedFlag(ctx context.Context, e RedFlagEvent) (RedFlagEvent, error)

	// MemberData returns everything stored about the member.
	MemberData(ctx context.Context, key MemberKey) (MemberData, error)
	// ForgetMember deletes every row of the member in one transaction.
	ForgetMember(ctx context.Context, key MemberKey) error
}
