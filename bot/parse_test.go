package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recoverycoach/recoverycoach/bot"
)

func TestParseValid(t *testing.T) {
	reg := bot.Commands()
	tests := []struct {
		in   string
		cmd  string
		want bot.Values
	}{
		{"/pain 6 knee sore after stairs", "pain", bot.Values{"score": 6, "area": "knee", "note": "sore after stairs"}},
		{"pain 6 knee", "pain", bot.Values{"score": 6, "area": "knee"}},
		{"/pain 0", "pain", bot.Values{"score": 0}},
		{"/pain 10 back", "pain", bot.Values{"score": 10, "area": "lower-back"}},
		{"/pain 3 sore after stairs", "pain", bot.Values{"score": 3, "note": "sore after stairs"}},
		{"/PAIN 4 KNEE", "pain", bot.Values{"score": 4, "area": "knee"}},
		{"/pain 5 knee DROP TABLE checkins;--", "pain", bot.Values{"score": 5, "area": "knee", "note": "DROP TABLE checkins;--"}},
		{"/coach", "coach help", bot.Values{}},
		{"help", "coach help", bot.Values{}},
		{"/coach help tape", "coach help", bot.Values{"verb": "tape"}},
		{"history", "coach history", bot.Values{"days": 14}},
		{"/coach history 30", "coach history", bot.Values{"days": 30}},
		{"/coach tz Europe/Berlin", "coach tz", bot.Values{"zone": mustZone(t, "Europe/Berlin")}},
		{"/coach remind exercises at 08:00,18:30 weekdays", "coach remind set", bot.Values{
			"kind": "exercises", "at": []bot.TimeOfDay{480, 1110}, "repeat": bot.WorkDays}},
		{"/coach remind checkin at 20:00", "coach remind set", bot.Values{"kind": "checkin", "at": []bot.TimeOfDay{1200}, "repeat": bot.EveryDay}},
		{"/coach remind at 7am exercises mon,wed,fri", "coach remind set", bot.Values{
			"kind": "exercises", "at": []bot.TimeOfDay{420}, "repeat": bot.Weekdays(0b0101010)}},
		{"/coach remind exercises at 08:00, 18:00", "coach remind set", bot.Values{"kind": "exercises", "at": []bot.TimeOfDay{480, 1080}, "repeat": bot.EveryDay}},
		{"/coach remind", "coach remind list", bot.Values{}},
		{"/coach remind off all", "coach remind off", bot.Values{"kind": "all"}},
		{"/coach tape", "coach tape status", bot.Values{}},
		{"/coach tape on knee", "coach tape on", bot.Values{"area": "knee", "days": 5}},
		{"/coach tape on shoulder 3", "coach tape on", bot.Values{"area": "shoulder", "days": 3}},
		{"/coach snooze", "coach snooze", bot.Values{"duration": time.Hour}},
		{"snooze 30m", "coach snooze", bot.Values{"duration": 30 * time.Minute}},
		{"/coach snooze 1d", "coach snooze", bot.Values{"duration": 24 * time.Hour}},
		{"/coach pause 3d", "coach pause", bot.Values{"duration": 72 * time.Hour}},
		{"/coach pause until 2026-12-01", "coach pause", bot.Values{"until": mustWhen("2026-12-01")}},
		{"/coach pause until 10 Dec", "coach pause", bot.Values{"until": mustWhen("10 dec")}},
		{"/coach pause 3 days", "coach pause", bot.Values{"duration": 72 * time.Hour}},
		{"/coach pause for 2 weeks", "coach pause", bot.Values{"duration": 14 * 24 * time.Hour}},
		{"snooze 3 days", "coach snooze", bot.Values{"duration": 72 * time.Hour}},
		{"/pain 5 left knee sore", "pain", bot.Values{"score": 5, "area": "left-knee", "note": "sore"}},
		{"/pain 5 lower back stiff", "pain", bot.Values{"score": 5, "area": "lower-back", "note": "stiff"}},
		{"/pain 5 both knees", "pain", bot.Values{"score": 5, "area": "both-knee"}},
		{"tape on left knee", "coach tape on", bot.Values{"area": "left-knee", "days": 5}},
		{"remind me to do my exercises at 7am and 6pm every day", "coach remind set", bot.Values{"kind": "exercises", "at": []bot.TimeOfDay{420, 1080}, "repeat": bot.EveryDay}},
		{"remind exercises at 07:00 monday add", "coach remind set", bot.Values{"kind": "exercises", "at": []bot.TimeOfDay{420}, "repeat": bot.Weekdays(1 << 1), "change": "add"}},
		{"done quad sets", "coach done", bot.Values{"exercise": "quad sets"}},
		{"quiet", "coach quiet", bot.Values{}},
		{"/coach quiet 22:00-07:00", "coach quiet", bot.Values{"window": bot.QuietHours{Set: true, Start: 1320, End: 420}}},
		{"/coach quiet off", "coach quiet", bot.Values{"window": bot.QuietHours{}}},
		{"/coach forget", "coach forget", bot.Values{}},
		{"/coach forget confirm", "coach forget", bot.Values{"confirm": "confirm"}},
		{"/coach load 7 60 team practice", "coach load", bot.Values{"rpe": 7, "minutes": 60, "note": "team practice"}},
		{"/coach readiness 4 3 2 4 5", "coach readiness", bot.Values{"fatigue": 4, "sleep": 3, "soreness": 2, "stress": 4, "mood": 5}},
		{"/coach team alerts <#C123|trainers>", "coach team alerts", bot.Values{"channel": "C123"}},
		{"/coach team staff <@U42>", "coach team staff", bot.Values{"user": "U42"}},
		{"/coach team readiness at 08:00 weekdays", "coach team readiness", bot.Values{"days": 1, "at": []bot.TimeOfDay{480}, "repeat": bot.WorkDays}},
		{"/coach start yes", "coach start", bot.Values{"share": "yes"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := reg.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if got.Command.FullName() != tt.cmd {
				t.Errorf("command = %q, want %q", got.Command.FullName(), tt.cmd)
			}
			if diff := cmp.Diff(tt.want, got.Values, cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseInvalid(t *testing.T) {
	reg := bot.Commands()
	tests := []struct {
		in       string
		contains string
	}{
		{"", "Type a command"},
		{"/pain", "SCORE is missing"},
		{"/pain 11", "from 0 to 10"},
		{"/pain -1", "from 0 to 10"},
		{"/pain six", "whole number"},
		{"/pain 6.5", "whole number"},
		{"/pain 5 kne", "Did you mean `knee`?"},
		{"/pain 5 " + strings.Repeat("x", 600), "too long"},
		{strings.Repeat("a", 10*1024), "too long"},
		{"/pain 5 knee \x00\x01", "control characters"},
		{"/pain 5 knee \xff", "could not read"},
		{"/coach dance", "I don't know `dance`"},
		{"/coach histroy", "Did you mean `history`?"},
		{"/coach tz Mars/Olympus", "not a time zone"},
		{"/coach tz", ""},
		{"/coach remind exercises", "HH:MM"},
		{"/coach remind exercises at 25:00", "not a time of day"},
		{"/coach remind exercises at 08:00 someday", "not a day list"},
		{"/coach remind off", "Say which one: exercises|checkin|all"},
		{"/coach tape on", "AREA is missing"},
		{"/coach tape on knee 9", "from 1 to 7"},
		{"/coach snooze forever", "not a duration"},
		{"/coach pause until someday", "not a date"},
		{"/coach readiness 9 5 5 5 5", "FATIGUE must be"},
		{"/coach readiness 4 9 5 5 5", "SLEEP must be"},
		{"/pain 5 kne", "Did you mean `knee`"},
		{"/coach tz Europe/Londn", "Did you mean `Europe/London`"},
		{"/coach snooze 3 dayz", "not a duration"},
		{"/coach quiet 22:00", "HH:MM-HH:MM"},
		{"/coach quiet 07:00-07:00", "same time"},
		{"/coach history 0", "from 1 to 365"},
		{"/coach export now", "didn't understand"},
		{"/frobnicate", "I don't know the command"},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 40)], func(t *testing.T) {
			_, err := reg.Parse(tt.in)
			if tt.contains == "" {
				if err != nil {
					t.Fatalf("Parse(%q) unexpected error: %v", tt.in, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want error containing %q", tt.in, tt.contains)
			}
			if bot.ErrorCode(err) != bot.EINVALID {
				t.Errorf("code = %q, want invalid", bot.ErrorCode(err))
			}
			if msg := bot.ErrorMessage(err); !strings.Contains(msg, tt.contains) {
				t.Errorf("message %q does not contain %q", msg, tt.contains)
			}
		})
	}
}

func TestBindTypedOptions(t *testing.T) {
	reg := bot.Commands()
	got, err := reg.Bind([]string{"pain"}, map[string]string{"score": "6", "area": "knee", "note": "stairs"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bot.Values{"score": 6, "area": "knee", "note": "stairs"}, got.Values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	got, err = reg.Bind([]string{"coach", "tape", "on"}, map[string]string{"area": "ankle"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Values.Int("days") != 5 {
		t.Errorf("default days = %d, want 5", got.Values.Int("days"))
	}
	for _, bad := range []struct {
		path []string
		opts map[string]string
	}{
		{[]string{"pain"}, map[string]string{"score": "11"}},
		{[]string{"pain"}, map[string]string{}},
		{[]string{"pain"}, map[string]string{"score": "3", "colour": "red"}},
		{[]string{"coach", "tape"}, nil},
		{[]string{"coach", "nope"}, nil},
	} {
		if _, err := reg.Bind(bad.path, bad.opts); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("Bind(%v, %v) error = %v, want invalid", bad.path, bad.opts, err)
		}
	}
}

func TestUsageMatchesGrammar(t *testing.T) {
	reg := bot.Commands()
	tests := map[string]string{
		"pain":                 "/pain SCORE [AREA] [NOTE...]",
		"coach tape on":        "/coach tape on AREA [DAYS]",
		"coach remind set":     "/coach remind exercises|checkin at HH:MM[,HH:MM...] [daily|weekdays|mon,wed,...] [add|replace]",
		"coach snooze":         "/coach snooze [DURATION]",
		"coach quiet":          "/coach quiet [HH:MM-HH:MM|off]",
		"coach pause":          "/coach pause [until DATE] [DURATION]",
		"coach team mode":      "/coach team mode team|wellness",
		"coach remind off":     "/coach remind off exercises|checkin|all",
		"coach history":        "/coach history [DAYS]",
		"coach team readiness": "/coach team readiness [DAYS] [at HH:MM] [daily|weekdays|mon,wed,...] [off]",
	}
	for path, want := range tests {
		cmd := reg.Find(strings.Fields(path)...)
		if cmd == nil {
			t.Fatalf("no command %q", path)
		}
		if got := cmd.Usage(); got != want {
			t.Errorf("Usage(%s) = %q, want %q", path, got, want)
		}
	}
}

// TestRegistryIsWellFormed guards what Slack and Discord require of
// generated command definitions.
func TestRegistryIsWellFormed(t *testing.T) {
	for _, leaf := range bot.Commands().Leaves() {
		if leaf.Handler == nil {
			t.Errorf("%s has no handler", leaf.FullName())
		}
		if leaf.Summary == "" || len(leaf.Summary) > 100 {
			t.Errorf("%s summary must be 1-100 characters", leaf.FullName())
		}
		if len(leaf.Examples) == 0 {
			t.Errorf("%s has no example", leaf.FullName())
		}
		for _, ex := range leaf.Examples {
			if _, err := bot.Commands().Parse(ex); err != nil {
				t.Errorf("example %q of %s does not parse: %v", ex, leaf.FullName(), err)
			}
		}
		seenOptional := false
		for _, o := range leaf.Options {
			if o.Description == "" || len(o.Description) > 100 {
				t.Errorf("%s option %s description must be 1-100 characters", leaf.FullName(), o.Name)
			}
			if len(o.Choices) > 25 {
				t.Errorf("%s option %s has %d choices; Discord allows 25", leaf.FullName(), o.Name, len(o.Choices))
			}
			if o.Keyword == "" && o.Type != bot.OptText {
				if o.Required && seenOptional {
					t.Errorf("%s: required option %s follows an optional one", leaf.FullName(), o.Name)
				}
				seenOptional = seenOptional || !o.Required
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"/pain 6 knee sore after stairs", "pain 11", "/coach remind exercises at 08:00,18:30 weekdays",
		"/coach pause until 2026-12-01", "/coach quiet 22:00-07:00", "/coach tape on knee 3", "/coach snooze 1h30m",
		"/coach team staff <@U42|sam>", "/coach tz America/New_York", "help tape", "/pain 5 kne", "\x00", "/coach remind at , ,",
		"/coach remind exercises at 7pm, 8am mon,tue", "/coach history 9999999999999",
	} {
		f.Add(seed)
	}
	reg := bot.Commands()
	f.Fuzz(func(t *testing.T, in string) {
		p, err := reg.Parse(in)
		if err != nil {
			if bot.ErrorCode(err) != bot.EINVALID {
				t.Fatalf("Parse(%q) error code %q, want invalid: %v", in, bot.ErrorCode(err), err)
			}
			if bot.ErrorMessage(err) == "" {
				t.Fatalf("Parse(%q) error without a message", in)
			}
			return
		}
		if p.Command == nil || p.Command.Handler == nil {
			t.Fatalf("Parse(%q) returned no runnable command", in)
		}
		if p.Values.Has("score") {
			if s := p.Values.Int("score"); s < 0 || s > 10 {
				t.Fatalf("Parse(%q) score %d out of range", in, s)
			}
		}
	})
}

func FuzzParseTimes(f *testing.F) {
	for _, seed := range []string{"08:00", "7am", "12:30pm,08:00", "24:00", "1d", "90m", "2026-01-01", "22:00-07:00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if ts, err := bot.ParseTimes(in); err == nil {
			for _, x := range ts {
				if x < 0 || x >= 1440 {
					t.Fatalf("ParseTimes(%q) gave %d", in, x)
				}
			}
		}
		if d, err := bot.ParseDuration(in); err == nil && d <= 0 {
			t.Fatalf("ParseDuration(%q) = %v", in, d)
		}
		if w, err := bot.ParseWeekdays(in); err == nil && w == 0 {
			t.Fatalf("ParseWeekdays(%q) = empty set", in)
		}
	})
}

func mustWhen(s string) bot.When {
	w, err := bot.ParseWhen(s)
	if err != nil {
		panic(err)
	}
	return w
}
