package bot

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is the one privacy policy for every figure staff see about a
// group of members: the team report, the weekly digest, the team readiness
// view and their charts, in wellness mode and, in team mode, for the
// members who keep their data private. Views only format what it returns,
// so none can publish a number another would withhold.
//
// A published figure must not single anyone out, even to a viewer who asks
// again and again and compares the answers:
//
//   - Figures cover completed weeks only (Monday to Sunday, UTC), and a
//     week is published once it has ended in every time zone, so no record
//     can join it afterwards and its figures never change. Asking before
//     and after someone's check-in gives the same answer, and windows of 7
//     and 8 days are made of the same fixed weeks, so neither can be
//     subtracted from the other.
//   - Each cell (a week, an area in a week, a range of scores in a week)
//     is shown only when at least the workspace's minimum group size of
//     distinct members contributed to that very cell.
//   - Counts are ranges (5-9, 10-19, 20-49, ...) and averages are rounded
//     to the nearest half point. An average is the mean of each member's
//     own mean, so one member's many check-ins do not outweigh the rest.
//   - A breakdown (by area, by range of scores) is shown whole or not at
//     all: with one cell withheld and the others shown, the withheld cell
//     could be worked out from the week's total.

// lastZoneLag is how long a UTC day still runs somewhere: UTC-12 is the
// westernmost zone. Readiness and exercise days are dated in the member's
// own zone, so a UTC week is complete only this long after it ends.
const lastZoneLag = 12 * time.Hour

// defaultMinGroup applies when a workspace has no usable minimum group
// size; it matches the stores' default.
const defaultMinGroup = 5

// ReportWeeks returns the weeks a team view of the last days covers, as
// their starts (Monday 00:00 UTC), oldest first: ceil(days/7) weeks, at
// least one, ending with the latest week that has ended in every zone.
// Workspaces have no zone of their own, and every staff member must see
// the same weeks (staff in two zones could otherwise difference their
// shifted windows), so weeks are cut in UTC.
func ReportWeeks(now time.Time, days int) []time.Time {
	n := max(1, (days+6)/7)
	last := weekStart(now.Add(-lastZoneLag)).AddDate(0, 0, -7)
	out := make([]time.Time, n)
	for i := range out {
		out[i] = last.AddDate(0, 0, -7*(n-1-i))
	}
	return out
}

// weekStart is the Monday 00:00 UTC of t's UTC week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// weekIndex is the index in weeks (consecutive, oldest first) of the week
// holding t, or -1.
func weekIndex(weeks []time.Time, t time.Time) int {
	if len(weeks) == 0 || t.Before(weeks[0]) {
		return -1
	}
	i := int(t.Sub(weeks[0]) / (7 * 24 * time.Hour))
	if i >= len(weeks) {
		return -1
	}
	return i
}

// dayIndex is weekIndex for a YYYY-MM-DD day.
func dayIndex(weeks []time.Time, day string) int {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return -1
	}
	return weekIndex(weeks, t)
}

// GroupPolicy publishes a group's figures under the rules above.
type GroupPolicy struct {
	// MinSize is the fewest distinct members behind any shown figure.
	MinSize int
}

// PolicyOf is the policy of a workspace.
func PolicyOf(ws Workspace) GroupPolicy {
	if ws.MinGroupSize < 3 {
		return GroupPolicy{MinSize: defaultMinGroup}
	}
	return GroupPolicy{MinSize: ws.MinGroupSize}
}

// Figure is one published cell. A withheld cell has Shown false and
// nothing else, so not even its exact size leaves the policy.
type Figure struct {
	Shown bool
	// People is how many members are behind the figure, as a range such
	// as "5-9"; Floor is the range's lower end, for a chart's bar.
	People string
	Floor  int
	// Average is the mean of each member's own mean, rounded to the
	// nearest half point (unused for plain counts).
	Average float64
}

// NamedFigure is one cell of a breakdown.
type NamedFigure struct {
	Name   string
	Figure Figure
}

// Count returns the range n people fall in ("5-9", "10-19", "20-49", ...
// starting at the minimum size) and its lower end; shown is false, and
// band "fewer than N", below the minimum size.
func (p GroupPolicy) Count(n int) (band string, floor int, shown bool) {
	if n < p.MinSize {
		return p.fewer(), 0, false
	}
	lo := p.MinSize
	for edge, step := 5, 0; ; step++ {
		if edge > lo {
			if n < edge {
				return fmt.Sprintf("%d-%d", lo, edge-1), lo, true
			}
			lo = edge
		}
		// 5, 10, 20, 50, 100, 200, 500, ...
		if step%3 == 2 {
			edge = edge * 5 / 2
		} else {
			edge *= 2
		}
	}
}

func (p GroupPolicy) fewer() string { return "fewer than " + strconv.Itoa(p.MinSize) }

// roundHalf rounds to the nearest half point.
func roundHalf(x float64) float64 { return math.Round(x*2) / 2 }

// cell gathers one cell's whole-number values, summed per member (by
// index in the group).
type cell map[int]*tally

type tally struct{ sum, n int }

func (c cell) add(member, v int) {
	t := c[member]
	if t == nil {
		t = &tally{}
		c[member] = t
	}
	t.sum += v
	t.n++
}

// figure publishes a cell: withheld under the minimum size, else its
// range of people and the rounded mean of member means. Members are summed
// in a fixed order so the rounding never depends on map order.
func (p GroupPolicy) figure(c cell) Figure {
	band, floor, shown := p.Count(len(c))
	if !shown {
		return Figure{}
	}
	var sum float64
	for _, m := range slices.Sorted(maps.Keys(c)) {
		sum += float64(c[m].sum) / float64(c[m].n)
	}
	return Figure{Shown: true, People: band, Floor: floor, Average: roundHalf(sum / float64(len(c)))}
}

// breakdown publishes every named cell, in order, or nothing at all when
// any of them is withheld.
func (p GroupPolicy) breakdown(names []string, cells map[string]cell) []NamedFigure {
	out := make([]NamedFigure, 0, len(names))
	for _, name := range names {
		f := p.figure(cells[name])
		if !f.Shown {
			return nil
		}
		out = append(out, NamedFigure{Name: name, Figure: f})
	}
	return out
}

// PainWeek is a group's published pain and exercise figures of one week.
type PainWeek struct {
	Start time.Time
	// Pain is the average pain (0-10) over the members who checked in.
	Pain Figure
	// Exercise is the average number of days (of 7) with exercises done,
	// over the members who logged any.
	Exercise Figure
	// Areas is the pain per body area, alphabetical with "unspecified"
	// last; nil unless every area is shown.
	Areas []NamedFigure
	// Ranges counts members by their latest score of the week (0-3, 4-6,
	// 7-10); nil unless every range is shown.
	Ranges []NamedFigure
}

// painRanges are the ranges of scores a week's latest scores fall in.
var painRanges = []struct {
	name   string
	lo, hi int
}{{"0-3", 0, 3}, {"4-6", 4, 6}, {"7-10", 7, 10}}

// PainWeeks publishes the group's pain and exercise figures per week
// (weeks as from ReportWeeks). Check-ins count in the UTC week of their
// time; exercise days in the week of the member's own day.
func (p GroupPolicy) PainWeeks(group []MemberData, weeks []time.Time) []PainWeek {
	type latest struct {
		at    time.Time
		score int
	}
	pain := make([]cell, len(weeks))
	exerciseDays := make([]map[int]int, len(weeks))
	areas := make([]map[string]cell, len(weeks))
	last := make([]map[int]latest, len(weeks))
	for w := range weeks {
		pain[w], exerciseDays[w], areas[w], last[w] = cell{}, map[int]int{}, map[string]cell{}, map[int]latest{}
	}
	for m, d := range group {
		for _, ci := range d.CheckIns {
			w := weekIndex(weeks, ci.At)
			if w < 0 {
				continue
			}
			pain[w].add(m, ci.Score)
			area := ci.Area
			if area == "" {
				area = "unspecified"
			}
			if areas[w][area] == nil {
				areas[w][area] = cell{}
			}
			areas[w][area].add(m, ci.Score)
			if l, ok := last[w][m]; !ok || !ci.At.Before(l.at) {
				last[w][m] = latest{ci.At, ci.Score}
			}
		}
		days := map[string]bool{}
		for _, cp := range d.Completions {
			if w := dayIndex(weeks, cp.Day); w >= 0 && !days[cp.Day] {
				days[cp.Day] = true
				exerciseDays[w][m]++
			}
		}
	}
	out := make([]PainWeek, len(weeks))
	for w, start := range weeks {
		exercise := cell{}
		for m, n := range exerciseDays[w] {
			exercise.add(m, n)
		}
		out[w] = PainWeek{Start: start, Pain: p.figure(pain[w]), Exercise: p.figure(exercise)}
		if !out[w].Pain.Shown {
			continue
		}
		names := slices.Sorted(maps.Keys(areas[w]))
		if i := slices.Index(names, "unspecified"); i >= 0 {
			names = append(slices.Delete(names, i, i+1), "unspecified")
		}
		out[w].Areas = p.breakdown(names, areas[w])
		ranges := map[string]cell{}
		var rangeNames []string
		for _, r := range painRanges {
			ranges[r.name] = cell{}
			rangeNames = append(rangeNames, r.name)
		}
		for m, l := range last[w] {
			for _, r := range painRanges {
				if l.score >= r.lo && l.score <= r.hi {
					ranges[r.name].add(m, l.score)
				}
			}
		}
		out[w].Ranges = p.breakdown(rangeNames, ranges)
	}
	return out
}

// ReadinessWeek is a group's published readiness of one week.
type ReadinessWeek struct {
	Start time.Time
	// Total is the average readiness total (5-25) over the members who
	// answered.
	Total Figure
	// Items are the average of each item (fatigue, sleep, soreness,
	// stress, mood; 1-5), rounded; set only when Total is shown, which
	// covers them since every answer has all five.
	Items [5]float64
}

// ReadinessWeeks publishes the group's readiness per week (weeks as from
// ReportWeeks), each answer in the week of the member's own day.
func (p GroupPolicy) ReadinessWeeks(group []MemberData, weeks []time.Time) []ReadinessWeek {
	totals := make([]cell, len(weeks))
	items := make([][5]cell, len(weeks))
	for w := range weeks {
		totals[w] = cell{}
		for i := range items[w] {
			items[w][i] = cell{}
		}
	}
	for m, d := range group {
		for _, r := range d.Readiness {
			w := dayIndex(weeks, r.Day)
			if w < 0 {
				continue
			}
			totals[w].add(m, r.Total())
			for i, v := range r.Items {
				items[w][i].add(m, v)
			}
		}
	}
	out := make([]ReadinessWeek, len(weeks))
	for w, start := range weeks {
		out[w] = ReadinessWeek{Start: start, Total: p.figure(totals[w])}
		if out[w].Total.Shown {
			for i := range items[w] {
				out[w].Items[i] = p.figure(items[w][i]).Average
			}
		}
	}
	return out
}

// Note explains the rules in one line above the figures.
func (p GroupPolicy) Note() string {
	return fmt.Sprintf("_Completed weeks only (Monday to Sunday, UTC), each shown from 12:00 UTC the next Monday, once it has ended in every time zone. A figure appears only when at least %d people are behind it; counts are ranges and averages are rounded to the nearest half point._", p.MinSize)
}

// people says how many are behind a figure: "5-9 people checked in".
func (p GroupPolicy) people(f Figure, did string) string {
	if !f.Shown {
		return p.fewer() + " people " + did
	}
	return f.People + " people " + did
}

func weekLabel(start time.Time) string { return "**Week of " + start.Format("Jan 2") + "**" }

// PainText renders pain weeks newest first, with the breakdowns of the
// newest week.
func (p GroupPolicy) PainText(weeks []PainWeek) string {
	var b strings.Builder
	b.WriteString(p.Note())
	for i, w := range slices.Backward(weeks) {
		b.WriteString("\n- " + weekLabel(w.Start) + ": ")
		if w.Pain.Shown {
			fmt.Fprintf(&b, "average pain %.1f/10 (%s)", w.Pain.Average, p.people(w.Pain, "checked in"))
		} else {
			b.WriteString(p.people(w.Pain, "checked in"))
		}
		if w.Exercise.Shown {
			fmt.Fprintf(&b, "; exercises on %.1f of 7 days on average (%s)", w.Exercise.Average, p.people(w.Exercise, "logged them"))
		} else {
			b.WriteString("; " + p.people(w.Exercise, "logged exercises"))
		}
		if i != len(weeks)-1 || !w.Pain.Shown {
			continue
		}
		b.WriteString("\n  - By area: ")
		if w.Areas == nil {
			fmt.Fprintf(&b, "not shown, as at least one area has %s people.", p.fewer())
		} else {
			parts := make([]string, len(w.Areas))
			for j, a := range w.Areas {
				parts[j] = fmt.Sprintf("%s %.1f (%s people)", areaWords(a.Name), a.Figure.Average, a.Figure.People)
			}
			b.WriteString(strings.Join(parts, "; "))
		}
		b.WriteString("\n  - Latest score: ")
		if w.Ranges == nil {
			fmt.Fprintf(&b, "not shown, as at least one range has %s people.", p.fewer())
		} else {
			parts := make([]string, len(w.Ranges))
			for j, r := range w.Ranges {
				parts[j] = fmt.Sprintf("%s: %s people", r.Name, r.Figure.People)
			}
			b.WriteString(strings.Join(parts, "; "))
		}
	}
	return b.String()
}

// ReadinessText renders readiness weeks newest first.
func (p GroupPolicy) ReadinessText(weeks []ReadinessWeek) string {
	var b strings.Builder
	b.WriteString(p.Note())
	for _, w := range slices.Backward(weeks) {
		b.WriteString("\n- " + weekLabel(w.Start) + ": ")
		if !w.Total.Shown {
			b.WriteString(p.people(w.Total, "answered"))
			continue
		}
		fmt.Fprintf(&b, "average readiness %.1f/25 (%s)", w.Total.Average, p.people(w.Total, "answered"))
		for i, item := range ReadinessItems() {
			sep := ", "
			if i == 0 {
				sep = "; "
			}
			fmt.Fprintf(&b, "%s%s %.1f", sep, item.Name, w.Items[i])
		}
	}
	return b.String()
}

// weeksPhrase names the weeks a view covers, for titles.
func weeksPhrase(n int) string {
	if n == 1 {
		return "the latest completed week"
	}
	return fmt.Sprintf("the last %d completed weeks", n)
}

// chartWeek is what a chart may draw of a week's figure: the range's lower
// end as the bar, labelled with the range, and the rounded average; a
// withheld week gets no bar and no point, only "<N".
func (p GroupPolicy) chartWeek(start time.Time, f Figure) TeamWeek {
	if !f.Shown {
		return TeamWeek{Start: start, ParticipantsLabel: "<" + strconv.Itoa(p.MinSize)}
	}
	return TeamWeek{Start: start, Participants: f.Floor, AverageScore: f.Average, ParticipantsLabel: f.People}
}

// PainChart is the chart input of pain weeks; ok is false when no week is
// shown, so there is nothing worth drawing.
func (p GroupPolicy) PainChart(title string, weeks []PainWeek) (in TeamChartInput, ok bool) {
	in = TeamChartInput{Title: title}
	for _, w := range weeks {
		in.Weeks = append(in.Weeks, p.chartWeek(w.Start, w.Pain))
		ok = ok || w.Pain.Shown
	}
	return in, ok
}

// ReadinessChart is the chart input of readiness weeks; ok as PainChart.
func (p GroupPolicy) ReadinessChart(title string, weeks []ReadinessWeek) (in TeamChartInput, ok bool) {
	in = TeamChartInput{Title: title, ScoreLabel: "Average readiness", ScoreMin: 5, ScoreMax: 25}
	for _, w := range weeks {
		in.Weeks = append(in.Weeks, p.chartWeek(w.Start, w.Total))
		ok = ok || w.Total.Shown
	}
	return in, ok
}
