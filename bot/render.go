package bot

import "time"

// Renderer draws charts and documents; package bot/report implements it
// with a plotting and a PDF library, which the core must not import.
type Renderer interface {
	// HistoryChart draws a member's check-ins as a PNG.
	HistoryChart(in ChartInput) (File, error)
	// ClinicianReport lays out a one-page PDF for a member's clinician.
	ClinicianReport(in ReportInput) (File, error)
	// TeamChart draws weekly participation and average score as a PNG. It
	// receives totals only, never an individual's series.
	TeamChart(in TeamChartInput) (File, error)
}

// ChartInput is what a member's chart shows.
type ChartInput struct {
	// From and To bound the window; Loc is the member's zone for day labels.
	From, To time.Time
	Loc      *time.Location
	CheckIns []CheckIn
	// DoneDays are local days (YYYY-MM-DD) with exercises done.
	DoneDays []string
	// DoneShare is, per local day, the share of the prescribed sessions
	// done, 0 to 1, so that one exercise of five shows as a fifth of a day;
	// a day of DoneDays missing here counts as fully done.
	DoneShare  map[string]float64
	TapeCycles []TapeCycle
	RedFlags   []RedFlagEvent
	// Pauses are the pause and snooze periods that overlap the window,
	// shaded so that a gap in check-ins reads as a break the member asked
	// for.
	Pauses []PausePeriod
}

// ReportInput is what the clinician report holds.
type ReportInput struct {
	ChartInput
	// Name is how the member wants to be named; it may be empty.
	Name string
	// Adherence is the share of the counted days with exercises done: the
	// days of the window from the member's first day of use on, so days
	// before they started are not counted as missed.
	Adherence int
	// DaysCounted and DaysDone are that share's denominator and numerator.
	DaysCounted, DaysDone int
	// Program is the title of the member's program, empty without one;
	// Exercises is its completion per exercise against the prescription.
	Program   string
	Exercises []ExerciseAdherence
	// Areas summarizes the check-ins per body area, so that knee and back
	// are never averaged together.
	Areas         []AreaSummary
	CurrentStreak int
	LongestStreak int
	Summary       Summary
	// Training holds up to two short lines on session load and readiness,
	// for members who log them.
	Training []string
	// GeneratedAt stamps the document.
	GeneratedAt time.Time
}

// TeamWeek is one week of a team's totals.
type TeamWeek struct {
	Start time.Time
	// Participants is how many members checked in that week.
	Participants int
	// AverageScore is the mean of the week's check-ins.
	AverageScore float64
	// ParticipantsLabel, when set, labels the week's bar instead of the
	// count: a range such as "5-9" (Participants is then its lower end),
	// or "<5" for a week withheld under the privacy policy.
	ParticipantsLabel string
}

// TeamChartInput is what a staff chart shows: totals per week only.
type TeamChartInput struct {
	Title string
	Weeks []TeamWeek
	// ScoreLabel names the weekly average (default "Average pain"), on a
	// scale from ScoreMin to ScoreMax (default 0 to 10).
	ScoreLabel         string
	ScoreMin, ScoreMax float64
}

// ExerciseAdherence is one exercise's sessions done against those
// prescribed (sets per session are the patient's business; sessions per
// day are the prescription) over the counted days.
type ExerciseAdherence struct {
	Name     string
	Done     int
	Expected int
}

// AreaSummary is the summary of one body area's check-ins.
type AreaSummary struct {
	Area string
	Summary
}
