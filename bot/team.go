package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// alertDedupe is how long one member's red flag of one rule alerts staff once.
const alertDedupe = 24 * time.Hour

// authorizeStaff lets staff through, makes the first platform admin of a
// workspace its first staff member, and refuses everyone else.
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
	n, err := c.store.StaffCount(ctx, call.Request.Platform, call.Request.Workspace)
	if err != nil {
		return fmt.Errorf("count staff: %w", err)
	}
	if n > 0 {
		return refuse
	}
	call.Member.Role = RoleStaff
	if err := c.store.UpdateMember(ctx, call.Member); err != nil {
		return fmt.Errorf("promote first staff: %w", err)
	}
	return c.audit(ctx, call, "became staff", "first workspace admin to use team commands")
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
		return Reply{Text: fmt.Sprintf("Privacy mode is now **wellness**: staff see group totals only, never an individual, and only for groups of %d or more. Red-flag alerts name no one.", ws.MinGroupSize)}, nil
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
	text := "Red-flag alerts for members who share with staff will go to <#" + ws.AlertChannel + ">. Make sure I'm a member of that channel."
	if ws.Privacy == PrivacyWellness {
		text += " This workspace is in wellness mode, so no alert is sent until the mode is `team`."
	}
	return Reply{Text: text}, nil
}

func (c *Coach) teamStaff(ctx context.Context, call *Call) (Reply, error) {
	key := MemberKey{Platform: call.Request.Platform, Workspace: call.Request.Workspace, User: call.Values.String("user")}
	m, err := c.memberOf(ctx, key, "")
	if err != nil {
		return Reply{}, fmt.Errorf("ensure member: %w", err)
	}
	if m.Role == RoleStaff {
		return Reply{Text: "<@" + key.User + "> is already staff."}, nil
	}
	m.Role = RoleStaff
	if err := c.store.UpdateMember(ctx, m); err != nil {
		return Reply{}, fmt.Errorf("grant staff: %w", err)
	}
	if err := c.audit(ctx, call, "granted staff", key.User); err != nil {
		return Reply{}, err
	}
	return Reply{Text: "<@" + key.User + "> is now staff and can use `/coach team` commands."}, nil
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
		fmt.Fprintf(&b, "- %s <@%s> %s", e.At.Format("2006-01-02 15:04 UTC"), e.Actor, e.Action)
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
	since := call.Now.Add(-time.Duration(days) * 24 * time.Hour)
	data, err := c.store.TeamData(ctx, call.Request.Platform, call.Request.Workspace, since)
	if err != nil {
		return Reply{}, fmt.Errorf("team data: %w", err)
	}
	if err := c.audit(ctx, call, "viewed team report", strconv.Itoa(days)+" days"); err != nil {
		return Reply{}, err
	}
	report := BuildTeamReport(ws, data, days, call.Now, call.Request.User)
	reply := Reply{Title: fmt.Sprintf("Team report, last %d days (%s mode)", days, ws.Privacy), Text: report,
		Footer: "Self-reported data. Individuals appear only if they chose to share with staff."}
	if group := aggregateGroup(ws, data, call.Request.User); c.renderer != nil && contributors(group) >= ws.MinGroupSize {
		chart, err := c.renderer.TeamChart(TeamChartInput{
			Title: fmt.Sprintf("Team: weekly participation and average pain, last %d days", days),
			Weeks: teamWeeks(group, since, days),
		})
		if err != nil {
			return Reply{}, fmt.Errorf("team chart: %w", err)
		}
		reply.Files = append(reply.Files, chart)
	}
	return reply, nil
}

// aggregateGroup is who counts in totals: everyone but the viewer in
// wellness mode; in team mode, only those who keep their data private, so
// totals cannot be combined with the named rows to single anyone out.
func aggregateGroup(ws Workspace, data []MemberData, viewer string) []MemberData {
	var group []MemberData
	for _, d := range data {
		if d.Member.Key.User == viewer || (ws.Privacy == PrivacyTeam && d.Member.ShareWithStaff) {
			continue
		}
		group = append(group, d)
	}
	return group
}

func contributors(group []MemberData) int {
	n := 0
	for _, d := range group {
		if len(d.CheckIns) > 0 {
			n++
		}
	}
	return n
}

// BuildTeamReport renders what staff may see: consenting members one by
// one in team mode, and otherwise only totals over groups of at least the
// workspace's minimum size. In wellness mode it never names anyone. The
// viewer is left out of the totals: knowing one's own numbers would let a
// viewer subtract them and shrink the group.
func BuildTeamReport(ws Workspace, data []MemberData, days int, now time.Time, viewer string) string {
	var shared []MemberData
	for _, d := range data {
		if ws.Privacy == PrivacyTeam && d.Member.ShareWithStaff {
			shared = append(shared, d)
		}
	}
	private := aggregateGroup(ws, data, viewer)
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
		b.WriteString(aggregate(private, days, ws.MinGroupSize))
	}
	return strings.TrimSpace(b.String())
}

func memberLine(d MemberData, days int, now time.Time) string {
	var parts []string
	if n := len(d.CheckIns); n > 0 {
		s := Summarize(d.CheckIns)
		parts = append(parts, fmt.Sprintf("last %d/10 %s, %d check-ins", s.Last, trendArrow(s.Trend.Direction), n))
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
				names = append(names, rf.Rule)
			}
		}
		parts = append(parts, fmt.Sprintf("**red flags: %s**", strings.Join(names, ", ")))
	}
	return "<@" + d.Member.Key.User + ">: " + strings.Join(parts, "; ")
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

// aggregate renders totals, or nothing identifying when fewer than minSize
// people contributed check-ins.
func aggregate(group []MemberData, days, minSize int) string {
	if contributors(group) < minSize {
		return fmt.Sprintf("Not enough people to show numbers (at least %d must have checked in).", minSize)
	}
	active, adherent := 0, 0
	total, count := 0, 0
	var mild, moderate, severe int
	for _, d := range group {
		adherent += adherence(d, days)
		if len(d.CheckIns) == 0 {
			continue
		}
		active++
		for _, ci := range d.CheckIns {
			total += ci.Score
			count++
		}
		switch last := d.CheckIns[len(d.CheckIns)-1].Score; {
		case last <= 3:
			mild++
		case last <= 6:
			moderate++
		default:
			severe++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "- Members: %d; checked in at least once: %d (%d%%)\n", len(group), active, active*100/len(group))
	if count > 0 {
		fmt.Fprintf(&b, "- Average pain score: %.1f over %d check-ins\n", float64(total)/float64(count), count)
		fmt.Fprintf(&b, "- Latest scores: 0-3: %d, 4-6: %d, 7-10: %d\n", mild, moderate, severe)
	}
	fmt.Fprintf(&b, "- Exercise adherence: %d%% of days on average", adherent/len(group))
	return b.String()
}

// alertStaff enqueues a red-flag alert to the staff channel when the
// workspace is in team mode, the member shares with staff, and the same
// rule has not alerted for them in the last day.
func (c *Coach) alertStaff(ctx context.Context, call *Call, rf RedFlagEvent) error {
	ws := call.Workspace
	if ws.Privacy != PrivacyTeam || ws.AlertChannel == "" || !call.Member.ShareWithStaff {
		return nil
	}
	recent, err := c.store.AlertedSince(ctx, call.Member.Key, rf.Rule, call.Now.Add(-alertDedupe))
	if err != nil || recent {
		return err
	}
	_, err = c.store.Enqueue(ctx, OutboxItem{Member: call.Member.Key, Kind: NudgeStaffAlert,
		DedupeKey: "staff_alert:" + strconv.FormatInt(rf.ID, 10), NotBefore: call.Now, Ref: rf.ID, CreatedAt: call.Now})
	return err
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
	if ws.Privacy != PrivacyTeam || ws.AlertChannel == "" || !m.ShareWithStaff {
		return NudgeDecision{SkipReason: "no longer shared with staff"}, nil
	}
	area := "no area given"
	if rf.Area != "" {
		area = areaWords(rf.Area)
	}
	return NudgeDecision{Send: true, Channel: ws.AlertChannel, Reply: Reply{
		Title: "Red flag",
		Text: fmt.Sprintf("<@%s> reported a check-in that raised a red flag: **%s** (%s) at %s UTC. They were advised to contact a physical therapist or doctor; please check in with them.",
			m.Key.User, rf.Rule, area, rf.At.Format("2006-01-02 15:04")),
		Visibility: InChannel,
	}}, nil
}
