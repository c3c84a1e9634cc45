package bot_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"
)

func TestFormsComeFromTheRegistry(t *testing.T) {
	for _, tt := range []struct {
		command string
		ok      bool
		fields  int
	}{
		{"coach readiness", true, 5},
		{"Coach  LOAD", true, 3},
		{"coach tz", false, 0},     // a zone is not a number or free text
		{"coach history", true, 1}, // DAYS
		{"coach export", false, 0}, // nothing to ask
		{"coach team", false, 0},   // a group, not a command
		{"", false, 0},
		{"rm -rf", false, 0},
	} {
		f, ok := bot.FormFor(tt.command)
		if ok != tt.ok || len(f.Fields) != tt.fields {
			t.Errorf("FormFor(%q) = %d fields, %v; want %d, %v", tt.command, len(f.Fields), ok, tt.fields, tt.ok)
		}
	}
}

func TestFormLineNamesTheFieldAtFault(t *testing.T) {
	load, _ := bot.FormFor("coach load")
	for _, tt := range []struct {
		answers map[string]string
		line    string
		field   string
	}{
		{map[string]string{"rpe": " 7 ", "minutes": "60", "note": "team\npractice"}, "coach load 7 60 team practice", ""},
		{map[string]string{"rpe": "7", "minutes": "60"}, "coach load 7 60", ""},
		{map[string]string{"rpe": "7", "note": "x"}, "", "minutes"},
		{map[string]string{"minutes": "60"}, "", "rpe"},
		{map[string]string{"rpe": "7", "minutes": "60", "note": strings.Repeat("x", 3000)}, "", "note"},
	} {
		line, err := load.Line(tt.answers)
		var fe *bot.FieldError
		switch {
		case tt.line != "" && (err != nil || line != tt.line):
			t.Errorf("Line(%v) = %q, %v; want %q", tt.answers, line, err, tt.line)
		case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field || bot.ErrorCode(err) != bot.EINVALID):
			t.Errorf("Line(%v) error = %v, want one naming %s", tt.answers, err, tt.field)
		}
	}
}
