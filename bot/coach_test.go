package bot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

func handle(t *testing.T, c *bot.Coach, text string) bot.Reply {
	t.Helper()
	return c.Handle(context.Background(), bottest.Request(text))
}

func alice() bot.MemberKey {
	return bot.MemberKey{Platform: bot.Console, Workspace: "local", User: "alice"}
}

func TestPainStoresCheckIn(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, nil)
	reply := handle(t, coach, "/pain 6 knee sore after stairs")
	if !strings.Contains(reply.Text, "Logged **6/10** for your knee") {
		t.Fatalf("reply = %q", reply.Text)
	}
	if reply.Visibility != bot.Private {
		t.Error("check-in reply must be private")
	}
	got, err := db.CheckIns(context.Background(), alice(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := bot.CheckIn{ID: got[0].ID, Member: alice(), Score: 6, Area: "knee", Note: "sore after stairs", At: clock.Now()}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("stored %+v, want %+v", got, want)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	inputs := []string{
		"/pain 11", "/pain -1", "/pain six", "/pain 6.5", "/pain", "/pain 4 " + strings.Repeat("x", 10*1024),
		"/pain 4 kne", "/coach dance", "/coach tz Mars/Base", "/pain 4 knee \x07bell", "/pain 4 knee'); DROP TABLE checkins;--x 99",
		"/coach history 0", "/coach history abc",
	}
	for _, in := range inputs {
		t.Run(in[:min(len(in), 30)], func(t *testing.T) {
			coach, db, _ := bottest.NewCoach(t, nil)
			reply := handle(t, coach, in)
			if reply.Visibility != bot.Private {
				t.Error("error reply must be private")
			}
			if reply.Text == "" || len(reply.Text) > 600 {
				t.Errorf("reply should be a short message, got %d chars", len(reply.Text))
			}
			if strings.Contains(strings.ToLower(reply.Text), "sql") {
				t.Errorf("reply leaks internals: %q", reply.Text)
			}
			got, err := db.CheckIns(context.Background(), alice(), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			wantStored := 0
			if strings.Contains(in, "DROP TABLE") {
				wantStored = 1 // a valid check-in whose note merely looks like SQL
			}
			if len(got) != wantStored {
				t.Fatalf("stored %d check-ins, want %d", len(got), wantStored)
			}
		})
	}
}

func TestSQLLookingNoteIsStoredVerbatim(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	note := "'); DROP TABLE checkins;--"
	handle(t, coach, "/pain 3 knee "+note)
	got, _ := db.CheckIns(context.Background(), alice(), time.Time{})
	if len(got) != 1 || got[0].Note != note {
		t.Fatalf("got %+v", got)
	}
}

func TestHighScoreRefers(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	reply := handle(t, coach, "/pain 9 lower-back")
	if !strings.Contains(reply.Text, "physical therapist or doctor") {
		t.Fatalf("no referral in %q", reply.Text)
	}
	data, err := db.MemberData(context.Background(), alice())
	if err != nil {
		t.Fatal(err)
	}
	if len(data.RedFlags) != 1 || data.RedFlags[0].Rule != "high-score" || data.RedFlags[0].Area != "lower-back" {
		t.Fatalf("red flags = %+v", data.RedFlags)
	}
}

func TestHistory(t *testing.T) {
	tests := []struct {
		name   string
		scores []int
		want   []string
	}{
		{"none", nil, []string{"No check-ins in the last 14 days"}},
		{"worsening", []int{2, 3, 5, 6, 8}, []string{"`▂▃▅▅▇`", "**worsening**", "Streak", "5 days in a row"}},
		{"improving", []int{8, 7, 5, 4, 2}, []string{"**improving**"}},
		{"stable", []int{4, 5, 4, 5, 4}, []string{"**stable**"}},
		{"too few", []int{4, 5}, []string{"not enough check-ins"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			coach, _, clock := bottest.NewCoach(t, nil)
			for _, s := range tt.scores {
				handle(t, coach, "/pain "+strconv.Itoa(s)+" knee")
				clock.Advance(24 * time.Hour)
			}
			clock.Advance(-12 * time.Hour)
			reply := handle(t, coach, "/coach history")
			all := reply.Text
			for _, f := range reply.Fields {
				all += "\n" + f.Name + ": " + f.Value
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("history %q does not contain %q", all, w)
				}
			}
		})
	}
}

func TestHistoryByArea(t *testing.T) {
	coach, _, clock := bottest.NewCoach(t, nil)
	handle(t, coach, "/pain 4 knee")
	clock.Advance(time.Hour)
	handle(t, coach, "/pain 2 neck")
	reply := handle(t, coach, "/coach history 7")
	if !strings.Contains(reply.Text, "- knee:") || !strings.Contains(reply.Text, "- neck:") {
		t.Fatalf("no per-area lines in %q", reply.Text)
	}
}

func TestTimeZone(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	reply := handle(t, coach, "/coach tz America/New_York")
	if !strings.Contains(reply.Text, "America/New_York") || !strings.Contains(reply.Text, "04:00") {
		t.Fatalf("reply = %q", reply.Text)
	}
	m, err := db.Member(context.Background(), alice())
	if err != nil || m.TZ != "America/New_York" {
		t.Fatalf("member tz = %q, %v", m.TZ, err)
	}
	if reply := handle(t, coach, "/coach tz"); !strings.Contains(reply.Text, "America/New_York") {
		t.Fatalf("show tz reply = %q", reply.Text)
	}
}

func TestStartAndConsent(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	req := bot.Request{Platform: bot.Discord, Workspace: "G1", Channel: "C1", User: "U1", Text: "/coach start"}
	reply := coach.Handle(context.Background(), req)
	if !strings.Contains(reply.Text, "Not medical advice") || len(reply.Buttons) != 2 {
		t.Fatalf("onboarding reply = %+v", reply)
	}
	if reply.Buttons[0].Command != "coach start yes" {
		t.Fatalf("button command = %q", reply.Buttons[0].Command)
	}
	req.Text = reply.Buttons[0].Command
	coach.Handle(context.Background(), req)
	m, err := db.Member(context.Background(), req.Member())
	if err != nil {
		t.Fatal(err)
	}
	if !m.ShareWithStaff || m.ConsentAt.IsZero() || m.OnboardedAt.IsZero() {
		t.Fatalf("consent not stored: %+v", m)
	}
	req.Text = "/coach start no"
	coach.Handle(context.Background(), req)
	if m, _ = db.Member(context.Background(), req.Member()); m.ShareWithStaff {
		t.Fatal("consent not withdrawn")
	}
	// The console has no staff, so it does not ask.
	if reply := handle(t, coach, "/coach start"); len(reply.Buttons) != 0 {
		t.Fatalf("console onboarding asked for consent: %+v", reply.Buttons)
	}
}

func TestStaffOnlyVerbsRefuseMembers(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, nil)
	reply := handle(t, coach, "/coach team report")
	if !strings.Contains(reply.Text, "staff only") {
		t.Fatalf("reply = %q", reply.Text)
	}
	if strings.Contains(handle(t, coach, "/coach help").Text, "/coach team") {
		t.Error("help shows staff verbs to a member")
	}
}

func TestHelp(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, nil)
	overview := handle(t, coach, "help").Text
	for _, want := range []string{"/pain SCORE [AREA] [NOTE...]", "/coach history [DAYS]", "/coach help VERB"} {
		if !strings.Contains(overview, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	tape := handle(t, coach, "/coach help tape").Text
	if !strings.Contains(tape, "/coach tape on AREA [DAYS]") || !strings.Contains(tape, "Examples:") {
		t.Errorf("help tape = %q", tape)
	}
	if got := handle(t, coach, "/coach help pain").Text; !strings.Contains(got, "/pain SCORE") {
		t.Errorf("help pain = %q", got)
	}
	if got := handle(t, coach, "/coach help nope").Text; !strings.Contains(got, "no command") {
		t.Errorf("help nope = %q", got)
	}
}

func TestExportForgetRoundTrip(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, nil)
	handle(t, coach, "/pain 4 knee =HYPERLINK(\"x\")")
	clock.Advance(time.Hour)
	handle(t, coach, "/pain 9 knee")
	// Another member with the same user id elsewhere must be untouched.
	other := bot.Request{Platform: bot.Slack, Workspace: "T1", User: "alice", Text: "/pain 2"}
	coach.Handle(context.Background(), other)

	reply := handle(t, coach, "/coach export")
	if len(reply.Files) != 1 || reply.Files[0].ContentType != "text/csv" {
		t.Fatalf("export files = %+v", reply.Files)
	}
	rows, err := csv.NewReader(bytes.NewReader(reply.Files[0].Data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 { // header, 2 check-ins, 1 red flag
		t.Fatalf("export rows = %v", rows)
	}
	if rows[1][4] != "'=HYPERLINK(\"x\")" {
		t.Errorf("formula not neutralised: %q", rows[1][4])
	}

	reply = handle(t, coach, "/coach forget")
	if len(reply.Buttons) != 1 || reply.Buttons[0].Command != "coach forget confirm" {
		t.Fatalf("forget must ask to confirm: %+v", reply)
	}
	if got, _ := db.CheckIns(context.Background(), alice(), time.Time{}); len(got) != 2 {
		t.Fatal("forget without confirm deleted data")
	}
	handle(t, coach, reply.Buttons[0].Command)
	if n, err := db.RowsOf(context.Background(), alice()); err != nil || n != 0 {
		t.Fatalf("%d rows of the member remain after forget (%v)", n, err)
	}
	if got, _ := db.CheckIns(context.Background(), other.Member(), time.Time{}); len(got) != 1 {
		t.Fatal("forget touched another member")
	}
	reply = handle(t, coach, "/coach export")
	rows, _ = csv.NewReader(bytes.NewReader(reply.Files[0].Data)).ReadAll()
	if len(rows) != 1 {
		t.Fatalf("export after forget = %v, want header only", rows)
	}
}

func TestInternalErrorsAreNotShown(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	db.Close()
	reply := handle(t, coach, "/pain 3")
	if !strings.Contains(reply.Text, "nothing was saved") {
		t.Fatalf("reply = %q", reply.Text)
	}
}

func TestHome(t *testing.T) {
	coach, _, clock := bottest.NewCoach(t, nil)
	handle(t, coach, "/pain 3 knee")
	handle(t, coach, "/coach done")
	handle(t, coach, "/coach tape on knee")
	handle(t, coach, "/coach remind checkin at 20:00")
	clock.Advance(time.Hour)
	home := coach.Home(context.Background(), alice())
	for _, want := range []string{"exercises done ✓", "pain 3/10 at 09:00", "**Streak:** 1 day", "**Tape:** knee, on for 1 hour", "check in on your pain at **20:00**"} {
		if !strings.Contains(home.Text, want) {
			t.Errorf("home lacks %q:\n%s", want, home.Text)
		}
	}
	if len(home.Buttons) != 4 || home.Buttons[0].Command != "coach done" {
		t.Errorf("home buttons = %+v", home.Buttons)
	}
}

// TestConcurrentCommandsKeepEachChange: a member's commands that change
// different settings at the same moment must not undo each other.
func TestConcurrentCommandsKeepEachChange(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	handle(t, coach, "/coach start")
	var wg sync.WaitGroup
	for _, cmd := range []string{"/coach tz Europe/Berlin", "/coach snooze 2h", "/coach quiet 22:00-07:00", "/coach pause 3d", "/coach skip"} {
		wg.Go(func() { coach.Handle(context.Background(), bottest.Request(cmd)) })
	}
	wg.Wait()
	m, err := db.Member(context.Background(), alice())
	if err != nil {
		t.Fatal(err)
	}
	if m.TZ != "Europe/Berlin" || m.SnoozedUntil.IsZero() || !m.Quiet.Set || m.PausedUntil.IsZero() || m.SkippedDay == "" {
		t.Fatalf("a concurrent change was lost: %+v", m)
	}
}
