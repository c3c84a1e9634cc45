package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/recoverycoach/recoverycoach/bot"
)

func scheduleTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"Subscription/SetReplacesTheSameKind":  testSetSubscription,
		"Subscription/Delete":                  testDeleteSubscriptions,
		"Subscription/MoveToAnotherZone":       testSetSubscriptionsTZ,
		"Schedule/GroupsFollowSubscriptions":   testScheduleGroups,
		"Schedule/EnqueueGroupFansOut":         testEnqueueGroup,
		"Schedule/EnqueueGroupSkipped":         testEnqueueGroupSkipped,
		"Schedule/TeamPromptsFanOutToEligible": testTeamFanOut,
		"Schedule/State":                       testState,
		"Import/CreatesMembersAndGroups":       testImportCreates,
		"Import/IsIdempotent":                  testImportIdempotent,
		"Import/RejectsAndWritesNothing":       testImportRejects,
		"Import/UsesExistingMembers":           testImportExisting,
	}
}

// sub is a reminder of key created at the start of the test.
func sub(key bot.MemberKey, kind bot.ReminderKind, tz string, days bot.Weekdays, times ...bot.TimeOfDay) bot.Subscription {
	return bot.Subscription{Member: key, Kind: kind, Times: times, Days: days, TZ: tz, CreatedAt: at(0)}
}

// setSub stores a reminder and returns it with its id.
func setSub(t testing.TB, s Store, in bot.Subscription) bot.Subscription {
	t.Helper()
	got, err := s.SetSubscription(t.Context(), in)
	ok(t, err)
	if got.ID == 0 {
		t.Fatal("SetSubscription returned no id")
	}
	in.ID = got.ID
	same(t, "SetSubscription result", in, got)
	return got
}

// sortGroups makes the comparison of schedule groups independent of order.
func sortGroups() cmp.Option {
	return cmpopts.SortSlices(func(a, b bot.ScheduleGroup) bool {
		if a.TZ != b.TZ {
			return a.TZ < b.TZ
		}
		if a.Time != b.Time {
			return a.Time < b.Time
		}
		return a.Days < b.Days
	})
}

func groups(t testing.TB, s Store) []bot.ScheduleGroup {
	t.Helper()
	got, err := s.ScheduleGroups(t.Context())
	ok(t, err)
	return got
}

func testSetSubscription(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	addMember(t, s, slackKey("U2"))
	check := setSub(t, s, sub(key, bot.RemindCheckIn, "UTC", bot.EveryDay, 8*60, 20*60))
	ex := setSub(t, s, sub(key, bot.RemindExercises, "Europe/Berlin", bot.WorkDays, 7*60+30))
	setSub(t, s, sub(slackKey("U2"), bot.RemindCheckIn, "UTC", bot.EveryDay, 9*60))
	if check.ID == ex.ID {
		t.Errorf("two reminders share id %d", ex.ID)
	}

	// Setting the same kind again replaces it and keeps its id, so rows
	// already enqueued for it still find it.
	replaced := sub(key, bot.RemindCheckIn, "Asia/Tokyo", bot.Weekend, 6*60, 12*60, 21*60+15)
	replaced.CreatedAt = at(time.Hour + 42*time.Millisecond)
	got := setSub(t, s, replaced)
	if got.ID != check.ID {
		t.Errorf("replacing the check-in reminder changed its id from %d to %d", check.ID, got.ID)
	}
	list, err := s.Subscriptions(ctx, key)
	ok(t, err)
	same(t, "Subscriptions, by kind", []bot.Subscription{got, ex}, list)

	one, err := s.Subscription(ctx, ex.ID)
	ok(t, err)
	same(t, "Subscription by id", ex, one)
	_, err = s.Subscription(ctx, ex.ID+1000)
	wantCode(t, "unknown subscription", err, bot.ENOTFOUND)
	list, err = s.Subscriptions(ctx, slackKey("nobody"))
	ok(t, err)
	same(t, "subscriptions of an unknown member", []bot.Subscription(nil), list)
}

func testDeleteSubscriptions(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key, other := slackKey("U1"), slackKey("U2")
	addMember(t, s, key)
	addMember(t, s, other)
	for _, k := range []bot.ReminderKind{bot.RemindCheckIn, bot.RemindExercises, bot.RemindSummary} {
		setSub(t, s, sub(key, k, "UTC", bot.EveryDay, 9*60))
	}
	theirs := setSub(t, s, sub(other, bot.RemindCheckIn, "UTC", bot.EveryDay, 10*60))

	steps := []struct {
		kind bot.ReminderKind
		want int
		left []bot.ReminderKind
	}{
		{bot.RemindCheckIn, 1, []bot.ReminderKind{bot.RemindExercises, bot.RemindSummary}},
		{bot.RemindCheckIn, 0, []bot.ReminderKind{bot.RemindExercises, bot.RemindSummary}},
		{bot.RemindDigest, 0, []bot.ReminderKind{bot.RemindExercises, bot.RemindSummary}},
		{"", 2, nil},
		{"", 0, nil},
	}
	for _, st := range steps {
		n, err := s.DeleteSubscriptions(ctx, key, st.kind)
		ok(t, err)
		if n != st.want {
			t.Errorf("DeleteSubscriptions(%q) = %d, want %d", st.kind, n, st.want)
		}
		list, err := s.Subscriptions(ctx, key)
		ok(t, err)
		var kinds []bot.ReminderKind
		for _, sb := range list {
			kinds = append(kinds, sb.Kind)
		}
		same(t, fmt.Sprintf("kinds left after deleting %q", st.kind), st.left, kinds)
	}
	n, err := s.DeleteSubscriptions(ctx, slackKey("nobody"), "")
	ok(t, err)
	if n != 0 {
		t.Errorf("DeleteSubscriptions of an unknown member = %d", n)
	}
	list, err := s.Subscriptions(ctx, other)
	ok(t, err)
	same(t, "the other member's reminders", []bot.Subscription{theirs}, list)
	same(t, "groups", []bot.ScheduleGroup{{TZ: "UTC", Time: 10 * 60, Days: bot.EveryDay}}, groups(t, s), sortGroups())
}

func testSetSubscriptionsTZ(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key, other := slackKey("U1"), slackKey("U2")
	addMember(t, s, key)
	addMember(t, s, other)
	a := setSub(t, s, sub(key, bot.RemindCheckIn, "UTC", bot.EveryDay, 8*60))
	b := setSub(t, s, sub(key, bot.RemindExercises, "UTC", bot.WorkDays, 7*60, 19*60))
	c := setSub(t, s, sub(other, bot.RemindCheckIn, "UTC", bot.EveryDay, 8*60))
	ok(t, s.SetSubscriptionsTZ(ctx, key, "Pacific/Auckland"))
	a.TZ, b.TZ = "Pacific/Auckland", "Pacific/Auckland"
	list, err := s.Subscriptions(ctx, key)
	ok(t, err)
	same(t, "moved reminders", []bot.Subscription{a, b}, list)
	got, err := s.Subscription(ctx, c.ID)
	ok(t, err)
	same(t, "the other member's reminder", c, got)
	want := []bot.ScheduleGroup{
		{TZ: "Pacific/Auckland", Time: 7 * 60, Days: bot.WorkDays},
		{TZ: "Pacific/Auckland", Time: 8 * 60, Days: bot.EveryDay},
		{TZ: "Pacific/Auckland", Time: 19 * 60, Days: bot.WorkDays},
		{TZ: "UTC", Time: 8 * 60, Days: bot.EveryDay},
	}
	same(t, "groups after the move", want, groups(t, s), sortGroups())
}

func testScheduleGroups(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	a, b, c := slackKey("A"), slackKey("B"), bot.MemberKey{Platform: bot.Discord, Workspace: "G1", User: "C"}
	for _, k := range []bot.MemberKey{a, b, c} {
		addMember(t, s, k)
	}
	same(t, "groups of an empty store", []bot.ScheduleGroup(nil), groups(t, s))
	setSub(t, s, sub(a, bot.RemindCheckIn, "UTC", bot.EveryDay, 8*60, 20*60))
	setSub(t, s, sub(b, bot.RemindExercises, "UTC", bot.EveryDay, 8*60))
	setSub(t, s, sub(b, bot.RemindCheckIn, "UTC", bot.WorkDays, 8*60))
	setSub(t, s, sub(c, bot.RemindCheckIn, "Europe/Berlin", bot.EveryDay, 8*60))
	want := []bot.ScheduleGroup{
		{TZ: "Europe/Berlin", Time: 8 * 60, Days: bot.EveryDay},
		{TZ: "UTC", Time: 8 * 60, Days: bot.EveryDay},
		{TZ: "UTC", Time: 8 * 60, Days: bot.WorkDays},
		{TZ: "UTC", Time: 20 * 60, Days: bot.EveryDay},
	}
	same(t, "groups, each once", want, groups(t, s), sortGroups())

	// Moving A's reminder drops 20:00, which nobody else uses, and adds 09:00.
	setSub(t, s, sub(a, bot.RemindCheckIn, "UTC", bot.EveryDay, 8*60, 9*60))
	want[3] = bot.ScheduleGroup{TZ: "UTC", Time: 9 * 60, Days: bot.EveryDay}
	same(t, "groups after a change", want, groups(t, s), sortGroups())

	_, err := s.DeleteSubscriptions(ctx, c, "")
	ok(t, err)
	_, err = s.DeleteSubscriptions(ctx, b, bot.RemindCheckIn)
	ok(t, err)
	want = []bot.ScheduleGroup{
		{TZ: "UTC", Time: 8 * 60, Days: bot.EveryDay},
		{TZ: "UTC", Time: 9 * 60, Days: bot.EveryDay},
	}
	same(t, "groups after deletes", want, groups(t, s), sortGroups())
}

func testEnqueueGroup(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	g := bot.ScheduleGroup{TZ: "UTC", Time: 7 * 60, Days: bot.EveryDay}
	dueAt := time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC)
	now := dueAt.Add(3 * time.Second)
	kinds := map[string]bot.ReminderKind{"A": bot.RemindExercises, "B": bot.RemindCheckIn, "C": bot.RemindSummary, "D": bot.RemindDigest}
	want := map[int64]bot.OutboxItem{}
	for _, user := range []string{"A", "B", "C", "D"} {
		k := slackKey(user)
		addMember(t, s, k)
		sb := setSub(t, s, sub(k, kinds[user], "UTC", bot.EveryDay, 6*60, 7*60))
		want[sb.ID] = bot.OutboxItem{Member: k, Kind: bot.NudgeKind(kinds[user]), NotBefore: dueAt, Status: bot.OutboxPending, Ref: sb.ID, CreatedAt: now}
	}
	// Not in the group: other days, another zone, another time, and a
	// reminder created after the due time.
	for user, sb := range map[string]bot.Subscription{
		"E": sub(slackKey("E"), bot.RemindCheckIn, "UTC", bot.WorkDays, 7*60),
		"F": sub(slackKey("F"), bot.RemindCheckIn, "Europe/London", bot.EveryDay, 7*60),
		"G": sub(slackKey("G"), bot.RemindCheckIn, "UTC", bot.EveryDay, 7*60+1),
		"H": {Member: slackKey("H"), Kind: bot.RemindCheckIn, Times: []bot.TimeOfDay{7 * 60}, Days: bot.EveryDay, TZ: "UTC", CreatedAt: dueAt.Add(time.Millisecond)},
	} {
		addMember(t, s, slackKey(user))
		setSub(t, s, sb)
	}
	// A reminder created exactly at the due time is still due.
	i := addMember(t, s, slackKey("I"))
	late := setSub(t, s, bot.Subscription{Member: i.Key, Kind: bot.RemindCheckIn, Times: []bot.TimeOfDay{7 * 60}, Days: bot.EveryDay, TZ: "UTC", CreatedAt: dueAt})
	want[late.ID] = bot.OutboxItem{Member: i.Key, Kind: bot.NudgeCheckIn, NotBefore: dueAt, Status: bot.OutboxPending, Ref: late.ID, CreatedAt: now}

	n, err := s.EnqueueGroup(ctx, g, dueAt, now, bot.OutboxPending, "")
	ok(t, err)
	if n != len(want) {
		t.Errorf("EnqueueGroup wrote %d rows, want %d", n, len(want))
	}
	n, err = s.EnqueueGroup(ctx, g, dueAt, now.Add(time.Minute), bot.OutboxPending, "")
	ok(t, err)
	if n != 0 {
		t.Errorf("EnqueueGroup again for the same due time wrote %d rows, want 0", n)
	}
	items := due(t, s, now, 100)
	got := map[int64]bot.OutboxItem{}
	for _, it := range items {
		got[it.Ref] = it
	}
	same(t, "enqueued rows, by subscription", want, got, cmpopts.IgnoreFields(bot.OutboxItem{}, "ID", "DedupeKey"))
	if len(got) != len(items) {
		t.Errorf("%d rows for %d subscriptions", len(items), len(got))
	}
	finish(t, s, items, bot.OutboxSent, now)

	// The next day is another due time: new rows, now with H, whose
	// reminder existed by then.
	n, err = s.EnqueueGroup(ctx, g, dueAt.Add(24*time.Hour), now.Add(24*time.Hour), bot.OutboxPending, "")
	ok(t, err)
	if n != len(want)+1 {
		t.Errorf("EnqueueGroup for the next day wrote %d rows, want %d", n, len(want)+1)
	}
	same(t, "stats", map[bot.OutboxStatus]int{bot.OutboxSent: len(want), bot.OutboxPending: len(want) + 1}, stats(t, s))
}

// testEnqueueGroupSkipped: missed nudges are recorded as skipped rows,
// which are never delivered and block a later pending row for the same
// due time.
func testEnqueueGroupSkipped(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	g := bot.ScheduleGroup{TZ: "UTC", Time: 7 * 60, Days: bot.EveryDay}
	for _, user := range []string{"A", "B"} {
		addMember(t, s, slackKey(user))
		setSub(t, s, sub(slackKey(user), bot.RemindCheckIn, "UTC", bot.EveryDay, 7*60))
	}
	missed := time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC)
	n, err := s.EnqueueGroup(ctx, g, missed, missed.Add(5*time.Hour), bot.OutboxSkipped, "missed while down")
	ok(t, err)
	if n != 2 {
		t.Errorf("skipped EnqueueGroup wrote %d rows, want 2", n)
	}
	n, err = s.EnqueueGroup(ctx, g, missed, missed.Add(5*time.Hour), bot.OutboxPending, "")
	ok(t, err)
	if n != 0 {
		t.Errorf("pending EnqueueGroup after skipped rows wrote %d rows, want 0", n)
	}
	same(t, "stats", map[bot.OutboxStatus]int{bot.OutboxSkipped: 2}, stats(t, s))
	if items := due(t, s, missed.Add(48*time.Hour), 100); len(items) != 0 {
		finish(t, s, items, bot.OutboxFailed, missed)
		t.Errorf("skipped rows are due: %+v", items)
	}
}

// testTeamFanOut: a staff member's team prompt goes to every member of
// the workspace who started and shares with staff, or to everyone who
// started when the workspace is in wellness mode.
func testTeamFanOut(t *testing.T, open Opener) {
	tests := []struct {
		privacy bot.PrivacyMode
		kind    bot.ReminderKind
		nudge   bot.NudgeKind
		want    []string
	}{
		{bot.PrivacyTeam, bot.RemindTeamReadiness, bot.NudgeReadiness, []string{"A"}},
		{bot.PrivacyTeam, bot.RemindTeamLoad, bot.NudgeLoad, []string{"A"}},
		{bot.PrivacyWellness, bot.RemindTeamReadiness, bot.NudgeReadiness, []string{"A", "B", "S"}},
		{bot.PrivacyWellness, bot.RemindTeamLoad, bot.NudgeLoad, []string{"A", "B", "S"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.privacy)+"/"+string(tt.kind), func(t *testing.T) {
			s, ctx := open(t), t.Context()
			for _, w := range []bot.Workspace{
				{Platform: bot.Slack, ID: "T1", Privacy: tt.privacy, MinGroupSize: 5, CreatedAt: at(0)},
				{Platform: bot.Slack, ID: "T2", Privacy: bot.PrivacyWellness, MinGroupSize: 5, CreatedAt: at(0)},
				{Platform: bot.Discord, ID: "T1", Privacy: bot.PrivacyWellness, MinGroupSize: 5, CreatedAt: at(0)},
			} {
				_, err := s.EnsureWorkspace(ctx, w)
				ok(t, err)
			}
			members := []struct {
				key             bot.MemberKey
				onboarded       bool
				share           bool
				role            bot.Role
				subscribeToTeam bool
			}{
				{key: slackKey("S"), onboarded: true, role: bot.RoleStaff, subscribeToTeam: true},
				{key: slackKey("A"), onboarded: true, share: true},
				{key: slackKey("B"), onboarded: true},
				{key: slackKey("C"), share: true},
				{key: bot.MemberKey{Platform: bot.Slack, Workspace: "T2", User: "X"}, onboarded: true, share: true},
				{key: bot.MemberKey{Platform: bot.Discord, Workspace: "T1", User: "A"}, onboarded: true, share: true},
			}
			var team bot.Subscription
			for _, m := range members {
				addMember(t, s, m.key)
				update(t, s, m.key, func(u *bot.Member) {
					if m.onboarded {
						u.OnboardedAt = at(0)
					}
					u.ShareWithStaff, u.ConsentAt = m.share, at(0)
					u.Role = bot.RoleMember
					if m.role != "" {
						u.Role = m.role
					}
				})
				if m.subscribeToTeam {
					team = setSub(t, s, sub(m.key, tt.kind, "UTC", bot.EveryDay, 7*60))
				}
			}
			g := bot.ScheduleGroup{TZ: "UTC", Time: 7 * 60, Days: bot.EveryDay}
			dueAt := time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC)
			n, err := s.EnqueueGroup(ctx, g, dueAt, dueAt, bot.OutboxPending, "")
			ok(t, err)
			if n != len(tt.want) {
				t.Errorf("EnqueueGroup wrote %d rows, want %d", n, len(tt.want))
			}
			n, err = s.EnqueueGroup(ctx, g, dueAt, dueAt.Add(time.Minute), bot.OutboxPending, "")
			ok(t, err)
			if n != 0 {
				t.Errorf("EnqueueGroup again wrote %d rows, want 0", n)
			}
			items := due(t, s, dueAt, 100)
			finish(t, s, items, bot.OutboxSent, dueAt)
			// The bulk fan-out applies bot.Workspace.Prompts in SQL: the
			// two must pick the same members, and the domain's nudge kind.
			ws, err := s.Workspace(ctx, bot.Slack, "T1")
			ok(t, err)
			var byPolicy []string
			for _, m := range members {
				stored, err := s.Member(ctx, m.key)
				ok(t, err)
				if m.key.Workspace == "T1" && m.key.Platform == bot.Slack && ws.Prompts(stored) {
					byPolicy = append(byPolicy, m.key.User)
				}
			}
			slices.Sort(byPolicy)
			same(t, "members the domain policy prompts", tt.want, byPolicy)
			if tt.kind.Nudge() != tt.nudge || !tt.kind.FansOut() {
				t.Errorf("%s: Nudge() = %q, FansOut() = %v", tt.kind, tt.kind.Nudge(), tt.kind.FansOut())
			}
			var want []bot.OutboxItem
			for _, user := range tt.want {
				want = append(want, bot.OutboxItem{Member: slackKey(user), Kind: tt.nudge, NotBefore: dueAt, Status: bot.OutboxPending, Ref: team.ID, CreatedAt: dueAt})
			}
			same(t, "fanned-out rows", want, items,
				cmpopts.IgnoreFields(bot.OutboxItem{}, "ID", "DedupeKey"),
				cmpopts.SortSlices(func(a, b bot.OutboxItem) bool { return a.Member.User < b.Member.User }))
		})
	}
}

func testState(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	v, err := s.State(ctx, "scheduler.last")
	ok(t, err)
	if v != "" {
		t.Errorf("unset state = %q", v)
	}
	ok(t, s.SetState(ctx, "scheduler.last", "2026-03-02T09:00Z"))
	ok(t, s.SetState(ctx, "other", "x"))
	ok(t, s.SetState(ctx, "scheduler.last", "2026-03-02T09:01Z"))
	for name, want := range map[string]string{"scheduler.last": "2026-03-02T09:01Z", "other": "x", "missing": ""} {
		v, err := s.State(ctx, name)
		ok(t, err)
		if v != want {
			t.Errorf("State(%q) = %q, want %q", name, v, want)
		}
	}
}

// importRows are n check-in reminders at one time, for users U0..Un-1.
func importRows(n int, when bot.TimeOfDay) []bot.Subscription {
	subs := make([]bot.Subscription, n)
	for i := range subs {
		subs[i] = bot.Subscription{Member: slackKey(fmt.Sprint("U", i)), Kind: bot.RemindCheckIn,
			Times: []bot.TimeOfDay{when}, Days: bot.EveryDay, TZ: "UTC", CreatedAt: at(0)}
	}
	return subs
}

func testImportCreates(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	subs := importRows(20, 9*60+30)
	subs[7].Times = []bot.TimeOfDay{8 * 60, 20 * 60}
	subs[8].TZ = "Europe/Berlin"
	n, err := s.ImportSubscriptions(ctx, subs, true)
	ok(t, err)
	if n != len(subs) {
		t.Errorf("ImportSubscriptions = %d, want %d", n, len(subs))
	}
	want := []bot.ScheduleGroup{
		{TZ: "Europe/Berlin", Time: 9*60 + 30, Days: bot.EveryDay},
		{TZ: "UTC", Time: 8 * 60, Days: bot.EveryDay},
		{TZ: "UTC", Time: 9*60 + 30, Days: bot.EveryDay},
		{TZ: "UTC", Time: 20 * 60, Days: bot.EveryDay},
	}
	same(t, "groups", want, groups(t, s), sortGroups())

	m, err := s.Member(ctx, slackKey("U8"))
	ok(t, err)
	same(t, "created member", bot.Member{Key: slackKey("U8"), TZ: "Europe/Berlin", Role: bot.RoleMember, CreatedAt: at(0)}, m)
	got, err := s.Subscriptions(ctx, slackKey("U7"))
	ok(t, err)
	if len(got) != 1 {
		t.Fatalf("U7 has %d reminders, want 1", len(got))
	}
	subs[7].ID = got[0].ID
	same(t, "imported reminder", subs[7], got[0])
	byID, err := s.Subscription(ctx, got[0].ID)
	ok(t, err)
	same(t, "imported reminder by id", subs[7], byID)

	dueAt := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	enq, err := s.EnqueueGroup(ctx, want[2], dueAt, dueAt, bot.OutboxPending, "")
	ok(t, err)
	if enq != 18 {
		t.Errorf("EnqueueGroup wrote %d rows, want 18", enq)
	}
}

func testImportIdempotent(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	_, err := s.ImportSubscriptions(ctx, importRows(10, 10*60), true)
	ok(t, err)
	// Importing again moves everyone to a new time and keeps one reminder each.
	n, err := s.ImportSubscriptions(ctx, importRows(10, 11*60), true)
	ok(t, err)
	if n != 10 {
		t.Errorf("second import = %d, want 10", n)
	}
	same(t, "groups", []bot.ScheduleGroup{{TZ: "UTC", Time: 11 * 60, Days: bot.EveryDay}}, groups(t, s))
	got, err := s.Subscriptions(ctx, slackKey("U3"))
	ok(t, err)
	want := importRows(4, 11*60)[3]
	if len(got) == 1 {
		want.ID = got[0].ID
	}
	same(t, "U3's reminders", []bot.Subscription{want}, got)
	team, err := s.TeamData(ctx, bot.Slack, "T1", at(0))
	ok(t, err)
	if len(team) != 10 {
		t.Errorf("workspace holds %d members after two imports, want 10", len(team))
	}
}

func testImportRejects(t *testing.T, open Opener) {
	tests := []struct {
		name     string
		mutate   func([]bot.Subscription)
		create   bool
		notFound bool
	}{
		{name: "unknown member without createMembers", mutate: func([]bot.Subscription) {}, notFound: true},
		{name: "incomplete key", mutate: func(s []bot.Subscription) { s[2].Member.User = "" }, create: true},
		{name: "no workspace", mutate: func(s []bot.Subscription) { s[2].Member.Workspace = "" }, create: true},
		{name: "no kind", mutate: func(s []bot.Subscription) { s[1].Kind = "" }, create: true},
		{name: "no times", mutate: func(s []bot.Subscription) { s[2].Times = nil }, create: true},
		{name: "no zone", mutate: func(s []bot.Subscription) { s[1].TZ = "" }, create: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ctx := open(t), t.Context()
			// U0 exists, so without createMembers its row alone would be
			// fine: the whole import must still be refused.
			addMember(t, s, slackKey("U0"))
			subs := importRows(3, 10*60)
			tt.mutate(subs)
			n, err := s.ImportSubscriptions(ctx, subs, tt.create)
			if err == nil || n != 0 {
				t.Fatalf("ImportSubscriptions = %d, %v; want an error", n, err)
			}
			if tt.notFound {
				wantCode(t, "import for an unknown member", err, bot.ENOTFOUND)
			}
			same(t, "groups after a failed import", []bot.ScheduleGroup(nil), groups(t, s))
			list, err := s.Subscriptions(ctx, slackKey("U0"))
			ok(t, err)
			same(t, "U0's reminders", []bot.Subscription(nil), list)
			_, err = s.Member(ctx, slackKey("U1"))
			wantCode(t, "member U1 after a failed import", err, bot.ENOTFOUND)
		})
	}
}

func testImportExisting(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	for _, u := range []string{"U0", "U1"} {
		addMember(t, s, slackKey(u))
	}
	before := update(t, s, slackKey("U0"), func(m *bot.Member) { m.TZ, m.Program = "Asia/Tokyo", "knee" })
	subs := importRows(2, 10*60)
	n, err := s.ImportSubscriptions(ctx, subs, false)
	ok(t, err)
	if n != 2 {
		t.Errorf("ImportSubscriptions = %d, want 2", n)
	}
	// With createMembers an existing member is used as is.
	subs[0].Kind = bot.RemindExercises
	_, err = s.ImportSubscriptions(ctx, subs[:1], true)
	ok(t, err)
	m, err := s.Member(ctx, slackKey("U0"))
	ok(t, err)
	same(t, "existing member after imports", before, m)
	list, err := s.Subscriptions(ctx, slackKey("U0"))
	ok(t, err)
	if len(list) != 2 {
		t.Errorf("U0 has %d reminders, want 2", len(list))
	}
}
