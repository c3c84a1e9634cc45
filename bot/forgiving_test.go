package bot_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/recoverycoach/recoverycoach/bot"
)

func TestParseDurationForgiving(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"30m", 30 * time.Minute}, {"2h", 2 * time.Hour}, {"1h30m", 90 * time.Minute}, {"3d", 72 * time.Hour}, {"1w", 7 * 24 * time.Hour},
		{"3 days", 72 * time.Hour}, {"1 day", 24 * time.Hour}, {"2 weeks", 14 * 24 * time.Hour}, {"in 2 weeks", 14 * 24 * time.Hour},
		{"for 3 days", 72 * time.Hour}, {"90 minutes", 90 * time.Minute}, {"1.5 hours", 90 * time.Minute}, {"an hour", time.Hour},
		{"half an hour", 30 * time.Minute}, {"a week", 7 * 24 * time.Hour}, {"two days", 48 * time.Hour}, {"3days", 72 * time.Hour},
		{"45 mins", 45 * time.Minute}, {"2 hrs", 2 * time.Hour},
	}
	for _, tt := range tests {
		got, err := bot.ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "3", "days", "3 dayz", "-2h", "0d", "1e9h", "forever", "2 weeks ago", "999 weeks", "NaN hours", "+3 days"} {
		if d, err := bot.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", bad, d)
		}
	}
}

func TestParseWhen(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, berlin) // a Wednesday afternoon
	day := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, berlin) }
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-12-10", day(12, 10, 0, 0)},
		{"10 Dec", day(12, 10, 0, 0)},
		{"Dec 10", day(12, 10, 0, 0)},
		{"10th December", day(12, 10, 0, 0)},
		{"1 march", time.Date(2027, 3, 1, 0, 0, 0, 0, berlin)}, // passed this year: the next one
		{"4 march", day(3, 4, 0, 0)},                           // today
		{"friday", day(3, 6, 0, 0)},
		{"fri", day(3, 6, 0, 0)},
		{"wednesday", day(3, 11, 0, 0)}, // today's weekday means next week's
		{"next monday", day(3, 9, 0, 0)},
		{"next week", day(3, 9, 0, 0)},
		{"tomorrow", day(3, 5, 0, 0)},
		{"tomorrow 9am", day(3, 5, 9, 0)},
		{"tomorrow at 9 am", day(3, 5, 9, 0)},
		{"friday 18:30", day(3, 6, 18, 30)},
		{"today noon", day(3, 4, 12, 0)},
		{"in 2 weeks", now.Add(14 * 24 * time.Hour)},
		{"in 3 days", now.Add(72 * time.Hour)},
		{"10 dec 2027", time.Date(2027, 12, 10, 0, 0, 0, 0, berlin)},
	}
	for _, tt := range tests {
		w, err := bot.ParseWhen(tt.in)
		if err != nil {
			t.Errorf("ParseWhen(%q): %v", tt.in, err)
			continue
		}
		if got := w.Resolve(now, berlin); !got.Equal(tt.want) {
			t.Errorf("ParseWhen(%q) resolves to %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "someday", "31 feb", "32 dec", "dec", "10", "2026-13-01", "tomorrow 25:00", "in forever", "10 dec 1999"} {
		if _, err := bot.ParseWhen(bad); err == nil {
			t.Errorf("ParseWhen(%q) succeeded, want an error", bad)
		}
	}
}

func TestFindZone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Europe/London", "Europe/London"}, {"europe/london", "Europe/London"}, {"London", "Europe/London"},
		{"new york", "America/New_York"}, {"New_York", "America/New_York"}, {"Germany", "Europe/Berlin"}, {"UK", "Europe/London"},
		{"Sao Paulo", "America/Sao_Paulo"}, {"tokyo", "Asia/Tokyo"}, {"UTC", "UTC"}, {"EST", "EST"}, {"Mumbai", "Asia/Kolkata"},
	}
	for _, tt := range tests {
		loc, err := bot.FindZone(tt.in)
		if err != nil || loc.String() != tt.want {
			t.Errorf("FindZone(%q) = %v, %v; want %s", tt.in, loc, err, tt.want)
		}
	}
	errs := []struct{ in, want string }{
		{"Europe/Londn", "`Europe/London`"}, {"Londn", "`Europe/London`"}, {"PST", "`America/Los_Angeles`"},
		{"United States", "has 29 time zones"}, {"Mars/Base", "not a time zone I know"}, {"Berlinn", "`Europe/Berlin`"},
	}
	for _, tt := range errs {
		_, err := bot.FindZone(tt.in)
		if err == nil || !strings.Contains(bot.ErrorMessage(err), tt.want) {
			t.Errorf("FindZone(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
		}
	}
	if s, fixed := bot.FixedZoneAdvice("EST"); !fixed || s != "America/New_York" {
		t.Errorf("FixedZoneAdvice(EST) = %q, %v", s, fixed)
	}
	if _, fixed := bot.FixedZoneAdvice("Europe/London"); fixed {
		t.Error("Europe/London is not a fixed zone")
	}
}

func TestParseArea(t *testing.T) {
	tests := []struct{ in, want, words string }{
		{"knee", "knee", "knee"}, {"left knee", "left-knee", "left knee"}, {"L knee", "left-knee", "left knee"},
		{"right-shoulder", "right-shoulder", "right shoulder"}, {"both knees", "both-knee", "both knees"},
		{"knees", "knee", "knee"}, {"lower back", "lower-back", "lower back"}, {"left lower back", "left-lower-back", "left lower back"},
		{"both lower back", "lower-back", "lower back"}, {"Rt ankle", "right-ankle", "right ankle"}, {"back", "lower-back", "lower back"},
	}
	for _, tt := range tests {
		got, err := bot.ParseArea(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseArea(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		if w := bot.AreaWords(got); w != tt.words {
			t.Errorf("AreaWords(%q) = %q, want %q", got, w, tt.words)
		}
		if base := bot.BaseArea(got); strings.Contains(base, "left") || strings.Contains(base, "both") {
			t.Errorf("BaseArea(%q) = %q", got, base)
		}
	}
	for _, bad := range []string{"", "left", "kne", "left side", "banana", "left left knee"} {
		if got, err := bot.ParseArea(bad); err == nil {
			t.Errorf("ParseArea(%q) = %q, want an error", bad, got)
		}
	}
	if _, err := bot.ParseArea("kne"); !strings.Contains(bot.ErrorMessage(err), "Did you mean `knee`") {
		t.Errorf("kne: %v", err)
	}
}

func TestMatchExercise(t *testing.T) {
	p := bot.Program{ID: "knee", Title: "Knee starter", Exercises: []bot.Exercise{
		{ID: "quad-set", Name: "Quad sets", PerDay: 2}, {ID: "straight-leg-raise", Name: "Straight leg raise"},
		{ID: "heel-slide", Name: "Heel slides"}, {ID: "heel-raise", Name: "Heel raises"}}}
	tests := []struct{ in, want string }{
		{"quad-set", "quad-set"}, {"Quad sets", "quad-set"}, {"quadset", "quad-set"}, {"QUAD", "quad-set"},
		{"straight", "straight-leg-raise"}, {"slr", ""}, {"heel slides", "heel-slide"}, {"heel", ""}, {"banana", ""},
	}
	for _, tt := range tests {
		e, err := bot.MatchExercise(p, tt.in)
		if e.ID != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("MatchExercise(%q) = %q, %v; want %q", tt.in, e.ID, err, tt.want)
		}
	}
	if _, err := bot.MatchExercise(p, "heel"); !strings.Contains(bot.ErrorMessage(err), "`Heel slides` or `Heel raises`") {
		t.Errorf("heel: %v", err)
	}
	if _, err := bot.MatchExercise(p, "quod sets"); !strings.Contains(bot.ErrorMessage(err), "Did you mean `Quad sets`") {
		t.Errorf("quod sets: %v", err)
	}
}

func TestWords(t *testing.T) {
	tests := []struct{ got, want string }{
		{bot.Plural(1, "check-in"), "1 check-in"}, {bot.Plural(2, "check-in"), "2 check-ins"}, {bot.Plural(0, "day"), "0 days"},
		{bot.Plural(1, "day"), "1 day"}, {bot.Plural(1, "point"), "1 point"}, {bot.Plural(3, "entry"), "3 entries"},
		{bot.JoinList([]string{"a"}), "a"}, {bot.JoinList([]string{"a", "b"}), "a and b"}, {bot.JoinList([]string{"a", "b", "c"}), "a, b and c"},
		{bot.Weekdays(1).Words(), "on Sundays"}, {bot.EveryDay.Words(), "every day"}, {bot.WorkDays.Words(), "on weekdays"},
		{bot.Weekdays(1<<1 | 1<<3 | 1<<5).Words(), "on Mondays, Wednesdays and Fridays"},
		{bot.DurationWords(90 * time.Minute), "1 hour 30 minutes"}, {bot.DurationWords(24 * time.Hour), "1 day"}, {bot.DurationWords(14 * 24 * time.Hour), "2 weeks"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// The fuzz tests hold every new parser to three promises: no panic, no
// success with a value out of range, and an error that is a sentence.

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"3 days", "in 2 weeks", "1.5 hours", "half an hour", "1h30m", "99999999999h", "0.0000001 days"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := bot.ParseDuration(s)
		if err == nil && (d < time.Minute || d > 400*24*time.Hour) {
			t.Fatalf("ParseDuration(%q) = %v", s, d)
		}
		if err != nil && !strings.HasSuffix(bot.ErrorMessage(err), ".") {
			t.Fatalf("error is not a sentence: %q", bot.ErrorMessage(err))
		}
	})
}

func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{"10 Dec", "tomorrow 9am", "friday", "in 2 weeks", "2026-12-10", "31 feb", "next week"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		w, err := bot.ParseWhen(s)
		if err != nil {
			return
		}
		got := w.Resolve(now, time.UTC)
		if got.IsZero() || got.Before(now.AddDate(-200, 0, 0)) || got.After(now.AddDate(200, 0, 0)) {
			t.Fatalf("ParseWhen(%q) resolves to %v", s, got)
		}
	})
}

func FuzzFindZone(f *testing.F) {
	for _, s := range []string{"London", "Europe/Londn", "EST", "United States", "new york", "../../etc/passwd", "Local"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		loc, err := bot.FindZone(s)
		if err == nil && (loc == nil || loc.String() == "Local" || loc.String() == "") {
			t.Fatalf("FindZone(%q) = %v", s, loc)
		}
		if err != nil && !utf8.ValidString(bot.ErrorMessage(err)) {
			t.Fatalf("error is not valid text: %q", bot.ErrorMessage(err))
		}
	})
}

func FuzzParseArea(f *testing.F) {
	for _, s := range []string{"left knee", "both knees", "lower back", "L knee", "kne", "left"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := bot.ParseArea(s)
		if err != nil {
			return
		}
		if _, ok := bot.LookupArea(bot.BaseArea(a)); !ok {
			t.Fatalf("ParseArea(%q) = %q, whose base is no area", s, a)
		}
	})
}

func FuzzMatchExercise(f *testing.F) {
	p := bot.Program{ID: "knee", Title: "Knee", Exercises: []bot.Exercise{{ID: "quad-set", Name: "Quad sets"}, {ID: "heel-slide", Name: "Heel slides"}}}
	for _, s := range []string{"quad sets", "quadset", "q", "heel", "", "💪"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := bot.MatchExercise(p, s)
		if err == nil && e.ID != "quad-set" && e.ID != "heel-slide" {
			t.Fatalf("MatchExercise(%q) = %+v", s, e)
		}
	})
}
