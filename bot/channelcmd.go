package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// defaultPostTime is when a weekly summary or a challenge's progress is
// posted unless staff say otherwise.
const defaultPostTime = TimeOfDay(9 * 60)

// consoleChannel is the console's one channel: the terminal is a single
// person's, so channel posts there are printed under this name.
const consoleChannel = "general"

// postChannel is the channel a channel command was typed in; a direct
// message has none, except on the console.
func postChannel(call *Call) (string, error) {
	switch {
	case call.Request.Platform == Console:
		return consoleChannel, nil
	case call.Request.IsDM || call.Request.Channel == "":
		return "", Errorf(EINVALID, "Type this in the channel where the posts should go, not in a direct message.")
	}
	return call.Request.Channel, nil
}

// mustBeMember reminds staff that a platform lets the bot post only where
// it was added.
const mustBeMember = "I must be a member of this channel to post in it (on Slack, `/invite` me)."

// postZone is the zone a post's times are in: the one given, else the
// zone of the staff member who sets it.
func postZone(call *Call) string {
	if z := call.Values.String("tz"); z != "" {
		return z
	}
	return call.Member.TZ
}

func (c *Coach) channelSet(ctx context.Context, call *Call) (Reply, error) {
	channel, err := postChannel(call)
	if err != nil {
		return Reply{}, err
	}
	kind := ChannelPostKind(call.Values.String("kind"))
	days := call.Values.Weekdays("repeat")
	if days == 0 {
		days = EveryDay
	}
	p, err := c.store.SetChannelPost(ctx, ChannelPost{Platform: call.Member.Key.Platform, Workspace: call.Member.Key.Workspace,
		Channel: channel, Kind: kind, Owner: call.Member.Key.User, Times: call.Values.Times("at"), Days: days,
		TZ: postZone(call), CreatedAt: call.Now})
	if err != nil {
		return Reply{}, fmt.Errorf("set channel post: %w", err)
	}
	c.scheduleChanged()
	if err := c.audit(ctx, call, "set channel "+string(kind)+" post", describePost(p)); err != nil {
		return Reply{}, err
	}
	return Reply{Text: fmt.Sprintf("Done: %s here %s. Answers stay private to whoever gives them; nobody in the channel sees who answered. %s",
		postNoun(kind), describePost(p), mustBeMember)}, nil
}

func (c *Coach) channelSummary(ctx context.Context, call *Call) (Reply, error) {
	channel, err := postChannel(call)
	if err != nil {
		return Reply{}, err
	}
	at := defaultPostTime
	if ts := call.Values.Times("at"); len(ts) > 0 {
		at = ts[0]
	}
	day := call.Values.Weekdays("day")
	if day == 0 {
		day = 1 << time.Monday
	}
	if weekdayCount(day) != 1 {
		return Reply{}, Errorf(EINVALID, "A weekly summary goes out on one day; pick one, for example `/coach channel summary weekly mon 09:00`.")
	}
	p, err := c.store.SetChannelPost(ctx, ChannelPost{Platform: call.Member.Key.Platform, Workspace: call.Member.Key.Workspace,
		Channel: channel, Kind: PostSummary, Owner: call.Member.Key.User, Times: []TimeOfDay{at}, Days: day,
		TZ: postZone(call), CreatedAt: call.Now})
	if err != nil {
		return Reply{}, fmt.Errorf("set channel summary: %w", err)
	}
	c.scheduleChanged()
	if err := c.audit(ctx, call, "set channel summary", describePost(p)); err != nil {
		return Reply{}, err
	}
	minimum := PolicyOf(call.Workspace).MinSize
	return Reply{Text: fmt.Sprintf("Done: an anonymous summary of the last completed week here %s. It shows group figures only, each once at least %d people are behind it: never a name, one person's answer or a note. %s",
		describePost(p), minimum, mustBeMember)}, nil
}

func weekdayCount(w Weekdays) int {
	n := 0
	for d := time.Sunday; d <= time.Saturday; d++ {
		if w.Has(d) {
			n++
		}
	}
	return n
}

func (c *Coach) channelOff(ctx context.Context, call *Call) (Reply, error) {
	channel, err := postChannel(call)
	if err != nil {
		return Reply{}, err
	}
	kind := ChannelPostKind(call.Values.String("kind"))
	key := call.Member.Key
	stopped := false
	if kind == "" || kind == PostChallenge {
		if stopped, err = c.store.StopChallenge(ctx, key.Platform, key.Workspace, channel, call.Now); err != nil {
			return Reply{}, fmt.Errorf("stop challenge: %w", err)
		}
	}
	n, err := c.store.DeleteChannelPosts(ctx, key.Platform, key.Workspace, channel, kind)
	if err != nil {
		return Reply{}, fmt.Errorf("delete channel posts: %w", err)
	}
	if n == 0 && !stopped {
		what := "posts"
		if kind != "" {
			what = postNoun(kind) + " posts"
		}
		return Reply{Text: "There were no " + what + " here to stop. `/coach channel list` shows what this channel gets."}, nil
	}
	c.scheduleChanged()
	if err := c.audit(ctx, call, "stopped channel posts", string(kind)); err != nil {
		return Reply{}, err
	}
	if kind == "" {
		return Reply{Text: "Stopped every post in this channel."}, nil
	}
	return Reply{Text: "Stopped the " + postNoun(kind) + " posts in this channel."}, nil
}

func (c *Coach) channelList(ctx context.Context, call *Call) (Reply, error) {
	channel, err := postChannel(call)
	if err != nil {
		return Reply{}, err
	}
	key := call.Member.Key
	posts, err := c.store.ChannelPosts(ctx, key.Platform, key.Workspace, channel)
	if err != nil {
		return Reply{}, fmt.Errorf("channel posts: %w", err)
	}
	if len(posts) == 0 {
		return Reply{Text: "This channel gets no posts yet. Try `/coach channel movement at 10:30,15:00 weekdays`, `/coach channel readiness at 08:00` or `/coach channel summary weekly mon 09:00`."}, nil
	}
	lines := make([]string, 0, len(posts))
	for _, p := range posts {
		line := "- " + capitalize(postNoun(p.Kind)) + " " + describePost(p) + ", set by " + Mention(p.Owner)
		if !p.On() {
			line += " (**off** since " + p.OffAt.Format("Jan 2") + ": " + p.OffReason + ")"
		}
		lines = append(lines, line)
	}
	return Reply{Title: "Posts in this channel", Text: strings.Join(lines, "\n"),
		Footer: "`/coach channel off [KIND]` stops them."}, nil
}

// describePost says when a post goes out: "at 10:30 and 15:00 on weekdays
// (Europe/London)".
func describePost(p ChannelPost) string {
	labels := make([]string, len(p.Times))
	for i, t := range p.Times {
		labels[i] = t.String()
	}
	return "at " + JoinList(labels) + " " + p.Days.Words() + " (" + p.TZ + ")"
}

// postNoun names a kind of post in a sentence.
func postNoun(k ChannelPostKind) string {
	switch k {
	case PostMovement:
		return "a movement break"
	case PostReadiness:
		return "a readiness check-in"
	case PostLoad:
		return "a session-load prompt"
	case PostSummary:
		return "the weekly summary"
	case PostChallenge:
		return "the challenge progress"
	}
	return string(k)
}

func (c *Coach) channelChallenge(ctx context.Context, call *Call) (Reply, error) {
	channel, err := postChannel(call)
	if err != nil {
		return Reply{}, err
	}
	key := call.Member.Key
	ch := Challenge{Platform: key.Platform, Workspace: key.Workspace, Channel: channel, Name: call.Values.String("name"),
		Days: call.Values.Int("days"), Goal: call.Values.Int("goal"), Owner: key.User, Start: call.Now.UTC()}
	local := call.Now.In(call.Loc())
	progress := ChannelPost{Platform: key.Platform, Workspace: key.Workspace, Channel: channel, Kind: PostChallenge,
		Owner: key.User, Times: []TimeOfDay{defaultPostTime}, Days: 1 << local.Weekday(), TZ: call.Member.TZ, CreatedAt: call.Now}
	ch, err = c.store.StartChallenge(ctx, ch, progress)
	if ErrorCode(err) == ECONFLICT {
		return Reply{}, Errorf(ECONFLICT, "This channel already has a challenge running. `/coach channel off challenge` ends it.")
	}
	if err != nil {
		return Reply{}, fmt.Errorf("start challenge: %w", err)
	}
	c.scheduleChanged()
	if err := c.audit(ctx, call, "started channel challenge", fmt.Sprintf("%s %d days, goal %d", ch.Name, ch.Days, ch.Goal)); err != nil {
		return Reply{}, err
	}
	return Reply{Visibility: InChannel, Title: "Challenge: " + ch.Name,
		Text: fmt.Sprintf("A group challenge starts today: **%d** movement breaks each over **%s**, ending %s. Tap Done on a movement break post, or type `/coach break`, to count one. Progress for the group goes up here every %s; `/coach challenge` shows your own, privately.",
			ch.Goal, Plural(ch.Days, "day"), ch.End().In(call.Loc()).Format("Monday 2 January"), dayWords[local.Weekday()]),
		Footer: "Streaks are private unless you choose to show yours on the board: `/coach public on`."}, nil
}
