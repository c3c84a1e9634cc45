package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/recoverycoach/recoverycoach/bot"
)

func activityTests() map[string]func(*testing.T, Opener) {
	out := recordTests()
	for name, test := range map[string]func(*testing.T, Opener){
		"CheckIn/AddAndListSince":       testCheckIns,
		"CheckIn/UnknownMember":         testWritesNeedAMember,
		"RedFlag/AddAndGet":             testRedFlags,
		"Completion/OncePerDayExercise": testCompletions,
		"Readiness/ReplacesTheSameDay":  testReadiness,
		"Readiness/Loads":               testLoads,
		"Tape/StartReplacesTheSameArea": testStartTape,
		"Tape/StopCancelsItsNudges":     testStopTape,
		"Tape/CycleNotFound":            testTapeCycleNotFound,
		"Tape/EnqueuesItsNudgesWhenDue": testTapeNudgesFallDue,
	} {
		out[name] = test
	}
	return out
}

func testCheckIns(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	addMember(t, s, slackKey("U2"))
	// Stored out of order: the list is by time, then by id.
	in := []bot.CheckIn{
		{Member: key, Score: 5, Area: "knee", Note: "after the run", At: at(2 * time.Hour)},
		{Member: key, Score: 7, Area: "back", At: at(-time.Hour)},
		{Member: key, Score: 0, At: at(time.Hour + 5*time.Millisecond)},
		{Member: key, Score: 10, Area: "knee", Note: "same instant, later id", At: at(2 * time.Hour)},
		{Member: slackKey("U2"), Score: 3, At: at(time.Hour)},
	}
	var stored []bot.CheckIn
	for i, c := range in {
		got, err := s.AddCheckIn(ctx, c)
		ok(t, err)
		if i > 0 && got.ID <= stored[i-1].ID {
			t.Errorf("check-in %d got id %d, not above the previous %d", i, got.ID, stored[i-1].ID)
		}
		c.ID = got.ID
		same(t, "AddCheckIn result", c, got)
		stored = append(stored, got)
	}
	tests := []struct {
		since time.Time
		want  []bot.CheckIn
	}{
		{time.Time{}, []bot.CheckIn{stored[1], stored[2], stored[0], stored[3]}},
		{at(time.Hour + 5*time.Millisecond), []bot.CheckIn{stored[2], stored[0], stored[3]}},
		{at(time.Hour + 6*time.Millisecond), []bot.CheckIn{stored[0], stored[3]}},
		{at(3 * time.Hour), nil},
	}
	for _, tt := range tests {
		got, err := s.CheckIns(ctx, key, tt.since)
		ok(t, err)
		same(t, "CheckIns since "+tt.since.String(), tt.want, got)
	}
	got, err := s.CheckIns(ctx, slackKey("nobody"), time.Time{})
	ok(t, err)
	same(t, "check-ins of an unknown member", []bot.CheckIn(nil), got)
}

// testWritesNeedAMember: whatever belongs to a member cannot be stored
// for one that does not exist.
func testWritesNeedAMember(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	ghost := slackKey("ghost")
	addMember(t, s, slackKey("U1"))
	before, err := s.RowsOf(ctx, slackKey("U1"))
	ok(t, err)
	_, err = s.AddCheckIn(ctx, bot.CheckIn{Member: ghost, Score: 3, At: at(0)})
	wantCode(t, "AddCheckIn", err, bot.ENOTFOUND)
	writes := map[string]func() error{
		"RecordRedFlags": func() error {
			_, err := addRedFlag(t, s, bot.RedFlagEvent{Member: ghost, Rule: "numbness", At: at(0)})
			return err
		},
		"AddCompletion": func() error {
			_, err := s.AddCompletion(ctx, bot.Completion{Member: ghost, Day: "2026-03-02", At: at(0)})
			return err
		},
		"SetSubscription": func() error {
			_, err := s.SetSubscription(ctx, bot.Subscription{Member: ghost, Kind: bot.RemindCheckIn,
				Times: []bot.TimeOfDay{600}, Days: bot.EveryDay, TZ: "UTC", CreatedAt: at(0)})
			return err
		},
		"StartTape": func() error {
			_, err := s.StartTape(ctx, bot.TapeCycle{Member: ghost, Area: "knee", Days: 3, AppliedAt: at(0)}, nil)
			return err
		},
		"Enqueue": func() error {
			_, err := s.Enqueue(ctx, bot.OutboxItem{Member: ghost, Kind: bot.NudgeCheckIn, DedupeKey: "ghost", NotBefore: at(0), CreatedAt: at(0)})
			return err
		},
		"SetReadiness": func() error {
			return s.SetReadiness(ctx, bot.Readiness{Member: ghost, Day: "2026-03-02", Items: [5]int{3, 3, 3, 3, 3}, At: at(0)})
		},
		"AddLoad": func() error {
			_, err := s.AddLoad(ctx, bot.SessionLoad{Member: ghost, RPE: 5, Minutes: 30, At: at(0)})
			return err
		},
	}
	for name, write := range writes {
		if err := write(); err == nil {
			t.Errorf("%s for an unknown member succeeded", name)
		}
	}
	// Nothing was written anywhere, not even as an orphan.
	if n, err := s.RowsOf(ctx, slackKey("U1")); err != nil || n != before {
		t.Errorf("RowsOf(U1) = %d, %v; want %d as before", n, err, before)
	}
}

func testRedFlags(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	c, err := s.AddCheckIn(ctx, bot.CheckIn{Member: key, Score: 8, Area: "back", Note: "numb leg", At: at(0)})
	ok(t, err)
	in := bot.RedFlagEvent{Member: key, Rule: "numbness", Area: "back", CheckInID: c.ID, At: at(time.Millisecond)}
	e, err := addRedFlag(t, s, in)
	ok(t, err)
	in.ID = e.ID
	same(t, "recorded red flag", in, e)
	second, err := addRedFlag(t, s, bot.RedFlagEvent{Member: key, Rule: "severe", At: at(time.Minute)})
	ok(t, err)
	if second.ID <= e.ID {
		t.Errorf("second red flag id %d, not above %d", second.ID, e.ID)
	}
	got, err := s.RedFlag(ctx, e.ID)
	ok(t, err)
	same(t, "RedFlag", in, got)
	_, err = s.RedFlag(ctx, second.ID+1000)
	wantCode(t, "unknown red flag", err, bot.ENOTFOUND)
}

func testCompletions(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	addMember(t, s, slackKey("U2"))
	steps := []struct {
		c    bot.Completion
		want bool
	}{
		{bot.Completion{Member: key, Day: "2026-03-02", At: at(0)}, true},
		{bot.Completion{Member: key, Day: "2026-03-02", At: at(time.Hour)}, false},
		{bot.Completion{Member: key, Day: "2026-03-02", Exercise: "squat", At: at(2 * time.Hour)}, true},
		{bot.Completion{Member: key, Day: "2026-03-02", Exercise: "squat", At: at(3 * time.Hour)}, false},
		{bot.Completion{Member: key, Day: "2026-03-02", Exercise: "bridge", At: at(4 * time.Hour)}, true},
		{bot.Completion{Member: key, Day: "2026-03-01", At: at(-20 * time.Hour)}, true},
		{bot.Completion{Member: key, Day: "2026-02-27", At: at(-100 * time.Hour)}, true},
		{bot.Completion{Member: slackKey("U2"), Day: "2026-03-02", At: at(0)}, true},
	}
	for i, st := range steps {
		got, err := s.AddCompletion(ctx, st.c)
		ok(t, err)
		if got != st.want {
			t.Errorf("step %d: AddCompletion(%s %q) = %v, want %v", i, st.c.Day, st.c.Exercise, got, st.want)
		}
	}
	// The first answer of a day and exercise is the one kept.
	wantAll := []bot.Completion{steps[6].c, steps[5].c, steps[0].c, steps[4].c, steps[2].c}
	for i := range wantAll {
		wantAll[i].Session = 1 // no session given means the first
	}
	got, err := s.Completions(ctx, key, "")
	ok(t, err)
	same(t, "all completions", wantAll, got)
	got, err = s.Completions(ctx, key, "2026-03-01")
	ok(t, err)
	same(t, "completions since 2026-03-01", wantAll[1:], got)
	got, err = s.Completions(ctx, key, "2026-03-03")
	ok(t, err)
	same(t, "completions since tomorrow", []bot.Completion(nil), got)
}

func testReadiness(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	addMember(t, s, slackKey("U2"))
	entries := []bot.Readiness{
		{Member: key, Day: "2026-03-02", Items: [5]int{1, 2, 3, 4, 5}, At: at(0)},
		{Member: key, Day: "2026-02-28", Items: [5]int{3, 3, 3, 3, 3}, At: at(-50 * time.Hour)},
		{Member: key, Day: "2026-03-01", Items: [5]int{5, 5, 4, 4, 2}, At: at(-24 * time.Hour)},
		{Member: slackKey("U2"), Day: "2026-03-02", Items: [5]int{2, 2, 2, 2, 2}, At: at(0)},
	}
	for _, r := range entries {
		ok(t, s.SetReadiness(ctx, r))
	}
	// A second answer the same day replaces the first.
	again := bot.Readiness{Member: key, Day: "2026-03-02", Items: [5]int{5, 4, 3, 2, 1}, At: at(time.Hour + 7*time.Millisecond)}
	ok(t, s.SetReadiness(ctx, again))

	got, err := s.ReadinessSince(ctx, key, "")
	ok(t, err)
	same(t, "all readiness", []bot.Readiness{entries[1], entries[2], again}, got)
	got, err = s.ReadinessSince(ctx, key, "2026-03-01")
	ok(t, err)
	same(t, "readiness since 2026-03-01", []bot.Readiness{entries[2], again}, got)
	got, err = s.ReadinessSince(ctx, slackKey("U2"), "2026-03-02")
	ok(t, err)
	same(t, "another member's readiness", []bot.Readiness{entries[3]}, got)
}

func testLoads(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	addMember(t, s, slackKey("U2"))
	in := []bot.SessionLoad{
		{Member: key, RPE: 7, Minutes: 60, Note: "intervals", At: at(time.Hour)},
		{Member: key, RPE: 0, Minutes: 1, At: at(-time.Hour)},
		{Member: key, RPE: 10, Minutes: 600, Note: "match", At: at(2*time.Hour + 3*time.Millisecond)},
		{Member: slackKey("U2"), RPE: 4, Minutes: 30, At: at(time.Hour)},
	}
	var stored []bot.SessionLoad
	for _, l := range in {
		got, err := s.AddLoad(ctx, l)
		ok(t, err)
		if got.ID == 0 {
			t.Error("AddLoad returned no id")
		}
		l.ID = got.ID
		same(t, "AddLoad result", l, got)
		stored = append(stored, got)
	}
	got, err := s.LoadsSince(ctx, key, time.Time{})
	ok(t, err)
	same(t, "all loads", []bot.SessionLoad{stored[1], stored[0], stored[2]}, got)
	got, err = s.LoadsSince(ctx, key, at(time.Hour))
	ok(t, err)
	same(t, "loads since an hour on", []bot.SessionLoad{stored[0], stored[2]}, got)
}

// tapeNudges are the one-shot reminders of a tape applied at applied.
func tapeNudges(applied time.Time, days int) []bot.OutboxItem {
	return []bot.OutboxItem{
		{Kind: bot.NudgeTapeCheck, NotBefore: applied.Add(24 * time.Hour)},
		{Kind: bot.NudgeTapeOff, NotBefore: applied.Add(time.Duration(days) * 24 * time.Hour)},
	}
}

func testStartTape(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	start := func(area string, applied time.Time) bot.TapeCycle {
		t.Helper()
		in := bot.TapeCycle{Member: key, Area: area, Days: 3, AppliedAt: applied}
		tc, err := s.StartTape(ctx, in, tapeNudges(applied, 3))
		ok(t, err)
		if tc.ID == 0 {
			t.Fatal("StartTape returned no id")
		}
		in.ID = tc.ID
		same(t, "StartTape result", in, tc)
		return tc
	}
	knee := start("knee", at(0))
	same(t, "stats after the first tape", map[bot.OutboxStatus]int{bot.OutboxPending: 2}, stats(t, s))
	ankle := start("ankle", at(time.Minute))
	knee2 := start("knee", at(time.Hour))

	worn, err := s.WornTape(ctx, key)
	ok(t, err)
	same(t, "worn tape", []bot.TapeCycle{ankle, knee2}, worn)

	// The replaced cycle ended when the new one went on, and its nudges
	// were cancelled.
	old, err := s.TapeCycle(ctx, knee.ID)
	ok(t, err)
	knee.RemovedAt = at(time.Hour)
	same(t, "replaced cycle", knee, old, ignoreTapeMember())
	same(t, "stats after replacing", map[bot.OutboxStatus]int{bot.OutboxPending: 4, bot.OutboxSkipped: 2}, stats(t, s))

	got, err := s.TapeCycle(ctx, knee2.ID)
	ok(t, err)
	same(t, "worn cycle by id", knee2, got, ignoreTapeMember())
}

// ignoreTapeMember: TapeCycle(id) serves the dispatcher, which knows the
// member already; SQLite leaves Member unset there, so the contract does
// not ask for it.
func ignoreTapeMember() cmp.Option { return cmpopts.IgnoreFields(bot.TapeCycle{}, "Member") }

func testStopTape(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key, other := slackKey("U1"), slackKey("U2")
	addMember(t, s, key)
	addMember(t, s, other)
	stopped, err := s.StopTape(ctx, key, at(0))
	ok(t, err)
	same(t, "StopTape with nothing worn", []bot.TapeCycle(nil), stopped)

	var cycles []bot.TapeCycle
	for i, area := range []string{"knee", "ankle"} {
		tc, err := s.StartTape(ctx, bot.TapeCycle{Member: key, Area: area, Days: 5, AppliedAt: at(time.Duration(i) * time.Minute)},
			tapeNudges(at(time.Duration(i)*time.Minute), 5))
		ok(t, err)
		cycles = append(cycles, tc)
	}
	theirs, err := s.StartTape(ctx, bot.TapeCycle{Member: other, Area: "knee", Days: 2, AppliedAt: at(0)}, tapeNudges(at(0), 2))
	ok(t, err)

	stopped, err = s.StopTape(ctx, key, at(2*time.Hour+500*time.Millisecond))
	ok(t, err)
	for i := range cycles {
		cycles[i].RemovedAt = at(2*time.Hour + 500*time.Millisecond)
	}
	same(t, "stopped cycles", cycles, stopped)
	worn, err := s.WornTape(ctx, key)
	ok(t, err)
	same(t, "worn after stop", []bot.TapeCycle(nil), worn)
	got, err := s.TapeCycle(ctx, cycles[1].ID)
	ok(t, err)
	same(t, "stopped cycle by id", cycles[1], got, ignoreTapeMember())

	// Only the other member's two nudges are still waiting.
	same(t, "stats after stop", map[bot.OutboxStatus]int{bot.OutboxPending: 2, bot.OutboxSkipped: 4}, stats(t, s))
	items := due(t, s, at(30*24*time.Hour), 100)
	for _, it := range items {
		if it.Member != other || it.Ref != theirs.ID {
			t.Errorf("due after stop: %+v, want only %s's tape nudges", it, other)
		}
	}
	if len(items) != 2 {
		t.Errorf("%d rows due after stop, want 2", len(items))
	}
	finish(t, s, items, bot.OutboxSent, at(30*24*time.Hour))
	worn, err = s.WornTape(ctx, other)
	ok(t, err)
	same(t, "other member's tape", []bot.TapeCycle{theirs}, worn)
}

func testTapeCycleNotFound(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	_, err := s.TapeCycle(ctx, 12345)
	wantCode(t, "unknown tape cycle", err, bot.ENOTFOUND)
}

func testTapeNudgesFallDue(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	tc, err := s.StartTape(ctx, bot.TapeCycle{Member: key, Area: "calf", Days: 3, AppliedAt: at(0)}, tapeNudges(at(0), 3))
	ok(t, err)
	if got := due(t, s, at(24*time.Hour-time.Millisecond), 10); len(got) != 0 {
		t.Fatalf("due before the skin check: %+v", got)
	}
	items := due(t, s, at(24*time.Hour), 10)
	want := []bot.OutboxItem{{Member: key, Kind: bot.NudgeTapeCheck, NotBefore: at(24 * time.Hour), Status: bot.OutboxPending, Ref: tc.ID, CreatedAt: at(0)}}
	same(t, "due skin check", want, items, cmpopts.IgnoreFields(bot.OutboxItem{}, "ID", "DedupeKey"))
	finish(t, s, items, bot.OutboxSent, at(24*time.Hour))
	items = due(t, s, at(72*time.Hour), 10)
	want = []bot.OutboxItem{{Member: key, Kind: bot.NudgeTapeOff, NotBefore: at(72 * time.Hour), Status: bot.OutboxPending, Ref: tc.ID, CreatedAt: at(0)}}
	same(t, "due tape off", want, items, cmpopts.IgnoreFields(bot.OutboxItem{}, "ID", "DedupeKey"))
	finish(t, s, items, bot.OutboxSent, at(72*time.Hour))
}
