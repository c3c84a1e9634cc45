package bot

import "time"

// Who may see what is decided here, once, for every view, alert, digest
// and prompt; the stores return candidates and these rules filter them.

// NewWorkspace is a workspace as first seen, with the defaults of its
// platform: wellness mode on Slack, where members are colleagues, team
// mode elsewhere, and the minimum group size for group figures. Stores
// save what they are given; the defaults live only here.
func NewWorkspace(p Platform, id string, now time.Time) Workspace {
	return Workspace{Platform: p, ID: id, Privacy: DefaultPrivacy(p), MinGroupSize: defaultMinGroup, CreatedAt: now.UTC()}
}

// StaffSees reports whether staff may see this member's own data by name:
// only in team mode, and only once the member has agreed to share. In
// wellness mode staff see group figures only (see GroupPolicy).
func (w Workspace) StaffSees(m Member) bool {
	return w.Privacy == PrivacyTeam && m.ShareWithStaff
}

// AlertsStaffAbout reports whether a red flag of this member alerts staff:
// staff must be allowed to see the member, and there must be a channel to
// alert in.
func (w Workspace) AlertsStaffAbout(m Member) bool {
	return w.AlertChannel != "" && w.StaffSees(m)
}

// ReminderKinds lists every kind of reminder.
func ReminderKinds() []ReminderKind {
	return []ReminderKind{RemindExercises, RemindCheckIn, RemindDigest, RemindSummary, RemindTeamReadiness, RemindTeamLoad}
}

// Nudge is the kind of nudge a reminder sends when it falls due. The
// stores build their fan-out from this table, so a reminder and its nudge
// may be named differently.
func (k ReminderKind) Nudge() NudgeKind {
	switch k {
	case RemindExercises:
		return NudgeExercises
	case RemindCheckIn:
		return NudgeCheckIn
	case RemindDigest:
		return NudgeDigest
	case RemindSummary:
		return NudgeSummary
	case RemindTeamReadiness:
		return NudgeReadiness
	case RemindTeamLoad:
		return NudgeLoad
	}
	return ""
}

// FansOut reports a staff member's team-wide prompt: it is sent to the
// workspace's members (see Workspace.Prompts), not to its owner.
func (k ReminderKind) FansOut() bool {
	return k == RemindTeamReadiness || k == RemindTeamLoad
}

// Prompts reports whether a team-wide prompt reaches a member: one who has
// started, and whom staff may see by name, or anyone in wellness mode, where
// answers only ever feed group figures. The bulk fan-out applies the same
// rule in SQL for speed; the store contract
// (Schedule/TeamPromptsFanOutToEligible) checks
// that both pick the same members.
func (w Workspace) Prompts(m Member) bool {
	return !m.OnboardedAt.IsZero() && (w.StaffSees(m) || w.Privacy == PrivacyWellness)
}
