package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// chartInput gathers a member's data for the last days local days, and
// returns all of it too. Each day's share of exercises done is measured
// against the member's program, when they have one.
func (c *Coach) chartInput(ctx context.Context, call *Call, days int) (ChartInput, MemberData, error) {
	loc := call.Loc()
	from := startOfDay(call.Now.In(loc)).AddDate(0, 0, -(days - 1))
	data, err := c.store.MemberData(ctx, call.Member.Key)
	if err != nil {
		return ChartInput{}, MemberData{}, fmt.Errorf("member data: %w", err)
	}
	prog, hasProgram, err := c.programFor(ctx, call.Member)
	if err != nil {
		return ChartInput{}, MemberData{}, err
	}
	in := ChartInput{From: from, To: call.Now, Loc: loc}
	for _, ci := range data.CheckIns {
		if !ci.At.Before(from) {
			in.CheckIns = append(in.CheckIns, ci)
		}
	}
	firstDay := LocalDay(from, loc)
	for _, cp := range data.Completions {
		if cp.Day >= firstDay && !slices.Contains(in.DoneDays, cp.Day) {
			in.DoneDays = append(in.DoneDays, cp.Day)
		}
	}
	if hasProgram {
		in.DoneShare = map[string]float64{}
		for _, d := range in.DoneDays {
			in.DoneShare[d] = dayShare(prog, data.Completions, d)
		}
	}
	for _, tc := range data.TapeCycles {
		if tc.AppliedAt.Before(call.Now) && (tc.Worn() || tc.RemovedAt.After(from)) {
			in.TapeCycles = append(in.TapeCycles, tc)
		}
	}
	for _, rf := range data.RedFlags {
		if !rf.At.Before(from) {
			rf.Title = c.flagTitle(rf.Rule)
			in.RedFlags = append(in.RedFlags, rf)
		}
	}
	in.Pauses = pausesIn(data.Pauses, from, call.Now)
	return in, data, nil
}

// sessionsDone counts an exercise's sessions on a day, at most the
// prescribed number; "today's exercises" logged as a whole counts as every
// session of every exercise.
func sessionsDone(e Exercise, completions []Completion, day string) int {
	per := max(1, e.PerDay)
	n := 0
	for _, cp := range completions {
		switch {
		case cp.Day != day:
		case cp.Exercise == "":
			return per
		case cp.Exercise == e.ID:
			n++
		}
	}
	return min(n, per)
}

// dayShare is the share of a day's prescribed sessions done.
func dayShare(prog Program, completions []Completion, day string) float64 {
	done, want := 0, 0
	for _, e := range prog.Exercises {
		done += sessionsDone(e, completions, day)
		want += max(1, e.PerDay)
	}
	if want == 0 {
		return 1
	}
	return float64(done) / float64(want)
}

// firstUse is when the member began: their first record of any kind, or
// when they first spoke to the coach, whichever is earlier.
func firstUse(d MemberData) time.Time {
	first := d.Member.CreatedAt
	earlier := func(t time.Time) {
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	for _, ci := range d.CheckIns {
		earlier(ci.At)
	}
	for _, cp := range d.Completions {
		earlier(cp.At)
	}
	for _, tc := range d.TapeCycles {
		earlier(tc.AppliedAt)
	}
	return first
}

func (c *Coach) report(ctx context.Context, call *Call) (Reply, error) {
	if c.renderer == nil {
		return Reply{Text: "Reports are not available on this server. `/coach export` gives you your data as CSV."}, nil
	}
	days := call.Values.Int("days")
	in, data, err := c.chartInput(ctx, call, days)
	if err != nil {
		return Reply{}, err
	}
	done := map[string]bool{}
	for _, d := range in.DoneDays {
		done[d] = true
	}
	// Adherence counts the days from the first day of use: a member two
	// weeks in, asked about 28 days, did not miss the fortnight before
	// they started.
	loc := in.Loc
	start := in.From
	if fu := firstUse(data); !fu.IsZero() && fu.After(start) {
		start = startOfDay(fu.In(loc))
	}
	counted := 0
	for d := start; !d.After(call.Now); d = d.AddDate(0, 0, 1) {
		counted++
	}
	counted = max(1, counted)
	startDay := LocalDay(start, loc)
	daysDone := 0
	for _, d := range in.DoneDays {
		if d >= startDay {
			daysDone++
		}
	}
	name := strings.TrimSpace(call.Values.String("name"))
	if name == "" {
		// The platform's display name, when it sent one; the member can
		// give another with `/coach report DAYS NAME`.
		name = strings.TrimSpace(call.Request.UserName)
	}
	report := ReportInput{
		ChartInput:    in,
		Name:          name,
		Adherence:     min(100, daysDone*100/counted),
		DaysCounted:   counted,
		DaysDone:      daysDone,
		CurrentStreak: Streak(done, call.Now, in.Loc),
		LongestStreak: longestStreak(in.DoneDays),
		Summary:       Summarize(in.CheckIns),
		GeneratedAt:   call.Now,
	}
	for _, a := range ByArea(in.CheckIns) {
		report.Areas = append(report.Areas, AreaSummary{Area: a.Area, Summary: Summarize(a.CheckIns)})
	}
	prog, hasProgram, err := c.programFor(ctx, call.Member)
	if err != nil {
		return Reply{}, err
	}
	if hasProgram {
		report.Program = prog.Title
		for _, e := range prog.Exercises {
			ea := ExerciseAdherence{Name: e.Name, Expected: counted * max(1, e.PerDay)}
			for d := start; !d.After(call.Now); d = d.AddDate(0, 0, 1) {
				ea.Done += sessionsDone(e, data.Completions, LocalDay(d, loc))
			}
			report.Exercises = append(report.Exercises, ea)
		}
	}
	if report.Training, err = c.trainingSummary(ctx, call); err != nil {
		return Reply{}, err
	}
	file, err := c.renderer.ClinicianReport(report)
	if err != nil {
		return Reply{}, fmt.Errorf("clinician report: %w", err)
	}
	since := ""
	if start.After(in.From) {
		since = " since you started"
	}
	return Reply{
		Text: fmt.Sprintf("Here is your one-page report for the %s: %s, exercises on %s of %s%s (%d%%). It is self-reported and not a diagnosis; bring it to your next visit.",
			lastDays(days), Plural(len(in.CheckIns), "check-in"), strconv.Itoa(daysDone), Plural(counted, "day"), since, report.Adherence),
		Files: []File{file},
	}, nil
}

// longestStreak returns the longest run of consecutive days in a list of
// YYYY-MM-DD days.
func longestStreak(days []string) int {
	sorted := slices.Clone(days)
	slices.Sort(sorted)
	best, run := 0, 0
	var prev time.Time
	for _, d := range sorted {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			continue
		}
		if !prev.IsZero() && t.Sub(prev) == 24*time.Hour {
			run++
		} else {
			run = 1
		}
		best = max(best, run)
		prev = t
	}
	return best
}
