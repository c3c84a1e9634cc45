package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// forever stands for "paused until resume".
var forever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func describeSubscription(s Subscription) string {
	what := map[ReminderKind]string{
		RemindExercises:     "to do your exercises",
		RemindCheckIn:       "to check in on your pain",
		RemindSummary:       "with your weekly summary",
		RemindDigest:        "with the weekly team digest",
		RemindTeamReadiness: "your team to answer the readiness check-in",
		RemindTeamLoad:      "your team to log their session load",
	}[s.Kind]
	times := make([]string, len(s.Times))
	for i, t := range s.Times {
		times[i] = t.String()
	}
	return fmt.Sprintf("%s at **%s** %s (%s)", what, JoinList(times), s.Days.Words(), s.TZ)
}

func (c *Coach) remindOff(ctx context.Context, call *Call) (Reply, error) {
	kind := ReminderKind(call.Values.String("kind"))
	if kind == "all" {
		kind = ""
	}
	n, err := c.store.DeleteSubscriptions(ctx, call.Member.Key, kind)
	if err != nil {
		return Reply{}, fmt.Errorf("delete subscriptions: %w", err)
	}
	c.scheduleChanged()
	if n == 0 {
		return Reply{Text: "You had no such reminders. `/coach remind` shows what is set."}, nil
	}
	return Reply{Text: "Reminders off. Turn them on again with `/coach remind exercises at 08:00`."}, nil
}

func (c *Coach) remindList(ctx context.Context, call *Call) (Reply, error) {
	subs, err := c.store.Subscriptions(ctx, call.Member.Key)
	if err != nil {
		return Reply{}, fmt.Errorf("subscriptions: %w", err)
	}
	var b strings.Builder
	if len(subs) == 0 {
		b.WriteString("No reminders yet. Try `/coach remind exercises at 08:00,18:00` or `/coach remind checkin at 20:00`.")
	}
	for _, s := range subs {
		b.WriteString("- " + describeSubscription(s) + "\n")
	}
	if status := nudgeStatus(call.Member, call.Now); status != "" {
		b.WriteString("\n" + status)
	}
	if warn := quietClashes(subs, call.Member.Quiet); warn != "" {
		b.WriteString("\n\n" + warn)
	}
	return Reply{Title: "Your reminders", Text: strings.TrimSpace(b.String())}, nil
}

// nudgeStatus describes pause, snooze and quiet hours, if any.
func nudgeStatus(m Member, now time.Time) string {
	loc := m.Location()
	var parts []string
	switch {
	case m.PausedUntil.Equal(forever):
		parts = append(parts, "Paused until you `/coach resume`.")
	case m.PausedUntil.After(now):
		parts = append(parts, "Paused until "+m.PausedUntil.In(loc).Format("Mon 2 Jan 15:04")+".")
	}
	if m.SnoozedUntil.After(now) {
		parts = append(parts, "Snoozed until "+m.SnoozedUntil.In(loc).Format("15:04")+".")
	}
	if m.Quiet.Set {
		parts = append(parts, fmt.Sprintf("Quiet hours %s-%s.", m.Quiet.Start, m.Quiet.End))
	}
	if m.NudgesDisabled {
		parts = append(parts, "On hold: I could not reach you by DM.")
	}
	return strings.Join(parts, " ")
}

// exerciseStreak counts consecutive local days with exercises done.
func (c *Coach) exerciseStreak(ctx context.Context, m Member, now time.Time) (int, error) {
	loc := m.Location()
	since := LocalDay(now.In(loc).AddDate(0, 0, -400), loc)
	done, err := c.store.Completions(ctx, m.Key, since)
	if err != nil {
		return 0, fmt.Errorf("completions: %w", err)
	}
	days := map[string]bool{}
	for _, d := range done {
		days[d.Day] = true
	}
	return Streak(days, now, loc), nil
}

func (c *Coach) skip(ctx context.Context, call *Call) (Reply, error) {
	m := call.Member
	m.SkippedDay = LocalDay(call.Now, call.Loc())
	if err := c.store.UpdateMember(ctx, m); err != nil {
		return Reply{}, fmt.Errorf("update member: %w", err)
	}
	return Reply{Text: "OK, no more exercise reminders today. Rest is part of recovery too; see you tomorrow."}, nil
}

func (c *Coach) snooze(ctx context.Context, call *Call) (Reply, error) {
	d := call.Values.Duration("duration")
	if d < 5*time.Minute || d > 7*24*time.Hour {
		return Reply{}, Errorf(EINVALID, "Snooze for 5 minutes to 7 days, for example `/coach snooze 2h`. For longer, use `/coach pause`.")
	}
	m := call.Member
	m.SnoozedUntil = call.Now.Add(d)
	// A new snooze replaces one still running, as the member's single
	// SnoozedUntil does.
	ch := PauseChange{At: call.Now, End: []PauseKind{PauseSnooze},
		Start: PausePeriod{Member: m.Key, Kind: PauseSnooze, From: call.Now, Until: m.SnoozedUntil}}
	if err := c.store.SetPause(ctx, m, ch); err != nil {
		return Reply{}, fmt.Errorf("snooze: %w", err)
	}
	return Reply{Text: fmt.Sprintf("Snoozed for %s, until %s. `/coach resume` ends it early.", FormatDuration(d), momentWords(m.SnoozedUntil, call.Now, call.Loc()))}, nil
}

func (c *Coach) pause(ctx context.Context, call *Call) (Reply, error) {
	m := call.Member
	loc := call.Loc()
	var until time.Time
	switch {
	case call.Values.Has("until") && call.Values.Has("duration"):
		return Reply{}, Errorf(EINVALID, "Give either a date or a duration, not both: `/coach pause until 10 Dec` or `/coach pause 3 days`.")
	case call.Values.Has("until"):
		// "until" means up to, not through: "until 10 Dec" resumes nudges
		// on the 10th, at the start of the day in the member's zone.
		until = call.Values.When("until").Resolve(call.Now, loc)
		if !until.After(call.Now) {
			return Reply{}, Errorf(EINVALID, "That time has passed. Give a later one, such as `pause until friday` or `pause until 10 Dec`.")
		}
		if until.Sub(call.Now) > 366*24*time.Hour {
			return Reply{}, Errorf(EINVALID, "I can pause for up to a year. For longer, use `/coach remind off all`.")
		}
	case call.Values.Has("duration"):
		d := call.Values.Duration("duration")
		if d > 366*24*time.Hour {
			return Reply{}, Errorf(EINVALID, "I can pause for up to a year. For longer, use `/coach remind off all`.")
		}
		until = call.Now.Add(d)
	default:
		until = forever
	}
	m.PausedUntil = until
	ch := PauseChange{At: call.Now, End: []PauseKind{PauseNudges},
		Start: PausePeriod{Member: m.Key, Kind: PauseNudges, From: call.Now, Until: until}}
	if err := c.store.SetPause(ctx, m, ch); err != nil {
		return Reply{}, fmt.Errorf("pause: %w", err)
	}
	if until.Equal(forever) {
		return Reply{Text: "All nudges paused. `/coach resume` brings them back."}, nil
	}
	return Reply{Text: "All nudges paused until " + momentWords(until, call.Now, loc) + ". `/coach resume` brings them back sooner."}, nil
}

func (c *Coach) resume(ctx context.Context, call *Call) (Reply, error) {
	m := call.Member
	was := m.PausedUntil.After(call.Now) || m.SnoozedUntil.After(call.Now)
	m.PausedUntil, m.SnoozedUntil = time.Time{}, time.Time{}
	// The periods end now rather than when they were asked to, so the
	// chart shows the break the member actually took.
	ch := PauseChange{At: call.Now, End: []PauseKind{PauseNudges, PauseSnooze}}
	if err := c.store.SetPause(ctx, m, ch); err != nil {
		return Reply{}, fmt.Errorf("resume: %w", err)
	}
	if !was {
		return Reply{Text: "Nudges were not paused; nothing to resume."}, nil
	}
	return Reply{Text: "Welcome back! Nudges are on again."}, nil
}

func (c *Coach) tapeOn(ctx context.Context, call *Call) (Reply, error) {
	area := call.Values.String("area")
	days := call.Values.Int("days")
	applied := call.Now
	nudges := []OutboxItem{{Kind: NudgeTapeOff, NotBefore: applied.Add(time.Duration(days) * 24 * time.Hour)}}
	if days > 1 {
		nudges = append(nudges, OutboxItem{Kind: NudgeTapeCheck, NotBefore: applied.Add(24 * time.Hour)})
	}
	tc, err := c.store.StartTape(ctx, TapeCycle{Member: call.Member.Key, Area: area, Days: days, AppliedAt: applied}, nudges)
	if err != nil {
		return Reply{}, fmt.Errorf("start tape: %w", err)
	}
	loc := call.Loc()
	var b strings.Builder
	fmt.Fprintf(&b, "Tape on your %s noted. I'll ask about your skin tomorrow and remind you to take it off on **%s**.\n",
		areaWords(area), tc.AppliedAt.Add(time.Duration(days)*24*time.Hour).In(loc).Format("Mon 2 Jan"))
	if days < 3 || days > 5 {
		fmt.Fprintf(&b, "Heads-up: %s is outside the usual 3 to 5 days of wear; check with your therapist if unsure.\n", Plural(days, "day"))
	}
	b.WriteString("Tips: put it on clean, dry skin; lay it along the muscle; stretch the middle only as much as your therapist showed you and never the ends; rub it to set the glue.\n")
	// The contraindications and the circulation warning go with every
	// taping, not only in a card the member may never open.
	b.WriteString("Safety: ask your physio before taping if you have had a blood clot, have active cancer, diabetes or reduced feeling, fragile or broken skin, or react to plasters; the first time, try a small test strip for a day. Take it off at once if the skin beyond it turns cold, pale, blue or numb.")
	return Reply{Text: b.String()}, nil
}

func areaWords(area string) string { return AreaWords(area) }

func (c *Coach) tapeOff(ctx context.Context, call *Call) (Reply, error) {
	stopped, err := c.store.StopTape(ctx, call.Member.Key, call.Now)
	if err != nil {
		return Reply{}, fmt.Errorf("stop tape: %w", err)
	}
	if len(stopped) == 0 {
		return Reply{Text: "No tape on record. Log a new one with `/coach tape on knee`."}, nil
	}
	var parts []string
	for _, tc := range stopped {
		parts = append(parts, fmt.Sprintf("%s (%s)", areaWords(tc.Area), daysWorn(tc.AppliedAt, call.Now)))
	}
	return Reply{Text: "Tape off: " + strings.Join(parts, ", ") + ". Peel it slowly along the direction of hair growth while holding the skin down; a little oil helps. Give your skin a day to breathe."}, nil
}

func (c *Coach) tapeStatus(ctx context.Context, call *Call) (Reply, error) {
	worn, err := c.store.WornTape(ctx, call.Member.Key)
	if err != nil {
		return Reply{}, fmt.Errorf("worn tape: %w", err)
	}
	if len(worn) == 0 {
		return Reply{Text: "No tape on right now. `/coach tape on AREA` starts tracking one."}, nil
	}
	var b strings.Builder
	for _, tc := range worn {
		off := tc.AppliedAt.Add(time.Duration(tc.Days) * 24 * time.Hour)
		fmt.Fprintf(&b, "- **%s**: on for %s; planned off %s\n", areaWords(tc.Area), daysWorn(tc.AppliedAt, call.Now), off.In(call.Loc()).Format("Mon 2 Jan 15:04"))
	}
	return Reply{Title: "Tape", Text: strings.TrimSpace(b.String())}, nil
}

func daysWorn(from, to time.Time) string {
	h := int(to.Sub(from).Hours())
	if h < 24 {
		return Plural(h, "hour")
	}
	return Plural(h/24, "day")
}

// isOneShot reports whether a nudge kind belongs to one moment (tape) rather
// than a recurring reminder; one-shots are postponed where recurring nudges
// are dropped.
func isOneShot(k NudgeKind) bool { return k == NudgeTapeCheck || k == NudgeTapeOff }

// staleAfter is how late a recurring nudge may still be sent.
const staleAfter = 12 * time.Hour

// Nudge decides at send time what to do with an outbox row: send it (with
// the message), postpone it, or drop it with a reason. It re-checks pause,
// snooze, quiet hours and whether the work is already done today.
func (c *Coach) Nudge(ctx context.Context, item OutboxItem) (NudgeDecision, error) {
	m, err := c.store.Member(ctx, item.Member)
	if ErrorCode(err) == ENOTFOUND {
		return NudgeDecision{SkipReason: "member gone"}, nil
	}
	if err != nil {
		return NudgeDecision{}, err
	}
	// Alerts and channel posts are for staff and channels, so the
	// member's own pause and quiet hours do not hold them back.
	if item.Kind == NudgeStaffAlert {
		return c.staffAlert(ctx, m, item)
	}
	if kind, ok := channelPostOf(item.Kind); ok {
		return c.channelPost(ctx, m, item, kind)
	}
	if item.Kind == NudgeChannelGone {
		return c.channelGoneDM(ctx, item)
	}
	now := c.clock.Now().UTC()
	loc := m.Location()
	local := now.In(loc)
	oneShot := isOneShot(item.Kind)
	switch {
	case m.NudgesDisabled:
		return NudgeDecision{SkipReason: "nudges disabled: " + m.DisabledReason}, nil
	case !oneShot && now.Sub(item.NotBefore) > staleAfter:
		return NudgeDecision{SkipReason: "stale"}, nil
	case m.PausedUntil.After(now):
		if oneShot && !m.PausedUntil.Equal(forever) {
			return NudgeDecision{Postpone: m.PausedUntil}, nil
		}
		return NudgeDecision{SkipReason: "paused"}, nil
	case m.SnoozedUntil.After(now):
		if !oneShot && m.SnoozedUntil.Sub(item.NotBefore) > staleAfter {
			return NudgeDecision{SkipReason: "snoozed"}, nil
		}
		return NudgeDecision{Postpone: m.SnoozedUntil}, nil
	case m.Quiet.Contains(TimeOfDayOf(local)):
		if oneShot {
			return NudgeDecision{Postpone: quietEnd(m.Quiet, local)}, nil
		}
		return NudgeDecision{SkipReason: "quiet hours"}, nil
	}
	switch item.Kind {
	case NudgeExercises:
		return c.exerciseNudge(ctx, m, item, now)
	case NudgeCheckIn:
		return c.checkInNudge(ctx, m, item, now)
	case NudgeTapeCheck, NudgeTapeOff:
		return c.tapeNudge(ctx, m, item, now)
	case NudgeReadiness:
		return c.readinessNudge(ctx, m, item, now)
	case NudgeLoad:
		return c.loadNudge(ctx, m, item, now)
	case NudgeSummary, NudgeDigest:
		if alive, err := c.subscriptionAlive(ctx, item); err != nil || !alive {
			return NudgeDecision{SkipReason: "turned off"}, err
		}
		if item.Kind == NudgeSummary {
			return c.weeklySummary(ctx, m, now)
		}
		return c.teamDigestNudge(ctx, m, now)
	}
	return NudgeDecision{SkipReason: "unknown kind " + string(item.Kind)}, nil
}

// quietEnd returns the next end of the quiet window after local.
func quietEnd(q QuietHours, local time.Time) time.Time {
	end := time.Date(local.Year(), local.Month(), local.Day(), q.End.Hour(), q.End.Minute(), 0, 0, local.Location())
	if !end.After(local) {
		end = time.Date(local.Year(), local.Month(), local.Day()+1, q.End.Hour(), q.End.Minute(), 0, 0, local.Location())
	}
	return end
}

func (c *Coach) subscriptionAlive(ctx context.Context, item OutboxItem) (bool, error) {
	sub, err := c.store.Subscription(ctx, item.Ref)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return sub.Member == item.Member, nil
}

func (c *Coach) exerciseNudge(ctx context.Context, m Member, item OutboxItem, now time.Time) (NudgeDecision, error) {
	if alive, err := c.subscriptionAlive(ctx, item); err != nil || !alive {
		return NudgeDecision{SkipReason: "reminder removed"}, err
	}
	loc := m.Location()
	today := LocalDay(now, loc)
	if m.SkippedDay == today {
		return NudgeDecision{SkipReason: "skipped today"}, nil
	}
	done, err := c.store.Completions(ctx, m.Key, today)
	if err != nil {
		return NudgeDecision{}, fmt.Errorf("completions: %w", err)
	}
	if len(done) > 0 {
		return NudgeDecision{SkipReason: "already done today"}, nil
	}
	streak, err := c.exerciseStreak(ctx, m, now)
	if err != nil {
		return NudgeDecision{}, err
	}
	var b strings.Builder
	if prog, ok := c.programOf(ctx, m); ok {
		fmt.Fprintf(&b, "Today's **%s**:\n", prog.Title)
		for _, e := range prog.Exercises {
			fmt.Fprintf(&b, "- **%s**: %s\n", e.Name, e.Dose())
		}
	} else {
		b.WriteString("Time for the exercises your therapist gave you. Pick a program with `/coach plan` to see them here.\n")
	}
	switch {
	case streak >= 2:
		fmt.Fprintf(&b, "You're on a **%d-day streak**; today's session keeps it going.", streak)
	case streak == 1:
		b.WriteString("You did them yesterday too. Two days makes a streak!")
	default:
		b.WriteString("A few minutes now adds up.")
	}
	return NudgeDecision{Send: true, Reply: Reply{
		Title: "Exercise time",
		Text:  strings.TrimSpace(b.String()),
		Buttons: []Button{
			{Label: "Done", Command: "coach done", Style: ButtonPrimary},
			{Label: "Snooze 1h", Command: "coach snooze 1h"},
			{Label: "Skip today", Command: "coach skip"},
		},
		Footer: "Follow your therapist's plan if it differs.",
	}}, nil
}

// programOf returns the member's program: a clinician's program they
// loaded by code, else the library program they chose (see programFor). A
// store error is logged and read as no program, so that a nudge or a reply
// still goes out without the list.
func (c *Coach) programOf(ctx context.Context, m Member) (Program, bool) {
	prog, ok, err := c.programFor(ctx, m)
	if err != nil {
		c.log.ErrorContext(ctx, "member program", "platform", m.Key.Platform, "err", err)
		return Program{}, false
	}
	return prog, ok
}

func (c *Coach) checkInNudge(ctx context.Context, m Member, item OutboxItem, now time.Time) (NudgeDecision, error) {
	if alive, err := c.subscriptionAlive(ctx, item); err != nil || !alive {
		return NudgeDecision{SkipReason: "reminder removed"}, err
	}
	today := startOfDay(now.In(m.Location()))
	recent, err := c.store.CheckIns(ctx, m.Key, today)
	if err != nil {
		return NudgeDecision{}, fmt.Errorf("check-ins: %w", err)
	}
	if len(recent) > 0 {
		return NudgeDecision{SkipReason: "already checked in today"}, nil
	}
	buttons := make([]Button, 0, 11)
	for score := 0; score <= 10; score++ {
		buttons = append(buttons, Button{Label: strconv.Itoa(score), Command: "pain " + strconv.Itoa(score)})
	}
	return NudgeDecision{Send: true, Reply: Reply{
		Title:   "Pain check-in",
		Text:    "How is your pain right now, from 0 (none) to 10 (worst)? Tap a number, or type `/pain 4 knee stiff in the morning` to add the area and a note.",
		Buttons: buttons,
	}}, nil
}

func (c *Coach) tapeNudge(ctx context.Context, m Member, item OutboxItem, now time.Time) (NudgeDecision, error) {
	tc, err := c.store.TapeCycle(ctx, item.Ref)
	if ErrorCode(err) == ENOTFOUND || (err == nil && !tc.Worn()) {
		return NudgeDecision{SkipReason: "tape removed"}, nil
	}
	if err != nil {
		return NudgeDecision{}, err
	}
	area := areaWords(tc.Area)
	if item.Kind == NudgeTapeCheck {
		return NudgeDecision{Send: true, Reply: Reply{
			Title: "Skin check",
			Text: fmt.Sprintf("Your %s tape has been on for a day. Any itching, redness or rash under or around it? "+
				"If so, take it off gently now and tell your therapist. If the skin looks fine, keep wearing it.", area),
			Buttons: []Button{{Label: "Took it off", Command: "coach tape off"}, {Label: "Tape status", Command: "coach tape status"}},
		}}, nil
	}
	return NudgeDecision{Send: true, Reply: Reply{
		Title: "Time to take the tape off",
		Text: fmt.Sprintf("Your %s tape has been on for %s. Peel it off slowly, holding the skin down; oil helps loosen the glue. "+
			"Let the skin rest a day before new tape.", area, daysWorn(tc.AppliedAt, now)),
		Buttons: []Button{{Label: "Took it off", Command: "coach tape off", Style: ButtonPrimary}},
	}}, nil
}

// DisableNudges stops nudges for a member the platform will not let us
// reach; they are told, and nudges resume, the next time they use the bot.
func (c *Coach) DisableNudges(ctx context.Context, key MemberKey, reason string) error {
	unlock, err := c.lockMember(ctx, key)
	if err != nil {
		return err
	}
	defer unlock()
	m, err := c.store.Member(ctx, key)
	if err != nil {
		return err
	}
	m.NudgesDisabled, m.DisabledReason = true, reason
	return c.store.UpdateMember(ctx, m)
}

// momentWords says when t is, seen from now: "11:00 today", "tomorrow
// 09:00", "Thu 5 Mar 09:00", and a midnight as "the start of Thu 10 Dec",
// so that "until" reads as up to that day, not through it.
func momentWords(t, now time.Time, loc *time.Location) string {
	lt, ln := t.In(loc), now.In(loc)
	midnight := lt.Hour() == 0 && lt.Minute() == 0
	day := lt.Format("Mon 2 Jan")
	if lt.Year() != ln.Year() {
		day = lt.Format("Mon 2 Jan 2006")
	}
	switch {
	case LocalDay(lt, loc) == LocalDay(ln, loc):
		return lt.Format("15:04") + " today"
	case midnight:
		return "the start of " + day
	case LocalDay(lt, loc) == LocalDay(ln.AddDate(0, 0, 1), loc):
		return "tomorrow " + lt.Format("15:04")
	}
	return day + " " + lt.Format("15:04")
}
