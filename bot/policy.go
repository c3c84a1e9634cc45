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
