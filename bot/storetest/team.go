package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

func teamTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"Team/Data":                      testTeamData,
		"Team/Audit":                     testAudit,
		"Team/PromoteFirstStaff":         testPromoteFirstStaff,
		"Team/PromoteFirstStaffAtOnce":   testPromoteFirstStaffAtOnce,
		"Team/RemoveStaff":               testRemoveStaff,
		"Team/RemoveStaffAtOnce":         testRemoveStaffAtOnce,
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
		e, err := addRedFlag(t, s, bot.RedFlagEvent{Member: key, Rule: "severe", Area: c.Area, CheckInID: c.ID, At: c.At})
		ok(t, err)
		d.RedFlags = append(d.RedFlags, e)
	}
	for _, c := range []bot.Completion{
		{Member: key, Day: "2026-02-28", Session: 1, At: at(-50 * time.Hour)},
		{Member: key, Day: "2026-03-01", Session: 1, At: at(-20 * time.Hour)},
		{Member: key, Day: "2026-03-02", Exercise: "squat", Session: 1, At: at(time.Hour)},
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
	d.Member.SnoozedUntil = at(-28 * time.Hour)
	snooze := bot.PausePeriod{Member: key, Kind: bot.PauseSnooze, From: at(-30 * time.Hour), Until: at(-28 * time.Hour)}
	ok(t, s.SetPause(ctx, d.Member, bot.PauseChange{At: snooze.From, End: []bot.PauseKind{bot.PauseSnooze}, Start: snooze}))
	d.Pauses = []bot.PausePeriod{snooze}
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

// staffCount fails the test on an error.
func staffCount(t testing.TB, s Store, p bot.Platform, workspace string) int {
	t.Helper()
	n, err := s.StaffCount(t.Context(), p, workspace)
	ok(t, err)
	return n
}

func testPromoteFirstStaff(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	_, err := s.PromoteFirstStaff(ctx, slackKey("nobody"))
	wantCode(t, "PromoteFirstStaff of an unknown member", err, bot.ENOTFOUND)

	for _, u := range []string{"A1", "A2"} {
		addMember(t, s, slackKey(u))
	}
	other := bot.MemberKey{Platform: bot.Slack, Workspace: "T2", User: "A1"}
	addMember(t, s, other)
	promoted, err := s.PromoteFirstStaff(ctx, slackKey("A1"))
	ok(t, err)
	if !promoted {
		t.Fatal("the first admin of a workspace without staff was not promoted")
	}
	if promoted, err := s.PromoteFirstStaff(ctx, slackKey("A2")); err != nil || promoted {
		t.Errorf("a second admin: promoted %v, %v; want false", promoted, err)
	}
	if promoted, err := s.PromoteFirstStaff(ctx, slackKey("A1")); err != nil || promoted {
		t.Errorf("the staff member again: promoted %v, %v; want false", promoted, err)
	}
	// Another workspace has its own first staff member.
	if promoted, err := s.PromoteFirstStaff(ctx, other); err != nil || !promoted {
		t.Errorf("the first admin of another workspace: promoted %v, %v; want true", promoted, err)
	}
	if n := staffCount(t, s, bot.Slack, "T1"); n != 1 {
		t.Errorf("staff in T1 = %d, want 1", n)
	}
	a1, err := s.Member(ctx, slackKey("A1"))
	ok(t, err)
	if a1.Role != bot.RoleStaff {
		t.Errorf("A1 role = %q", a1.Role)
	}
}

// testPromoteFirstStaffAtOnce has several admins of a workspace without
// staff ask at the same moment, in many workspaces: exactly one of each
// must be promoted.
func testPromoteFirstStaffAtOnce(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	const workspaces, admins = 10, 4
	key := func(w, a int) bot.MemberKey {
		return bot.MemberKey{Platform: bot.Discord, Workspace: fmt.Sprint("W", w), User: fmt.Sprint("A", a)}
	}
	for w := range workspaces {
		for a := range admins {
			addMember(t, s, key(w, a))
		}
	}
	promoted := make([][admins]bool, workspaces)
	errs := make(chan error, workspaces*admins)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workspaces {
		for a := range admins {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				p, err := s.PromoteFirstStaff(ctx, key(w, a))
				promoted[w][a] = p
				errs <- err
			}()
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err)
	}
	for w := range workspaces {
		n := 0
		for _, p := range promoted[w] {
			if p {
				n++
			}
		}
		if n != 1 || staffCount(t, s, bot.Discord, fmt.Sprint("W", w)) != 1 {
			t.Errorf("workspace W%d: %d promoted, %d staff; want 1 each", w, n, staffCount(t, s, bot.Discord, fmt.Sprint("W", w)))
		}
	}
}

func testRemoveStaff(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	wantCode(t, "RemoveStaff of an unknown member", s.RemoveStaff(ctx, slackKey("nobody")), bot.ENOTFOUND)
	addMember(t, s, slackKey("M1"))
	wantCode(t, "RemoveStaff of a member who is not staff", s.RemoveStaff(ctx, slackKey("M1")), bot.ENOTFOUND)
	for _, u := range []string{"S1", "S2"} {
		addMember(t, s, slackKey(u))
		update(t, s, slackKey(u), func(m *bot.Member) { m.Role = bot.RoleStaff })
	}
	// Staff of another workspace do not count.
	elsewhere := bot.MemberKey{Platform: bot.Discord, Workspace: "T1", User: "S3"}
	addMember(t, s, elsewhere)
	update(t, s, elsewhere, func(m *bot.Member) { m.Role = bot.RoleStaff })

	ok(t, s.RemoveStaff(ctx, slackKey("S1")))
	s1, err := s.Member(ctx, slackKey("S1"))
	ok(t, err)
	if s1.Role != bot.RoleMember {
		t.Errorf("S1 role after removal = %q", s1.Role)
	}
	wantCode(t, "RemoveStaff of the last staff member", s.RemoveStaff(ctx, slackKey("S2")), bot.ECONFLICT)
	if n := staffCount(t, s, bot.Slack, "T1"); n != 1 {
		t.Errorf("staff in T1 = %d, want 1", n)
	}
	wantCode(t, "RemoveStaff of a removed staff member", s.RemoveStaff(ctx, slackKey("S1")), bot.ENOTFOUND)
	wantCode(t, "RemoveStaff of the other workspace's only staff member", s.RemoveStaff(ctx, elsewhere), bot.ECONFLICT)
}

// testRemoveStaffAtOnce has every staff member of a workspace removed at
// the same moment, many times over: one must always remain.
func testRemoveStaffAtOnce(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	const rounds, staff = 10, 4
	for r := range rounds {
		ws := fmt.Sprint("R", r)
		key := func(i int) bot.MemberKey {
			return bot.MemberKey{Platform: bot.Slack, Workspace: ws, User: fmt.Sprint("S", i)}
		}
		for i := range staff {
			addMember(t, s, key(i))
			update(t, s, key(i), func(m *bot.Member) { m.Role = bot.RoleStaff })
		}
		codes := make([]string, staff)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range staff {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i] = bot.ErrorCode(s.RemoveStaff(ctx, key(i)))
			}()
		}
		close(start)
		wg.Wait()
		removed, refused := 0, 0
		for _, c := range codes {
			switch c {
			case "":
				removed++
			case bot.ECONFLICT:
				refused++
			default:
				t.Errorf("round %d: RemoveStaff error code %q", r, c)
			}
		}
		if n := staffCount(t, s, bot.Slack, ws); n != 1 || removed != staff-1 || refused != 1 {
			t.Errorf("round %d: %d removed, %d refused, %d staff left; want %d, 1, 1", r, removed, refused, n, staff-1)
		}
	}
}
