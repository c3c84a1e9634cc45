package content_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

func clinicianProgram(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/clinician/acl-week-3.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestClinicianProgramSchema: stop rules, progressions and links are read;
// mistakes are reported with their line, as content check reports them.
func TestClinicianProgramSchema(t *testing.T) {
	lib := mustLibrary(t)
	src := clinicianProgram(t)
	p, err := lib.ParseProgram("acl.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.StopRules) != 2 || len(p.Progressions) != 1 || p.Exercises[0].Link != "https://example.org/quad-set.mp4" || p.Exercises[0].Progression != "Do them standing." {
		t.Fatalf("parsed %+v", p)
	}
	bad := map[string]string{
		"javascript link": strings.Replace(string(src), "https://example.org/quad-set.mp4", "javascript:alert(1)", 1),
		"http link":       strings.Replace(string(src), "https://", "http://", 1),
		"unknown key":     strings.Replace(string(src), "stop_rules:", "stop_rule:", 1),
		"broken related":  strings.Replace(string(src), "[gradual-loading]", "[nowhere]", 1),
		"empty stop rule": strings.Replace(string(src), "The knee gives way.", `""`, 1),
		"long line":       strings.Replace(string(src), "Do them standing.", strings.Repeat("x", 201), 1),
	}
	for name, text := range bad {
		if _, err := lib.ParseProgram("acl.yaml", []byte(text)); err == nil || !strings.HasPrefix(err.Error(), "acl.yaml:") {
			t.Errorf("%s: err = %v, want a positioned problem", name, err)
		}
	}
}

// TestClinicianProgramByCode: a clinician's program shared as a code is
// loaded by one member only, shown with its stop rules and links, counts
// as their program, and `plan off` stops it.
func TestClinicianProgramByCode(t *testing.T) {
	lib := mustLibrary(t)
	coach, db, clock := bottest.NewCoach(t, lib)
	ctx := context.Background()
	code, prog, err := bot.ShareProgram(ctx, db, lib, "acl.yaml", clinicianProgram(t), clock.Now())
	if err != nil || prog.Title != "ACL rehab, week 3" {
		t.Fatalf("share: %q, %v", code, err)
	}
	say := func(user, text string) bot.Reply {
		req := bottest.Request(text)
		req.User = user
		return coach.Handle(ctx, req)
	}
	typo := []byte(code)
	typo[0] = map[bool]byte{true: '1', false: '2'}[typo[0] != '1']
	if r := say("alice", "/coach plan "+string(typo)); !strings.Contains(r.Text, "typo") {
		t.Errorf("mistyped code: %q", r.Text)
	}
	if r := say("alice", "/coach plan "+strings.ToLower(strings.ReplaceAll(code, "-", ""))); !strings.Contains(r.Text, "Loaded **ACL rehab, week 3** from your clinician") {
		t.Fatalf("load: %q", r.Text)
	}
	r := say("alice", "/coach plan")
	for _, want := range []string{"Your program: ACL rehab, week 3", "**Stop and call your clinician:** The knee gives way.", "[Picture or video](https://example.org/quad-set.mp4)", "code " + code} {
		if !strings.Contains(r.Title+"\n"+r.Text, want) {
			t.Errorf("plan does not show %q:\n%s", want, r.Text)
		}
	}
	if r := say("bob", "/coach plan"); strings.Contains(r.Text, "ACL") {
		t.Errorf("another member sees the program: %q", r.Text)
	}
	data, err := db.MemberData(ctx, bot.MemberKey{Platform: bot.Console, Workspace: "local", User: "alice"})
	if err != nil || data.Program == nil || data.Program.Code != code {
		t.Fatalf("member data program = %+v, %v", data.Program, err)
	}
	if r := say("alice", "/coach plan knee"); !strings.Contains(r.Text, "replaces the program from your clinician") {
		t.Errorf("library program over the clinician's: %q", r.Text)
	}
	say("alice", "/coach plan "+code)
	if r := say("alice", "/coach plan off"); !strings.Contains(r.Text, "off your program") {
		t.Errorf("plan off: %q", r.Text)
	}
	if r := say("alice", "/coach plan"); strings.Contains(r.Text, "ACL") {
		t.Errorf("after plan off: %q", r.Text)
	}
	if r := say("alice", "/coach plan 22222-22222"); !strings.Contains(r.Text, "typo") && !strings.Contains(r.Text, "No program has the code") {
		t.Errorf("unknown code: %q", r.Text)
	}
}

// captureRenderer keeps the last report input instead of drawing it.
type captureRenderer struct{ report bot.ReportInput }

func (r *captureRenderer) HistoryChart(bot.ChartInput) (bot.File, error) { return bot.File{}, nil }
func (r *captureRenderer) TeamChart(bot.TeamChartInput) (bot.File, error) {
	return bot.File{}, nil
}
func (r *captureRenderer) ClinicianReport(in bot.ReportInput) (bot.File, error) {
	r.report = in
	return bot.File{Name: "r.pdf"}, nil
}

// TestReportPerExercise: one of two daily sessions of the clinician's
// exercise is half of that day's plan, in the chart and per exercise.
func TestReportPerExercise(t *testing.T) {
	lib := mustLibrary(t)
	db := bottest.MustOpenStore(t)
	clock := bottest.NewClock(bottest.Start)
	rend := &captureRenderer{}
	coach := bot.NewCoach(bot.Config{Store: db, Library: lib, Clock: clock, DefaultTZ: "UTC", Renderer: rend})
	ctx := context.Background()
	code, _, err := bot.ShareProgram(ctx, db, lib, "acl.yaml", clinicianProgram(t), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	coach.Handle(ctx, bottest.Request("/coach plan "+code))
	coach.Handle(ctx, bottest.Request("/coach done quad-set"))
	coach.Handle(ctx, bottest.Request("/coach report 7"))
	in := rend.report
	if in.Program != "ACL rehab, week 3" || len(in.Exercises) != 1 || in.Exercises[0] != (bot.ExerciseAdherence{Name: "Quad sets", Done: 1, Expected: 2}) {
		t.Errorf("program %q, exercises %+v", in.Program, in.Exercises)
	}
	if got := in.DoneShare["2026-03-02"]; got != 0.5 {
		t.Errorf("share of the day = %v, want 0.5", got)
	}
}
