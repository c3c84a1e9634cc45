package bot

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// alertDedupe is how long one member's red flag of one rule alerts staff once.
const alertDedupe = 24 * time.Hour

// authorizeStaff lets staff through, makes the first platform admin of a
// workspace its first staff member, and refuses everyone else. The store
// promotes only while the workspace has no staff, in one step, so two
// admins arriving at once cannot both become staff.
func (c *Coach) authorizeStaff(ctx context.Context, call *Call) error {
	if call.Member.Role == RoleStaff {
		return nil
	}
	refuse := Errorf(EFORBIDDEN, "Sorry, `/%s` is for team staff only. Ask a staff member to add you with `/coach team staff @you`.", call.Command.FullName())
	if call.Request.IsDM && call.Request.Platform != Console {
		return Errorf(EFORBIDDEN, "Team commands work inside your team's workspace or server, not in a direct message.")
	}
	if !call.Request.IsAdmin {
		return refuse
	}
	promoted, err := c.store.PromoteFirstStaff(ctx, call.Member.Key)
	if err != nil {
		return fmt.Errorf("promote first staff: %w", err)
	}
	if !promoted {
		return refuse
	}
	call.Member.Role = RoleStaff
	c.logStaffChange(ctx, call, "staff granted", call.Request.User, "first workspace admin")
	return c.audit(ctx, call, "became staff", "first workspace admin to use team commands")
}

// logStaffChange records who granted or removed whose staff role, by ids
// only: operators can follow role changes without seeing health data.
func (c *Coach) logStaffChange(ctx context.Context, call *Call, msg, member, reason string) {
	c.log.InfoContext(ctx, msg, "platform", call.Request.Platform, "workspace", call.Request.Workspace,
		"actor", call.Request.User, "member", member, "reason", reason)
}

func (c *Coach) audit(ctx context.Context, call *Call, action, detail string) error {
	return c.store.AddAudit(ctx, AuditEntry{Platform: call.Request.Platform, Workspace: call.Request.Workspace,
		Actor: call.Request.User, Action: action, Detail: detail, At: call.Now})
}

func (c *Coach) teamMode(ctx context.Context, call *Call) (Reply, error) {
	ws := call.Workspace
	ws.Privacy = PrivacyMode(call.Values.String("mode"))
	if err := c.store.UpdateWorkspace(ctx, ws); err != nil {
		return Reply{}, fmt.Errorf("update workspace: %w", err)
	}
	if err := c.audit(ctx, call, "set privacy mode", string(ws.Privacy)); err != nil {
		return Reply{}, err
	}
	if ws.Privacy == PrivacyWellness {
		return Reply{Text: fmt.Sprintf("Privacy mode is now **wellness**: staff see group figures only, never an individual: per completed week, and each only when %d or more people are behind it. Red-flag alerts name no one.", ws.MinGroupSize)}, nil
	}
	return Reply{Text: "Privacy mode is now **team**: staff see the members who said yes to sharing (`/coach start yes`); everyone else counts only in group totals."}, nil
}

func (c *Coach) teamAlerts(ctx context.Context, call *Call) (Reply, error) {
	ws := call.Workspace
	ws.AlertChannel = call.Values.String("channel")
	if err := c.store.UpdateWorkspace(ctx, ws); err != nil {
		return Reply{}, fmt.Errorf("update workspace: %w", err)
	}
	if err := c.audit(ctx, call, "set alert channel", ws.AlertChannel); err != nil {
		return Reply{}, err
	}
	text := "Red-flag alerts for members who share with staff will go to " + ChannelMention(ws.AlertChannel) + ". Make sure I'm a member of that channel."
	if ws.Privacy == PrivacyWellness {
		text += " This workspace is in wellness mode, so no alert is sent until the mode is `team`."
	}
	return Reply{Text: text}, nil
}

// emergencyNumberPattern accepts what emergency numbers look like around
// the world: 3 to 6 digits (999, 112, 000, 10177), optionally with a
// leading + and spaces or dashes for longer local lines.
var emergencyNumberPattern = regexp.MustCompile(`^\+?[0-9][0-9 -]{1,14}[0-9]$`)

// teamEmergency sets the number emergency replies name in this workspace,
// for teams whose members travel or whose zone does not say the country.
func (c *Coach) teamEmergency(ctx context.Context, call *Call) (Reply, error) {
	number := strings.TrimSpace(call.Values.String("number"))
	ws := call.Workspace
	switch strings.ToLower(number) {
	case "off", "none", "reset", "default":
		ws.EmergencyNumber = ""
	default:
		if !emergencyNumberPattern.MatchString(number) {
			return Reply{}, Errorf(EINVALID, "That does not look like a phone number (you gave %q). Use digits, such as `/coach team emergency 999`, or `off` to use each member's own country.", clip(number, 30))
		}
		ws.EmergencyNumber = number
	}
	if err := c.store.UpdateWorkspace(ctx, ws); err != nil {
		return Reply{}, fmt.Errorf("update workspace: %w", err)
	}
	if err := c.audit(ctx, call, "set emergency number", ws.EmergencyNumber); err != nil {
		return Reply{}, err
	}
	if ws.EmergencyNumber == "" {
		return Reply{Text: "Emergency replies will name the number of each member's country, from their time zone (or \"your local emergency number\" when the zone does not say)."}, nil
	}
	return Reply{Text: "Emergency replies in this workspace will say to call **" + ws.EmergencyNumber + "**."}, nil
}

func (c *Coach) teamStaff(ctx context.Context, call *Call) (Reply, error) {
	key := MemberKey{Platform: call.Request.Platform, Workspace: call.Request.Workspace, User: call.Values.String("user")}
	m, err := c.memberOf(ctx, key, "")
	if err != nil {
		return Reply{}, fmt.Errorf("ensure member: %w", err)
	}
	if m.Role == RoleStaff {
		return Reply{Text: Mention(key.User) + " is already staff."}, nil
	}
	m.Role = RoleStaff
	if err := c.store.UpdateMember(ctx, m); err != nil {
		return Reply{}, fmt.Errorf("grant staff: %w", err)
	}
	c.logStaffChange(ctx, call, "staff granted", key.User, "granted by staff")
	if err := c.audit(ctx, call, "granted staff", key.User); err != nil {
		return Reply{}, err
	}
	return Reply{Text: Mention(key.User) + " is now staff and can use `/coach team` commands."}, nil
}

// teamUnstaff removes a staff member's role. The store refuses to remove
// the last one in the same step as the removal, so two staff removing each
// other at once cannot leave the workspace without staff.
func (c *Coach) teamUnstaff(ctx context.Context, call *Call) (Reply, error) {
	user := call.Values.String("user")
	key := MemberKey{Platform: call.Request.Platform, Workspace: call.Request.Workspace, User: user}
	err := c.store.RemoveStaff(ctx, key)
	switch ErrorCode(err) {
	case "":
	case ENOTFOUND:
		return Reply{}, Errorf(ENOTFOUND, "%s is not staff, so there is no staff role to remove. `/coach team audit` shows who was granted it.", Mention(user))
	case ECONFLICT:
		return Reply{}, Errorf(ECONFLICT, "%s is the last staff member, and a team always keeps one. Add someone with `/coach team staff @name` first.", Mention(user))
	default:
		return Reply{}, fmt.Errorf("remove staff: %w", err)
	}
	c.logStaffChange(ctx, call, "staff removed", user, "removed by staff")
	if err := c.audit(ctx, call, "removed staff", user); err != nil {
		return Reply{}, err
	}
	if user == call.Request.User {
		call.Member.Role = RoleMember
		return Reply{Text: "You are no longer staff. Another staff member can add you back with `/coach team staff @you`."}, nil
	}
	return Reply{Text: Mention(user) + " is no longer staff and cannot use `/coach team` commands."}, nil
}

func (c *Coach) teamAudit(ctx context.Context, call *Call) (Reply, error) {
	entries, err := c.store.Audit(ctx, call.Request.Platform, call.Request.Workspace, 20)
	if err != nil {
		return Reply{}, fmt.Errorf("audit: %w", err)
	}
	if len(entries) == 0 {
		return Reply{Text: "No staff actions recorded yet."}, nil
	}
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "- %s %s %s", e.At.Format("2006-01-02 15:04 UTC"), Mention(e.Actor), e.Action)
		if e.Detail != "" {
			b.WriteString(": " + e.Detail)
		}
		b.WriteString("\n")
	}
	return Reply{Title: "Staff actions (newest first)", Text: strings.TrimSpace(b.String())}, nil
}

func (c *Coach) teamReport(ctx context.Context, call *Call) (Reply, error) {
	days := call.Values.Int("days")
	ws := call.Workspace
	data, err := c.store.TeamData(ctx, call.Request.Platform, call.Request.Workspace, teamSince(call.Now, days))
	if err != nil {
		return Reply{}, fmt.Errorf("team data: %w", err)
	}
	if err := c.audit(ctx, call, "viewed team report", strconv.Itoa(days)+" days"); err != nil {
		return Reply{}, err
	}
	c.titleFlags(data)
	text, weeks := buildTeamReport(ws, data, days, call.Now, call.Request.User)
	reply := Reply{Title: fmt.Sprintf("Team report, %s (%s mode)", lastDays(days), ws.Privacy), Text: text,
		Footer: "Self-reported data. Individuals appear only if they chose to share with staff."}
	in, ok := PolicyOf(ws).PainChart("Team: people who checked in and average pain, "+weeksPhrase(len(weeks)), weeks)
	if c.renderer != nil && ok {
		chart, err := c.renderer.TeamChart(in)
		if err != nil {
			return Reply{}, fmt.Errorf("team chart: %w", err)
		}
		reply.Files = append(reply.Files, chart)
	}
	return reply, nil
}

// teamSince is how far back a team view of the last days loads data: the
// window itself for the members shown by name, and the first completed
// week for the group figures.
func teamSince(now time.Time, days int) time.Time {
	since := now.Add(-time.Duration(days) * 24 * time.Hour)
	if first := ReportWeeks(now, days)[0]; first.Before(since) {
		return first
	}
	return since
}

// within is what a team view of data loaded since an earlier time shows of
// one member for the window from since, cut as the store cuts TeamData.
func within(d MemberData, since time.Time) MemberData {
	sinceDay := since.UTC().AddDate(0, 0, -1).Format("2006-01-02")
	out := MemberData{Member: d.Member, TapeCycles: d.TapeCycles}
	for _, ci := range d.CheckIns {
		if !ci.At.Before(since) {
			out.CheckIns = append(out.CheckIns, ci)
		}
	}
	for _, rf := range d.RedFlags {
		if !rf.At.Before(since) {
			out.RedFlags = append(out.RedFlags, rf)
		}
	}
	for _, cp := range d.Completions {
		if cp.Day >= sinceDay {
			out.Completions = append(out.Completions, cp)
		}
	}
	for _, r := range d.Readiness {
		if r.Day >= sinceDay {
			out.Readiness = append(out.Readiness, r)
		}
	}
	return out
}

// aggregateGroup is who counts in totals: everyone but the viewer in
// wellness mode; in team mode, only those who keep their data private, so
// totals cannot be combined with the named rows to single anyone out.
func aggregateGroup(ws Workspace, data []MemberData, viewer string) []MemberData {
	var group []MemberData
	for _, d := range data {
		if d.Member.Key.User == viewer || ws.StaffSees(d.Member) {
			continue
		}
		group = append(group, d)
	}
	return group
}

// BuildTeamReport renders what staff may see: consenting members one by
// one in team mode, over the last days, and everyone else only in the
// group figures of the privacy policy (privacy.go), over the completed
// weeks those days reach into. In wellness mode it never names anyone.
// The viewer is left out of the group: knowing one's own numbers would
// let a viewer subtract them and shrink the group. Data must reach back
// to teamSince(now, days).
func BuildTeamReport(ws Workspace, data []MemberData, days int, now time.Time, viewer string) string {
	text, _ := buildTeamReport(ws, data, days, now, viewer)
	return text
}

func buildTeamReport(ws Workspace, data []MemberData, days int, now time.Time, viewer string) (string, []PainWeek) {
	since := now.Add(-time.Duration(days) * 24 * time.Hour)
	var shared []MemberData
	for _, d := range data {
		if ws.StaffSees(d.Member) {
			shared = append(shared, within(d, since))
		}
	}
	private := aggregateGroup(ws, data, viewer)
	policy := PolicyOf(ws)
	weeks := policy.PainWeeks(private, ReportWeeks(now, days))
	var b strings.Builder
	if ws.Privacy == PrivacyTeam {
		if len(shared) == 0 {
			b.WriteString("Nobody has chosen to share individual check-ins yet (`/coach start yes`).\n")
		}
		for _, d := range shared {
			b.WriteString("- " + memberLine(d, days, now) + "\n")
		}
		if len(private) > 0 {
			b.WriteString("\n**Members who keep their data private**\n")
		}
	}
	if len(private) > 0 || ws.Privacy == PrivacyWellness {
		b.WriteString(policy.PainText(weeks))
	}
	return strings.TrimSpace(b.String()), weeks
}

func memberLine(d MemberData, days int, now time.Time) string {
	var parts []string
	if n := len(d.CheckIns); n > 0 {
		s := Summarize(d.CheckIns)
		parts = append(parts, fmt.Sprintf("last %d/10 %s, %s", s.Last, trendArrow(s.Trend.Direction), Plural(n, "check-in")))
	} else {
		parts = append(parts, "no check-ins")
	}
	parts = append(parts, fmt.Sprintf("exercises %d%%", adherence(d, days)))
	for _, tc := range d.TapeCycles {
		parts = append(parts, "tape: "+areaWords(tc.Area)+" ("+daysWorn(tc.AppliedAt, now)+")")
	}
	if n := len(d.RedFlags); n > 0 {
		rules := map[string]bool{}
		var names []string
		for _, rf := range d.RedFlags {
			if !rules[rf.Rule] {
				rules[rf.Rule] = true
				names = append(names, rf.DisplayName())
			}
		}
		parts = append(parts, fmt.Sprintf("**red flags: %s**", strings.Join(names, ", ")))
	}
	return Mention(d.Member.Key.User) + ": " + strings.Join(parts, "; ")
}

func trendArrow(d TrendDirection) string {
	switch d {
	case TrendWorsening:
		return "↑"
	case TrendImproving:
		return "↓"
	case TrendStable:
		return "→"
	}
	return "·"
}

// adherence is the share of the window's days with exercises logged.
func adherence(d MemberData, days int) int {
	seen := map[string]bool{}
	for _, c := range d.Completions {
		seen[c.Day] = true
	}
	return min(100, len(seen)*100/max(1, days))
}

// alertFor returns the staff alert to enqueue with a red flag of the
// rule, or nil: staff must see the member (Workspace.AlertsStaffAbout)
// and the rule must not have alerted for them in the last day.
func (c *Coach) alertFor(ctx context.Context, call *Call, rule string) (*OutboxItem, error) {
	if !call.Workspace.AlertsStaffAbout(call.Member) {
		return nil, nil
	}
	recent, err := c.store.AlertedSince(ctx, call.Member.Key, rule, call.Now.Add(-alertDedupe))
	if err != nil || recent {
		return nil, err
	}
	return &OutboxItem{Member: call.Member.Key, Kind: NudgeStaffAlert, DedupeKey: "staff_alert:", NotBefore: call.Now, CreatedAt: call.Now}, nil
}

// raise records red flags found outside a check-in (a message, a
// readiness answer) with their staff alerts, in one transaction.
func (c *Coach) raise(ctx context.Context, call *Call, flags []RedFlag, area string) error {
	var recs []FlagRecord
	for _, rf := range flags {
		alert, err := c.alertFor(ctx, call, rf.Rule)
		if err != nil {
			return err
		}
		recs = append(recs, FlagRecord{Event: RedFlagEvent{Member: call.Member.Key, Rule: rf.Rule, Area: area, At: call.Now}, Alert: alert})
	}
	saved, err := c.store.RecordRedFlags(ctx, call.Member.Key, recs)
	if err != nil {
		return fmt.Errorf("record red flags: %w", err)
	}
	for _, rf := range saved {
		c.observer.RedFlagRaised(rf.Rule)
	}
	return nil
}

// staffAlert decides a staff alert at send time: the workspace must still
// be in team mode with an alert channel, and the member must still share.
func (c *Coach) staffAlert(ctx context.Context, m Member, item OutboxItem) (NudgeDecision, error) {
	rf, err := c.store.RedFlag(ctx, item.Ref)
	if ErrorCode(err) == ENOTFOUND {
		return NudgeDecision{SkipReason: "red flag gone"}, nil
	}
	if err != nil {
		return NudgeDecision{}, err
	}
	ws, err := c.workspaceOf(ctx, m.Key.Platform, m.Key.Workspace)
	if err != nil {
		return NudgeDecision{}, err
	}
	if !ws.AlertsStaffAbout(m) {
		return NudgeDecision{SkipReason: "no longer shared with staff"}, nil
	}
	area := "no area given"
	if rf.Area != "" {
		area = areaWords(rf.Area)
	}
	return NudgeDecision{Send: true, Channel: ws.AlertChannel, Reply: Reply{
		Title: "Red flag",
		Text: fmt.Sprintf("%s reported a check-in that raised a red flag: **%s** (%s) at %s UTC. They were advised to contact a physical therapist or doctor; please check in with them.",
			Mention(m.Key.User), c.flagTitle(rf.Rule), area, rf.At.Format("2006-01-02 15:04")),
		Visibility: InChannel,
	}}, nil
}
