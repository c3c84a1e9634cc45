package bot

import (
	"strconv"
	"strings"
	"time"
)

// This file is the one place where counts and lists become words, so
// that no reply says "1 check-ins", "on for 1 days" or "every sun".

// irregularPlurals holds the nouns the simple rules get wrong.
var irregularPlurals = map[string]string{
	"person": "people",
	"is":     "are",
	"was":    "were",
	"has":    "have",
}

// PluralWord returns the plural of an English noun: the simple rules
// (day/days, entry/entries, match/matches) and a few irregular words.
func PluralWord(noun string) string {
	if p, ok := irregularPlurals[noun]; ok {
		return p
	}
	switch {
	case noun == "":
		return ""
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	}
	return noun + "s"
}

// Noun returns the noun in the number n calls for: "day" for 1, "days"
// otherwise (including 0, as English has it).
func Noun(n int, singular string) string {
	if n == 1 || n == -1 {
		return singular
	}
	return PluralWord(singular)
}

// Plural renders a count with its noun: "1 check-in", "3 check-ins",
// "0 days".
func Plural(n int, singular string) string {
	return strconv.Itoa(n) + " " + Noun(n, singular)
}

// JoinList joins items the way a sentence does: "a", "a and b",
// "a, b and c". It is empty for no items.
func JoinList(items []string) string {
	return joinWith(items, "and")
}

// JoinOr is JoinList with "or": "a, b or c".
func JoinOr(items []string) string {
	return joinWith(items, "or")
}

func joinWith(items []string, word string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + word + " " + items[len(items)-1]
}

// dayWords are the weekday names for sentences, indexed by time.Weekday.
var dayWords = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// Words says when the set recurs, for a sentence: "every day", "on
// weekdays", "on weekends", "on Mondays, Wednesdays and Fridays".
func (w Weekdays) Words() string {
	switch w {
	case EveryDay:
		return "every day"
	case WorkDays:
		return "on weekdays"
	case Weekend:
		return "on weekends"
	case 0:
		return "on no day"
	}
	var names []string
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		if w.Has(d) {
			names = append(names, dayWords[d]+"s")
		}
	}
	return "on " + JoinList(names)
}

// DurationWords says a duration the way people do: "45 minutes",
// "2 hours", "1 hour 30 minutes", "3 days", "2 weeks".
func DurationWords(d time.Duration) string {
	d = d.Round(time.Minute)
	const day = 24 * time.Hour
	switch {
	case d >= 7*day && d%(7*day) == 0:
		return Plural(int(d/(7*day)), "week")
	case d >= day && d%day == 0:
		return Plural(int(d/day), "day")
	case d >= day:
		return Plural(int(d/day), "day") + " " + DurationWords(d%day)
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return Plural(m, "minute")
	case m == 0:
		return Plural(h, "hour")
	}
	return Plural(h, "hour") + " " + Plural(m, "minute")
}

// weekdayOf is the first day in the set, for a set of one day.
func weekdayOf(w Weekdays) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if w.Has(d) {
			return d
		}
	}
	return time.Monday
}
