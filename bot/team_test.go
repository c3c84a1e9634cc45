package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
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

// afterWeekCloses moves the clock to 13:00 UTC on the Monday after the
// current week: the week has then ended in every zone and is published.
func afterWeekCloses(clock *bottest.Clock) {
	now := clock.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 13, 0, 0, 0, time.UTC)
	clock.Set(day.AddDate(0, 0, 7-(int(day.Weekday())+6)%7))
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
		{"team mode, consenting members listed", "team", 3, 2, []string{"<@u0>", "<@u1>", "fewer than 5 people checked in"}, []string{"<@u2>", "average pain"}},
		{"team mode, private group large enough", "team", 7, 2, []string{"<@u1>", "average pain 4.0/10 (5-9 people checked in)"}, []string{"<@u2>", "<@u6>"}},
		{"wellness mode, small group", "wellness", 4, 4, []string{"fewer than 5 people checked in"}, []string{"<@u", "average pain"}},
		{"wellness mode, aggregates only", "wellness", 6, 6, []string{"average pain 3.5/10 (5-9 people checked in)", "By area: knee 3.5 (5-9 people)"}, []string{"<@u"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			coach, _, clock := bottest.NewCoach(t, nil)
			coach.Handle(context.Background(), teamReq("boss", "/coach team mode "+tt.mode, true))
			seedTeam(t, coach, clock, tt.members, tt.sharing)
			afterWeekCloses(clock)
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
// mode, text and the data each chart is drawn from, for member ids, notes
// and individual scores. One member checked in alone a week earlier, with
// a score nobody else gave: no week may show that member's figures.
func TestWellnessNeverShowsAnIndividual(t *testing.T) {
	rec := &chartRecorder{}
	clock := bottest.NewClock(bottest.Start)
	coach := bot.NewCoach(bot.Config{Store: bottest.MustOpenStore(t), Clock: clock, Renderer: rec, DefaultTZ: "UTC"})
	do := func(user, text string, admin bool) bot.Reply {
		return coach.Handle(context.Background(), teamReq(user, text, admin))
	}
	do("boss", "/coach team mode wellness", true)
	do("boss", "/coach team alerts <#C9>", false)
	clock.Set(bottest.Start.AddDate(0, 0, -10))
	do("loner", "/coach start yes", false)
	do("loner", "/pain 10 back loner-words", false)
	do("loner", "/coach readiness 1 1 1 1 1", false)
	clock.Set(bottest.Start)
	for i := range 7 {
		user := fmt.Sprint("member", i)
		do(user, "/coach start yes", false)
		do(user, "/pain 9 knee private-words", false)
		do(user, "/coach readiness 4 4 4 4 4", false)
		clock.Advance(time.Hour)
	}
	for _, when := range []string{"during the week", "after it closed"} {
		if when == "after it closed" {
			afterWeekCloses(clock)
		}
		for _, cmd := range []string{"/coach team report", "/coach team report 14", "/coach team report 30", "/coach team readiness", "/coach team readiness 28", "/coach team audit"} {
			rec.team = nil
			got := do("boss", cmd, false)
			all := got.Title + got.Text + got.Footer
			for _, f := range got.Fields {
				all += f.Name + f.Value
			}
			charts := fmt.Sprintf("%+v", rec.team)
			for _, leak := range []string{"<@member", "<@loner", "private-words", "loner-words", "9/10", "10/10", "average pain 10", "readiness 5.0/25", "1-1", "Members: 1"} {
				if strings.Contains(all, leak) || strings.Contains(charts, leak) {
					t.Errorf("%s %s leaks %q:\n%s\ncharts: %s", when, cmd, leak, all, charts)
				}
			}
			for _, in := range rec.team {
				for _, w := range in.Weeks {
					if !publishable(w) {
						t.Errorf("%s %s: chart week %+v is not a published figure", when, cmd, w)
					}
					if w.Start.Before(bottest.Start.Truncate(24*time.Hour)) && (w.Participants != 0 || w.AverageScore != 0) {
						t.Errorf("%s %s: the loner's week is drawn: %+v", when, cmd, w)
					}
				}
			}
		}
	}
}

// publishable reports whether a chart week holds only what the privacy
// policy publishes: nothing (withheld, labelled "<5"), or a range's lower
// end, the range and an average rounded to a half point.
func publishable(w bot.TeamWeek) bool {
	if w.Participants == 0 {
		return w.AverageScore == 0 && w.ParticipantsLabel == "<5"
	}
	band, floor, ok := bot.GroupPolicy{MinSize: 5}.Count(w.Participants)
	return ok && floor == w.Participants && band == w.ParticipantsLabel && w.AverageScore*2 == float64(int(w.AverageScore*2))
}

// TestConcurrentFirstAdminsOneStaff sends two admins' first team commands
// at once, many times over: exactly one may become staff each time.
func TestConcurrentFirstAdminsOneStaff(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	ctx := context.Background()
	for round := range 30 {
		ws := fmt.Sprint("G", round)
		var wg sync.WaitGroup
		replies := make([]string, 2)
		for i := range replies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := bot.Request{Platform: bot.Discord, Workspace: ws, Channel: "C1", User: fmt.Sprint("admin", i), IsAdmin: true, Text: "/coach team audit"}
				replies[i] = coach.Handle(ctx, req).Text
			}()
		}
		wg.Wait()
		if n, err := db.StaffCount(ctx, bot.Discord, ws); err != nil || n != 1 {
			t.Fatalf("round %d: %d staff (%v); replies %q", round, n, err, replies)
		}
		refused := 0
		for _, r := range replies {
			if strings.Contains(r, "staff only") {
				refused++
			}
		}
		if refused != 1 {
			t.Fatalf("round %d: %d refused, want 1: %q", round, refused, replies)
		}
	}
}

func TestTeamUnstaff(t *testing.T) {
	var logs bytes.Buffer
	db := bottest.MustOpenStore(t)
	coach := bot.NewCoach(bot.Config{Store: db, Clock: bottest.NewClock(bottest.Start), DefaultTZ: "UTC",
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	do := func(user, text string) string {
		return coach.Handle(context.Background(), teamReq(user, text, user == "boss")).Text
	}
	steps := []struct{ user, cmd, want string }{
		{"boss", "/coach team unstaff <@boss>", "last staff member"},
		{"member", "/coach team unstaff <@boss>", "staff only"},
		{"boss", "/coach team unstaff <@member>", "not staff"},
		{"boss", "/coach team unstaff <@nobody>", "not staff"},
		{"boss", "/coach team staff <@sam>", "is now staff"},
		{"sam", "/coach team unstaff <@boss>", "<@boss> is no longer staff"},
		{"boss", "/coach team report", "staff only"},
		{"sam", "/coach team unstaff <@sam>", "last staff member"},
		{"sam", "/coach team staff <@boss>", "is now staff"},
		{"sam", "/coach team unstaff <@sam>", "You are no longer staff"},
		{"sam", "/coach team audit", "staff only"},
	}
	for _, s := range steps {
		if got := do(s.user, s.cmd); !strings.Contains(got, s.want) {
			t.Fatalf("%s %q = %q, want %q", s.user, s.cmd, got, s.want)
		}
	}
	if n, _ := db.StaffCount(context.Background(), bot.Discord, "G1"); n != 1 {
		t.Errorf("staff = %d, want 1", n)
	}
	audit := do("boss", "/coach team audit")
	for _, want := range []string{"<@sam> removed staff: boss", "<@sam> granted staff: boss", "<@sam> removed staff: sam"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
	for _, want := range []string{
		`msg="staff granted" platform=discord workspace=G1 actor=boss member=boss reason="first workspace admin"`,
		`msg="staff granted" platform=discord workspace=G1 actor=boss member=sam`,
		`msg="staff removed" platform=discord workspace=G1 actor=sam member=boss`,
		`msg="staff removed" platform=discord workspace=G1 actor=sam member=sam`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}
