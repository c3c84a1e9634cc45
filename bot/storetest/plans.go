package storetest

import (
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// planTests cover undo and clinicians' programs.
func planTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"UndoLast":        testUndoLast,
		"UndoTape":        testUndoTape,
		"SharedPrograms":  testSharedPrograms,
		"MemberPrograms":  testMemberPrograms,
		"UndoUnknownUser": testUndoUnknownUser,
	}
}

// undo calls UndoLast with the window open since at(0).
func undo(t *testing.T, s Store, key bot.MemberKey, now time.Time) (bot.Entry, bool) {
	t.Helper()
	e, found, err := s.UndoLast(t.Context(), key, at(0), now)
	ok(t, err)
	return e, found
}

func testUndoLast(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key, other := slackKey("U1"), slackKey("U2")
	addMember(t, s, key)
	addMember(t, s, other)
	old, err := s.AddCheckIn(ctx, bot.CheckIn{Member: key, Score: 2, At: at(-time.Hour)})
	ok(t, err)
	ci, err := s.AddCheckIn(ctx, bot.CheckIn{Member: key, Score: 8, Area: "knee", Note: "n", At: at(time.Minute)})
	ok(t, err)
	_, err = addRedFlag(t, s, bot.RedFlagEvent{Member: key, Rule: "high-score", CheckInID: ci.ID, At: at(time.Minute)})
	ok(t, err)
	_, err = s.AddCompletion(ctx, bot.Completion{Member: key, Day: "2026-03-02", Exercise: "bridge", At: at(2 * time.Minute)})
	ok(t, err)
	ok(t, s.SetReadiness(ctx, bot.Readiness{Member: key, Day: "2026-03-02", Items: [5]int{1, 2, 3, 4, 5}, At: at(3 * time.Minute)}))
	load, err := s.AddLoad(ctx, bot.SessionLoad{Member: key, RPE: 6, Minutes: 30, At: at(4 * time.Minute)})
	ok(t, err)
	_, err = s.AddCheckIn(ctx, bot.CheckIn{Member: other, Score: 5, At: at(10 * time.Minute)})
	ok(t, err)

	now := at(time.Hour)
	e, _ := undo(t, s, key, now)
	same(t, "first undo", bot.Entry{Kind: bot.EntryLoad, At: load.At, Load: load}, e)
	e, _ = undo(t, s, key, now)
	same(t, "second undo", bot.EntryReadiness, e.Kind)
	same(t, "readiness undone", [5]int{1, 2, 3, 4, 5}, e.Readiness.Items)
	e, _ = undo(t, s, key, now)
	same(t, "third undo", bot.Completion{Member: key, Day: "2026-03-02", Exercise: "bridge", At: at(2 * time.Minute)}, e.Completion)
	e, _ = undo(t, s, key, now)
	same(t, "fourth undo", bot.Entry{Kind: bot.EntryCheckIn, At: ci.At, CheckIn: ci, RedFlags: 1}, e)
	// The check-in before the window stays, and so does the other member's.
	if e, found := undo(t, s, key, now); found {
		t.Errorf("undo past the window removed %+v", e)
	}
	data, err := s.MemberData(ctx, key)
	ok(t, err)
	same(t, "left after undo", []bot.CheckIn{old}, data.CheckIns)
	same(t, "red flags after undo", 0, len(data.RedFlags))
	same(t, "completions after undo", 0, len(data.Completions))
	theirs, err := s.CheckIns(ctx, other, time.Time{})
	ok(t, err)
	same(t, "other member's check-ins", 1, len(theirs))
}

func testUndoTape(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	knee, err := s.StartTape(ctx, bot.TapeCycle{Member: key, Area: "knee", Days: 3, AppliedAt: at(0)}, tapeNudges(at(0), 3))
	ok(t, err)
	// A second tape on the knee replaces the first; undoing it puts the
	// first back on with its reminders still ahead.
	knee2, err := s.StartTape(ctx, bot.TapeCycle{Member: key, Area: "knee", Days: 3, AppliedAt: at(time.Hour)}, tapeNudges(at(time.Hour), 3))
	ok(t, err)
	e, _ := undo(t, s, key, at(2*time.Hour))
	same(t, "undo replacing tape", bot.EntryTapeOn, e.Kind)
	same(t, "undone cycle", knee2.ID, e.Tape[0].ID)
	same(t, "reopened", 1, len(e.Reopened))
	worn, err := s.WornTape(ctx, key)
	ok(t, err)
	same(t, "worn after undo", []bot.TapeCycle{knee}, worn, ignoreTapeMember())
	same(t, "reminders after undoing the replacement", map[bot.OutboxStatus]int{bot.OutboxPending: 2}, stats(t, s))

	_, err = s.StopTape(ctx, key, at(3*time.Hour))
	ok(t, err)
	e, _ = undo(t, s, key, at(4*time.Hour))
	same(t, "undo removal", bot.EntryTapeOff, e.Kind)
	same(t, "put back on", []bot.TapeCycle{knee}, e.Tape, ignoreTapeMember())
	worn, err = s.WornTape(ctx, key)
	ok(t, err)
	same(t, "worn after undoing the removal", 1, len(worn))
	same(t, "reminders after undoing the removal", map[bot.OutboxStatus]int{bot.OutboxPending: 2}, stats(t, s))

	e, _ = undo(t, s, key, at(5*time.Hour))
	same(t, "undo first application", knee.ID, e.Tape[0].ID)
	worn, err = s.WornTape(ctx, key)
	ok(t, err)
	same(t, "worn after undoing all", 0, len(worn))
	same(t, "reminders after undoing all", map[bot.OutboxStatus]int{}, stats(t, s))
}

func testUndoUnknownUser(t *testing.T, open Opener) {
	s := open(t)
	if e, found := undo(t, s, slackKey("nobody"), at(0)); found {
		t.Errorf("undo for an unknown member = %+v", e)
	}
}

func testSharedPrograms(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	p := bot.SharedProgram{Code: "7K3MQ-9TXB4", Title: "ACL", Source: []byte("id: acl\n"), CreatedAt: at(0)}
	ok(t, s.SaveSharedProgram(ctx, p))
	wantCode(t, "code taken", s.SaveSharedProgram(ctx, p), bot.ECONFLICT)
	got, err := s.SharedProgram(ctx, p.Code)
	ok(t, err)
	same(t, "shared program", p, got)
	_, err = s.SharedProgram(ctx, "00000-00000")
	wantCode(t, "unknown code", err, bot.ENOTFOUND)
}

func testMemberPrograms(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	update(t, s, key, func(m *bot.Member) { m.Program = "knee" })
	_, err := s.MemberProgram(ctx, key)
	wantCode(t, "no program yet", err, bot.ENOTFOUND)

	p := bot.MemberProgram{Member: key, Code: "7K3MQ-9TXB4", Source: []byte("id: acl\n"), LoadedAt: at(0)}
	ok(t, s.SetMemberProgram(ctx, p))
	got, err := s.MemberProgram(ctx, key)
	ok(t, err)
	same(t, "member program", p, got)
	m, err := s.Member(ctx, key)
	ok(t, err)
	same(t, "library program cleared", "", m.Program)
	p.Source, p.LoadedAt = []byte("id: acl-2\n"), at(time.Hour)
	ok(t, s.SetMemberProgram(ctx, p))
	data, err := s.MemberData(ctx, key)
	ok(t, err)
	same(t, "replaced, in member data", &p, data.Program)

	had, err := s.ClearMemberProgram(ctx, key, "ankle")
	ok(t, err)
	same(t, "had a program", true, had)
	m, err = s.Member(ctx, key)
	ok(t, err)
	same(t, "library program set", "ankle", m.Program)
	had, err = s.ClearMemberProgram(ctx, key, "")
	ok(t, err)
	same(t, "had none the second time", false, had)

	ok(t, s.SetMemberProgram(ctx, p))
	ok(t, s.ForgetMember(ctx, key))
	n, err := s.RowsOf(ctx, key)
	ok(t, err)
	same(t, "rows after forget", 0, n)
}
