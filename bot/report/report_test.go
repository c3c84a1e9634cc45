package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares a PNG with testdata/name, tolerating anti-aliasing
// differences, and rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	// Rendering is deterministic, so on the machine that wrote the golden
	// file the bytes match and decoding both images is not needed.
	if bytes.Equal(want, got) {
		return
	}
	if d := pixelDiff(decodePNG(t, want), decodePNG(t, got)); d > 0.01 {
		bad := filepath.Join(t.TempDir(), name)
		_ = os.WriteFile(bad, got, 0o644)
		t.Errorf("%s differs from golden in %.2f%% of pixels; got written to %s", name, d*100, bad)
	}
}

func TestHistoryChartGolden(t *testing.T) {
	r := report.New()
	zone := now.Location()
	from14 := time.Date(2026, 2, 17, 0, 0, 0, 0, zone)
	oneArea := bot.ChartInput{From: from14, To: now, Loc: zone, CheckIns: []bot.CheckIn{
		{Score: 6, Area: "", Note: "x", At: from14.Add(30 * time.Hour)},
		{Score: 5, At: from14.Add(80 * time.Hour)},
		{Score: 3, At: from14.Add(200 * time.Hour)},
	}, DoneDays: []string{"2026-02-18", "2026-02-19", "2026-02-25"}}
	fiveAreas := bot.ChartInput{From: from14, To: now, Loc: zone,
		TapeCycles: []bot.TapeCycle{{Area: "calf", AppliedAt: from14.Add(-48 * time.Hour), RemovedAt: from14.Add(50 * time.Hour)}},
		RedFlags:   []bot.RedFlagEvent{{Rule: "numbness", At: from14.Add(150 * time.Hour)}},
		DoneDays:   []string{"2026-02-16", "2026-02-20", "2026-02-21", "2026-03-01", "2026-03-02", "2026-03-03"}}
	for i, area := range []string{"shoulder", "", "knee", "calf", "ankle"} {
		for d := range 13 {
			fiveAreas.CheckIns = append(fiveAreas.CheckIns, bot.CheckIn{Score: (i*2 + d/2 + 1) % 11, Area: area, At: from14.Add(time.Duration(24*d+8+i) * time.Hour)})
		}
	}
	tests := []struct {
		name string
		in   bot.ChartInput
	}{
		{"history-90d.png", realistic(90).ChartInput},
		{"history-5areas.png", fiveAreas},
		{"history-365d.png", realistic(365).ChartInput},
		{"history-empty.png", bot.ChartInput{From: from14, To: now, Loc: zone}},
		{"history-unspecified.png", oneArea},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := r.HistoryChart(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if f.ContentType != "image/png" || f.Name != "recoverycoach-history-2026-03-02.png" {
				t.Errorf("file = %q %q", f.Name, f.ContentType)
			}
			if b := decodePNG(t, f.Data).Bounds(); b.Dx() != 1200 || b.Dy() != 900 {
				t.Errorf("size = %v, want 1200x900", b.Size())
			}
			golden(t, tt.name, f.Data)
		})
	}
}

// teamFixture is 13 weeks of totals with one week nobody checked in.
func teamFixture() bot.TeamChartInput {
	start := time.Date(2025, 12, 8, 9, 0, 0, 0, time.UTC)
	var weeks []bot.TeamWeek
	for i := range 13 {
		w := bot.TeamWeek{Start: start.AddDate(0, 0, 7*i), Participants: 5 + (i*7)%9, AverageScore: 5.5 - float64(i)*0.25}
		if i == 4 {
			w = bot.TeamWeek{Start: w.Start}
		}
		weeks = append(weeks, w)
	}
	return bot.TeamChartInput{Title: "Team: weekly participation and average pain, last 90 days", Weeks: weeks}
}

func TestTeamChartGolden(t *testing.T) {
	tests := []struct {
		name string
		in   bot.TeamChartInput
	}{
		{"team-90d.png", teamFixture()},
		{"team-1w.png", bot.TeamChartInput{Title: "Team: weekly participation and average pain, last 7 days",
			Weeks: []bot.TeamWeek{{Start: time.Date(2026, 2, 23, 9, 0, 0, 0, time.UTC), Participants: 7, AverageScore: 3.857}}}},
		{"team-empty.png", bot.TeamChartInput{Title: "Team: weekly participation and average pain, last 7 days"}},
		// As the privacy policy publishes weeks: ranges of people on bars
		// at the range's lower end, and a withheld week labelled "<5".
		{"team-banded.png", bot.TeamChartInput{Title: "Team: people who checked in and average pain, last 4 completed weeks",
			Weeks: []bot.TeamWeek{
				{Start: time.Date(2026, 2, 9, 0, 0, 0, 0, time.UTC), Participants: 5, AverageScore: 4.5, ParticipantsLabel: "5-9"},
				{Start: time.Date(2026, 2, 16, 0, 0, 0, 0, time.UTC), ParticipantsLabel: "<5"},
				{Start: time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC), Participants: 10, AverageScore: 4, ParticipantsLabel: "10-19"},
				{Start: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Participants: 5, AverageScore: 3.5, ParticipantsLabel: "5-9"},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := report.New().TeamChart(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if f.ContentType != "image/png" || !strings.HasSuffix(f.Name, ".png") {
				t.Errorf("file = %q %q", f.Name, f.ContentType)
			}
			golden(t, tt.name, f.Data)
		})
	}
}

func TestRenderingIsDeterministic(t *testing.T) {
	r := report.New()
	in := realistic(30)
	team := bot.TeamChartInput{Title: "Team", Weeks: []bot.TeamWeek{{Start: now, Participants: 6, AverageScore: 4.2}}}
	render := map[string]func() (bot.File, error){
		"history": func() (bot.File, error) { return r.HistoryChart(in.ChartInput) },
		"report":  func() (bot.File, error) { return r.ClinicianReport(in) },
		"team":    func() (bot.File, error) { return r.TeamChart(team) },
	}
	for name, fn := range render {
		a, err := fn()
		if err != nil {
			t.Fatal(err)
		}
		b, err := fn()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Data, b.Data) {
			t.Errorf("%s: two renders of the same input differ", name)
		}
	}
}

func TestClinicianReport(t *testing.T) {
	in := realistic(28)
	f, err := report.New().ClinicianReport(in)
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != "application/pdf" || f.Name != "recoverycoach-report-2026-03-02-0900.pdf" {
		t.Errorf("file = %q %q", f.Name, f.ContentType)
	}
	if !bytes.HasPrefix(f.Data, []byte("%PDF")) {
		t.Fatalf("not a PDF: %q", f.Data[:min(20, len(f.Data))])
	}
	if n := pageCount(f.Data); n != 1 {
		t.Errorf("pages = %d, want 1", n)
	}
	text := pdfText(t, f.Data)
	latest := in.CheckIns[len(in.CheckIns)-1]
	mustContain(t, text,
		"Sam Lee", "2026-02-03 to 2026-03-02", report.Footer,
		checkInDay(latest), latest.Note, strconv.Itoa(latest.Score),
		"Exercises done on", "longest: 2 days",
		"Average", "Trend:",
		"knee: on since 2026-02-28, 2 days so far", "5 days worn",
		"numbness", "high score", "swelling",
		"earlier check-ins not shown",
	)
	// The latest red flag's check-in is recent enough to be listed, and
	// its row is marked.
	flagged := in.RedFlags[len(in.RedFlags)-1]
	for _, ci := range in.CheckIns {
		if ci.ID == flagged.CheckInID {
			mustContain(t, text, strconv.Itoa(ci.Score)+" flag")
		}
	}
	// GeneratedAt (09:00 in Berlin), not the wall clock, dates the document.
	if !bytes.Contains(f.Data, []byte("/CreationDate (D:20260302080000)")) {
		t.Errorf("creation date is not GeneratedAt in UTC")
	}
}

func TestClinicianReportShowsEveryCheckInThatFits(t *testing.T) {
	in := realistic(3)
	f, err := report.New().ClinicianReport(in)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, f.Data)
	for _, ci := range in.CheckIns {
		mustContain(t, text, checkInDay(ci))
		if ci.Note != "" {
			mustContain(t, text, ci.Note)
		}
	}
	if strings.Contains(text, "not shown") {
		t.Errorf("a short report says rows are missing:\n%s", text)
	}
}

func TestClinicianReportStaysOnePage(t *testing.T) {
	long := strings.Repeat("very long note with many words ", 40)
	many := realistic(201)
	many.CheckIns = many.CheckIns[len(many.CheckIns)-400:]
	many.Name = strings.Repeat("Name ", 40)
	for i := range many.CheckIns {
		many.CheckIns[i].Note = long
		many.CheckIns[i].Area = strings.Repeat("area", 10)
	}
	for i := range 30 {
		many.TapeCycles = append(many.TapeCycles, bot.TapeCycle{Area: "calf", AppliedAt: now.AddDate(0, 0, -100+i), RemovedAt: now.AddDate(0, 0, -99+i)})
		many.RedFlags = append(many.RedFlags, bot.RedFlagEvent{Rule: strings.Repeat("rule", 30), At: now.AddDate(0, 0, -90+i)})
	}
	tests := []struct {
		name string
		in   bot.ReportInput
		want []string
	}{
		{"400 check-ins and long everything", many, []string{"earlier check-ins not shown", "earlier tape cycles not shown", "earlier red flags not shown", "…"}},
		{"nothing at all", bot.ReportInput{ChartInput: bot.ChartInput{From: now.AddDate(0, 0, -27), To: now, Loc: now.Location()}, GeneratedAt: now},
			[]string{"No check-ins in this period.", "No tape logged", "None in this period.", "Check-ins: 0"}},
		{"zero value input", bot.ReportInput{}, []string{report.Footer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := report.New().ClinicianReport(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if n := pageCount(f.Data); n != 1 {
				t.Errorf("pages = %d, want 1", n)
			}
			mustContain(t, pdfText(t, f.Data), tt.want...)
		})
	}
}

func TestClinicianReportText(t *testing.T) {
	tests := []struct {
		note string
		want string
	}{
		{"Zoë's knee, 5€ brace – ok", "Zoë's knee, 5€ brace – ok"},
		{"Колено болит", "Колено болит"},
		{"line one\nline\ttwo", "line one line two"},
		{"pain 😖 today", "pain today"},
		{"👍 better ☀️", "better"},
		{"bad \xff byte", "bad ? byte"},
		{"zero\u200bwidth", "zerowidth"},
		{"(parens) and \\backslash", "(parens) and \\backslash"},
		{"膝が痛い", "????"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			in := realistic(1)
			in.CheckIns = []bot.CheckIn{{Score: 4, Area: "knee", Note: tt.note, At: now.Add(-time.Hour)}}
			in.Name = tt.note
			f, err := report.New().ClinicianReport(in)
			if err != nil {
				t.Fatal(err)
			}
			mustContain(t, pdfText(t, f.Data), tt.want, "Patient: "+tt.want)
		})
	}
}
