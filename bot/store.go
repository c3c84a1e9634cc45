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

	// RecentCheckIns returns a member's newest check-ins at or after
	// since, at most limit of them, oldest first: the bounded read of
	// history one check-in needs.
	RecentCheckIns(ctx context.Context, key MemberKey, since time.Time, limit int) ([]CheckIn, error)
	// RecordCheckIn saves a check-in with the red flags it raised and
	// their staff alerts in one transaction: all of it or nothing. An
	// identical check-in (same member, score, area and note) at most
	// rec.DuplicateWithin old is returned instead, with Duplicate set and
	// nothing written.
	RecordCheckIn(ctx context.Context, rec CheckInRecord) (RecordedCheckIn, error)
	// RecordRedFlags saves red flags raised by a message (no check-in)
	// and their staff alerts in one transaction.
	RecordRedFlags(ctx context.Context, member MemberKey, flags []FlagRecord) ([]RedFlagEvent, error)

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

	// AddCompletion records exercises done; false when that day, exercise
	// and session (0 counts as 1) was already recorded.
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
	// Conversation returns what the coach remembers of the member's chat;
	// the zero Conversation (with Member set) when nothing.
	Conversation(ctx context.Context, key MemberKey) (Conversation, error)
	// SetConversation saves it (ENOTFOUND when the member is unknown).
	SetConversation(ctx context.Context, c Conversation) error
	// LastSentNudge returns the member's most recent delivered nudge.
	LastSentNudge(ctx context.Context, key MemberKey) (OutboxItem, bool, error)

	// MemberData returns everything stored about the member.
	MemberData(ctx context.Context, key MemberKey) (MemberData, error)
	// ForgetMember deletes every row of the member in one transaction.
	ForgetMember(ctx context.Context, key MemberKey) error

	undoStore
	planStore
	pauseStore
	channelStore
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

// Installation is one installation of the Slack app: a workspace or, with
// OrgInstall, an Enterprise Grid organisation, whose every workspace it
// then serves. The tokens are sealed (encrypted and authenticated) by the
// adapter before they reach the store, which never sees them in clear.
type Installation struct {
	// TeamID is the workspace; empty for an org-wide install.
	TeamID   string
	TeamName string
	// EnterpriseID is the Enterprise Grid organisation, empty outside one.
	EnterpriseID   string
	EnterpriseName string
	// OrgInstall marks an install for the whole organisation.
	OrgInstall bool
	AppID      string
	BotUserID  string
	// Scopes are the bot scopes granted.
	Scopes []string
	// InstallerID is the user who installed the app.
	InstallerID string
	InstalledAt time.Time
	// BotToken is the sealed bot token; RefreshToken is the sealed refresh
	// token and TokenExpiresAt the bot token's expiry when token rotation
	// is on (empty and zero otherwise). All three are cleared at uninstall.
	BotToken       []byte
	RefreshToken   []byte
	TokenExpiresAt time.Time
	// UninstalledAt is when the app was uninstalled or its tokens revoked;
	// zero while installed.
	UninstalledAt time.Time
}

// Key identifies the installation: the enterprise of an org-wide install,
// otherwise the team.
func (in Installation) Key() string {
	if in.OrgInstall {
		return in.EnterpriseID
	}
	return in.TeamID
}

// Active reports whether the installation is installed.
func (in Installation) Active() bool { return in.UninstalledAt.IsZero() }

// InstallationStore keeps the Slack app's installations, for a deployment
// that serves many workspaces. Not-found results are ENOTFOUND.
type InstallationStore interface {
	// SaveInstallation creates or replaces the installation under its Key;
	// saving an uninstalled one's key again reinstalls it (its data stays).
	SaveInstallation(ctx context.Context, in Installation) error
	// Installation returns the active installation serving a workspace:
	// the team's own install, else the org-wide install of enterprise (or,
	// when enterprise is empty, of the enterprise the team was last seen
	// in). ENOTFOUND when there is none.
	Installation(ctx context.Context, team, enterprise string) (Installation, error)
	// Installations returns every installation, active or not, by key.
	Installations(ctx context.Context) ([]Installation, error)
	// SetInstallationTokens replaces the sealed tokens of the active
	// installation key if its bot token is still old, and reports whether
	// it did: of two instances refreshing at once, one wins.
	SetInstallationTokens(ctx context.Context, key string, old, botToken, refreshToken []byte, expires time.Time) (bool, error)
	// Uninstall deletes the tokens of the installation key and records at
	// as its uninstall time; false when no active installation has the key.
	Uninstall(ctx context.Context, key string, at time.Time) (bool, error)
	// SetTeamEnterprise records that a team belongs to an enterprise, so
	// that its org-wide install is found from the team alone.
	SetTeamEnterprise(ctx context.Context, team, enterprise string) error
	// PurgeUninstalled deletes the installations uninstalled before the
	// given time with all member data of the workspaces they served (and
	// no active installation serves now), and returns those workspaces.
	PurgeUninstalled(ctx context.Context, before time.Time) ([]string, error)
	// SaveOAuthState records a single-use install state until expires.
	SaveOAuthState(ctx context.Context, state string, expires time.Time) error
	// ConsumeOAuthState deletes the state and reports whether it was
	// recorded and unexpired at now; expired states are deleted as well.
	ConsumeOAuthState(ctx context.Context, state string, now time.Time) (bool, error)
}

// OutboxScope names the outbox rows of a platform (Workspace empty) or of
// one workspace of it, for leaving them out of a claim while the platform
// paces them with 429s.
type OutboxScope struct {
	Platform  Platform
	Workspace string
}
