package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MovementProgram is the content library's program that movement-break
// posts take their moves from.
const MovementProgram = "movement-break"

// movesPerBreak is how many moves one post shows: about three to five
// minutes.
const movesPerBreak = 4

// streakLookback bounds how far back a streak is counted.
const streakLookback = 90

// channelPost decides a channel post at send time. The owner's own pause,
// snooze and quiet hours do not hold it back: the post is the channel's.
func (c *Coach) channelPost(ctx context.Context, owner Member, item OutboxItem, kind ChannelPostKind) (NudgeDecision, error) {
	p, err := c.store.ChannelPost(ctx, item.Ref)
	if ErrorCode(err) == ENOTFOUND {
		return NudgeDecision{SkipReason: "turned off"}, nil
	}
	if err != nil {
		return NudgeDecision{}, fmt.Errorf("channel post: %w", err)
	}
	now := c.clock.Now().UTC()
	switch {
	case !p.On():
		return NudgeDecision{SkipReason: "channel lost: " + p.OffReason}, nil
	case now.Sub(item.NotBefore) > staleAfter:
		return NudgeDecision{SkipReason: "stale"}, nil
	}
	ws, err := c.workspaceOf(ctx, p.Platform, p.Workspace)
	if err != nil {
		return NudgeDecision{}, err
	}
	var reply Reply
	switch kind {
	case PostMovement:
		reply, err = c.movementPost(p, item.NotBefore)
	case PostReadiness:
		reply = readinessPost(ws)
	case PostLoad:
		reply = loadPost(ws)
	case PostSummary:
		reply, err = c.summaryPost(ctx, ws, now)
	case PostChallenge:
		reply, err = c.challengePost(ctx, p, now)
	}
	if err != nil || reply.Empty() {
		return NudgeDecision{SkipReason: "nothing to post"}, err
	}
	reply.Visibility = InChannel
	return NudgeDecision{Send: true, Channel: p.Channel, Reply: reply}, nil
}

// privateAnswers says who sees an answer to a post, in the workspace's
// privacy mode.
func privateAnswers(ws Workspace) string {
	if ws.Privacy == PrivacyWellness {
		return "Your answers are private: nobody in this channel sees them, and staff see only group figures of " + fmt.Sprint(PolicyOf(ws).MinSize) + " or more people."
	}
	return "Your answers are private: nobody in this channel sees them, and staff see yours only if you agreed to share (`/coach start`)."
}

// movementPost shows a few moves of the movement program, a different set
// each day, with Done and Not today.
func (c *Coach) movementPost(p ChannelPost, due time.Time) (Reply, error) {
	if c.library == nil {
		return Reply{}, nil
	}
	prog, ok := c.library.Program(MovementProgram)
	if !ok || len(prog.Exercises) == 0 {
		return Reply{}, fmt.Errorf("movement break: program %q missing from the library", MovementProgram)
	}
	loc := time.UTC
	if z, err := LoadZone(p.TZ); err == nil {
		loc = z
	}
	local := due.In(loc)
	moves := dailyMoves(prog.Exercises, local)
	var b strings.Builder
	b.WriteString("Time for a three-minute movement break. Stand up if you can; every move also works seated.\n")
	for _, e := range moves {
		fmt.Fprintf(&b, "\n- **%s** (%s): %s", e.Name, e.Dose(), e.HowTo)
	}
	b.WriteString("\n\nStop any move that hurts sharply.")
	if len(prog.StopRules) > 0 {
		b.WriteString(" **Stop and check with a clinician:** " + strings.ToLower(prog.StopRules[0][:1]) + prog.StopRules[0][1:])
	}
	slot := TimeOfDayOf(local).String()
	return Reply{Title: "Movement break", Text: b.String(),
		Buttons: []Button{
			{Label: "Done", Command: "coach break at " + slot, Style: ButtonPrimary},
			{Label: "Not today", Command: "coach break skip"},
		},
		Footer: "Tapping Done counts it for you only; nobody here sees who tapped."}, nil
}

// dailyMoves picks movesPerBreak moves, rotating through the program day
// by day so that the channel sees every move in turn.
func dailyMoves(all []Exercise, local time.Time) []Exercise {
	n := min(movesPerBreak, len(all))
	day := int(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
	start := (day * n) % len(all)
	out := make([]Exercise, n)
	for i := range out {
		out[i] = all[(start+i)%len(all)]
	}
	return out
}

func readinessPost(ws Workspace) Reply {
	return Reply{Title: "Readiness check-in",
		Text:    "How are you today? Five quick questions on freshness, sleep, soreness, stress and mood, about twenty seconds. " + privateAnswers(ws),
		Buttons: []Button{{Label: "Answer", Command: "coach readiness", Form: "coach readiness", Style: ButtonPrimary}},
		Footer:  "Or type `/coach readiness` here or in a direct message."}
}

func loadPost(ws Workspace) Reply {
	return Reply{Title: "Session load",
		Text:    "Log today's session: how hard it felt (RPE 0-10) and how many minutes. " + privateAnswers(ws),
		Buttons: []Button{{Label: "Answer", Command: "coach load", Form: "coach load", Style: ButtonPrimary}},
		Footer:  "Or type `/coach load 7 60` here or in a direct message."}
}

// channelGoneDM tells a post's owner that the bot can no longer post in
// the channel.
func (c *Coach) channelGoneDM(ctx context.Context, item OutboxItem) (NudgeDecision, error) {
	p, err := c.store.ChannelPost(ctx, item.Ref)
	if ErrorCode(err) == ENOTFOUND {
		return NudgeDecision{SkipReason: "post gone"}, nil
	}
	if err != nil {
		return NudgeDecision{}, fmt.Errorf("channel post: %w", err)
	}
	if p.On() {
		return NudgeDecision{SkipReason: "turned on again"}, nil
	}
	return NudgeDecision{Send: true, Reply: Reply{Title: "Channel posts stopped",
		Text: fmt.Sprintf("I can no longer post in %s (%s), so %s posts there are off. To start again, add me back to the channel and type `/coach channel list` there; each post is turned back on by setting it again.",
			ChannelMention(p.Channel), p.OffReason, postNoun(p.Kind))}}, nil
}

// ChannelGone is told by the dispatcher that the platform refused a post
// to channel. When the row was a channel post, every post of that channel
// is turned off and each owner gets a direct message saying so, in one
// transaction; other rows (staff alerts) are left alone.
func (c *Coach) ChannelGone(ctx context.Context, item OutboxItem, channel string) error {
	if _, ok := channelPostOf(item.Kind); !ok {
		return nil
	}
	now := c.clock.Now().UTC()
	_, err := c.store.TurnOffChannel(ctx, item.Member.Platform, item.Member.Workspace, channel,
		"the bot was removed from it or it was archived", now, func(p ChannelPost) OutboxItem {
			return OutboxItem{Member: p.OwnerKey(), Kind: NudgeChannelGone, Ref: p.ID, NotBefore: now,
				DedupeKey: fmt.Sprintf("%s:%d:%d", NudgeChannelGone, p.ID, now.UnixMilli())}
		})
	if err != nil {
		return fmt.Errorf("turn off channel: %w", err)
	}
	c.scheduleChanged()
	return nil
}

// breakLog logs a movement break: the Done button of a movement post, or
// typed. Not today stores nothing.
func (c *Coach) breakLog(ctx context.Context, call *Call) (Reply, error) {
	if call.Values.String("state") == "skip" {
		return Reply{Text: "No problem. There is always the next one."}, nil
	}
	local := call.Now.In(call.Loc())
	minute := TimeOfDayOf(local)
	if ts := call.Values.Times("at"); len(ts) > 0 {
		minute = ts[0]
	}
	added, err := c.store.AddMovementBreak(ctx, MovementBreak{Member: call.Member.Key, Day: LocalDay(call.Now, call.Loc()), Minute: minute, At: call.Now})
	if err != nil {
		return Reply{}, fmt.Errorf("add movement break: %w", err)
	}
	breaks, err := c.store.MovementBreaks(ctx, call.Member.Key, LocalDay(call.Now.AddDate(0, 0, -streakLookback), call.Loc()))
	if err != nil {
		return Reply{}, fmt.Errorf("movement breaks: %w", err)
	}
	text := "Movement break logged."
	if !added {
		text = "That movement break is already logged."
	}
	today := LocalDay(call.Now, call.Loc())
	text += fmt.Sprintf(" %s today; your streak is %s.", Plural(countDay(breaks, today), "break"), Plural(breakStreak(breaks, today), "day"))
	if line, err := c.challengeLine(ctx, call.Member.Key, breaks, call.Now); err != nil {
		return Reply{}, err
	} else if line != "" {
		text += "\n\n" + line
	}
	return Reply{Text: text}, nil
}

func countDay(breaks []MovementBreak, day string) int {
	n := 0
	for _, b := range breaks {
		if b.Day == day {
			n++
		}
	}
	return n
}

// breakStreak counts consecutive days with a movement break, ending today
// or, when today has none yet, yesterday.
func breakStreak(breaks []MovementBreak, today string) int {
	days := map[string]bool{}
	for _, b := range breaks {
		days[b.Day] = true
	}
	d, err := time.Parse("2006-01-02", today)
	if err != nil {
		return 0
	}
	return Streak(days, d, time.UTC)
}

// challengeLine is the member's own progress in the workspace's running
// challenges, or "".
func (c *Coach) challengeLine(ctx context.Context, key MemberKey, breaks []MovementBreak, now time.Time) (string, error) {
	all, err := c.store.Challenges(ctx, key.Platform, key.Workspace)
	if err != nil {
		return "", fmt.Errorf("challenges: %w", err)
	}
	var lines []string
	for _, ch := range all {
		if !ch.Active(now) {
			continue
		}
		done := 0
		for _, b := range breaks {
			if !b.At.Before(ch.Start) && b.At.Before(ch.End()) {
				done++
			}
		}
		day := int(now.Sub(ch.Start)/(24*time.Hour)) + 1
		lines = append(lines, fmt.Sprintf("Challenge **%s** in %s, day %d of %d: you have done **%d of %d** movement breaks.",
			ch.Name, ChannelMention(ch.Channel), day, ch.Days, done, ch.Goal))
	}
	return strings.Join(lines, "\n"), nil
}

func (c *Coach) challengeMine(ctx context.Context, call *Call) (Reply, error) {
	breaks, err := c.store.MovementBreaks(ctx, call.Member.Key, LocalDay(call.Now.AddDate(0, 0, -streakLookback), call.Loc()))
	if err != nil {
		return Reply{}, fmt.Errorf("movement breaks: %w", err)
	}
	line, err := c.challengeLine(ctx, call.Member.Key, breaks, call.Now)
	if err != nil {
		return Reply{}, err
	}
	if line == "" {
		line = "No group challenge is running in this workspace right now. Staff can start one in a channel with `/coach channel challenge NAME DAYS GOAL`."
	}
	public, err := c.store.PublicStreak(ctx, call.Member.Key)
	if err != nil {
		return Reply{}, fmt.Errorf("public streak: %w", err)
	}
	board := "Your streak is private; `/coach public on` shows its count (and nothing else) on channel boards."
	if public {
		board = "Your streak count shows on channel boards; `/coach public off` hides it."
	}
	streak := breakStreak(breaks, LocalDay(call.Now, call.Loc()))
	return Reply{Text: line + "\n\nYour movement-break streak: **" + Plural(streak, "day") + "**. " + board}, nil
}

func (c *Coach) public(ctx context.Context, call *Call) (Reply, error) {
	on := call.Values.String("state") == "on"
	if err := c.store.SetPublicStreak(ctx, call.Member.Key, on, call.Now); err != nil {
		return Reply{}, fmt.Errorf("set public streak: %w", err)
	}
	if on {
		return Reply{Text: "Your movement-break streak count will show on channel boards, next to your name. Only the count: never a score, an answer or a note. `/coach public off` hides it again."}, nil
	}
	return Reply{Text: "Your streak is private again; boards will not show it."}, nil
}

// summaryPost is the anonymous weekly summary: the last completed week
// against the one before, under the workspace's group policy.
func (c *Coach) summaryPost(ctx context.Context, ws Workspace, now time.Time) (Reply, error) {
	weeks := ReportWeeks(now, 14)
	group, err := c.store.TeamData(ctx, ws.Platform, ws.ID, weeks[0].AddDate(0, 0, -1))
	if err != nil {
		return Reply{}, fmt.Errorf("team data: %w", err)
	}
	breaks, err := c.store.WorkspaceBreaks(ctx, ws.Platform, ws.ID, weeks[0].AddDate(0, 0, -1).Format("2006-01-02"))
	if err != nil {
		return Reply{}, fmt.Errorf("workspace breaks: %w", err)
	}
	s := PolicyOf(ws).ChannelWeeks(group, breaks, weeks)
	return Reply{Title: "This channel's week", Text: PolicyOf(ws).ChannelSummaryText(s), Footer: PolicyOf(ws).Note()}, nil
}

// challengePost reports the group's progress in a challenge, with the
// streak board of those who opted in; after the end it reports the result
// once more and then stops.
func (c *Coach) challengePost(ctx context.Context, p ChannelPost, now time.Time) (Reply, error) {
	ch, err := c.store.Challenge(ctx, p.Challenge)
	if ErrorCode(err) == ENOTFOUND {
		return Reply{}, nil
	}
	if err != nil {
		return Reply{}, fmt.Errorf("challenge: %w", err)
	}
	if !ch.StoppedAt.IsZero() || now.Sub(ch.End()) > 7*24*time.Hour {
		return Reply{}, nil
	}
	ws, err := c.workspaceOf(ctx, p.Platform, p.Workspace)
	if err != nil {
		return Reply{}, err
	}
	breaks, err := c.store.WorkspaceBreaks(ctx, p.Platform, p.Workspace, ch.Start.AddDate(0, 0, -1).Format("2006-01-02"))
	if err != nil {
		return Reply{}, fmt.Errorf("workspace breaks: %w", err)
	}
	public, err := c.store.PublicStreaks(ctx, p.Platform, p.Workspace)
	if err != nil {
		return Reply{}, fmt.Errorf("public streaks: %w", err)
	}
	policy := PolicyOf(ws)
	text := policy.ChallengeText(ch, breaks, now)
	loc := time.UTC
	if z, err := LoadZone(p.TZ); err == nil {
		loc = z
	}
	if board := StreakBoard(breaks, public, LocalDay(now, loc)); board != "" {
		text += "\n\n" + board
	}
	return Reply{Title: "Challenge: " + ch.Name, Text: text,
		Footer: "`/coach challenge` shows your own progress privately; `/coach public on` puts your streak count on the board."}, nil
}

// StreakBoard lists the movement-break streaks of the members who chose to
// show theirs (public), longest first; only counts, never health data.
func StreakBoard(breaks []MovementBreak, public []string, today string) string {
	byMember := map[string][]MovementBreak{}
	for _, b := range breaks {
		if slices.Contains(public, b.Member.User) {
			byMember[b.Member.User] = append(byMember[b.Member.User], b)
		}
	}
	type entry struct {
		user   string
		streak int
	}
	var board []entry
	for user, bs := range byMember {
		if s := breakStreak(bs, today); s > 0 {
			board = append(board, entry{user, s})
		}
	}
	if len(board) == 0 {
		return ""
	}
	slices.SortFunc(board, func(a, b entry) int {
		if a.streak != b.streak {
			return b.streak - a.streak
		}
		return strings.Compare(a.user, b.user)
	})
	lines := []string{"**Streak board** (people who chose to show theirs)"}
	for _, e := range board {
		lines = append(lines, "- "+Mention(e.user)+": "+Plural(e.streak, "day"))
	}
	return strings.Join(lines, "\n")
}
