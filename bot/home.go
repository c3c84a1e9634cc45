package bot

import (
	"context"
	"fmt"
	"strings"
)

// Home is a member's dashboard (the Slack App Home): today's status,
// streak, program, recent check-ins, tape and reminders, with buttons for
// the common actions. It never fails: a store error gives a short notice.
func (c *Coach) Home(ctx context.Context, key MemberKey) Reply {
	reply, err := c.home(ctx, key)
	if err != nil {
		c.log.ErrorContext(ctx, "home view failed", "platform", key.Platform, "err", err)
		return Reply{Title: "Recovery Coach", Text: "I could not load your summary just now. Try `/coach history`."}
	}
	return reply
}

func (c *Coach) home(ctx context.Context, key MemberKey) (Reply, error) {
	now := c.clock.Now().UTC()
	m, err := c.memberOf(ctx, key, "")
	if err != nil {
		return Reply{}, err
	}
	loc := m.Location()
	today := LocalDay(now, loc)
	done, err := c.store.Completions(ctx, key, today)
	if err != nil {
		return Reply{}, fmt.Errorf("completions: %w", err)
	}
	recent, err := c.store.CheckIns(ctx, key, now.AddDate(0, 0, -30))
	if err != nil {
		return Reply{}, fmt.Errorf("check-ins: %w", err)
	}
	streak, err := c.exerciseStreak(ctx, m, now)
	if err != nil {
		return Reply{}, err
	}
	tape, err := c.store.WornTape(ctx, key)
	if err != nil {
		return Reply{}, fmt.Errorf("worn tape: %w", err)
	}
	subs, err := c.store.Subscriptions(ctx, key)
	if err != nil {
		return Reply{}, fmt.Errorf("subscriptions: %w", err)
	}

	var b strings.Builder
	exercises := "not yet (`done` when finished)"
	if len(done) > 0 {
		exercises = "done ✓"
	}
	fmt.Fprintf(&b, "**Today:** exercises %s", exercises)
	checkIn := "no check-in yet"
	if n := len(recent); n > 0 && LocalDay(recent[n-1].At, loc) == today {
		checkIn = fmt.Sprintf("pain %d/10 at %s", recent[n-1].Score, recent[n-1].At.In(loc).Format("15:04"))
	}
	b.WriteString("; " + checkIn + "\n")
	fmt.Fprintf(&b, "**Streak:** %s\n", streakWords(streak))
	if prog, ok := c.programOf(ctx, m); ok {
		fmt.Fprintf(&b, "**Program:** %s (%s)\n", prog.Title, Plural(len(prog.Exercises), "exercise"))
	} else {
		b.WriteString("**Program:** none yet; `/coach plan` lists starter programs\n")
	}
	if len(recent) > 0 {
		last := recent[max(0, len(recent)-7):]
		fmt.Fprintf(&b, "**Last %s:** `%s` (latest %d/10)\n", Plural(len(last), "check-in"), Sparkline(last, 7), last[len(last)-1].Score)
	}
	for _, tc := range tape {
		fmt.Fprintf(&b, "**Tape:** %s, on for %s\n", areaWords(tc.Area), daysWorn(tc.AppliedAt, now))
	}
	for _, s := range subs {
		b.WriteString("**Reminder:** " + describeSubscription(s) + "\n")
	}
	if status := nudgeStatus(m, now); status != "" {
		b.WriteString(status + "\n")
	}
	return Reply{
		Title: "Your recovery",
		Text:  strings.TrimSpace(b.String()),
		Buttons: []Button{
			{Label: "Exercises done", Command: "coach done", Style: ButtonPrimary},
			{Label: "History", Command: "coach history"},
			{Label: "Snooze 1h", Command: "coach snooze 1h"},
			{Label: "Help", Command: "coach help"},
		},
		Footer: "Log pain any time with `/pain 4 knee` or by messaging me `4 knee`. " + NotMedicalAdvice,
	}, nil
}
