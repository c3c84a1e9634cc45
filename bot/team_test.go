package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// teamReq is a request from user in Discord guild G1.
func teamReq(user, text string, admin bool) bot.Request {
	return bot.Request{Platform: bot.Discord, Workspace: "G1", Channel: "C1", User: user, IsAdmin: admin, Text: text}
}

func TestFirstAdminBecomesStaffOthersAreRefused(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	do := func(user, text string, admin bool) string {
		return coach.Handle(context.Background(), teamReq(user, text, admin)).Text
	}
	if got := do("member", "/coach team report", false); !strings.Contains(got, "staff only") {
		t.Fatalf("member got %q", got)
	}
	if got := do("boss", "/coach team mode team", true); !strings.Contains(got, "Privacy mode is now **team**") {
		t.Fatalf("first admin got %q", got)
	}
	// A second admin is not promoted automatically once staff exist.
	if got := do("admin2", "/coach team report", true); !strings.Contains(got, "staff only") {
		t.Fatalf("second admin got %q", got)
	}
	do("boss", "/coach team staff <@admin2>", false)
	if got := do("admin2", "/coach team report", false); strings.Contains(got, "staff only") {
		t.Fatalf("granted staff refused: %q", got)
	}
	audit := do("boss", "/coach team audit", false)
	for _, want := range []string{"became staff", "set privacy mode: team", "granted staff: admin2", "viewed team report"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
	if n, _ := db.StaffCount(context.Background(), bot.Discord, "G1"); n != 2 {
		t.Errorf("staff = %d, want 2", n)
	}
	dm := teamReq("x", "/coach team report", true)
	dm.IsDM = true
	if got := coach.Handle(context.Background(), dm).Text; !strings.Contains(got, "not in a direct message") {
		t.Errorf("DM team command got %q", got)
	}
}

// seedTeam creates members u0..u(n-1) in G1 with a check-in each; the
// first `sharing` of them consent to staff seeing their data.
func seedTeam(t *testing.T, coach *bot.Coach, clock *bottest.Clock, n, sharing int) {
	t.Helper()
	for i := range n {
		user := fmt.Sprint("u", i)
		if i < sharing {
			coach.Handle(context.Background(), teamReq(user, "/coach start yes", false))
		}
		coach.Handle(context.Background(), teamReq(user, fmt.Sprintf("/pain %d knee secret-note-%d", 2+i%5, i), false))
		clock.Advance(time.Minute)
	}
}

func TestTeamReportPrivacy(t *testing.T) {
	tests := []struct {
		name       string
		mode       string
		members    int
		sharing    int
		want       []string
		wantAbsent []string
	}{
		{"team mode, consenting members listed", "team", 3, 2, []string{"<@u0>", "<@u1>", "Not enough people"}, []string{"<@u2>"}},
		{"team mode, private group large enough", "team", 7, 2, []string{"<@u1>", "Members: 5"}, []string{"<@u2>", "<@u6>"}},
		{"wellness mode, small group", "wellness", 4, 4, []string{"Not enough people to show numbers"}, []string{"<@u", "Average"}},
		{"wellness mode, aggregates only", "wellness", 6, 6, []string{"Members: 6", "Average pain score"}, []string{"<@u"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			coach, _, clock := bottest.NewCoach(t, nil)
			coach.Handle(context.Background(), teamReq("boss", "/coach team mode "+tt.mode, true))
			seedTeam(t, coach, clock, tt.members, tt.sharing)
			got := coach.Handle(context.Background(), teamReq("boss", "/coach team report", false))
			all := got.Title + "\n" + got.Text + "\n" + got.Footer
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("report lacks %q:\n%s", w, all)
				}
			}
			for _, w := range append(tt.wantAbsent, "secret-note") {
				if strings.Contains(all, w) {
					t.Errorf("report must not contain %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestWellnessNeverShowsAnIndividual scans every staff output in wellness
// mode for member ids, notes and individual scores.
func TestWellnessNeverShowsAnIndividual(t *testing.T) {
	coach, _, clock := bottest.NewCoach(t, nil)
	coach.Handle(context.Background(), teamReq("boss", "/coach team mode wellness", true))
	coach.Handle(context.Background(), teamReq("boss", "/coach team alerts <#C9>", false))
	for i := range 7 {
		user := fmt.Sprint("member", i)
		coach.Handle(context.Background(), teamReq(user, "/coach start yes", false))
		coach.Handle(context.Background(), teamReq(user, fmt.Sprintf("/pain %d knee private-words", 9), false))
		clock.Advance(time.Hour)
	}
	for _, cmd := range []string{"/coach team report", "/coach team report 30", "/coach team audit"} {
		got := coach.Handle(context.Background(), teamReq("boss", cmd, false))
		all := got.Title + got.Text + got.Footer
		for _, f := range got.Fields {
			all += f.Name + f.Value
		}
		if strings.Contains(all, "member") && strings.Contains(all, "<@member") || strings.Contains(all, "private-words") || strings.Contains(all, "9/10") {
			t.Errorf("%s leaks an individual:\n%s", cmd, all)
		}
	}
}
