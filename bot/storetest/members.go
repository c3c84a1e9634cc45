package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

func memberTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"Workspace/EnsureIsIdempotent":        testEnsureWorkspace,
		"Workspace/UpdateRoundTrip":           testUpdateWorkspace,
		"Member/EnsureIsIdempotent":           testEnsureMember,
		"Member/EnsureConcurrently":           testEnsureMemberConcurrently,
		"Member/NotFound":                     testMemberNotFound,
		"Member/UpdateRoundTrip":              testUpdateMember,
		"Member/ClaimHint":                    testClaimHint,
		"Member/ClaimHintConcurrently":        testClaimHintConcurrently,
		"Member/UpdateKeepsHint":              testUpdateMemberKeepsHint,
		"Operations/PingAndVersion":           testPingAndVersion,
		"Operations/StaffCount":               testStaffCount,
		"Operations/MembersAreKeptApartByKey": testMembersAreKeptApart,
	}
}

func testEnsureWorkspace(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	// A store saves the workspace as given: defaults are the domain's
	// (bot.NewWorkspace).
	first := bot.Workspace{Platform: bot.Slack, ID: "T1", Privacy: bot.PrivacyWellness, AlertChannel: "C1", MinGroupSize: 6, CreatedAt: at(time.Millisecond)}
	w, err := s.EnsureWorkspace(ctx, first)
	ok(t, err)
	want := first
	same(t, "created workspace", want, w)

	again, err := s.EnsureWorkspace(ctx, bot.Workspace{Platform: bot.Slack, ID: "T1", Privacy: bot.PrivacyTeam, MinGroupSize: 9, CreatedAt: at(time.Hour)})
	ok(t, err)
	same(t, "second ensure returns the stored workspace", want, again)
	got, err := s.Workspace(ctx, bot.Slack, "T1")
	ok(t, err)
	same(t, "Workspace", want, got)

	other := bot.Workspace{Platform: bot.Discord, ID: "T1", Privacy: bot.PrivacyTeam, MinGroupSize: 8, CreatedAt: at(0)}
	w, err = s.EnsureWorkspace(ctx, other)
	ok(t, err)
	same(t, "same id on another platform is another workspace", other, w)

	_, err = s.Workspace(ctx, bot.Slack, "T2")
	wantCode(t, "unknown workspace", err, bot.ENOTFOUND)
}

func testUpdateWorkspace(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	_, err := s.EnsureWorkspace(ctx, bot.NewWorkspace(bot.Slack, "T1", at(0)))
	ok(t, err)
	want := bot.Workspace{Platform: bot.Slack, ID: "T1", Privacy: bot.PrivacyWellness, AlertChannel: "C42", MinGroupSize: 7, EmergencyNumber: "999", CreatedAt: at(0)}
	ok(t, s.UpdateWorkspace(ctx, want))
	got, err := s.Workspace(ctx, bot.Slack, "T1")
	ok(t, err)
	same(t, "updated workspace", want, got)
	got, err = s.EnsureWorkspace(ctx, bot.Workspace{Platform: bot.Slack, ID: "T1", Privacy: bot.PrivacyTeam})
	ok(t, err)
	same(t, "ensure after update", want, got)

	err = s.UpdateWorkspace(ctx, bot.Workspace{Platform: bot.Slack, ID: "nope", Privacy: bot.PrivacyTeam, MinGroupSize: 5})
	wantCode(t, "update of an unknown workspace", err, bot.ENOTFOUND)
}

func testEnsureMember(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	m, created, err := s.EnsureMember(ctx, bot.Member{Key: slackKey("U1"), TZ: "Europe/Berlin", CreatedAt: at(250 * time.Millisecond)})
	ok(t, err)
	want := bot.Member{Key: slackKey("U1"), TZ: "Europe/Berlin", Role: bot.RoleMember, CreatedAt: at(250 * time.Millisecond)}
	if !created {
		t.Error("first EnsureMember: created = false")
	}
	same(t, "created member", want, m)

	m, created, err = s.EnsureMember(ctx, bot.Member{Key: slackKey("U1"), TZ: "Asia/Tokyo", Role: bot.RoleStaff, CreatedAt: at(time.Hour)})
	ok(t, err)
	if created {
		t.Error("second EnsureMember: created = true")
	}
	same(t, "second ensure returns the stored member", want, m)

	staff, created, err := s.EnsureMember(ctx, bot.Member{Key: slackKey("S1"), TZ: "UTC", Role: bot.RoleStaff, CreatedAt: at(0)})
	ok(t, err)
	if !created || staff.Role != bot.RoleStaff {
		t.Errorf("staff member = %+v, created %v; want a new staff member", staff, created)
	}
	got, err := s.Member(ctx, slackKey("U1"))
	ok(t, err)
	same(t, "Member", want, got)
}

// testEnsureMemberConcurrently is two instances (or two requests) meeting
// a new member at once: both must succeed with one row between them.
func testEnsureMemberConcurrently(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	const workers = 8
	var wg sync.WaitGroup
	created := make(chan bool, workers)
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			_, c, err := s.EnsureMember(ctx, bot.Member{Key: slackKey("U1"), TZ: "UTC", CreatedAt: at(0)})
			if err != nil {
				errs <- err
				return
			}
			created <- c
		})
	}
	wg.Wait()
	close(created)
	close(errs)
	for err := range errs {
		t.Errorf("concurrent EnsureMember: %v", err)
	}
	n := 0
	for c := range created {
		if c {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d callers were told they created the member, want 1", n)
	}
	team, err := s.TeamData(ctx, bot.Slack, "T1", at(0))
	ok(t, err)
	if len(team) != 1 {
		t.Errorf("workspace holds %d members, want 1", len(team))
	}
}

func testMemberNotFound(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	addMember(t, s, slackKey("U1"))
	for _, key := range []bot.MemberKey{
		slackKey("U2"),
		{Platform: bot.Slack, Workspace: "T2", User: "U1"},
		{Platform: bot.Discord, Workspace: "T1", User: "U1"},
	} {
		_, err := s.Member(ctx, key)
		wantCode(t, "Member "+key.String(), err, bot.ENOTFOUND)
	}
	err := s.UpdateMember(ctx, bot.Member{Key: slackKey("U2"), TZ: "UTC", Role: bot.RoleMember})
	wantCode(t, "UpdateMember of an unknown member", err, bot.ENOTFOUND)
	_, err = s.MemberData(ctx, slackKey("U2"))
	wantCode(t, "MemberData of an unknown member", err, bot.ENOTFOUND)
}

func testUpdateMember(t *testing.T, open Opener) {
	tests := []struct {
		name string
		m    bot.Member
	}{
		{name: "every setting", m: bot.Member{
			Key: slackKey("U1"), TZ: "America/New_York", Role: bot.RoleStaff,
			OnboardedAt:    at(5*time.Minute + 123*time.Millisecond),
			ShareWithStaff: true, ConsentAt: at(6 * time.Minute),
			Program:     "knee-basics",
			PausedUntil: at(48 * time.Hour), SnoozedUntil: at(2*time.Hour + 999*time.Millisecond),
			Quiet:          bot.QuietHours{Set: true, Start: 22 * 60, End: 7*60 + 30},
			SkippedDay:     "2026-03-02",
			NudgesDisabled: true, DisabledReason: "DMs are closed",
			CreatedAt: at(0),
		}},
		{name: "quiet hours not wrapping", m: bot.Member{
			Key: slackKey("U1"), TZ: "UTC", Role: bot.RoleMember,
			Quiet:     bot.QuietHours{Set: true, Start: 12 * 60, End: 13 * 60},
			CreatedAt: at(0),
		}},
		{name: "consent withdrawn", m: bot.Member{
			Key: slackKey("U1"), TZ: "UTC", Role: bot.RoleMember,
			OnboardedAt: at(time.Minute), ShareWithStaff: false, ConsentAt: at(time.Hour),
			CreatedAt: at(0),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ctx := open(t), t.Context()
			addMember(t, s, slackKey("U1"))
			ok(t, s.UpdateMember(ctx, tt.m))
			got, err := s.Member(ctx, tt.m.Key)
			ok(t, err)
			same(t, "member after update", tt.m, got)

			// Clearing every setting again stores the zero values, not
			// the previous ones.
			cleared := bot.Member{Key: tt.m.Key, TZ: "UTC", Role: bot.RoleMember, CreatedAt: at(0)}
			ok(t, s.UpdateMember(ctx, cleared))
			got, err = s.Member(ctx, tt.m.Key)
			ok(t, err)
			same(t, "member after clearing", cleared, got)
		})
	}
}

func testClaimHint(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	addMember(t, s, slackKey("U2"))
	steps := []struct {
		name           string
		now, notBefore time.Time
		want           bool
	}{
		{"first hint", at(0), at(-time.Hour), true},
		{"within the window", at(30 * time.Minute), at(-30 * time.Minute), false},
		{"hint given exactly at notBefore", at(time.Hour), at(0), true},
		{"after the window", at(3 * time.Hour), at(2 * time.Hour), true},
	}
	for _, st := range steps {
		got, err := s.ClaimHint(ctx, key, st.now, st.notBefore)
		ok(t, err)
		if got != st.want {
			t.Errorf("%s: ClaimHint = %v, want %v", st.name, got, st.want)
		}
	}
	m, err := s.Member(ctx, key)
	ok(t, err)
	if !m.HintAt.Equal(at(3 * time.Hour)) {
		t.Errorf("HintAt = %v, want the last claim %v", m.HintAt, at(3*time.Hour))
	}
	if got, err := s.ClaimHint(ctx, slackKey("U2"), at(0), at(-time.Hour)); err != nil || !got {
		t.Errorf("another member's first hint = %v, %v; want true", got, err)
	}
	if got, err := s.ClaimHint(ctx, slackKey("nobody"), at(0), at(-time.Hour)); err != nil || got {
		t.Errorf("unknown member's hint = %v, %v; want false, nil", got, err)
	}
}

// testClaimHintConcurrently is a chatty member whose messages arrive at
// several instances at once: exactly one of them may answer with a hint.
func testClaimHintConcurrently(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	addMember(t, s, slackKey("U1"))
	const workers = 8
	var wg sync.WaitGroup
	claimed := make(chan bool, workers)
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			got, err := s.ClaimHint(ctx, slackKey("U1"), at(0), at(-time.Hour))
			if err != nil {
				errs <- err
				return
			}
			claimed <- got
		})
	}
	wg.Wait()
	close(claimed)
	close(errs)
	for err := range errs {
		t.Errorf("concurrent ClaimHint: %v", err)
	}
	n := 0
	for c := range claimed {
		if c {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d callers claimed the hint, want 1", n)
	}
}

// testUpdateMemberKeepsHint: HintAt belongs to ClaimHint, so saving a
// member read before the claim must not undo it.
func testUpdateMemberKeepsHint(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	stale := addMember(t, s, slackKey("U1"))
	claimed, err := s.ClaimHint(ctx, slackKey("U1"), at(time.Hour), at(0))
	ok(t, err)
	if !claimed {
		t.Fatal("ClaimHint = false on a fresh member")
	}
	stale.Program = "ankle"
	ok(t, s.UpdateMember(ctx, stale))
	got, err := s.Member(ctx, slackKey("U1"))
	ok(t, err)
	if !got.HintAt.Equal(at(time.Hour)) || got.Program != "ankle" {
		t.Errorf("after UpdateMember: HintAt %v, Program %q; want %v, ankle", got.HintAt, got.Program, at(time.Hour))
	}
}

func testPingAndVersion(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	ok(t, s.Ping(ctx))
	v, err := s.Version(ctx)
	ok(t, err)
	if v <= 0 {
		t.Errorf("Version = %d on a migrated store, want > 0", v)
	}
}

func testStaffCount(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	n, err := s.StaffCount(ctx, bot.Slack, "T1")
	ok(t, err)
	if n != 0 {
		t.Errorf("StaffCount of an empty workspace = %d", n)
	}
	for _, k := range []bot.MemberKey{slackKey("S1"), slackKey("S2"), slackKey("U1"),
		{Platform: bot.Slack, Workspace: "T2", User: "S3"}, {Platform: bot.Discord, Workspace: "T1", User: "S4"}} {
		addMember(t, s, k)
		if k.User[0] == 'S' {
			update(t, s, k, func(m *bot.Member) { m.Role = bot.RoleStaff })
		}
	}
	n, err = s.StaffCount(ctx, bot.Slack, "T1")
	ok(t, err)
	if n != 2 {
		t.Errorf("StaffCount = %d, want 2", n)
	}
	update(t, s, slackKey("S2"), func(m *bot.Member) { m.Role = bot.RoleMember })
	n, err = s.StaffCount(ctx, bot.Slack, "T1")
	ok(t, err)
	if n != 1 {
		t.Errorf("StaffCount after a demotion = %d, want 1", n)
	}
}

// testMembersAreKeptApart: the same user id on another platform or in
// another workspace is another member whose data never mixes.
func testMembersAreKeptApart(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	keys := []bot.MemberKey{
		slackKey("U1"),
		{Platform: bot.Slack, Workspace: "T2", User: "U1"},
		{Platform: bot.Discord, Workspace: "T1", User: "U1"},
	}
	for i, k := range keys {
		addMember(t, s, k)
		update(t, s, k, func(m *bot.Member) { m.Program = k.String() })
		_, err := s.AddCheckIn(ctx, bot.CheckIn{Member: k, Score: i + 1, At: at(time.Duration(i) * time.Minute)})
		ok(t, err)
	}
	for i, k := range keys {
		m, err := s.Member(ctx, k)
		ok(t, err)
		if m.Program != k.String() {
			t.Errorf("%s has program %q", k, m.Program)
		}
		got, err := s.CheckIns(ctx, k, time.Time{})
		ok(t, err)
		if len(got) != 1 || got[0].Score != i+1 || got[0].Member != k {
			t.Errorf("check-ins of %s = %+v, want only score %d", k, got, i+1)
		}
	}
}
