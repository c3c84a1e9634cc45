package bot

import (
	"context"
	"fmt"
	"math/bits"
	"strings"
	"time"
)

// setWeekly turns a weekly subscription of kind on or off for the caller.
func (c *Coach) setWeekly(ctx context.Context, call *Call, kind ReminderKind, what string) (string, error) {
	if call.Values.String("state") == "off" {
		if _, err := c.store.DeleteSubscriptions(ctx, call.Member.Key, kind); err != nil {
			return "", fmt.Errorf("delete %s: %w", kind, err)
		}
		c.scheduleChanged()
		return "Weekly " + what + " off.", nil
	}
	day := call.Values.Weekdays("day")
	if bits.OnesCount8(uint8(day)) != 1 {
		return "", Errorf(EINVALID, "Pick one day of the week for the %s, for example `mon`.", what)
	}
	times := call.Values.Times("at")
	if len(times) != 1 {
		return "", Errorf(EINVALID, "Pick one time for the %s, for example `08:00`.", what)
	}
	if _, err := c.store.SetSubscription(ctx, Subscription{Member: call.Member.Key, Kind: kind, Times: times,
		Days: day, TZ: call.Member.TZ, CreatedAt: call.Now}); err != nil {
		return "", fmt.Errorf("set %s: %w", kind, err)
	}
	c.scheduleChanged()
	return fmt.Sprintf("Weekly %s on: %s at %s (%s), by direct message.", what, "every "+dayWords[weekdayOf(day)], times[0], call.Member.TZ), nil
}

func (c *Coach) summary(ctx context.Context, call *Call) (Reply, error) {
	text, err := c.setWeekly(ctx, call, RemindSummary, "summary")
	return Reply{Text: text}, err
}

func (c *Coach) teamDigest(ctx context.Context, call *Call) (Reply, error) {
	text, err := c.setWeekly(ctx, call, RemindDigest, "team digest")
	if err != nil {
		return Reply{}, err
	}
	if err := c.audit(ctx, call, "weekly digest "+call.Values.String("state"), ""); err != nil {
		return Reply{}, err
	}
	return Reply{Text: text + " It follows the workspace's privacy mode, like `/coach team report`, and shows the latest completed week: a week is complete at 12:00 UTC on the Monday after it."}, nil
}

// weeklySummary is a member's own week in numbers.
func (c *Coach) weeklySummary(ctx context.Context, m Member, now time.Time) (NudgeDecision, error) {
	checkIns, err := c.store.CheckIns(ctx, m.Key, now.AddDate(0, 0, -7))
	if err != nil {
		return NudgeDecision{}, fmt.Errorf("check-ins: %w", err)
	}
	loc := m.Location()
	done, err := c.store.Completions(ctx, m.Key, LocalDay(now.AddDate(0, 0, -6), loc))
	if err != nil {
		return NudgeDecision{}, fmt.Errorf("completions: %w", err)
	}
	days := map[string]bool{}
	for _, d := range done {
		days[d.Day] = true
	}
	var b strings.Builder
	if len(checkIns) == 0 {
		b.WriteString("No check-ins this week. A quick `/pain 3` now and then lets me show you how things are going.\n")
	} else {
		s := Summarize(checkIns)
		fmt.Fprintf(&b, "`%s` %s, average %.1f, range %d to %d.\n%s\n", Sparkline(checkIns, 30), Plural(s.Count, "check-in"), s.Average, s.Min, s.Max, s.Trend.Sentence())
	}
	fmt.Fprintf(&b, "Exercises done on %d of the last 7 days.", len(days))
	if streak, err := c.exerciseStreak(ctx, m, now); err == nil && streak > 1 {
		fmt.Fprintf(&b, " Current streak: %s.", Plural(streak, "day"))
	}
	return NudgeDecision{Send: true, Reply: Reply{Title: "Your week", Text: b.String(),
		Buttons: []Button{{Label: "History", Command: "coach history 28"}}}}, nil
}

// teamDigestNudge is the staff member's weekly digest: the team report of
// the last 7 days, so in both modes its group figures are those of the
// privacy policy (privacy.go) for the latest completed week.
func (c *Coach) teamDigestNudge(ctx context.Context, m Member, now time.Time) (NudgeDecision, error) {
	if m.Role != RoleStaff {
		return NudgeDecision{SkipReason: "no longer staff"}, nil
	}
	ws, err := c.workspaceOf(ctx, m.Key.Platform, m.Key.Workspace)
	if err != nil {
		return NudgeDecision{}, err
	}
	data, err := c.store.TeamData(ctx, m.Key.Platform, m.Key.Workspace, teamSince(now, 7))
	if err != nil {
		return NudgeDecision{}, fmt.Errorf("team data: %w", err)
	}
	if err := c.store.AddAudit(ctx, AuditEntry{Platform: m.Key.Platform, Workspace: m.Key.Workspace, Actor: m.Key.User,
		Action: "received weekly digest", At: now}); err != nil {
		return NudgeDecision{}, err
	}
	c.titleFlags(data)
	return NudgeDecision{Send: true, Reply: Reply{
		Title:  fmt.Sprintf("Weekly team digest (%s mode)", ws.Privacy),
		Text:   BuildTeamReport(ws, data, 7, now, m.Key.User),
		Footer: "Self-reported data. Individuals appear only if they chose to share with staff.",
	}}, nil
}
