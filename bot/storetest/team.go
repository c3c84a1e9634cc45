package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

func teamTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"Team/Data":                      testTeamData,
		"Team/Audit":                     testAudit,
		"Privacy/MemberData":             testMemberData,
		"Privacy/ForgetMemberLeavesNone": testForgetMember,
	}
}

// populate stores one or more of everything a member can have and
// returns it all as MemberData should give it back.
func populate(t testing.TB, s Store, key bot.MemberKey) bot.MemberData {
	t.Helper()
	ctx := t.Context()
	addMember(t, s, key)
	m := update(t, s, key, func(m *bot.Member) {
		m.OnboardedAt, m.ShareWithStaff, m.ConsentAt, m.Program = at(-72*time.Hour), true, at(-72*time.Hour), "knee-basics"
	})
	d := bot.MemberData{Member: m}

	for _, c := range []bot.CheckIn{
		{Member: key, Score: 6, Area: "knee", Note: "stairs", At: at(-2 * time.Hour)},
		{Member: key, Score: 8, Area: "back", Note: "numb", At: at(time.Hour)},
	} {
		c, err := s.AddCheckIn(ctx, c)
		ok(t, err)
		d.CheckIns = append(d.CheckIns, c)
		e, err := s.AddRedFlag(ctx, bot.RedFlagEvent{Member: key, Rule: "severe", Area: c.Area, CheckInID: c.ID, At: c.At})
		ok(t, err)
		d.RedFlags = append(d.RedFlags, e)
	}
	for _, c := range []bot.Completion{
		{Member: key, Day: "2026-02-28", At: at(-50 * time.Hour)},
		{Member: key, Day: "2026-03-01", At: at(-20 * time.Hour)},
		{Member: key, Day: "2026-03-02", Exercise: "squat", At: at(time.Hour)},
	} {
		_, err := s.AddCompletion(ctx, c)
		ok(t, err)
		d.Completions = append(d.Completions, c)
	}
	ankle, err := s.StartTape(ctx, bot.TapeCycle{Member: key, Area: "ankle", Days: 2, AppliedAt: at(-48 * time.Hour)}, tapeNudges(at(-48*time.Hour), 2))
	ok(t, err)
	_, err = s.StopTape(ctx, key, at(-24*time.Hour))
	ok(t, err)
	ankle.RemovedAt = at(-24 * time.Hour)
	knee, err := s.StartTape(ctx, bot.TapeCycle{Member: key, Area: "knee", Days: 3, AppliedAt: at(0)}, tapeNudges(at(0), 3))
	ok(t, err)
	d.TapeCycles = []bot.TapeCycle{ankle, knee}

	d.Subscriptions = []bot.Subscription{
		setSub(t, s, sub(key, bot.RemindCheckIn, "UTC", bot.EveryDay, 20*60)),
		setSub(t, s, sub(key, bot.RemindExercises, "UTC", bot.WorkDays, 8*60, 18*60)),
	}
	for _, r := range []bot.Readiness{
		{Member: key, Day: "2026-02-28", Items: [5]int{2, 2, 3, 3, 4}, At: at(-49 * time.Hour)},
		{Member: key, Day: "2026-03-01", Items: [5]int{4, 4, 3, 3, 4}, At: at(-25 * time.Hour)},
		{Member: key, Day: "2026-03-02", Items: [5]int{5, 4, 4, 3, 5}, At: at(-time.Hour)},
	} {
		ok(t, s.SetReadiness(ctx, r))
		d.Readiness = append(d.Readiness, r)
	}
	for _, l := range []bot.SessionLoad{
		{Member: key, RPE: 6, Minutes: 45, At: at(-3 * time.Hour)},
		{Member: key, RPE: 8, Minutes: 90, Note: "match", At: at(2 * time.Hour)},
	} {
		l, err := s.AddLoad(ctx, l)
		ok(t, err)
		d.Loads = append(d.Loads, l)
	}
	enqueue(t, s, key, bot.NudgeCheckIn, "checkin:"+key.String(), at(3*time.Hour))
	_, err = s.Enqueue(ctx, bot.OutboxItem{Member: key, Kind: bot.NudgeStaffAlert, DedupeKey: "alert:" + key.String(),
		Ref: d.RedFlags[1].ID, NotBefore: at(time.Hour), CreatedAt: at(time.Hour)})
	ok(t, err)
	ok(t, s.SetDMChannel(ctx, key, "D-"+key.User))
	_, err = s.ClaimHint(ctx, key, at(0), at(-time.Hour))
	ok(t, err)
	d.Member.HintAt = at(0)
	return d
}

func testMemberData(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	want := populate(t, s, slackKey("U1"))
	populate(t, s, slackKey("U2"))
	got, err := s.MemberData(ctx, slackKey("U1"))
	ok(t, err)
	same(t, "MemberData", want, got)

	bare := addMember(t, s, slackKey("U3"))
	got, err = s.MemberData(ctx, slackKey("U3"))
	ok(t, err)
	same(t, "MemberData of a member with nothing stored", bot.MemberData{Member: bare}, got)
}

// teamView is what TeamData gives of d since at(0): the day records from
// the day before, and only the tape worn now.
func teamView(d bot.MemberData) bot.MemberData {
	since, sinceDay := at(0), "2026-03-01"
	v := bot.MemberData{Member: d.Member}
	for _, c := range d.CheckIns {
		if !c.At.Before(since) {
			v.CheckIns = append(v.CheckIns, c)
		}
	}
	for _, e := range d.RedFlags {
		if !e.At.Before(since) {
			v.RedFlags = append(v.RedFlags, e)
		}
	}
	for _, c := range d.Completions {
		if c.Day >= sinceDay {
			v.Completions = append(v.Completions, c)
		}
	}
	for _, r := range d.Readiness {
		if r.Day >= sinceDay {
			v.Readiness = append(v.Readiness, r)
		}
	}
	for _, tc := range d.TapeCycles {
		if tc.Worn() {
			v.TapeCycles = append(v.TapeCycles, tc)
		}
	}
	return v
}

func testTeamData(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	got, err := s.TeamData(ctx, bot.Slack, "T1", at(0))
	ok(t, err)
	same(t, "TeamData of an empty workspace", []bot.MemberData(nil), got)

	u1 := populate(t, s, slackKey("U1"))
	u2 := addMember(t, s, slackKey("U2"))
	staff := addMember(t, s, slackKey("S1"))
	staff = update(t, s, staff.Key, func(m *bot.Member) { m.Role = bot.RoleStaff })
	populate(t, s, bot.MemberKey{Platform: bot.Slack, Workspace: "T2", User: "U1"})
	populate(t, s, bot.MemberKey{Platform: bot.Discord, Workspace: "T1", User: "U1"})

	got, err = s.TeamData(ctx, bot.Slack, "T1", at(0))
	ok(t, err)
	want := []bot.MemberData{{Member: staff}, teamView(u1), {Member: u2}}
	same(t, "TeamData, by user id", want, got)
}

func testAudit(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	got, err := s.Audit(ctx, bot.Slack, "T1", 10)
	ok(t, err)
	same(t, "audit of a quiet workspace", []bot.AuditEntry(nil), got)
	var entries []bot.AuditEntry
	for i, action := range []string{"team view", "privacy", "team view", "alerts"} {
		e := bot.AuditEntry{Platform: bot.Slack, Workspace: "T1", Actor: fmt.Sprint("S", i%2), Action: action,
			Detail: fmt.Sprint("detail ", i), At: at(time.Duration(i) * time.Minute)}
		ok(t, s.AddAudit(ctx, e))
		entries = append(entries, e)
	}
	// Two entries at the same instant: the later one is newer.
	tie := bot.AuditEntry{Platform: bot.Slack, Workspace: "T1", Actor: "S2", Action: "digest", At: at(3 * time.Minute)}
	ok(t, s.AddAudit(ctx, tie))
	ok(t, s.AddAudit(ctx, bot.AuditEntry{Platform: bot.Slack, Workspace: "T2", Actor: "S9", Action: "team view", At: at(time.Hour)}))
	ok(t, s.AddAudit(ctx, bot.AuditEntry{Platform: bot.Discord, Workspace: "T1", Actor: "S9", Action: "team view", At: at(time.Hour)}))

	got, err = s.Audit(ctx, bot.Slack, "T1", 3)
	ok(t, err)
	same(t, "newest three", []bot.AuditEntry{tie, entries[3], entries[2]}, got)
	got, err = s.Audit(ctx, bot.Slack, "T1", 100)
	ok(t, err)
	same(t, "all", []bot.AuditEntry{tie, entries[3], entries[2], entries[1], entries[0]}, got)
}

func testForgetMember(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	gone, kept := slackKey("U1"), slackKey("U2")
	populate(t, s, gone)
	populate(t, s, kept)
	setSub(t, s, sub(gone, bot.RemindSummary, "Europe/Paris", bot.Weekend, 17*60))
	keptData, err := s.MemberData(ctx, kept)
	ok(t, err)
	keptRows, err := s.RowsOf(ctx, kept)
	ok(t, err)
	if n, err := s.RowsOf(ctx, gone); err != nil || n == 0 {
		t.Fatalf("RowsOf a populated member = %d, %v", n, err)
	}

	ok(t, s.ForgetMember(ctx, gone))

	n, err := s.RowsOf(ctx, gone)
	ok(t, err)
	if n != 0 {
		t.Errorf("RowsOf a forgotten member = %d, want 0", n)
	}
	_, err = s.Member(ctx, gone)
	wantCode(t, "Member after forget", err, bot.ENOTFOUND)
	_, err = s.MemberData(ctx, gone)
	wantCode(t, "MemberData after forget", err, bot.ENOTFOUND)
	if key, found, err := s.MemberByDMChannel(ctx, bot.Slack, "D-U1"); err != nil || found {
		t.Errorf("MemberByDMChannel after forget = %v, %v, %v", key, found, err)
	}
	for _, g := range groups(t, s) {
		if g.TZ == "Europe/Paris" {
			t.Errorf("the forgotten member's schedule group %+v is left", g)
		}
	}

	got, err := s.MemberData(ctx, kept)
	ok(t, err)
	same(t, "the other member's data", keptData, got)
	if n, err := s.RowsOf(ctx, kept); err != nil || n != keptRows {
		t.Errorf("RowsOf the other member = %d, %v; want %d", n, err, keptRows)
	}
	items := due(t, s, at(30*24*time.Hour), 100)
	finish(t, s, items, bot.OutboxSent, at(30*24*time.Hour))
	for _, it := range items {
		if it.Member != kept {
			t.Errorf("due row %s of %s after forget", it.DedupeKey, it.Member)
		}
	}

	// Forgetting twice is fine, and the key can start afresh.
	ok(t, s.ForgetMember(ctx, gone))
	if _, created, err := s.EnsureMember(ctx, bot.Member{Key: gone, TZ: "UTC", CreatedAt: at(time.Hour)}); err != nil || !created {
		t.Errorf("EnsureMember after forget: created %v, %v", created, err)
	}
	d, err := s.MemberData(ctx, gone)
	ok(t, err)
	same(t, "data of the member starting afresh", bot.MemberData{Member: bot.Member{Key: gone, TZ: "UTC", Role: bot.RoleMember, CreatedAt: at(time.Hour)}}, d)
}
