package bot

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// chartInput gathers a member's data for the last days local days.
func (c *Coach) chartInput(ctx context.Context, call *Call, days int) (ChartInput, error) {
	loc := call.Loc()
	from := startOfDay(call.Now.In(loc)).AddDate(0, 0, -(days - 1))
	data, err := c.store.MemberData(ctx, call.Member.Key)
	if err != nil {
		return ChartInput{}, fmt.Errorf("member data: %w", err)
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
	return in, nil
}

func (c *Coach) report(ctx context.Context, call *Call) (Reply, error) {
	if c.renderer == nil {
		return Reply{Text: "Reports are not available on this server. `/coach export` gives you your data as CSV."}, nil
	}
	days := call.Values.Int("days")
	in, err := c.chartInput(ctx, call, days)
	if err != nil {
		return Reply{}, err
	}
	done := map[string]bool{}
	for _, d := range in.DoneDays {
		done[d] = true
	}
	report := ReportInput{
		ChartInput:    in,
		Name:          call.Values.String("name"),
		Adherence:     min(100, len(in.DoneDays)*100/days),
		CurrentStreak: Streak(done, call.Now, in.Loc),
		LongestStreak: longestStreak(in.DoneDays),
		Summary:       Summarize(in.CheckIns),
		GeneratedAt:   call.Now,
	}
	if report.Training, err = c.trainingSummary(ctx, call); err != nil {
		return Reply{}, err
	}
	file, err := c.renderer.ClinicianReport(report)
	if err != nil {
		return Reply{}, fmt.Errorf("clinician report: %w", err)
	}
	return Reply{
		Text:  fmt.Sprintf("Here is your one-page report for the last %d days: %d check-ins, exercises on %d%% of days. It is self-reported and not a diagnosis; bring it to your next visit.", days, len(in.CheckIns), report.Adherence),
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
