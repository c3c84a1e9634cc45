package bot

import (
	"strconv"
	"strings"
	"time"
)

// maxDuration bounds every duration people may type; handlers apply
// their own, tighter limits with a sentence that says why.
const maxDuration = 400 * 24 * time.Hour

// durationUnits maps the words for units to their length.
var durationUnits = map[string]time.Duration{
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "wk": 7 * 24 * time.Hour, "wks": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// ParseDuration reads a duration the way people type it: 30m, 2h, 1h30m,
// 3d, 1w, "3 days", "90 minutes", "1.5 hours", "an hour", "half an hour",
// "a week", with an optional leading "for" or "in".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	bad := Errorf(EINVALID, "%q is not a duration I understand; try 30m, 2h, 3 days or 2 weeks.", clip(s, 30))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "for "), "in ")
	if s == "" {
		return 0, bad
	}
	var d time.Duration
	switch {
	case s == "half an hour" || s == "half hour":
		d = 30 * time.Minute
	case s == "an hour and a half":
		d = 90 * time.Minute
	default:
		fields := strings.Fields(s)
		switch len(fields) {
		case 1:
			var ok bool
			if d, ok = compactDuration(fields[0]); !ok {
				return 0, bad
			}
		case 2:
			unit, ok := durationUnits[fields[1]]
			if !ok {
				return 0, bad
			}
			n, ok := amount(fields[0])
			if !ok {
				return 0, bad
			}
			d = time.Duration(n * float64(unit))
		default:
			return 0, bad
		}
	}
	if d < time.Minute || d > maxDuration {
		return 0, bad
	}
	return d.Round(time.Minute), nil
}

// compactDuration reads 3d, 2w, 90m, 1h30m and 2days.
func compactDuration(s string) (time.Duration, bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i > 0 && i < len(s) && i <= 6 {
		if unit, ok := durationUnits[s[i:]]; ok {
			n, ok := amount(s[:i])
			return time.Duration(n * float64(unit)), ok
		}
	}
	if len(s) > 20 {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

// amount reads a positive number of units: "3", "1.5", "a", "an", "one"
// to "twelve".
func amount(s string) (float64, bool) {
	if n, ok := numberWords[s]; ok {
		return float64(n), true
	}
	if len(s) > 6 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || s[0] == '+' || strings.ContainsAny(s, "eEnN_xX") {
		return 0, false
	}
	return f, true
}

var numberWords = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2, "few": 3}

// FormatDuration renders d the way people say it, as DurationWords does.
func FormatDuration(d time.Duration) string { return DurationWords(d) }

// When is a moment as people say it: a date ("2026-12-10", "10 Dec",
// "December 10"), a weekday ("friday"), "today", "tomorrow", "next week",
// each with an optional time ("tomorrow 9am"), or an offset from now ("in
// 2 weeks"). It is resolved against the clock and the member's zone only
// when used, so the parser needs neither.
type When struct {
	kind  whenKind
	date  time.Time // whenDate: the civil date (year 0: the next one)
	wday  time.Weekday
	days  int           // whenDays: days from today
	after time.Duration // whenOffset
	// clock is the time of day, when given.
	clock    TimeOfDay
	hasClock bool
}

type whenKind int

const (
	whenNone whenKind = iota
	whenDate
	whenWeekday
	whenDays
	whenOffset
)

// Equal reports whether w and o name the same moment in the same words.
func (w When) Equal(o When) bool {
	return w.kind == o.kind && w.date.Equal(o.date) && w.wday == o.wday && w.days == o.days &&
		w.after == o.after && w.clock == o.clock && w.hasClock == o.hasClock
}

// IsZero reports whether w holds no moment.
func (w When) IsZero() bool { return w.kind == whenNone }

// HasClock reports whether a time of day was given ("tomorrow 9am").
func (w When) HasClock() bool { return w.hasClock || w.kind == whenOffset }

// Resolve returns the moment w names, seen from now in loc: the start of
// the day (or the time given on it). A weekday is the next such day after
// today; a day and month without a year is the next one from today.
func (w When) Resolve(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	var day time.Time
	switch w.kind {
	case whenOffset:
		return now.Add(w.after)
	case whenDate:
		if w.date.Year() == 0 {
			day = time.Date(local.Year(), w.date.Month(), w.date.Day(), 0, 0, 0, 0, loc)
			if day.Before(today) {
				day = day.AddDate(1, 0, 0)
			}
		} else {
			day = time.Date(w.date.Year(), w.date.Month(), w.date.Day(), 0, 0, 0, 0, loc)
		}
	case whenWeekday:
		ahead := (int(w.wday) - int(today.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		day = today.AddDate(0, 0, ahead)
	case whenDays:
		day = today.AddDate(0, 0, w.days)
	default:
		return time.Time{}
	}
	if w.hasClock {
		day = time.Date(day.Year(), day.Month(), day.Day(), w.clock.Hour(), w.clock.Minute(), 0, 0, loc)
	}
	return day
}

var monthNames = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		monthNames[name] = m
		monthNames[name[:3]] = m
	}
	monthNames["sept"] = time.September
}

// ParseWhen reads a date or moment (see When).
func ParseWhen(s string) (When, error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	bad := Errorf(EINVALID, "%q is not a date I understand; try 2026-12-10, 10 Dec, friday, tomorrow 9am or in 2 weeks.", clip(s, 30))
	if s == "" || len(s) > 40 {
		return When{}, bad
	}
	if rest, ok := strings.CutPrefix(s, "in "); ok {
		d, err := ParseDuration(rest)
		if err != nil {
			return When{}, bad
		}
		return When{kind: whenOffset, after: d}, nil
	}
	fields := strings.Fields(strings.ReplaceAll(s, ",", " "))
	// A trailing time: "tomorrow 9am", "friday at 18:00", "tomorrow 9 am".
	var w When
	if n := len(fields); n >= 2 && (fields[n-1] == "am" || fields[n-1] == "pm") {
		fields = append(fields[:n-2], fields[n-2]+fields[n-1])
	}
	if n := len(fields); n >= 2 {
		if t, ok := clockWord(fields[n-1]); ok {
			w.clock, w.hasClock = t, true
			fields = fields[:n-1]
			if n := len(fields); n >= 2 && fields[n-1] == "at" {
				fields = fields[:n-1]
			}
		}
	}
	if len(fields) > 0 && (fields[0] == "next" || fields[0] == "this" || fields[0] == "on") && len(fields) > 1 {
		if fields[0] == "next" && fields[1] == "week" && len(fields) == 2 {
			fields = []string{"monday"}
		} else {
			fields = fields[1:]
		}
	}
	if !parseDay(fields, &w) {
		return When{}, bad
	}
	return w, nil
}

// clockWord reads a time of day in a date: 9am, 09:00, noon, midnight.
func clockWord(s string) (TimeOfDay, bool) {
	switch s {
	case "noon", "midday":
		return 12 * 60, true
	case "midnight":
		return 0, true
	}
	if !strings.ContainsAny(s, ":apm") {
		return 0, false
	}
	t, err := ParseTimeOfDay(s)
	return t, err == nil
}

// parseDay fills w with the day that fields name.
func parseDay(fields []string, w *When) bool {
	switch len(fields) {
	case 1:
		f := fields[0]
		switch f {
		case "today", "tonight":
			w.kind, w.days = whenDays, 0
			return true
		case "tomorrow", "tmrw", "tmr":
			w.kind, w.days = whenDays, 1
			return true
		}
		for i, name := range fullDayNames {
			if len(f) >= 3 && strings.HasPrefix(name, f) || f == name+"s" {
				w.kind, w.wday = whenWeekday, time.Weekday(i)
				return true
			}
		}
		// An ISO date names a year; one outside the years the coach can
		// mean (as with "10 dec 2026") is a typo, not year 1.
		if t, err := time.Parse("2006-01-02", f); err == nil && t.Year() >= 2000 && t.Year() <= 2200 {
			w.kind, w.date = whenDate, t
			return true
		}
		return false
	case 2, 3:
		// "10 dec", "dec 10", "10th december", "december 10 2026".
		a, b := fields[0], fields[1]
		if _, ok := monthNames[a]; ok {
			a, b = b, a
		}
		day, ok := dayOfMonth(a)
		month, okm := monthNames[b]
		if !ok || !okm {
			return false
		}
		year := 0
		if len(fields) == 3 {
			y, err := strconv.Atoi(fields[2])
			if err != nil || y < 2000 || y > 2200 {
				return false
			}
			year = y
		}
		// Year 2000 (a leap year) validates 29 Feb when no year is given.
		check := time.Date(max(year, 2000), month, day, 0, 0, 0, 0, time.UTC)
		if check.Day() != day {
			return false
		}
		w.kind, w.date = whenDate, time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
		return true
	}
	return false
}

func dayOfMonth(s string) (int, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		s = strings.TrimSuffix(s, suf)
	}
	if len(s) == 0 || len(s) > 2 || !digits(s) {
		return 0, false
	}
	d, _ := strconv.Atoi(s)
	return d, d >= 1 && d <= 31
}

// ParseDate parses YYYY-MM-DD in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "%q is not a date; use YYYY-MM-DD, for example 2026-03-01.", clip(s, 20))
	}
	return t, nil
}
