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
	// Member returns a stored member (ENOTFOUND when unknown).
	Member(ctx context.Context, key MemberKey) (Member, error)
	// UpdateMember saves the member's settings.
	UpdateMember(ctx context.Context, m Member) error

	// AddCheckIn stores a check-in and returns it with its id.
	AddCheckIn(ctx context.Context, c CheckIn) (CheckIn, error)
	// CheckIns returns the member's check-ins at or after since, oldest first.
	CheckIns(ctx context.Context, key MemberKey, since time.Time) ([]CheckIn, error)

	// AddRedFlag records a red flag raised by a check-in.
	AddRedFlag(ctx context.Context, e RedFlagEvent) (RedFlagEvent, error)

	// SetSubscription creates or replaces the member's reminder of s.Kind.
	SetSubscription(ctx context.Context, s Subscription) (Subscription, error)
	// DeleteSubscriptions removes the member's reminders of a kind (all
	// kinds when kind is empty) and returns how many there were.
	DeleteSubscriptions(ctx context.Context, key MemberKey, kind ReminderKind) (int, error)
	// Subscriptions returns the member's reminders.
	Subscriptions(ctx context.Context, key MemberKey) ([]Subscription, error)
	// Subscription returns one reminder by id.
	Subscription(ctx context.Context, id int64) (Subscription, error)
	// SetSubscriptionsTZ moves the member's reminders to a new zone.
	SetSubscriptionsTZ(ctx context.Context, key MemberKey, tz string) error

	// AddCompletion records exercises done; false when already recorded.
	AddCompletion(ctx context.Context, c Completion) (bool, error)
	// Completions returns completions on or after sinceDay (YYYY-MM-DD).
	Completions(ctx context.Context, key MemberKey, sinceDay string) ([]Completion, error)

	// StartTape records a tape application, replacing a worn cycle on the
	// same area, and enqueues its one-shot reminders (Kind and NotBefore set).
	StartTape(ctx context.Context, tc TapeCycle, nudges []OutboxItem) (TapeCycle, error)
	// StopTape ends every worn cycle, cancels their reminders and returns them.
	StopTape(ctx context.Context, key MemberKey, at time.Time) ([]TapeCycle, error)
	// WornTape returns the cycles currently worn.
	WornTape(ctx context.Context, key MemberKey) ([]TapeCycle, error)
	// TapeCycle returns one cycle by id.
	TapeCycle(ctx context.Context, id int64) (TapeCycle, error)

	// UpdateWorkspace saves a workspace's settings.
	UpdateWorkspace(ctx context.Context, w Workspace) error
	// StaffCount returns how many staff a workspace has.
	StaffCount(ctx context.Context, p Platform, workspace string) (int, error)
	// PromoteFirstStaff makes the member staff only if their workspace has
	// no staff yet, checked and changed in one step so that of several
	// callers at once exactly one is promoted; it reports whether this one
	// was (ENOTFOUND when the member is unknown).
	PromoteFirstStaff(ctx context.Context, key MemberKey) (bool, error)
	// RemoveStaff makes a staff member an ordinary member, unless they are
	// their workspace's last staff member (ECONFLICT), checked and changed
	// in one step so that removals at once never leave a workspace without
	// staff. ENOTFOUND when the member is unknown or not staff.
	RemoveStaff(ctx context.Context, key MemberKey) error
	// TeamData returns every member of a workspace with their check-ins,
	// red flags, completions and readiness since the given time (the day
	// records from at least a day earlier), and the tape worn now.
	TeamData(ctx context.Context, p Platform, workspace string, since time.Time) ([]MemberData, error)
	// AddAudit records a staff action.
	AddAudit(ctx context.Context, e AuditEntry) error
	// Audit returns a workspace's newest audit entries.
	Audit(ctx context.Context, p Platform, workspace string, limit int) ([]AuditEntry, error)
	// Enqueue adds one outbox row; false when its dedupe key exists.
	Enqueue(ctx context.Context, it OutboxItem) (bool, error)
	// AlertedSince reports whether a staff alert for the member's red flags
	// of the rule was enqueued at or after since.
	AlertedSince(ctx context.Context, key MemberKey, rule string, since time.Time) (bool, error)
	// RedFlag returns one red-flag event by id.
	RedFlag(ctx context.Context, id int64) (RedFlagEvent, error)

	// SetReadiness stores the day's readiness, replacing an earlier answer.
	SetReadiness(ctx context.Context, r Readiness) error
	// ReadinessSince returns readiness on or after sinceDay, oldest first.
	ReadinessSince(ctx context.Context, key MemberKey, sinceDay string) ([]Readiness, error)
	// AddLoad stores a training session.
	AddLoad(ctx context.Context, l SessionLoad) (SessionLoad, error)
	// LoadsSince returns sessions at or after since, oldest first.
	LoadsSince(ctx context.Context, key MemberKey, since time.Time) ([]SessionLoad, error)

	// ClaimHint records a hint at now unless one was given after
	// notBefore, and reports whether this caller may send it.
	ClaimHint(ctx context.Context, key MemberKey, now, notBefore time.Time) (bool, error)
	// LastSentNudge returns the member's most recent delivered nudge.
	LastSentNudge(ctx context.Context, key MemberKey) (OutboxItem, bool, error)

	// MemberData returns everything stored about the member.
	MemberData(ctx context.Context, key MemberKey) (MemberData, error)
	// ForgetMember deletes every row of the member in one transaction.
	ForgetMember(ctx context.Context, key MemberKey) error
}

// MemberLocker is offered by a store that several processes share. The
// Coach holds a member's lock around each command, because settings are
// read, changed and saved whole: without it, two commands of one member
// handled by two instances at once could undo each other's change. Within
// one process the Coach's own locks do this.
type MemberLocker interface {
	// LockMember waits until no other holder has the member's lock, then
	// holds it until unlock is called.
	LockMember(ctx context.Context, key MemberKey) (unlock func(), err error)
}
