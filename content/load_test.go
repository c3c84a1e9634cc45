package content_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/recoverycoach/recoverycoach/content"
)

const goodCard = `---
id: test-card
title: A test card
topic: testing
areas: [knee]
related: [tape-apply]
---
This card exists to test loading from a directory layer on top of the embedded library.
`

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func overlay(files map[string]string) content.Layer {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = file(data)
	}
	return content.Layer{Name: "dir", FS: fsys}
}

func TestLoadRejectsMalformedFiles(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "missing id",
			files: map[string]string{"library/a.md": "---\ntitle: A\ntopic: t\nareas: [any]\n---\nBody text.\n"},
			want:  []string{"dir/library/a.md:2: missing id"},
		},
		{
			name:  "unknown key",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\ncolour: red\nareas: [any]\n---\nBody text.\n"},
			want:  []string{`dir/library/a.md:5: unknown key "colour"`},
		},
		{
			name:  "unknown key in match rules",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\ntip: Hi.\nmatch:\n  - score: {min: 2}\n    mood: happy\n---\nBody text.\n"},
			want:  []string{`dir/library/a.md:9: unknown key "mood"`},
		},
		{
			name: "duplicate id",
			files: map[string]string{
				"library/a.md": "---\nid: same\ntitle: A\ntopic: t\nareas: [any]\n---\nBody text.\n",
				"library/b.md": "---\nid: same\ntitle: B\ntopic: t\nareas: [any]\n---\nBody text.\n",
			},
			want: []string{`dir/library/b.md:2: duplicate card id "same" (also in dir/library/a.md:2)`},
		},
		{
			name:  "duplicate key",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntitle: B\ntopic: t\nareas: [any]\n---\nBody text.\n"},
			want:  []string{`dir/library/a.md:4: duplicate key "title" (first at line 3)`},
		},
		{
			name:  "bad yaml",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: [unclosed\ntopic: t\n---\nBody text.\n"},
			want:  []string{"dir/library/a.md:", "bad YAML"},
		},
		{
			name:  "wrong type",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\npriority: high\n---\nBody text.\n"},
			want:  []string{"dir/library/a.md:6: bad YAML: cannot unmarshal"},
		},
		{
			name:  "no front matter",
			files: map[string]string{"library/a.md": "Just text.\n"},
			want:  []string{"dir/library/a.md:1: no front matter"},
		},
		{
			name:  "front matter not closed",
			files: map[string]string{"library/a.md": "\n---\nid: a\ntitle: A\n"},
			want:  []string{"dir/library/a.md:2: front matter is not closed"},
		},
		{
			name:  "empty body",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\n---\n\n  \n"},
			want:  []string{"dir/library/a.md:7: empty body"},
		},
		{
			name:  "broken card reference",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\nrelated:\n  - tape-apply\n  - nope\n---\nBody text.\n"},
			want:  []string{`dir/library/a.md:8: broken reference: no card with id "nope"`},
		},
		{
			name:  "broken program reference",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\nprograms: [yoga]\n---\nBody text.\n"},
			want:  []string{`dir/library/a.md:6: broken reference: no program with id "yoga"`},
		},
		{
			name:  "unknown area",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas:\n  - knee\n  - kneee\n---\nBody text.\n"},
			want:  []string{`dir/library/a.md:7: unknown area "kneee"`},
		},
		{
			name:  "unknown red flag rule",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\nred_flag: gout\ntip: See your doctor.\n---\nBody text.\n"},
			want:  []string{`dir/library/a.md:6: unknown red_flag rule "gout"`},
		},
		{
			name:  "red flag tip without referral",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\nred_flag: cardiac\ntip: Rest a bit.\n---\nBody text.\n"},
			want:  []string{"dir/library/a.md:7: the tip of a red-flag card must refer to a physical therapist or doctor", `dir/library/a.md:7: rule "cardiac" is urgent: its tip must say urgent`},
		},
		{
			name:  "match rules need a tip",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\nmatch:\n  - trend: sideways\n---\nBody text.\n"},
			want:  []string{"dir/library/a.md:6: missing tip", `dir/library/a.md:7: trend "sideways" must be improving, stable or worsening`},
		},
		{
			name:  "empty match entry",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\ntip: Hi.\nmatch:\n  - {}\n---\nBody text.\n"},
			want:  []string{"dir/library/a.md:8: match entry has no conditions"},
		},
		{
			name:  "markup outside the chat subset",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\n---\n# Heading\n\n* star item\n<b>html</b> and **open\n"},
			want:  []string{"dir/library/a.md:7: headings are not supported", `dir/library/a.md:9: use "- " for list items`, "dir/library/a.md:10: HTML is not supported", "dir/library/a.md:10: unclosed ** (bold)"},
		},
		{
			name:  "bad keyword",
			files: map[string]string{"library/a.md": "---\nid: a\ntitle: A\ntopic: t\nareas: [any]\ntip: Hi.\nmatch:\n  - keywords: [Numb]\n---\nBody text.\n"},
			want:  []string{`dir/library/a.md:8: keyword "Numb" must be lowercase`},
		},
		{
			name:  "program unknown key and missing exercises",
			files: map[string]string{"programs/p.yaml": "id: p\ntitle: P\nsummary: S.\nareas: [knee]\nlevel: easy\n"},
			want:  []string{`dir/programs/p.yaml:5: unknown key "level"`},
		},
		{
			name:  "program without exercises",
			files: map[string]string{"programs/p.yaml": "id: p\ntitle: P\nsummary: S.\nareas: [knee]\nexercises: []\n"},
			want:  []string{"dir/programs/p.yaml:5: missing exercises"},
		},
		{
			name: "program exercise problems",
			files: map[string]string{"programs/p.yaml": "id: p\ntitle: P\nsummary: S.\nareas: [knee]\nrelated: [low-back]\nexercises:\n" +
				"  - id: sq\n    name: Squat\n    sets: 0\n    per_day: 1\n    how_to: [Stand.]\n" +
				"  - id: sq\n    name: Squat again\n    sets: 1\n    reps: 5\n    per_day: 1\n    how_to: [One., Two., Three.]\n"},
			want: []string{
				`dir/programs/p.yaml:9: exercise "sq": sets must be 1 to 10`,
				`dir/programs/p.yaml:7: exercise "sq": give reps, hold_seconds or both`,
				`dir/programs/p.yaml:12: duplicate exercise id "sq"`,
				`dir/programs/p.yaml:17: exercise "sq": how_to needs one or two short lines`,
			},
		},
		{
			name:  "program broken reference",
			files: map[string]string{"programs/p.yaml": "id: p\ntitle: P\nsummary: S.\nareas: [knee]\nrelated: [low-back, gone]\nexercises:\n  - {id: x, name: X, sets: 1, reps: 1, per_day: 1, how_to: [Do it.]}\n"},
			want:  []string{`dir/programs/p.yaml:5: broken reference: no card with id "gone"`},
		},
		{
			name: "duplicate program id",
			files: map[string]string{
				"programs/a.yaml": "id: p\ntitle: P\nsummary: S.\nareas: [knee]\nexercises:\n  - {id: x, name: X, sets: 1, reps: 1, per_day: 1, how_to: [Do it.]}\n",
				"programs/b.yml":  "id: p\ntitle: P\nsummary: S.\nareas: [knee]\nexercises:\n  - {id: x, name: X, sets: 1, reps: 1, per_day: 1, how_to: [Do it.]}\n",
			},
			want: []string{`dir/programs/b.yml:1: duplicate program id "p" (also in dir/programs/a.yaml:1)`},
		},
		{
			name:  "red-flag card with match rules",
			files: map[string]string{"library/fever.md": "---\nid: fever\ntitle: Fever\ntopic: t\nareas: [any]\nred_flag: fever\ntip: See your doctor.\nmatch:\n  - keywords: [hot]\n---\nBody.\n"},
			want:  []string{`dir/library/fever.md:8: a red-flag card takes no match rules: triage decides when "fever" applies`},
		},
		{
			name:  "empty directory",
			files: map[string]string{"README.txt": "hello"},
			want:  []string{"dir: no cards (library/*.md) or programs (programs/*.yaml) found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := content.Load(content.Embedded(), overlay(tt.files))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			var errs content.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %T is not content.Errors: %v", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("errors do not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoadOverridesAndExtends(t *testing.T) {
	base := mustLibrary(t)
	lib, err := content.Load(content.Embedded(), overlay(map[string]string{
		"library/test-card.md": goodCard,
		"library/tape-apply.md": "---\nid: tape-apply\ntitle: Our clinic's taping steps\ntopic: tape\nareas: [any]\n---\n" +
			"Follow the taping sheet from your last visit.\n",
		"programs/knee.yaml": "id: knee\ntitle: Clinic knee plan\nsummary: Our own knee program.\nareas: [knee]\nexercises:\n" +
			"  - {id: quad-set, name: Quad sets, sets: 3, reps: 10, per_day: 2, how_to: [Sit tall., Tighten the thigh.]}\n",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := len(lib.Cards()), len(base.Cards())+1; got != want {
		t.Errorf("cards = %d, want %d", got, want)
	}
	if c, ok := lib.Card("test-card"); !ok || c.Areas[0] != "knee" {
		t.Errorf("new card = %+v, %v", c, ok)
	}
	if c, _ := lib.Card("tape-apply"); c.Title != "Our clinic's taping steps" {
		t.Errorf("override not applied: %q", c.Title)
	}
	if p, _ := lib.Program("knee"); p.Title != "Clinic knee plan" || len(p.Exercises) != 1 || p.Exercises[0].HowTo != "Sit tall. Tighten the thigh." {
		t.Errorf("program override not applied: %+v", p)
	}
	if len(lib.Programs()) != len(base.Programs()) {
		t.Errorf("programs = %d, want %d", len(lib.Programs()), len(base.Programs()))
	}
}

func TestLibraryReturnsCopies(t *testing.T) {
	lib := mustLibrary(t)
	c, _ := lib.Card("low-back")
	c.Areas[0] = "changed"
	p, _ := lib.Program("knee")
	p.Exercises[0].Name = "changed"
	if c2, _ := lib.Card("low-back"); c2.Areas[0] != "lower-back" {
		t.Error("changing a returned card changed the library")
	}
	if p2, _ := lib.Program("knee"); p2.Exercises[0].Name == "changed" {
		t.Error("changing a returned program changed the library")
	}
}

func TestParseCardAliasesAreas(t *testing.T) {
	c, err := content.ParseCard("a.md", []byte("---\nid: a\ntitle: A\ntopic: t\nareas: [back, TMJ]\n---\nBody.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Areas, ",") != "lower-back,jaw" {
		t.Errorf("areas = %v, want canonical names", c.Areas)
	}
}
