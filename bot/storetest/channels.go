package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/recoverycoach/recoverycoach/bot"
)

// channelTests cover channel posts, challenges, movement breaks and
// public streaks.
func channelTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"Channel/PostsSetReplaceDelete":    testChannelPosts,
		"Channel/TurnOffNoticesOnce":       testTurnOffChannel,
		"Channel/EnqueueGroupPosts":        testChannelEnqueue,
		"Channel/ChallengeOnePerChannel":   testChallenges,
		"Channel/MovementBreaks":           testMovementBreaks,
		"Channel/PublicStreaks":            testPublicStreaks,
		"Channel/ForgetMemberTakesTheirs":  testChannelForget,
		"Channel/StartChallengeNeedsOwner": testChallengeUnknownOwner,
		"Channel/StartChallengeAtOnce":     testChallengeAtOnce,
	}
}

// post is a channel post of the Slack workspace T1 owned by owner and
// created at the start of the test.
func post(owner, channel string, kind bot.ChannelPostKind, tz string, days bot.Weekdays, times ...bot.TimeOfDay) bot.ChannelPost {
	return bot.ChannelPost{Platform: bot.Slack, Workspace: "T1", Channel: channel, Kind: kind, Owner: owner,
		Times: times, Days: days, TZ: tz, CreatedAt: at(0)}
}

// setPost stores a channel post and returns it with its id.
func setPost(t testing.TB, s Store, in bot.ChannelPost) bot.ChannelPost {
	t.Helper()
	got, err := s.SetChannelPost(t.Context(), in)
	ok(t, err)
	if got.ID == 0 {
		t.Fatal("SetChannelPost returned no id")
	}
	in.ID = got.ID
	same(t, "SetChannelPost result", in, got)
	return got
}

// channelPosts returns the posts of a channel of T1.
func channelPosts(t testing.TB, s Store, channel string) []bot.ChannelPost {
	t.Helper()
	got, err := s.ChannelPosts(t.Context(), bot.Slack, "T1", channel)
	ok(t, err)
	return got
}

// postKey is the dedupe key EnqueueGroup gives a channel post due at due.
func postKey(p bot.ChannelPost, due time.Time) string {
	return fmt.Sprintf("channel:%s:%s:%s:%s:%d", p.Platform, p.Workspace, p.Channel, p.Kind, due.Unix()/60)
}

// postRow is the pending row EnqueueGroup writes for a channel post.
func postRow(p bot.ChannelPost, due, now time.Time) bot.OutboxItem {
	return bot.OutboxItem{Member: p.OwnerKey(), Kind: p.Kind.Nudge(), DedupeKey: postKey(p, due), NotBefore: due,
		Status: bot.OutboxPending, Ref: p.ID, CreatedAt: now}
}

// byKey indexes rows by dedupe key.
func byKey(items []bot.OutboxItem) map[string]bot.OutboxItem {
	out := map[string]bot.OutboxItem{}
	for _, it := range items {
		out[it.DedupeKey] = it
	}
	return out
}

func testChannelPosts(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	for _, u := range []string{"S", "S2"} {
		addMember(t, s, slackKey(u))
	}
	elsewhere := bot.MemberKey{Platform: bot.Slack, Workspace: "T2", User: "S"}
	addMember(t, s, elsewhere)

	move := setPost(t, s, post("S", "C1", bot.PostMovement, "UTC", bot.WorkDays, 10*60, 15*60))
	ready := setPost(t, s, post("S", "C1", bot.PostReadiness, "UTC", bot.EveryDay, 8*60))
	other := setPost(t, s, post("S2", "C2", bot.PostMovement, "Europe/Berlin", bot.EveryDay, 11*60))
	theirs := post("S", "C1", bot.PostMovement, "UTC", bot.EveryDay, 12*60)
	theirs.Workspace = "T2"
	theirs = setPost(t, s, theirs)
	if ids := []int64{move.ID, ready.ID, other.ID, theirs.ID}; len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
		t.Errorf("posts share ids: %v", ids)
	}
	same(t, "C1's posts, by kind", []bot.ChannelPost{move, ready}, channelPosts(t, s, "C1"))
	got, err := s.ChannelPost(ctx, ready.ID)
	ok(t, err)
	same(t, "ChannelPost by id", ready, got)
	_, err = s.ChannelPost(ctx, theirs.ID+1000)
	wantCode(t, "unknown channel post", err, bot.ENOTFOUND)

	// Setting the same kind again replaces the post, its times included:
	// one post per channel and kind, whoever sets it.
	again := post("S2", "C1", bot.PostMovement, "Asia/Tokyo", bot.Weekend, 9*60+30)
	again.CreatedAt = at(time.Hour + 7*time.Millisecond)
	again = setPost(t, s, again)
	same(t, "C1's posts after the replace", []bot.ChannelPost{again, ready}, channelPosts(t, s, "C1"))
	same(t, "groups after the replace", []bot.ScheduleGroup{
		{TZ: "Asia/Tokyo", Time: 9*60 + 30, Days: bot.Weekend},
		{TZ: "Europe/Berlin", Time: 11 * 60, Days: bot.EveryDay},
		{TZ: "UTC", Time: 8 * 60, Days: bot.EveryDay},
		{TZ: "UTC", Time: 12 * 60, Days: bot.EveryDay},
	}, groups(t, s), sortGroups())

	// A post needs its owner to be a member.
	_, err = s.SetChannelPost(ctx, post("nobody", "C3", bot.PostLoad, "UTC", bot.EveryDay, 9*60))
	wantCode(t, "post of an unknown owner", err, bot.ENOTFOUND)
	same(t, "C3's posts", []bot.ChannelPost(nil), channelPosts(t, s, "C3"))

	steps := []struct {
		kind bot.ChannelPostKind
		want int
		left []bot.ChannelPost
	}{
		{bot.PostReadiness, 1, []bot.ChannelPost{again}},
		{bot.PostReadiness, 0, []bot.ChannelPost{again}},
		{bot.PostSummary, 0, []bot.ChannelPost{again}},
		{"", 1, nil},
		{"", 0, nil},
	}
	for _, st := range steps {
		n, err := s.DeleteChannelPosts(ctx, bot.Slack, "T1", "C1", st.kind)
		ok(t, err)
		if n != st.want {
			t.Errorf("DeleteChannelPosts(%q) = %d, want %d", st.kind, n, st.want)
		}
		same(t, fmt.Sprintf("C1's posts after deleting %q", st.kind), st.left, channelPosts(t, s, "C1"))
	}
	same(t, "C2's posts", []bot.ChannelPost{other}, channelPosts(t, s, "C2"))
	list, err := s.ChannelPosts(ctx, bot.Slack, "T2", "C1")
	ok(t, err)
	same(t, "the other workspace's C1", []bot.ChannelPost{theirs}, list)
	same(t, "groups after the deletes", []bot.ScheduleGroup{
		{TZ: "Europe/Berlin", Time: 11 * 60, Days: bot.EveryDay},
		{TZ: "UTC", Time: 12 * 60, Days: bot.EveryDay},
	}, groups(t, s), sortGroups())
}

func testTurnOffChannel(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	for _, u := range []string{"S", "S2"} {
		addMember(t, s, slackKey(u))
	}
	move := setPost(t, s, post("S", "C1", bot.PostMovement, "UTC", bot.EveryDay, 7*60))
	ready := setPost(t, s, post("S2", "C1", bot.PostReadiness, "UTC", bot.EveryDay, 7*60))
	other := setPost(t, s, post("S", "C2", bot.PostMovement, "UTC", bot.EveryDay, 7*60))
	notice := func(when time.Time) func(bot.ChannelPost) bot.OutboxItem {
		return func(p bot.ChannelPost) bot.OutboxItem {
			return bot.OutboxItem{Member: p.OwnerKey(), Kind: bot.NudgeChannelGone, Ref: p.ID, NotBefore: when,
				DedupeKey: fmt.Sprintf("%s:%d:%d", bot.NudgeChannelGone, p.ID, when.UnixMilli())}
		}
	}
	// A notice already in the outbox is kept, not a failure.
	offAt := at(time.Hour)
	enqueue(t, s, slackKey("S2"), bot.NudgeChannelGone, notice(offAt)(ready).DedupeKey, offAt)

	off, err := s.TurnOffChannel(ctx, bot.Slack, "T1", "C1", "channel archived", offAt, notice(offAt))
	ok(t, err)
	move.OffAt, move.OffReason = offAt, "channel archived"
	ready.OffAt, ready.OffReason = offAt, "channel archived"
	byID := cmpopts.SortSlices(func(a, b bot.ChannelPost) bool { return a.ID < b.ID })
	same(t, "posts turned off", []bot.ChannelPost{move, ready}, off, byID)
	if slices.ContainsFunc(off, bot.ChannelPost.On) {
		t.Errorf("a post turned off is on: %+v", off)
	}
	same(t, "C1's posts", []bot.ChannelPost{move, ready}, channelPosts(t, s, "C1"))
	same(t, "C2's posts", []bot.ChannelPost{other}, channelPosts(t, s, "C2"))

	items := due(t, s, offAt, 100)
	want := map[string]bot.OutboxItem{}
	for _, p := range []bot.ChannelPost{move, ready} {
		it := notice(offAt)(p)
		it.Status, it.CreatedAt = bot.OutboxPending, offAt
		want[it.DedupeKey] = it
	}
	want[notice(offAt)(ready).DedupeKey] = bot.OutboxItem{Member: slackKey("S2"), Kind: bot.NudgeChannelGone,
		DedupeKey: notice(offAt)(ready).DedupeKey, NotBefore: offAt, Status: bot.OutboxPending, CreatedAt: at(0)}
	same(t, "outbox after the turn-off", want, byKey(items), cmpopts.IgnoreFields(bot.OutboxItem{}, "ID"))
	finish(t, s, items, bot.OutboxSent, offAt)

	// A second turn-off finds nothing on and enqueues nothing.
	later := at(2 * time.Hour)
	off, err = s.TurnOffChannel(ctx, bot.Slack, "T1", "C1", "again", later, notice(later))
	ok(t, err)
	same(t, "posts turned off by the second call", []bot.ChannelPost(nil), off)
	same(t, "stats after the second call", map[bot.OutboxStatus]int{bot.OutboxSent: 2}, stats(t, s))
	same(t, "C1's posts after the second call", []bot.ChannelPost{move, ready}, channelPosts(t, s, "C1"))

	// A post that is off is not scheduled; set again, it is on and is.
	g := bot.ScheduleGroup{TZ: "UTC", Time: 7 * 60, Days: bot.EveryDay}
	dueAt := time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC)
	n, err := s.EnqueueGroup(ctx, g, dueAt, dueAt, bot.OutboxPending, "")
	ok(t, err)
	if n != 1 {
		t.Errorf("EnqueueGroup with C1 off wrote %d rows, want 1 (C2's)", n)
	}
	items = due(t, s, dueAt, 100)
	same(t, "rows with C1 off", map[string]bot.OutboxItem{postKey(other, dueAt): postRow(other, dueAt, dueAt)}, byKey(items),
		cmpopts.IgnoreFields(bot.OutboxItem{}, "ID"))
	finish(t, s, items, bot.OutboxSent, dueAt)

	on := setPost(t, s, post("S", "C1", bot.PostMovement, "UTC", bot.EveryDay, 7*60))
	if !on.On() || on.OffReason != "" {
		t.Errorf("post set again is still off: %+v", on)
	}
	same(t, "C1's posts after setting one again", []bot.ChannelPost{on, ready}, channelPosts(t, s, "C1"))
	next := dueAt.Add(24 * time.Hour)
	n, err = s.EnqueueGroup(ctx, g, next, next, bot.OutboxPending, "")
	ok(t, err)
	if n != 2 {
		t.Errorf("EnqueueGroup with C1's movement post on again wrote %d rows, want 2", n)
	}
	items = due(t, s, next, 100)
	same(t, "rows with one C1 post on again", map[string]bot.OutboxItem{
		postKey(on, next):    postRow(on, next, next),
		postKey(other, next): postRow(other, next, next),
	}, byKey(items), cmpopts.IgnoreFields(bot.OutboxItem{}, "ID"))
	finish(t, s, items, bot.OutboxSent, next)
}

func testChannelEnqueue(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	for _, u := range []string{"S", "S2", "M"} {
		addMember(t, s, slackKey(u))
	}
	g := bot.ScheduleGroup{TZ: "UTC", Time: 7 * 60, Days: bot.EveryDay}
	dueAt := time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC)
	now := dueAt.Add(2 * time.Second)

	move := setPost(t, s, post("S", "C1", bot.PostMovement, "UTC", bot.EveryDay, 7*60, 12*60))
	ready := setPost(t, s, post("S2", "C1", bot.PostReadiness, "UTC", bot.EveryDay, 7*60))
	load := setPost(t, s, post("S", "C2", bot.PostLoad, "UTC", bot.EveryDay, 7*60))
	// Not in the group: another zone, other days, and a post set after the
	// due time.
	setPost(t, s, post("S", "C3", bot.PostMovement, "Europe/Berlin", bot.EveryDay, 7*60))
	setPost(t, s, post("S", "C4", bot.PostSummary, "UTC", 1<<time.Monday, 7*60))
	late := post("S", "C5", bot.PostMovement, "UTC", bot.EveryDay, 7*60)
	late.CreatedAt = dueAt.Add(time.Millisecond)
	setPost(t, s, late)
	// A reminder in the same group goes out beside the posts.
	setSub(t, s, sub(slackKey("M"), bot.RemindCheckIn, "UTC", bot.EveryDay, 7*60))

	same(t, "groups of reminders and posts, each once", []bot.ScheduleGroup{
		{TZ: "Europe/Berlin", Time: 7 * 60, Days: bot.EveryDay},
		{TZ: "UTC", Time: 7 * 60, Days: 1 << time.Monday},
		{TZ: "UTC", Time: 7 * 60, Days: bot.EveryDay},
		{TZ: "UTC", Time: 12 * 60, Days: bot.EveryDay},
	}, groups(t, s), sortGroups())

	n, err := s.EnqueueGroup(ctx, g, dueAt, now, bot.OutboxPending, "")
	ok(t, err)
	if n != 4 {
		t.Errorf("EnqueueGroup wrote %d rows, want 4 (3 posts and a reminder)", n)
	}
	n, err = s.EnqueueGroup(ctx, g, dueAt, now.Add(time.Minute), bot.OutboxPending, "")
	ok(t, err)
	if n != 0 {
		t.Errorf("EnqueueGroup again for the same due time wrote %d rows, want 0", n)
	}
	items := due(t, s, now, 100)
	got := byKey(items)
	if len(got) != len(items) {
		t.Errorf("rows share dedupe keys: %v", keys(items))
	}
	reminders := 0
	for key, it := range got {
		if it.Kind == bot.NudgeCheckIn && it.Member == slackKey("M") {
			delete(got, key)
			reminders++
		}
	}
	if reminders != 1 {
		t.Errorf("%d reminder rows, want 1", reminders)
	}
	same(t, "channel post rows", map[string]bot.OutboxItem{
		postKey(move, dueAt):  postRow(move, dueAt, now),
		postKey(ready, dueAt): postRow(ready, dueAt, now),
		postKey(load, dueAt):  postRow(load, dueAt, now),
	}, got, cmpopts.IgnoreFields(bot.OutboxItem{}, "ID"))
	finish(t, s, items, bot.OutboxSent, now)

	// The key names the channel, kind and minute, not the post: a post
	// deleted and set again does not go out twice in one minute.
	_, err = s.DeleteChannelPosts(ctx, bot.Slack, "T1", "C1", bot.PostMovement)
	ok(t, err)
	setPost(t, s, post("S", "C1", bot.PostMovement, "UTC", bot.EveryDay, 7*60))
	n, err = s.EnqueueGroup(ctx, g, dueAt, now.Add(2*time.Minute), bot.OutboxPending, "")
	ok(t, err)
	if n != 0 {
		t.Errorf("EnqueueGroup after the post was set again wrote %d rows, want 0", n)
	}

	// The next day is another due time, now with the late post.
	next := dueAt.Add(24 * time.Hour)
	n, err = s.EnqueueGroup(ctx, g, next, next, bot.OutboxSkipped, "missed")
	ok(t, err)
	if n != 5 {
		t.Errorf("EnqueueGroup for the next day wrote %d rows, want 5", n)
	}
	same(t, "stats", map[bot.OutboxStatus]int{bot.OutboxSent: 4, bot.OutboxSkipped: 5}, stats(t, s))
	if items := due(t, s, next.Add(time.Hour), 100); len(items) != 0 {
		finish(t, s, items, bot.OutboxFailed, next)
		t.Errorf("skipped rows are due: %v", keys(items))
	}
}

func testChallenges(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	addMember(t, s, slackKey("S"))
	challenge := func(channel string, start time.Time) bot.Challenge {
		return bot.Challenge{Platform: bot.Slack, Workspace: "T1", Channel: channel, Name: "March moves",
			Days: 7, Goal: 10, Owner: "S", Start: start}
	}
	progress := func(channel string, start time.Time) bot.ChannelPost {
		p := post("S", channel, bot.PostChallenge, "UTC", 1<<start.Weekday(), 9*60)
		p.CreatedAt = start
		return p
	}
	start := func(ch bot.Challenge) bot.Challenge {
		t.Helper()
		got, err := s.StartChallenge(ctx, ch, progress(ch.Channel, ch.Start))
		ok(t, err)
		if got.ID == 0 {
			t.Fatal("StartChallenge returned no id")
		}
		ch.ID = got.ID
		same(t, "StartChallenge result", ch, got)
		return got
	}

	first := start(challenge("C1", at(0)))
	got, err := s.Challenge(ctx, first.ID)
	ok(t, err)
	same(t, "Challenge by id", first, got)
	wantPost := progress("C1", at(0))
	wantPost.Challenge = first.ID
	same(t, "C1's progress post", []bot.ChannelPost{wantPost}, channelPosts(t, s, "C1"),
		cmpopts.IgnoreFields(bot.ChannelPost{}, "ID"))
	_, err = s.Challenge(ctx, first.ID+1000)
	wantCode(t, "unknown challenge", err, bot.ENOTFOUND)

	// One running challenge per channel; another channel has its own.
	_, err = s.StartChallenge(ctx, challenge("C1", at(24*time.Hour)), progress("C1", at(24*time.Hour)))
	wantCode(t, "a second challenge in C1", err, bot.ECONFLICT)
	c2 := start(challenge("C2", at(0)))

	// Stopping ends it and removes its post; then C1 is free again.
	stopped, err := s.StopChallenge(ctx, bot.Slack, "T1", "C1", at(48*time.Hour))
	ok(t, err)
	if !stopped {
		t.Error("StopChallenge = false for a running challenge")
	}
	first.StoppedAt = at(48 * time.Hour)
	got, err = s.Challenge(ctx, first.ID)
	ok(t, err)
	same(t, "the stopped challenge", first, got)
	same(t, "C1's posts after the stop", []bot.ChannelPost(nil), channelPosts(t, s, "C1"))
	stopped, err = s.StopChallenge(ctx, bot.Slack, "T1", "C1", at(49*time.Hour))
	ok(t, err)
	if stopped {
		t.Error("StopChallenge = true with none running")
	}
	c1 := start(challenge("C1", at(72*time.Hour)))

	// A challenge that has ended is no conflict: C2's ends at day 7.
	end := c2.End()
	_, err = s.StartChallenge(ctx, challenge("C2", end.Add(-time.Millisecond)), progress("C2", end.Add(-time.Millisecond)))
	wantCode(t, "a challenge in C2 before the first ends", err, bot.ECONFLICT)
	c2b := start(challenge("C2", end))
	stopped, err = s.StopChallenge(ctx, bot.Slack, "T1", "C2", end.Add(time.Hour))
	ok(t, err)
	if !stopped {
		t.Error("StopChallenge of C2's second challenge = false")
	}
	c2b.StoppedAt = end.Add(time.Hour)

	list, err := s.Challenges(ctx, bot.Slack, "T1")
	ok(t, err)
	same(t, "challenges, newest first", []bot.Challenge{c2b, c1, c2, first}, list)
	list, err = s.Challenges(ctx, bot.Slack, "T2")
	ok(t, err)
	same(t, "challenges of another workspace", []bot.Challenge(nil), list)
}

func testChallengeUnknownOwner(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	ch := bot.Challenge{Platform: bot.Slack, Workspace: "T1", Channel: "C1", Name: "Ghost", Days: 7, Goal: 5, Owner: "ghost", Start: at(0)}
	_, err := s.StartChallenge(ctx, ch, post("ghost", "C1", bot.PostChallenge, "UTC", bot.EveryDay, 9*60))
	wantCode(t, "StartChallenge by an unknown owner", err, bot.ENOTFOUND)
	list, err := s.Challenges(ctx, bot.Slack, "T1")
	ok(t, err)
	same(t, "challenges after the failed start", []bot.Challenge(nil), list)
}

// testChallengeAtOnce: challenges started in one channel at the same time
// (on any instances) leave one running; the others are told it conflicts.
func testChallengeAtOnce(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	addMember(t, s, slackKey("S"))
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Go(func() {
			ch := bot.Challenge{Platform: bot.Slack, Workspace: "T1", Channel: "C1", Name: fmt.Sprint("Moves ", i),
				Days: 7, Goal: 5, Owner: "S", Start: at(time.Duration(i) * time.Minute)}
			_, err := s.StartChallenge(ctx, ch, post("S", "C1", bot.PostChallenge, "UTC", 1<<time.Monday, 9*60))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	started := 0
	for err := range errs {
		switch bot.ErrorCode(err) {
		case "":
			started++
		case bot.ECONFLICT:
		default:
			t.Errorf("concurrent StartChallenge: %v", err)
		}
	}
	list, err := s.Challenges(ctx, bot.Slack, "T1")
	ok(t, err)
	if started != 1 || len(list) != 1 {
		t.Errorf("%d starts succeeded and %d challenges are stored, want 1 and 1", started, len(list))
	}
}

func testMovementBreaks(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	a, b := slackKey("A"), slackKey("B")
	c := bot.MemberKey{Platform: bot.Slack, Workspace: "T2", User: "A"}
	d := bot.MemberKey{Platform: bot.Discord, Workspace: "T1", User: "D"}
	for _, k := range []bot.MemberKey{a, b, c, d} {
		addMember(t, s, k)
	}
	add := func(mb bot.MovementBreak, want bool) {
		t.Helper()
		added, err := s.AddMovementBreak(ctx, mb)
		ok(t, err)
		if added != want {
			t.Errorf("AddMovementBreak(%s %s %s) = %v, want %v", mb.Member, mb.Day, mb.Minute, added, want)
		}
	}
	a1 := bot.MovementBreak{Member: a, Day: "2026-03-02", Minute: 10 * 60, At: at(time.Hour + 3*time.Millisecond)}
	b1 := bot.MovementBreak{Member: b, Day: "2026-03-02", Minute: 10 * 60, At: at(time.Hour + 10*time.Second)}
	a2 := bot.MovementBreak{Member: a, Day: "2026-03-02", Minute: 15 * 60, At: at(6 * time.Hour)}
	a3 := bot.MovementBreak{Member: a, Day: "2026-03-03", Minute: 10 * 60, At: at(25 * time.Hour)}
	add(a1, true)
	add(b1, true)
	add(a2, true)
	add(a3, true)
	// A second tap on the same post counts once, and keeps the first.
	add(bot.MovementBreak{Member: a, Day: "2026-03-02", Minute: 10 * 60, At: at(2 * time.Hour)}, false)
	add(bot.MovementBreak{Member: c, Day: "2026-03-02", Minute: 10 * 60, At: at(time.Hour)}, true)
	add(bot.MovementBreak{Member: d, Day: "2026-03-02", Minute: 10 * 60, At: at(time.Hour)}, true)

	got, err := s.MovementBreaks(ctx, a, "2026-03-02")
	ok(t, err)
	same(t, "A's breaks", []bot.MovementBreak{a1, a2, a3}, got)
	got, err = s.MovementBreaks(ctx, a, "2026-03-03")
	ok(t, err)
	same(t, "A's breaks since the 3rd", []bot.MovementBreak{a3}, got)
	got, err = s.WorkspaceBreaks(ctx, bot.Slack, "T1", "2026-03-01")
	ok(t, err)
	same(t, "T1's breaks, oldest first", []bot.MovementBreak{a1, b1, a2, a3}, got)
	got, err = s.MovementBreaks(ctx, slackKey("nobody"), "2026-03-01")
	ok(t, err)
	same(t, "breaks of an unknown member", []bot.MovementBreak(nil), got)

	_, err = s.AddMovementBreak(ctx, bot.MovementBreak{Member: slackKey("nobody"), Day: "2026-03-02", Minute: 10 * 60, At: at(0)})
	wantCode(t, "AddMovementBreak of an unknown member", err, bot.ENOTFOUND)
}

func testPublicStreaks(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	a, b, c := slackKey("A"), slackKey("B"), slackKey("C")
	d := bot.MemberKey{Platform: bot.Slack, Workspace: "T2", User: "D"}
	for _, k := range []bot.MemberKey{a, b, c, d} {
		addMember(t, s, k)
	}
	shows := func(key bot.MemberKey, want bool) {
		t.Helper()
		on, err := s.PublicStreak(ctx, key)
		ok(t, err)
		if on != want {
			t.Errorf("PublicStreak(%s) = %v, want %v", key, on, want)
		}
	}
	list := func(workspace string, want ...string) {
		t.Helper()
		got, err := s.PublicStreaks(ctx, bot.Slack, workspace)
		ok(t, err)
		same(t, "PublicStreaks("+workspace+")", want, got)
	}
	shows(a, false)
	list("T1")
	for range 2 {
		ok(t, s.SetPublicStreak(ctx, b, true, at(0)))
		ok(t, s.SetPublicStreak(ctx, a, true, at(time.Hour)))
	}
	ok(t, s.SetPublicStreak(ctx, d, true, at(0)))
	shows(a, true)
	shows(c, false)
	list("T1", "A", "B")
	list("T2", "D")
	for range 2 {
		ok(t, s.SetPublicStreak(ctx, a, false, at(2*time.Hour)))
	}
	ok(t, s.SetPublicStreak(ctx, c, false, at(2*time.Hour)))
	shows(a, false)
	list("T1", "B")

	wantCode(t, "SetPublicStreak of an unknown member", s.SetPublicStreak(ctx, slackKey("nobody"), true, at(0)), bot.ENOTFOUND)
	wantCode(t, "SetPublicStreak off of an unknown member", s.SetPublicStreak(ctx, slackKey("nobody"), false, at(0)), bot.ENOTFOUND)
	shows(slackKey("nobody"), false)
}

func testChannelForget(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	gone, kept := slackKey("S"), slackKey("S2")
	addMember(t, s, gone)
	addMember(t, s, kept)
	mine := []bot.ChannelPost{
		setPost(t, s, post("S", "C1", bot.PostMovement, "UTC", bot.EveryDay, 7*60)),
		setPost(t, s, post("S", "C1", bot.PostReadiness, "UTC", bot.EveryDay, 8*60)),
	}
	theirs := setPost(t, s, post("S2", "C2", bot.PostMovement, "UTC", bot.EveryDay, 9*60))
	ch, err := s.StartChallenge(ctx, bot.Challenge{Platform: bot.Slack, Workspace: "T1", Channel: "C3", Name: "Moves",
		Days: 7, Goal: 5, Owner: "S", Start: at(0)}, post("S", "C3", bot.PostChallenge, "UTC", 1<<time.Monday, 10*60))
	ok(t, err)
	keptBreak := bot.MovementBreak{Member: kept, Day: "2026-03-02", Minute: 7 * 60, At: at(time.Minute)}
	for _, mb := range []bot.MovementBreak{{Member: gone, Day: "2026-03-02", Minute: 7 * 60, At: at(time.Second)}, keptBreak} {
		_, err := s.AddMovementBreak(ctx, mb)
		ok(t, err)
	}
	ok(t, s.SetPublicStreak(ctx, gone, true, at(0)))
	ok(t, s.SetPublicStreak(ctx, kept, true, at(0)))
	_, err = s.EnqueueGroup(ctx, bot.ScheduleGroup{TZ: "UTC", Time: 7 * 60, Days: bot.EveryDay}, at(22*time.Hour), at(22*time.Hour), bot.OutboxPending, "")
	ok(t, err)

	ok(t, s.ForgetMember(ctx, gone))
	for _, p := range mine {
		_, err := s.ChannelPost(ctx, p.ID)
		wantCode(t, "a forgotten owner's post", err, bot.ENOTFOUND)
	}
	same(t, "C1's posts", []bot.ChannelPost(nil), channelPosts(t, s, "C1"))
	same(t, "C3's posts", []bot.ChannelPost(nil), channelPosts(t, s, "C3"))
	same(t, "C2's posts", []bot.ChannelPost{theirs}, channelPosts(t, s, "C2"))
	same(t, "groups", []bot.ScheduleGroup{{TZ: "UTC", Time: 9 * 60, Days: bot.EveryDay}}, groups(t, s), sortGroups())
	got, err := s.WorkspaceBreaks(ctx, bot.Slack, "T1", "2026-03-01")
	ok(t, err)
	same(t, "T1's breaks", []bot.MovementBreak{keptBreak}, got)
	streaks, err := s.PublicStreaks(ctx, bot.Slack, "T1")
	ok(t, err)
	same(t, "public streaks", []string{"S2"}, streaks)
	if on, err := s.PublicStreak(ctx, gone); err != nil || on {
		t.Errorf("PublicStreak of the forgotten member = %v, %v", on, err)
	}
	// A challenge names its owner by platform id only and outlives them.
	kept2, err := s.Challenge(ctx, ch.ID)
	ok(t, err)
	same(t, "the forgotten owner's challenge", ch, kept2)
	if n, err := s.RowsOf(ctx, gone); err != nil || n != 0 {
		t.Errorf("RowsOf after forget = %d, %v; want 0", n, err)
	}
	same(t, "stats", map[bot.OutboxStatus]int{}, stats(t, s))
}
