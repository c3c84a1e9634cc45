package bot

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Summary describes a series of check-ins.
type Summary struct {
	Count   int
	Last    int
	Min     int
	Max     int
	Average float64
	Trend   Trend
}

// Summarize computes the summary of check-ins ordered oldest first.
func Summarize(checkIns []CheckIn) Summary {
	if len(checkIns) == 0 {
		return Summary{}
	}
	s := Summary{Count: len(checkIns), Last: checkIns[len(checkIns)-1].Score, Min: 10, Max: 0}
	total := 0
	for _, ci := range checkIns {
		total += ci.Score
		s.Min = min(s.Min, ci.Score)
		s.Max = max(s.Max, ci.Score)
	}
	s.Average = float64(total) / float64(len(checkIns))
	s.Trend = TrendOf(checkIns)
	return s
}

// TrendDirection says where pain is heading.
type TrendDirection string

// Trend directions. Lower pain is better, so a falling score is improving.
const (
	TrendUnknown   TrendDirection = "unknown"
	TrendImproving TrendDirection = "improving"
	TrendStable    TrendDirection = "stable"
	TrendWorsening TrendDirection = "worsening"
)

// Trend is the least-squares slope of scores over time.
type Trend struct {
	Direction TrendDirection
	// PerWeek is the fitted change in score per week.
	PerWeek float64
	// Change is the fitted change over the span of the check-ins.
	Change float64
}

// Sentence explains the trend in plain words.
func (t Trend) Sentence() string {
	switch t.Direction {
	case TrendImproving:
		return fmt.Sprintf("Trend: **improving**, about %.1f points lower over this period.", -t.Change)
	case TrendWorsening:
		return fmt.Sprintf("Trend: **worsening**, about %.1f points higher over this period. If it keeps rising, talk to your therapist.", t.Change)
	case TrendStable:
		return "Trend: **stable**."
	}
	return "Trend: not enough check-ins yet (3 or more on different days)."
}

// TrendOf fits a line through the scores; a change of a point or more over
// the period counts as a direction.
func TrendOf(checkIns []CheckIn) Trend {
	if len(checkIns) < 3 {
		return Trend{Direction: TrendUnknown}
	}
	t0 := checkIns[0].At
	var sx, sy, sxx, sxy float64
	n := float64(len(checkIns))
	for _, ci := range checkIns {
		x := ci.At.Sub(t0).Hours() / 24
		y := float64(ci.Score)
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	den := n*sxx - sx*sx
	span := checkIns[len(checkIns)-1].At.Sub(t0).Hours() / 24
	if den == 0 || span < 1 {
		return Trend{Direction: TrendUnknown}
	}
	slope := (n*sxy - sx*sy) / den
	t := Trend{PerWeek: slope * 7, Change: slope * span}
	switch {
	case t.Change <= -1:
		t.Direction = TrendImproving
	case t.Change >= 1:
		t.Direction = TrendWorsening
	default:
		t.Direction = TrendStable
	}
	return t
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws the last max scores as block characters, 0 lowest.
func Sparkline(checkIns []CheckIn, max int) string {
	if len(checkIns) > max {
		checkIns = checkIns[len(checkIns)-max:]
	}
	out := make([]rune, len(checkIns))
	for i, ci := range checkIns {
		out[i] = sparks[(ci.Score*(len(sparks)-1)+5)/10]
	}
	return string(out)
}

// CheckInStreak counts consecutive local days with a check-in, ending today
// (or yesterday, when today has none yet).
func CheckInStreak(checkIns []CheckIn, now time.Time, loc *time.Location) int {
	days := map[string]bool{}
	for _, ci := range checkIns {
		days[LocalDay(ci.At, loc)] = true
	}
	return Streak(days, now, loc)
}

// Streak counts consecutive days present in days (YYYY-MM-DD), ending today
// or, when today is absent, yesterday.
func Streak(days map[string]bool, now time.Time, loc *time.Location) int {
	day := startOfDay(now.In(loc))
	if !days[day.Format("2006-01-02")] {
		day = day.AddDate(0, 0, -1)
	}
	n := 0
	for days[day.Format("2006-01-02")] {
		n++
		day = day.AddDate(0, 0, -1)
	}
	return n
}

// AreaSeries is one body area's check-ins, oldest first.
type AreaSeries struct {
	// Area is the area's name, or "unspecified" for check-ins without one.
	Area     string
	CheckIns []CheckIn
}

// ByArea groups check-ins per body area: areas in alphabetical order with
// "unspecified" last, each area's check-ins oldest first.
func ByArea(checkIns []CheckIn) []AreaSeries {
	index := map[string]int{}
	var out []AreaSeries
	for _, ci := range checkIns {
		name := ci.Area
		if name == "" {
			name = "unspecified"
		}
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, AreaSeries{Area: name})
		}
		out[i].CheckIns = append(out[i].CheckIns, ci)
	}
	slices.SortFunc(out, func(a, b AreaSeries) int {
		if (a.Area == "unspecified") != (b.Area == "unspecified") {
			if a.Area == "unspecified" {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Area, b.Area)
	})
	for _, a := range out {
		slices.SortStableFunc(a.CheckIns, func(x, y CheckIn) int { return x.At.Compare(y.At) })
	}
	return out
}
