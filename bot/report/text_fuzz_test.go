package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzNoteText drives arbitrary text through the PDF text path alone
// (cleaning, cutting to a cell, fpdf's UTF-8 font encoding), which is fast
// enough to fuzz well; FuzzClinicianReport covers the whole report.
func FuzzNoteText(f *testing.F) {
	for _, seed := range []string{
		"", "sore after stairs", "Zoë – 5€ brace", "Колено болит", "膝が痛い", "😖🦵🏽",
		"\xff\xfe\x00broken", "(unbalanced \\ parens", "line\nbreak\ttab\r", "\u202eright-to-left\u200b",
		"a\u0301\u0301 combining", strings.Repeat("W", 500),
	} {
		f.Add(seed)
	}
	r := New()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, note string) {
		clean := r.clean(note, maxCellRunes)
		if !utf8.ValidString(clean) {
			t.Fatalf("clean(%q) = %q is not valid UTF-8", note, clean)
		}
		if n := utf8.RuneCountInString(clean); n > maxCellRunes {
			t.Fatalf("clean kept %d runes, limit %d", n, maxCellRunes)
		}
		for _, c := range clean {
			if !r.covered.has(c) {
				t.Fatalf("clean(%q) kept %U, which the fonts lack", note, c)
			}
		}
		p := r.newPage(at, note)
		for i := range 60 {
			p.cell(margin, margin+float64(i)*rowH, 40+float64(i), rowH, note, 9, i%2 == 0, "L", i%3 == 0)
		}
		p.split(note, colW, 9.5, 2)
		if w := p.pdf.GetStringWidth(p.fit(clean, 50)); w > 50 {
			t.Fatalf("fit(%q) is %.1f mm wide, want <= 50", note, w)
		}
		data, err := p.output()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("%PDF")) {
			t.Fatal("not a PDF")
		}
	})
}
