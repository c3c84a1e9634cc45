package report_test

import (
	"bytes"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/report"
)

// FuzzClinicianReport sends arbitrary text through every user-written
// field of the report (note, area, name, red-flag rule): it must never
// panic, fail or spill onto a second page.
func FuzzClinicianReport(f *testing.F) {
	for _, seed := range []string{
		"", "sore after stairs", "Zoë – 5€ brace", "Колено болит", "膝が痛い", "😖🦵🏽",
		"\xff\xfe\x00broken", "(unbalanced \\ parens", "line\nbreak\ttab\r", "\u202eright-to-left\u200b",
		"a\u0301\u0301\u0301 combining", string(make([]byte, 300)),
	} {
		f.Add(seed, seed)
	}
	r := report.New()
	base := realistic(3)
	f.Fuzz(func(t *testing.T, note, name string) {
		in := base
		in.Name = name
		in.CheckIns = nil
		for i, ci := range base.CheckIns {
			ci.Note = note
			if i%2 == 1 {
				ci.Note = note + " " + note + " " + note
				ci.Area = note
			}
			in.CheckIns = append(in.CheckIns, ci)
		}
		in.RedFlags = []bot.RedFlagEvent{{Rule: note, Area: name, At: now}}
		in.TapeCycles = []bot.TapeCycle{{Area: note, AppliedAt: now.Add(-48e9)}}
		file, err := r.ClinicianReport(in)
		if err != nil {
			t.Fatalf("report: %v", err)
		}
		if !bytes.HasPrefix(file.Data, []byte("%PDF")) {
			t.Fatalf("not a PDF")
		}
		if n := pageCount(file.Data); n != 1 {
			t.Fatalf("pages = %d, want 1", n)
		}
	})
}
