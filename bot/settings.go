package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Settings verbs: typed alone they show the current value, so that
// "quiet" or "tz" never needs a guess at the grammar.

func (c *Coach) quiet(ctx context.Context, call *Call) (Reply, error) {
	m := call.Member
	if !call.Values.Has("window") {
		if !m.Quiet.Set {
			return Reply{Text: "No quiet hours set: nudges may come at any time you chose. Set some with `/coach quiet 22:00-07:00`."}, nil
		}
		return Reply{Text: fmt.Sprintf("Quiet hours: **%s-%s** (%s); no nudges then. Change them with `/coach quiet 23:00-07:00`, or `/coach quiet off`.", m.Quiet.Start, m.Quiet.End, m.TZ)}, nil
	}
	m.Quiet = call.Values.Quiet("window")
	if err := c.store.UpdateMember(ctx, m); err != nil {
		return Reply{}, fmt.Errorf("update member: %w", err)
	}
	if !m.Quiet.Set {
		return Reply{Text: "Quiet hours off."}, nil
	}
	text := fmt.Sprintf("Quiet hours set: no nudges between %s and %s (%s).", m.Quiet.Start, m.Quiet.End, m.TZ)
	subs, err := c.store.Subscriptions(ctx, m.Key)
	if err != nil {
		return Reply{}, fmt.Errorf("subscriptions: %w", err)
	}
	if warn := quietClashes(subs, m.Quiet); warn != "" {
		text += "\n\n" + warn
	}
	return Reply{Text: text}, nil
}

// quietClashes warns about reminders whose times fall inside quiet hours:
// those reminders are not sent, and the member should hear it now rather
// than wonder later.
func quietClashes(subs []Subscription, q QuietHours) string {
	var lines []string
	first := ReminderKind("")
	for _, s := range subs {
		var inside []string
		for _, t := range s.Times {
			if q.Contains(t) {
				inside = append(inside, t.String())
			}
		}
		if len(inside) > 0 && first == "" {
			first = s.Kind
		}
		if len(inside) > 0 {
			lines = append(lines, fmt.Sprintf("- %s at %s", reminderName(s.Kind), JoinList(inside)))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	move := "Move them to a time outside quiet hours, or change the quiet hours."
	if first == RemindExercises || first == RemindCheckIn {
		move = fmt.Sprintf("Move one with `/coach remind %s at %s replace`, or change the quiet hours.", first, q.End)
	}
	return fmt.Sprintf("**Heads-up:** these reminders fall inside your quiet hours (%s-%s), so I will not send them:\n%s\n%s",
		q.Start, q.End, strings.Join(lines, "\n"), move)
}

// reminderName names a reminder kind in a list.
func reminderName(k ReminderKind) string {
	switch k {
	case RemindExercises:
		return "exercise reminder"
	case RemindCheckIn:
		return "check-in reminder"
	case RemindSummary:
		return "weekly summary"
	case RemindDigest:
		return "team digest"
	case RemindTeamReadiness:
		return "team readiness prompt"
	case RemindTeamLoad:
		return "team load prompt"
	}
	return string(k) + " reminder"
}

func (c *Coach) tz(ctx context.Context, call *Call) (Reply, error) {
	loc := call.Values.Zone("zone")
	if loc == nil {
		now := call.Now.In(call.Loc())
		return Reply{Text: fmt.Sprintf("Your time zone is **%s** (it is %s there). Change it with your city: `/coach tz London`, `/coach tz New York`.", call.Member.TZ, now.Format("15:04"))}, nil
	}
	m := call.Member
	m.TZ = loc.String()
	if err := c.store.UpdateMember(ctx, m); err != nil {
		return Reply{}, fmt.Errorf("update member: %w", err)
	}
	if err := c.store.SetSubscriptionsTZ(ctx, m.Key, m.TZ); err != nil {
		return Reply{}, fmt.Errorf("move reminders: %w", err)
	}
	c.scheduleChanged()
	reply := Reply{Text: fmt.Sprintf("Time zone set to **%s**; it is %s there now. Reminders follow this zone.", m.TZ, call.Now.In(loc).Format("15:04"))}
	if suggest, fixed := FixedZoneAdvice(m.TZ); fixed {
		// EST and the like keep one offset all year: in summer every
		// reminder would come an hour off.
		reply.Text += fmt.Sprintf("\n\n**Heads-up:** %s never changes for daylight saving, so in summer your reminders would be an hour off local time.", m.TZ)
		if suggest != "" {
			reply.Text += fmt.Sprintf(" If you live where the clocks change, use `/coach tz %s` instead.", suggest)
			reply.Buttons = []Button{{Label: "Use " + suggest, Command: "coach tz " + suggest, Style: ButtonPrimary}}
		} else {
			reply.Text += " Type your city instead, such as `/coach tz London`."
		}
	}
	return reply, nil
}

func (c *Coach) remindSet(ctx context.Context, call *Call) (Reply, error) {
	want := Subscription{
		Member:    call.Member.Key,
		Kind:      ReminderKind(call.Values.String("kind")),
		Times:     call.Values.Times("at"),
		Days:      call.Values.Weekdays("repeat"),
		TZ:        call.Member.TZ,
		CreatedAt: call.Now,
	}
	change := call.Values.String("change")
	subs, err := c.store.Subscriptions(ctx, call.Member.Key)
	if err != nil {
		return Reply{}, fmt.Errorf("subscriptions: %w", err)
	}
	var old *Subscription
	for i := range subs {
		if subs[i].Kind == want.Kind {
			old = &subs[i]
		}
	}
	if old != nil && change == "add" {
		merged, err := addToSchedule(*old, want)
		if err != nil {
			return Reply{}, err
		}
		want.Times, want.Days = merged.Times, merged.Days
	}
	if reply, refused := quietRefusal(call, want); refused {
		return reply, nil
	}
	if old != nil && slices.Equal(old.Times, want.Times) && old.Days == want.Days {
		return Reply{Text: "Already set: I remind you " + describeSubscription(*old) + ". Nothing changed."}, nil
	}
	if old != nil && change == "" {
		// A schedule is changed only when asked, so "remind exercises at
		// 07:00 monday" never silently drops a mon,wed,fri plan.
		line := fmt.Sprintf("remind %s at %s %s", want.Kind, FormatTimes(want.Times), want.Days)
		text := fmt.Sprintf("You already have a reminder %s. I have not changed it.\n- To replace it with %s %s: `%s replace`\n- To add to it: `%s add`",
			describeSubscription(*old), JoinList(timeList(want.Times)), want.Days.Words(), line, line)
		return Reply{Text: text, Buttons: []Button{
			{Label: "Replace", Command: "coach " + line + " replace", Style: ButtonPrimary},
			{Label: "Add to it", Command: "coach " + line + " add"},
		}}, nil
	}
	sub, err := c.store.SetSubscription(ctx, want)
	if err != nil {
		return Reply{}, fmt.Errorf("set subscription: %w", err)
	}
	c.scheduleChanged()
	text := "Done: I'll remind you " + describeSubscription(sub) + "."
	if old != nil {
		text = "Changed: I'll now remind you " + describeSubscription(sub) + ". Before, it was " + JoinList(timeList(old.Times)) + " " + old.Days.Words() + "."
	}
	if call.Member.TZ == "UTC" {
		text += " Times are in UTC; set your zone with `/coach tz London` (your city) if that's not yours."
	}
	return Reply{Text: text}, nil
}

// addToSchedule merges a reminder into an existing one of its kind. One
// reminder has one set of days for all its times, so it merges new times
// on the same days, or new days at the same times; anything else would
// change more than was asked, and is refused with what would work.
func addToSchedule(old, add Subscription) (Subscription, error) {
	out := old
	switch {
	case old.Days == add.Days:
		out.Times = append(append([]TimeOfDay(nil), old.Times...), add.Times...)
		sortTimes(out.Times)
		out.Times = slices.Compact(out.Times)
		if len(out.Times) > 6 {
			return Subscription{}, Errorf(EINVALID, "That would make %s; at most 6 reminder times a day, please.", Plural(len(out.Times), "time"))
		}
	case slices.Equal(old.Times, add.Times):
		out.Days |= add.Days
	default:
		return Subscription{}, Errorf(EINVALID, "A reminder has one set of days for all its times, so I can't add %s %s to %s %s. Add the time on the same days (`remind %s at %s %s add`) or replace the reminder (`... replace`).",
			JoinList(timeList(add.Times)), add.Days.Words(), JoinList(timeList(old.Times)), old.Days.Words(), add.Kind, FormatTimes(add.Times), old.Days)
	}
	return out, nil
}

// quietRefusal refuses a reminder time inside quiet hours, which would
// otherwise be dropped every day without a word. It offers the end of
// the window instead rather than moving it silently.
func quietRefusal(call *Call, s Subscription) (Reply, bool) {
	q := call.Member.Quiet
	var inside []string
	for _, t := range s.Times {
		if q.Contains(t) {
			inside = append(inside, t.String())
		}
	}
	if len(inside) == 0 {
		return Reply{}, false
	}
	moved := make([]TimeOfDay, 0, len(s.Times))
	for _, t := range s.Times {
		if q.Contains(t) {
			t = q.End
		}
		moved = append(moved, t)
	}
	sortTimes(moved)
	moved = slices.Compact(moved)
	line := fmt.Sprintf("coach remind %s at %s %s replace", s.Kind, FormatTimes(moved), s.Days)
	return Reply{
		Text: fmt.Sprintf("%s %s inside your quiet hours (%s-%s), when I send nothing, so I have **not** set this reminder. Choose a time outside them, use %s (when quiet hours end), or change quiet hours with `/coach quiet`.",
			JoinList(inside), Noun(len(inside), "is"), q.Start, q.End, q.End),
		Buttons: []Button{{Label: "Remind at " + FormatTimes(moved), Command: line, Style: ButtonPrimary}},
	}, true
}

func timeList(ts []TimeOfDay) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}
