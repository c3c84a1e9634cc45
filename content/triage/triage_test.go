package triage_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/content/triage"
)

func concepts(fs []triage.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Concept+":"+f.Level.String())
	}
	return out
}

// TestNormalisation: contractions, shorthand, British spelling and typos
// reach the same findings as the plain wording.
func TestNormalisation(t *testing.T) {
	tr := triage.New()
	tests := []struct {
		plain, variant string
	}{
		{"cannot feel my foot", "CAN'T feel my foot!!"},
		{"cannot feel my foot", "cant feel my foot"},
		{"cannot feel my foot", "can’t feel my foot"},
		{"calf hot and swollen", "calf hot & swollen"},
		{"calf hot and swollen", "calf hot n swolen"},
		{"calf hot and swollen", "calf hot + swelled"},
		{"numbness down my leg", "numbnes down my leg"},
		{"tingling in my toes", "tinglin in my toes"},
		{"breathless sitting down", "breathles sitting down"},
		{"i peed myself", "i pee'd myself"},
		{"leg edema and calf hot", "leg oedema and calf hot"},
		{"fever and knee hot", "feverr and knee hot"},
	}
	for _, tt := range tests {
		want := concepts(tr.Assess(triage.Input{Note: tt.plain}))
		got := concepts(tr.Assess(triage.Input{Note: tt.variant}))
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%q -> %v, want %v (as %q)", tt.variant, got, want, tt.plain)
		}
	}
}

// TestContext: negation scope, pseudo-negation, history, other people,
// hypotheticals and exertion.
func TestContext(t *testing.T) {
	tr := triage.New()
	tests := []struct {
		note string
		want string // first concept, or "" for none
	}{
		{"no numbness or tingling", ""},
		{"no numbness, tingling or weakness", ""},
		{"no pain, numbness down my leg", "neuro"},
		{"no better, numbness down my leg", "neuro"},
		{"knee not too bad, numb foot though", "neuro"},
		{"no pain but my leg keeps giving way", "neuro"},
		{"no pain just numb", "neuro"},
		{"numbness has gone", ""},
		{"numbness and tingling have gone", ""},
		{"swelling going down", ""},
		{"bladder fine", ""},
		{"no problems with bladder or bowel", ""},
		{"bladder not fine", "cauda-equina"},
		{"had a dvt years ago, calf fine", ""},
		{"my physio says my quads are weak", ""},
		{"my son has a fever", ""},
		{"what if it's a clot?", ""},
		{"worried it could be a clot but it isn't swollen or hot", ""},
		{"worried its a clot, calf hot and swollen", "dvt"},
		{"a bit breathless after my run, that's normal", ""},
		{"breathless sitting on the sofa", "breathing"},
		{"my face is not droopy", ""},
		{"face drooping on one side", "stroke"},
		{"fell asleep on the sofa", ""},
		{"popped to the shops", ""},
		{"felt a pop and it swelled straight away", "pop-swelling"},
		{"i can't feel any tingling today", ""},
	}
	for _, tt := range tests {
		got := tr.Assess(triage.Input{Note: tt.note})
		first := ""
		if len(got) > 0 {
			first = got[0].Concept
		}
		if first != tt.want {
			t.Errorf("%q -> %v, want %q", tt.note, concepts(got), tt.want)
		}
	}
}

// TestCombinations: rules that need two things, or the area, or history.
func TestCombinations(t *testing.T) {
	tr := triage.New()
	tests := []struct {
		name string
		in   triage.Input
		want []string
	}{
		{"area counts as text", triage.Input{Score: 5, HasScore: true, Area: "chest", Note: "tight when i walk upstairs"}, []string{"cardiac:emergency"}},
		{"calf clot with breathlessness", triage.Input{Note: "calf swollen and now short of breath"}, []string{"clot-lung:emergency", "dvt:urgent"}},
		{"fever with a hot knee", triage.Input{Note: "temp of 38.5 and my knee is red and hot"}, []string{"infection:urgent"}},
		{"fever alone", triage.Input{Note: "feverish today"}, []string{"fever:soon"}},
		{"a normal temperature", triage.Input{Note: "temp 36.8, knee warm after ice"}, nil},
		{"numb toes under tape", triage.Input{TapeWorn: true, Note: "toes numb"}, []string{"tape-circulation:urgent"}},
		{"blue toes under tape", triage.Input{TapeWorn: true, Note: "toes look blue"}, []string{"tape-circulation:urgent"}},
		{"blue tape", triage.Input{TapeWorn: true, Note: "blue tape looks cool"}, nil},
		{"contraindication before taping", triage.Input{Taping: true, Note: "i had a dvt two years ago"}, []string{"tape-contraindication:soon"}},
		{"dizzy after neck manipulation", triage.Input{Note: "dizzy since the chiro cracked my neck"}, []string{"neck-artery:emergency"}},
		{"high score", triage.Input{Score: 9, HasScore: true, Note: "rough day"}, []string{"high-score:soon"}},
		{"rising trend", triage.Input{Score: 6, HasScore: true, Previous: []int{2, 3, 4, 5}}, []string{"rising-trend:soon"}},
		{"swelling persists", triage.Input{Note: "still swollen", EarlierNotes: []triage.EarlierNote{{DaysAgo: 1, Note: "swollen"}, {DaysAgo: 4, Note: "swollen"}}}, []string{"swelling-persists:soon"}},
		{"swelling went in between", triage.Input{Note: "swollen again", EarlierNotes: []triage.EarlierNote{{DaysAgo: 2, Note: "no swelling now"}, {DaysAgo: 4, Note: "swollen"}}}, nil},
	}
	for _, tt := range tests {
		if got := concepts(tr.Assess(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEmergencyNumber(t *testing.T) {
	for zone, want := range map[string]string{
		"Europe/London": "999", "America/New_York": "911", "America/Toronto": "911", "Europe/Berlin": "112",
		"Australia/Sydney": "000", "Pacific/Auckland": "111", "Asia/Tokyo": "119", "UTC": "", "Etc/GMT+5": "", "": "",
	} {
		if got := triage.EmergencyNumber(zone); got != want {
			t.Errorf("EmergencyNumber(%q) = %q, want %q", zone, got, want)
		}
	}
	f := triage.Finding{Concept: "stroke", Level: triage.Emergency}
	if got := triage.Advice(f, "999"); !strings.HasPrefix(got, "**Call 999 now.**") {
		t.Errorf("advice = %q", got)
	}
	if got := triage.Advice(f, ""); !strings.HasPrefix(got, "**Call your local emergency number now.**") {
		t.Errorf("advice = %q", got)
	}
}

// FuzzTriage: any note, however long or strange, is triaged without a
// panic, and every finding has a level, a reason and advice.
func FuzzTriage(f *testing.F) {
	for _, s := range []string{"", "no numbness, tingling or weakness", "calf hot & swolen after flight", "38.5", "?", strings.Repeat("numb ", 2000), "can't, won't, didn't — no; not? never!"} {
		f.Add(s, 5, "knee")
	}
	tr := triage.New()
	f.Fuzz(func(t *testing.T, note string, score int, area string) {
		for _, fd := range tr.Assess(triage.Input{Note: note, Score: score, HasScore: true, Area: area, Previous: []int{score - 3}}) {
			if fd.Level == triage.None || fd.Reason == "" || triage.Advice(fd, "112") == "" {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
	})
}

func BenchmarkAssess(b *testing.B) {
	tr := triage.New()
	in := triage.Input{Score: 6, HasScore: true, Area: "knee", Previous: []int{3, 4, 5},
		Note: "knee not too bad today but my calf is a bit swolen and warm after the long flight home, no numbness"}
	for b.Loop() {
		tr.Assess(in)
	}
}

// BenchmarkAssessLongNote: a 10 kB pasted note stays bounded.
func BenchmarkAssessLongNote(b *testing.B) {
	tr := triage.New()
	in := triage.Input{Note: strings.Repeat("my knee is sore after stairs, no swelling. ", 250)}
	for b.Loop() {
		tr.Assess(in)
	}
}
