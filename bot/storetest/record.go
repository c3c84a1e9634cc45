package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

func recordTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"RecordCheckIn/AllTogether":        testRecordCheckIn,
		"RecordCheckIn/FailureLeavesNone":  testRecordCheckInAtomic,
		"RecordCheckIn/RepeatStoredOnce":   testRecordCheckInRepeat,
		"RecordCheckIn/RepeatsAtOnce":      testRecordCheckInRepeatsAtOnce,
		"RecordRedFlags/WithoutACheckIn":   testRecordRedFlags,
		"RecordCheckIn/UnknownMemberWrite": testRecordCheckInUnknownMember,
		"CheckIn/RecentIsBounded":          testRecentCheckIns,
		"RecordCheckIn/Replaces":           testRecordCheckInReplaces,
	}
}

func alertItem(key bot.MemberKey, now time.Time) *bot.OutboxItem {
	return &bot.OutboxItem{Member: key, Kind: bot.NudgeStaffAlert, DedupeKey: "staff_alert:", NotBefore: now, CreatedAt: now}
}

// testRecordCheckIn: the check-in, its red flags and the staff alert of
// one of them are stored together, linked by ids.
func testRecordCheckIn(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	c := bot.CheckIn{Member: key, Score: 9, Area: "lower-back", Note: "numb bum and leaking", At: at(0)}
	got, err := s.RecordCheckIn(ctx, bot.CheckInRecord{CheckIn: c, DuplicateWithin: time.Minute, Flags: []bot.FlagRecord{
		{Event: bot.RedFlagEvent{Rule: "cauda-equina", Area: "lower-back", At: at(0)}, Alert: alertItem(key, at(0))},
		{Event: bot.RedFlagEvent{Rule: "high-score", Area: "lower-back", At: at(0)}},
	}})
	ok(t, err)
	if got.Duplicate || got.CheckIn.ID == 0 || len(got.RedFlags) != 2 {
		t.Fatalf("recorded = %+v", got)
	}
	for _, rf := range got.RedFlags {
		if rf.ID == 0 || rf.CheckInID != got.CheckIn.ID || rf.Member != key {
			t.Errorf("red flag not linked to its check-in: %+v", rf)
		}
	}
	list, err := s.CheckIns(ctx, key, time.Time{})
	ok(t, err)
	c.ID = got.CheckIn.ID
	same(t, "stored check-ins", []bot.CheckIn{c}, list)
	alerted, err := s.AlertedSince(ctx, key, "cauda-equina", at(-time.Minute))
	ok(t, err)
	quiet, err := s.AlertedSince(ctx, key, "high-score", at(-time.Minute))
	ok(t, err)
	if !alerted || quiet {
		t.Errorf("alerted = %v for the flag with an alert, %v for the one without", alerted, quiet)
	}
}

// testRecordCheckInAtomic: a failure after the check-in is inserted (a red
// flag without a rule is refused) leaves no check-in, flag or alert.
func testRecordCheckInAtomic(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	before, err := s.RowsOf(ctx, key)
	ok(t, err)
	_, err = s.RecordCheckIn(ctx, bot.CheckInRecord{CheckIn: bot.CheckIn{Member: key, Score: 9, Area: "knee", At: at(0)}, Flags: []bot.FlagRecord{
		{Event: bot.RedFlagEvent{Rule: "high-score", At: at(0)}, Alert: alertItem(key, at(0))},
		{Event: bot.RedFlagEvent{Rule: "", At: at(0)}},
	}})
	wantCode(t, "a flag without a rule", err, bot.EINVALID)
	after, err := s.RowsOf(ctx, key)
	ok(t, err)
	if after != before {
		t.Errorf("%d rows left behind by a failed check-in", after-before)
	}
	alerted, err := s.AlertedSince(ctx, key, "high-score", at(-time.Hour))
	ok(t, err)
	if alerted {
		t.Error("a staff alert was left behind by a failed check-in")
	}
}

// testRecordCheckInRepeat: the same check-in again within the window is
// one row; after the window, or with another score or note, it is new.
func testRecordCheckInRepeat(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	rec := func(score int, note string, offset time.Duration) bot.RecordedCheckIn {
		t.Helper()
		got, err := s.RecordCheckIn(ctx, bot.CheckInRecord{DuplicateWithin: 2 * time.Minute,
			CheckIn: bot.CheckIn{Member: key, Score: score, Area: "knee", Note: note, At: at(offset)},
			Flags:   []bot.FlagRecord{{Event: bot.RedFlagEvent{Rule: "high-score", At: at(offset)}}}})
		ok(t, err)
		return got
	}
	first := rec(8, "stairs", 0)
	again := rec(8, "stairs", 30*time.Second)
	if !again.Duplicate || again.CheckIn.ID != first.CheckIn.ID || !again.CheckIn.At.Equal(first.CheckIn.At) || len(again.RedFlags) != 0 {
		t.Errorf("repeat = %+v, want the first check-in back and nothing new", again)
	}
	if other := rec(8, "stairs again", time.Minute); other.Duplicate {
		t.Error("a different note was taken for a repeat")
	}
	if later := rec(8, "stairs", 5*time.Minute); later.Duplicate {
		t.Error("a check-in after the window was taken for a repeat")
	}
	list, err := s.CheckIns(ctx, key, time.Time{})
	ok(t, err)
	data, err := s.MemberData(ctx, key)
	ok(t, err)
	if len(list) != 3 || len(data.RedFlags) != 3 {
		t.Errorf("%d check-ins and %d red flags, want 3 and 3", len(list), len(data.RedFlags))
	}
}

// testRecordCheckInRepeatsAtOnce: a double tap sent twice at the same
// moment (two requests, two connections) stores one check-in.
func testRecordCheckInRepeatsAtOnce(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	const tries = 6
	var wg sync.WaitGroup
	errs := make([]error, tries)
	for i := range tries {
		wg.Go(func() {
			_, errs[i] = s.RecordCheckIn(ctx, bot.CheckInRecord{DuplicateWithin: time.Minute,
				CheckIn: bot.CheckIn{Member: key, Score: 6, Area: "knee", Note: "double tap", At: at(0)}})
		})
	}
	wg.Wait()
	for _, err := range errs {
		ok(t, err)
	}
	list, err := s.CheckIns(ctx, key, time.Time{})
	ok(t, err)
	if len(list) != 1 {
		t.Errorf("%d check-ins stored from one double tap", len(list))
	}
}

// testRecordRedFlags: flags raised by a message, with no check-in.
func testRecordRedFlags(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	got, err := s.RecordRedFlags(ctx, key, []bot.FlagRecord{{Event: bot.RedFlagEvent{Rule: "cardiac", At: at(0)}, Alert: alertItem(key, at(0))}})
	ok(t, err)
	if len(got) != 1 || got[0].ID == 0 || got[0].CheckInID != 0 {
		t.Fatalf("recorded = %+v", got)
	}
	alerted, err := s.AlertedSince(ctx, key, "cardiac", at(-time.Minute))
	ok(t, err)
	if !alerted {
		t.Error("no staff alert enqueued")
	}
	_, err = s.RecordRedFlags(ctx, key, []bot.FlagRecord{{Event: bot.RedFlagEvent{Rule: "fever", At: at(1)}}, {Event: bot.RedFlagEvent{At: at(1)}}})
	wantCode(t, "a flag without a rule", err, bot.EINVALID)
	data, err := s.MemberData(ctx, key)
	ok(t, err)
	if len(data.RedFlags) != 1 {
		t.Errorf("%d red flags, want the first only", len(data.RedFlags))
	}
}

func testRecordCheckInUnknownMember(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	_, err := s.RecordCheckIn(ctx, bot.CheckInRecord{CheckIn: bot.CheckIn{Member: slackKey("ghost"), Score: 3, At: at(0)}})
	wantCode(t, "a check-in of an unknown member", err, bot.ENOTFOUND)
}

// testRecentCheckIns: the newest check-ins since a time, at most limit,
// oldest first; other members' never.
func testRecentCheckIns(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	addMember(t, s, slackKey("U2"))
	var all []bot.CheckIn
	for i := range 6 {
		c, err := s.AddCheckIn(ctx, bot.CheckIn{Member: key, Score: i, Area: "knee", At: at(time.Duration(i) * time.Hour)})
		ok(t, err)
		all = append(all, c)
	}
	_, err := s.AddCheckIn(ctx, bot.CheckIn{Member: slackKey("U2"), Score: 9, At: at(5 * time.Hour)})
	ok(t, err)
	got, err := s.RecentCheckIns(ctx, key, at(time.Hour), 3)
	ok(t, err)
	same(t, "newest three since the second", all[3:], got)
	got, err = s.RecentCheckIns(ctx, key, at(4*time.Hour), 10)
	ok(t, err)
	same(t, "all since the fifth", all[4:], got)
}

// testRecordCheckInReplaces: a correction replaces the old check-in, its
// red flags and its unsent alert in one transaction; it cannot replace
// another member's check-in.
func testRecordCheckInReplaces(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key, other := slackKey("U1"), slackKey("U2")
	addMember(t, s, key)
	addMember(t, s, other)
	first, err := s.RecordCheckIn(ctx, bot.CheckInRecord{CheckIn: bot.CheckIn{Member: key, Score: 9, Area: "knee", At: at(0)},
		Flags: []bot.FlagRecord{{Event: bot.RedFlagEvent{Rule: "high-score", At: at(0)}, Alert: alertItem(key, at(0))}}})
	ok(t, err)
	theirs, err := s.RecordCheckIn(ctx, bot.CheckInRecord{CheckIn: bot.CheckIn{Member: other, Score: 2, At: at(0)}})
	ok(t, err)
	_, err = s.RecordCheckIn(ctx, bot.CheckInRecord{CheckIn: bot.CheckIn{Member: key, Score: 1, At: at(time.Minute)}, Replaces: theirs.CheckIn.ID})
	wantCode(t, "replacing another member's check-in", err, bot.ENOTFOUND)
	fixed, err := s.RecordCheckIn(ctx, bot.CheckInRecord{CheckIn: bot.CheckIn{Member: key, Score: 4, Area: "knee", At: at(time.Hour)}, Replaces: first.CheckIn.ID})
	ok(t, err)
	data, err := s.MemberData(ctx, key)
	ok(t, err)
	if len(data.CheckIns) != 1 || data.CheckIns[0].ID != fixed.CheckIn.ID || len(data.RedFlags) != 0 {
		t.Errorf("after the correction: %d check-ins (want the new one), %d red flags (want 0)", len(data.CheckIns), len(data.RedFlags))
	}
	stats, err := s.OutboxStats(ctx)
	ok(t, err)
	if stats[bot.OutboxPending] != 0 || stats[bot.OutboxSkipped] != 1 {
		t.Errorf("outbox = %v, want the alert of the replaced check-in skipped", stats)
	}
	got, err := s.CheckIns(ctx, other, time.Time{})
	ok(t, err)
	if len(got) != 1 {
		t.Error("the other member's check-in was touched")
	}
}

// addRedFlag records one red flag through RecordRedFlags, keeping the
// check-in it names, for tests that seed red flags.
func addRedFlag(t testing.TB, s Store, e bot.RedFlagEvent) (bot.RedFlagEvent, error) {
	t.Helper()
	got, err := s.RecordRedFlags(t.Context(), e.Member, []bot.FlagRecord{{Event: e}})
	if err != nil {
		return bot.RedFlagEvent{}, err
	}
	return got[0], nil
}
