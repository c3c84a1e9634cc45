package bot

import (
	"time"
)

// Platform names a chat platform. It is part of every member's identity.
type Platform string

// Supported platforms.
const (
	Slack   Platform = "slack"
	Discord Platform = "discord"
	Console Platform = "console"
)

// MemberKey identifies a member: the same person on two platforms, or in two
// workspaces, is two members whose data never mixes.
type MemberKey struct {
	Platform  Platform
	Workspace string
	User      string
}

// String renders the key for logs; it contains platform ids only.
func (k MemberKey) String() string {
	return string(k.Platform) + "/" + k.Workspace + "/" + k.User
}

// Valid reports whether every part of the key is set.
func (k MemberKey) Valid() bool {
	return k.Platform != "" && k.Workspace != "" && k.User != ""
}

// PrivacyMode decides what staff may see in a workspace.
type PrivacyMode string

// Privacy modes: what staff may see (see policy.go and privacy.go).
const (
	PrivacyTeam     PrivacyMode = "team"
	PrivacyWellness PrivacyMode = "wellness"
)

// Role is a member's role in their workspace.
type Role string

// Roles.
const (
	RoleMember Role = "member"
	RoleStaff  Role = "staff"
)

// Workspace is a Slack team, a Discord guild, the DM space of a platform, or
// the console's "local" workspace.
type Workspace struct {
	Platform     Platform
	ID           string
	Privacy      PrivacyMode
	AlertChannel string
	MinGroupSize int
	// EmergencyNumber is the number emergency replies name, set by staff;
	// empty means the number of each member's time zone.
	EmergencyNumber string
	CreatedAt       time.Time
}

// Member is one person in one workspace, with their settings.
type Member struct {
	Key MemberKey
	// TZ is an IANA zone name; every "day" of the member is a day in this zone.
	TZ          string
	Role        Role
	OnboardedAt time.Time
	// ShareWithStaff records consent to staff seeing individual data, and when
	// it was last given or withdrawn.
	ShareWithStaff bool
	ConsentAt      time.Time
	Program        string
	PausedUntil    time.Time
	SnoozedUntil   time.Time
	Quiet          QuietHours
	// SkippedDay is the local day (YYYY-MM-DD) on which the member chose
	// "Skip today": that day's remaining exercise nudges are dropped.
	SkippedDay string
	// HintAt is when the member was last told how to talk to the bot; only
	// Store.ClaimHint changes it.
	HintAt time.Time
	// NudgesDisabled is set when the platform refuses DMs to the member;
	// DisabledReason says why, shown the next time they use the bot.
	NudgesDisabled bool
	DisabledReason string
	CreatedAt      time.Time
}

// Location returns the member's zone, falling back to UTC for an unknown name.
func (m Member) Location() *time.Location {
	if loc, err := time.LoadLocation(m.TZ); err == nil && m.TZ != "" {
		return loc
	}
	return time.UTC
}

// QuietHours is a daily window without nudges; it may wrap past midnight.
type QuietHours struct {
	Set   bool
	Start TimeOfDay
	End   TimeOfDay
}

// Contains reports whether t (a local time of day) falls inside the window.
func (q QuietHours) Contains(t TimeOfDay) bool {
	if !q.Set || q.Start == q.End {
		return false
	}
	if q.Start < q.End {
		return t >= q.Start && t < q.End
	}
	return t >= q.Start || t < q.End
}

// CheckIn is one self-reported pain score.
type CheckIn struct {
	ID     int64
	Member MemberKey
	Score  int
	Area   string
	Note   string
	At     time.Time
}

// Completion records exercises done on a member's local day. An empty
// Exercise means "today's exercises".
type Completion struct {
	Member   MemberKey
	Day      string // YYYY-MM-DD in the member's zone
	Exercise string
	// Session is which of the day's sessions this was, from 1: an
	// exercise prescribed twice a day is done in sessions 1 and 2.
	Session int
	At      time.Time
}

// Conversation is what the coach remembers of a member's chat between
// messages.
type Conversation struct {
	Member MemberKey
	// Prompt names the question the coach last asked and awaits an
	// answer to (such as "forget"), asked at PromptAt; empty for none.
	Prompt   string
	PromptAt time.Time
	// LastLine is the last canned line the coach sent, so that it never
	// sends the same words twice in a row.
	LastLine string
}

// TapeCycle is one kinesiology-tape application.
type TapeCycle struct {
	ID        int64
	Member    MemberKey
	Area      string
	Days      int
	AppliedAt time.Time
	RemovedAt time.Time // zero while worn
}

// Worn reports whether the tape is still on.
func (t TapeCycle) Worn() bool { return t.RemovedAt.IsZero() }

// ReminderKind is what a subscription nudges about.
type ReminderKind string

// Reminder kinds.
const (
	RemindExercises ReminderKind = "exercises"
	RemindCheckIn   ReminderKind = "checkin"
	// RemindDigest is a staff member's weekly team digest.
	RemindDigest ReminderKind = "digest"
	// RemindSummary is a member's weekly personal summary.
	RemindSummary ReminderKind = "summary"
	// RemindTeamReadiness is a staff member's team-wide readiness prompt,
	// fanned out to the workspace's members.
	RemindTeamReadiness ReminderKind = "team_readiness"
	// RemindTeamLoad is a staff member's post-session load prompt, fanned
	// out like the readiness prompt.
	RemindTeamLoad ReminderKind = "team_load"
)

// Subscription is a member's recurring reminder.
type Subscription struct {
	ID     int64
	Member MemberKey
	Kind   ReminderKind
	Times  []TimeOfDay
	Days   Weekdays
	TZ     string
	// CreatedAt bounds catch-up: nothing due before a reminder existed is sent.
	CreatedAt time.Time
}

// OutboxStatus is the delivery state of an outbox row.
type OutboxStatus string

// Outbox states.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxSkipped OutboxStatus = "skipped"
	OutboxFailed  OutboxStatus = "failed"
)

// NudgeKind is the kind of message an outbox row carries.
type NudgeKind string

// Nudge kinds.
const (
	NudgeExercises NudgeKind = "exercises"
	NudgeCheckIn   NudgeKind = "checkin"
	NudgeTapeCheck NudgeKind = "tape_check"
	NudgeTapeOff   NudgeKind = "tape_off"
	NudgeDigest    NudgeKind = "digest"
	NudgeSummary   NudgeKind = "summary"
	NudgeReadiness NudgeKind = "readiness"
	NudgeLoad      NudgeKind = "load_prompt"
	// NudgeStaffAlert is a red-flag alert to a workspace's staff channel.
	NudgeStaffAlert NudgeKind = "staff_alert"
)

// OutboxItem is one message waiting to be delivered. DedupeKey is unique, so
// a nudge for one due time is enqueued at most once whatever fires it.
type OutboxItem struct {
	ID        int64
	Member    MemberKey
	Kind      NudgeKind
	DedupeKey string
	NotBefore time.Time
	Status    OutboxStatus
	Attempts  int
	LastError string
	// Ref points at what the nudge is about (a subscription or tape cycle id).
	Ref       int64
	CreatedAt time.Time
	DoneAt    time.Time
	// SendingAt is when a send of this row began without its outcome being
	// recorded (zero otherwise): a crash or a lost lease left it there, so
	// the platform must be asked whether the message arrived before it is
	// sent again.
	SendingAt time.Time
}

// Readiness is one daily wellness check-in: five items rated 1 (poor) to
// 5 (great), in the order of ReadinessItems.
type Readiness struct {
	Member MemberKey
	Day    string // YYYY-MM-DD in the member's zone
	Items  [5]int
	At     time.Time
}

// Total is the sum of the items, 5 to 25; higher is better.
func (r Readiness) Total() int { return r.Items[0] + r.Items[1] + r.Items[2] + r.Items[3] + r.Items[4] }

// SessionLoad is one training session: effort (RPE 0-10) times minutes.
type SessionLoad struct {
	ID      int64
	Member  MemberKey
	RPE     int
	Minutes int
	Note    string
	At      time.Time
}

// Load is the session load in arbitrary units.
func (l SessionLoad) Load() int { return l.RPE * l.Minutes }

// ScheduleGroup is every reminder time that fires at the same moment: one
// zone, one time of day, one set of weekdays. The scheduler keeps one cron
// entry per group and fans out to its subscribers.
type ScheduleGroup struct {
	TZ   string
	Time TimeOfDay
	Days Weekdays
}

// NudgeDecision is what to do with an outbox row at send time.
type NudgeDecision struct {
	// Send the message now.
	Send  bool
	Reply Reply
	// Postpone, when set, moves the row to this time instead.
	Postpone time.Time
	// SkipReason, when set, drops the row and records why.
	SkipReason string
	// Channel, when set, sends to this channel of the member's workspace
	// (a staff alert) instead of the member's DM.
	Channel string
}

// AuditEntry records a staff action: a view of team data or a change of
// settings.
type AuditEntry struct {
	Platform  Platform
	Workspace string
	Actor     string
	Action    string
	Detail    string
	At        time.Time
}

// MemberData is everything stored about one member: what export writes and
// what forget deletes.
type MemberData struct {
	Member        Member
	CheckIns      []CheckIn
	Completions   []Completion
	TapeCycles    []TapeCycle
	Subscriptions []Subscription
	RedFlags      []RedFlagEvent
	Readiness     []Readiness
	Loads         []SessionLoad
	// Program is the clinician's program the member loaded, if any.
	Program *MemberProgram
	// Pauses are the member's pause and snooze periods, oldest first.
	Pauses []PausePeriod
	// MovementBreaks are the breaks the member logged, oldest first, and
	// PublicStreak whether they show their streak count on channel boards
	// (filled by the export; team views do not use them).
	MovementBreaks []MovementBreak
	PublicStreak   bool
}
