package bot

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// ChannelWeek is a group's published figures of one week for a channel's
// anonymous summary.
type ChannelWeek struct {
	Start time.Time
	// Breaks is the average number of movement breaks per person over the
	// members who did any.
	Breaks Figure
	// Readiness is the group's readiness; its Total average is on the
	// 5-25 scale.
	Readiness ReadinessWeek
}

// ChannelWeeks publishes the movement breaks and readiness of the group
// per week (weeks as from ReportWeeks) under the same rules as every other
// group figure: completed weeks, the minimum group size per cell, ranges
// of people and averages rounded to the half point.
func (p GroupPolicy) ChannelWeeks(group []MemberData, breaks []MovementBreak, weeks []time.Time) []ChannelWeek {
	perMember := make([]map[string]int, len(weeks))
	for w := range weeks {
		perMember[w] = map[string]int{}
	}
	for _, b := range breaks {
		if w := dayIndex(weeks, b.Day); w >= 0 {
			perMember[w][b.Member.User]++
		}
	}
	ready := p.ReadinessWeeks(group, weeks)
	out := make([]ChannelWeek, len(weeks))
	for w, start := range weeks {
		c := cell{}
		for i, user := range slices.Sorted(maps.Keys(perMember[w])) {
			c.add(i, perMember[w][user])
		}
		out[w] = ChannelWeek{Start: start, Breaks: p.figure(c), Readiness: ready[w]}
	}
	return out
}

// readinessScale is the group's average readiness on the 1-5 scale of one
// item, to the half point.
func readinessScale(f Figure) float64 { return roundHalf(f.Average / 5) }

// ChannelSummaryText renders the newest week of weeks against the one
// before it. Withheld cells say so; nothing names or counts one person.
func (p GroupPolicy) ChannelSummaryText(weeks []ChannelWeek) string {
	if len(weeks) == 0 {
		return ""
	}
	last := weeks[len(weeks)-1]
	var prev *ChannelWeek
	if len(weeks) > 1 {
		prev = &weeks[len(weeks)-2]
	}
	lines := []string{weekLabel(last.Start)}
	if last.Breaks.Shown {
		line := fmt.Sprintf("- Movement breaks: %s people did some, **%s each** on average", last.Breaks.People, halfWords(last.Breaks.Average))
		if prev != nil && prev.Breaks.Shown {
			line += " (" + change(last.Breaks.Average, prev.Breaks.Average, halfWords) + ")"
		}
		lines = append(lines, line+".")
	} else {
		lines = append(lines, "- Movement breaks: "+p.fewer()+" people did some, so no figure this week.")
	}
	if last.Readiness.Total.Shown {
		now := readinessScale(last.Readiness.Total)
		line := fmt.Sprintf("- Readiness: %s people answered, average **%s out of 5**", last.Readiness.Total.People, halfWords(now))
		if prev != nil && prev.Readiness.Total.Shown {
			line += " (" + change(now, readinessScale(prev.Readiness.Total), halfWords) + ")"
		}
		lines = append(lines, line+".")
	} else {
		lines = append(lines, "- Readiness: "+p.fewer()+" people answered, so no figure this week.")
	}
	return strings.Join(lines, "\n")
}

// change says how a figure moved from the week before.
func change(now, before float64, format func(float64) string) string {
	switch {
	case now > before:
		return "up from " + format(before)
	case now < before:
		return "down from " + format(before)
	}
	return "the same as the week before"
}

// halfWords writes a half-point figure without a needless ".0".
func halfWords(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

// ChallengeText is a challenge's group progress at now: how many people
// take part (as a range) and how far the group is toward its goal of
// ch.Goal breaks each, in steps of five percent. Under the minimum group
// size it shows no figure at all.
func (p GroupPolicy) ChallengeText(ch Challenge, breaks []MovementBreak, now time.Time) string {
	end := ch.End()
	until := min(now.UnixNano(), end.UnixNano())
	perMember := map[string]int{}
	for _, b := range breaks {
		if !b.At.Before(ch.Start) && b.At.UnixNano() < until {
			perMember[b.Member.User]++
		}
	}
	total := 0
	for _, n := range perMember {
		total += min(n, ch.Goal)
	}
	ended := !now.Before(end)
	day := min(int(now.Sub(ch.Start)/(24*time.Hour))+1, ch.Days)
	head := fmt.Sprintf("Day %d of %d.", day, ch.Days)
	if ended {
		head = "The challenge ended on " + end.Format("Monday 2 January") + "."
	}
	band, _, shown := p.Count(len(perMember))
	if !shown {
		return fmt.Sprintf("%s Group progress shows here once at least %d people take part: tap Done on a movement break, or type `/coach break`.", head, p.MinSize)
	}
	pct := int(math.Floor(float64(total)*100/float64(ch.Goal*len(perMember))/5)) * 5
	verb := "are taking part; together the group is"
	if ended {
		verb = "took part; together the group got"
	}
	return fmt.Sprintf("%s %s people %s about **%d%%** of the way to %d movement breaks each.", head, band, verb, pct, ch.Goal)
}
