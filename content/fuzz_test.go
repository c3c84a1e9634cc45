package content_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/content"
)

func addFiles(f *testing.F, pattern string) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkErrors makes sure every failure is a positioned, readable problem.
func checkErrors(t *testing.T, name string, err error) {
	var errs content.Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("error %T is not content.Errors: %v", err, err)
	}
	for _, p := range errs {
		if p.File != name || p.Line < 1 || p.Msg == "" {
			t.Fatalf("problem without a position: %+v", p)
		}
	}
}

func FuzzParseCard(f *testing.F) {
	addFiles(f, "library/*.md")
	for _, s := range []string{
		"", "---\n---\n", "---\nid: a\n---\n", "no front matter",
		"---\nid: a\ntitle: A\ntopic: t\nareas: [any]\n---\nBody.\n",
		"---\nid: a\ntitle: A\ntopic: t\nareas: [any]\ntip: T.\nmatch:\n  - {score: {min: 11}}\n---\nBody.\n",
		"---\n&a [*a]\n---\nx", "---\nid: [\n---\n", "\n\n---\r\nid: a\r\n---\r\nBody\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := content.ParseCard("fuzz.md", data)
		if err != nil {
			checkErrors(t, "fuzz.md", err)
			return
		}
		if c.ID == "" || c.Title == "" || c.Topic == "" || strings.TrimSpace(c.Body) == "" || len(c.Areas) == 0 {
			t.Fatalf("parsed an incomplete card: %+v", c)
		}
	})
}

func FuzzParseProgram(f *testing.F) {
	addFiles(f, "programs/*.yaml")
	for _, s := range []string{"", "id: p", "exercises: [{}]", "{", "id: p\ntitle: P\nsummary: S\nareas: [knee]\nexercises:\n  - {id: x, name: X, sets: 1, reps: 1, per_day: 1, how_to: [a]}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := content.ParseProgram("fuzz.yaml", data)
		if err != nil {
			checkErrors(t, "fuzz.yaml", err)
			return
		}
		if p.ID == "" || len(p.Exercises) == 0 {
			t.Fatalf("parsed an incomplete program: %+v", p)
		}
		for _, e := range p.Exercises {
			if e.Dose() == "" {
				t.Fatalf("exercise without a dose: %+v", e)
			}
		}
	})
}

// FuzzAdviseNote feeds arbitrary notes and scores to the guide: it must
// never panic, always explain itself, and word every red flag as a referral.
func FuzzAdviseNote(f *testing.F) {
	for _, s := range []string{"", "numb", "no numbness", "not swollen, but tingling", "itchy rash under tape", "I fell!!", "’’’", "no no no not", "chest pain*"} {
		f.Add(s, 5, 3)
	}
	lib, err := content.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, noteText string, score, prev int) {
		score, prev = abs(score)%11, abs(prev)%11
		key := bot.MemberKey{Platform: bot.Console, Workspace: "w", User: "u"}
		old := bot.CheckIn{ID: 1, Member: key, Score: prev, Area: "knee", Note: noteText, At: t0}
		cur := bot.CheckIn{ID: 2, Member: key, Score: score, Area: "knee", Note: noteText, At: t0.Add(4 * 24 * time.Hour)}
		in := bot.GuidanceInput{CheckIn: cur, Recent: []bot.CheckIn{old, cur}, Now: cur.At,
			Tape: []bot.TapeCycle{{ID: 1, Member: key, Area: "knee", Days: 5, AppliedAt: t0}}}
		g := lib.Advise(in)
		if g.Text != "" && g.Reason == "" {
			t.Fatalf("advice without a reason: %+v", g)
		}
		if len(g.RedFlags) > 0 && !strings.HasPrefix(g.Text, "**") {
			t.Fatalf("red flags %+v, but the finding does not lead: %q", g.RedFlags, g.Text)
		}
		for _, rf := range g.RedFlags {
			if rf.Urgency == bot.UrgencyNone || rf.Reason == "" {
				t.Fatalf("red flag without urgency or reason: %+v", rf)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
