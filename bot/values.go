package bot

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TimeOfDay is minutes since local midnight, 0 to 1439.
type TimeOfDay int

// String renders HH:MM.
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// Hour returns the hour part.
func (t TimeOfDay) Hour() int { return int(t) / 60 }

// Minute returns the minute part.
func (t TimeOfDay) Minute() int { return int(t) % 60 }

// TimeOfDayOf returns the local time of day of t.
func TimeOfDayOf(t time.Time) TimeOfDay { return TimeOfDay(t.Hour()*60 + t.Minute()) }

// ParseTimeOfDay accepts 24-hour HH:MM or H:MM, and 12-hour forms like 7am,
// 7:30pm.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := Errorf(EINVALID, "%q is not a time of day; use HH:MM, for example 07:30 or 18:00.", clip(s, 20))
	suffix := ""
	if strings.HasSuffix(s, "am") || strings.HasSuffix(s, "pm") {
		suffix, s = s[len(s)-2:], strings.TrimSpace(s[:len(s)-2])
	}
	hs, ms, found := strings.Cut(s, ":")
	if !found {
		if suffix == "" {
			return 0, bad
		}
		ms = "00"
	}
	if len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !digits(hs) || !digits(ms) {
		return 0, bad
	}
	h, _ := strconv.Atoi(hs)
	m, _ := strconv.Atoi(ms)
	if suffix != "" {
		if h < 1 || h > 12 {
			return 0, bad
		}
		h %= 12
		if suffix == "pm" {
			h += 12
		}
	}
	if h > 23 || m > 59 {
		return 0, bad
	}
	return TimeOfDay(h*60 + m), nil
}

// FormatTimes writes times as the comma-separated list ParseTimes reads.
func FormatTimes(ts []TimeOfDay) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.String()
	}
	return strings.Join(parts, ",")
}

// ParseTimes parses a comma-separated list of times of day, sorted and
// without duplicates.
func ParseTimes(s string) ([]TimeOfDay, error) {
	seen := map[TimeOfDay]bool{}
	var out []TimeOfDay
	for part := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		t, err := ParseTimeOfDay(part)
		if err != nil {
			return nil, err
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "Give at least one time, for example 08:00 or 08:00,18:30.")
	}
	if len(out) > 6 {
		return nil, Errorf(EINVALID, "At most 6 reminder times a day, please.")
	}
	sortTimes(out)
	return out, nil
}

func sortTimes(ts []TimeOfDay) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j] < ts[j-1]; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// Weekdays is a set of days of the week, bit i for time.Weekday(i).
type Weekdays uint8

// Common day sets.
const (
	EveryDay Weekdays = 0x7f
	WorkDays Weekdays = 0x3e
	Weekend  Weekdays = 0x41
)

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<uint(d)) != 0 }

var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// String renders daily, weekdays, weekends or a list like mon,wed,fri.
func (w Weekdays) String() string {
	switch w {
	case EveryDay:
		return "daily"
	case WorkDays:
		return "weekdays"
	case Weekend:
		return "weekends"
	}
	var parts []string
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		if w.Has(time.Weekday(d)) {
			parts = append(parts, dayNames[d])
		}
	}
	return strings.Join(parts, ",")
}

// CronDays renders the set as a cron day-of-week field.
func (w Weekdays) CronDays() string {
	if w == EveryDay {
		return "*"
	}
	var parts []string
	for d := range 7 {
		if w.Has(time.Weekday(d)) {
			parts = append(parts, strconv.Itoa(d))
		}
	}
	return strings.Join(parts, ",")
}

// ParseWeekdays accepts daily, weekdays, weekends, or a comma list of day
// names (mon,wed or monday,wednesday).
func ParseWeekdays(s string) (Weekdays, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "daily", "everyday", "every-day", "all":
		return EveryDay, nil
	case "weekdays", "workdays":
		return WorkDays, nil
	case "weekends", "weekend":
		return Weekend, nil
	}
	var w Weekdays
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		found := false
		for i, name := range dayNames {
			if len(part) >= 3 && strings.HasPrefix(fullDayNames[i], part) && strings.HasPrefix(part, name) {
				w |= 1 << uint(i)
				found = true
			}
		}
		if !found {
			return 0, Errorf(EINVALID, "%q is not a day list; use daily, weekdays, weekends or days like mon,wed,fri.", clip(s, 30))
		}
	}
	return w, nil
}

var fullDayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// LoadZone validates an IANA zone name such as Europe/Berlin.
func LoadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	bad := func() error {
		return Errorf(EINVALID, "%q is not a time zone I know; use an IANA name like Europe/Berlin or America/New_York.", clip(name, 40))
	}
	if name == "" || name == "Local" || len(name) > 64 || strings.ContainsAny(name, " \\") {
		return nil, bad()
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		if strings.EqualFold(name, "utc") {
			return time.UTC, nil
		}
		return nil, bad()
	}
	zones.Store(name, loc)
	return loc, nil
}

// zones caches the zones LoadZone found: every command checks its
// member's zone, and time.LoadLocation reads the zone's file each time.
// Only names found in the zone database are kept, so it stays small.
var zones sync.Map

// LocalDay returns the YYYY-MM-DD of t in loc.
func LocalDay(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02") }

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// clip shortens s for quoting in an error message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
