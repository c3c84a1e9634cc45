package report_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/report"
)

// startedLate is a member two weeks in, asked for 28 days: an evening
// check-in on the last day, a day with one exercise of two done, a warning
// and two body areas.
func startedLate() bot.ReportInput {
	zone := now.Location()
	from := time.Date(2026, 2, 3, 0, 0, 0, 0, zone)
	started := time.Date(2026, 2, 17, 0, 0, 0, 0, zone)
	in := bot.ChartInput{From: from, To: now.Add(12 * time.Hour), Loc: zone,
		DoneShare: map[string]float64{"2026-02-21": 0.5}}
	for d := range 14 {
		day := started.AddDate(0, 0, d)
		in.CheckIns = append(in.CheckIns, bot.CheckIn{ID: int64(d + 1), Score: 6 - d/3, Area: "knee", At: day.Add(20 * time.Hour)})
		if d%2 == 0 {
			in.DoneDays = append(in.DoneDays, day.Format("2006-01-02"))
		}
	}
	in.CheckIns = append(in.CheckIns,
		bot.CheckIn{ID: 100, Score: 3, Area: "lower-back", Note: strings.Repeat("a long note about the stairs at work and the drive home ", 4) + "😖 end", At: now.Add(11*time.Hour + 55*time.Minute)})
	in.RedFlags = []bot.RedFlagEvent{{Rule: "numbness", Title: "numbness or tingling", Area: "knee", CheckInID: 3, At: in.CheckIns[2].At}}
	return bot.ReportInput{
		ChartInput: in, Name: "Sam Lee", Adherence: 50, DaysCounted: 14, DaysDone: 7,
		Program: "Knee starter",
		Exercises: []bot.ExerciseAdherence{
			{Name: "Quad sets", Done: 9, Expected: 28},
			{Name: "Heel slides", Done: 7, Expected: 14},
		},
		Areas: []bot.AreaSummary{
			{Area: "knee", Summary: bot.Summarize(in.CheckIns[:14])},
			{Area: "lower-back", Summary: bot.Summarize(in.CheckIns[14:])},
		},
		Summary:     bot.Summarize(in.CheckIns),
		GeneratedAt: in.To,
	}
}

// TestHonestChartGolden: the last evening's point sits inside the chart
// with a margin, the half-done day is half a bar, the warning is named,
// and the chart starts on the first day of the window.
func TestHonestChartGolden(t *testing.T) {
	f, err := report.New().HistoryChart(startedLate().ChartInput)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "history-started-late.png", f.Data)
}

// TestHonestReportGolden: the report counts adherence from the first day
// of use (7 of 14 days, not 7 of 28), per exercise against the plan and
// per area; the long note wraps whole and the emoji is dropped.
func TestHonestReportGolden(t *testing.T) {
	f, err := report.New().ClinicianReport(startedLate())
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, f.Data)
	mustContain(t, text,
		"Exercises done on 7 of 14 days (50%), from first use",
		"Quad sets: 9 of 28 sessions (32%)", "Heel slides: 7 of 14 sessions (50%)",
		"knee: 14 check-ins", "lower-back: 1 check-in",
		"numbness or tingling", "drive home end",
	)
	if strings.Contains(text, "?") || strings.Contains(text, "…") {
		t.Errorf("the note was cut or its emoji replaced:\n%s", text)
	}
	bottest.Golden(t, filepath.Join("testdata", "report-started-late.txt"), []byte(text), *update)
}

// TestPausedChartGolden: a three-day pause with a snooze inside it and a
// pause still running at the end are shaded over the whole height, tape
// showing through, with a legend entry, so that the gaps in check-ins
// read as breaks the member asked for.
func TestPausedChartGolden(t *testing.T) {
	in := startedLate().ChartInput
	zone := in.Loc
	in.TapeCycles = []bot.TapeCycle{{Area: "knee", Days: 3, AppliedAt: time.Date(2026, 2, 21, 8, 0, 0, 0, zone), RemovedAt: time.Date(2026, 2, 24, 8, 0, 0, 0, zone)}}
	in.Pauses = []bot.PausePeriod{
		{Kind: bot.PauseNudges, From: time.Date(2026, 2, 22, 10, 0, 0, 0, zone), Until: time.Date(2026, 2, 25, 0, 0, 0, 0, zone)},
		{Kind: bot.PauseSnooze, From: time.Date(2026, 2, 23, 9, 0, 0, 0, zone), Until: time.Date(2026, 2, 23, 13, 0, 0, 0, zone)},
		// Until resume: shaded to the end of the window, not past it.
		{Kind: bot.PauseNudges, From: time.Date(2026, 3, 1, 18, 0, 0, 0, zone), Until: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
	}
	f, err := report.New().HistoryChart(in)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "history-paused.png", f.Data)
}

// TestReportOneDayWording: counts of one read as one, through the shared
// plural helper.
func TestReportOneDayWording(t *testing.T) {
	zone := now.Location()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, zone)
	in := bot.ReportInput{ChartInput: bot.ChartInput{From: day, To: now, Loc: zone,
		CheckIns: []bot.CheckIn{{ID: 1, Score: 4, Area: "knee", At: now.Add(-time.Hour)}}},
		DaysCounted: 1, DaysDone: 1, Adherence: 100, CurrentStreak: 1, LongestStreak: 1, GeneratedAt: now,
		Areas: []bot.AreaSummary{{Area: "knee", Summary: bot.Summarize([]bot.CheckIn{{Score: 4, At: now.Add(-time.Hour)}})}}}
	f, err := report.New().ClinicianReport(in)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, f.Data)
	mustContain(t, text, "(1 day, times in", "done on 1 of 1 day (100%)", "Current streak: 1 day, longest: 1 day", "2026-03-02 to 2026-03-02")
	if strings.Contains(text, "1 days") || strings.Contains(text, "1 check-ins") {
		t.Errorf("plural for one:\n%s", text)
	}
}
