package content_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/content"
)

// TestEmbeddedLibrary is the CI form of `recoverycoach content check`:
// the embedded library must load cleanly and cover what the product needs.
func TestEmbeddedLibrary(t *testing.T) {
	lib := mustLibrary(t)
	cards := lib.Cards()
	if len(cards) < 25 {
		t.Errorf("%d cards, want at least 25", len(cards))
	}
	for _, c := range cards {
		if n := len(strings.Fields(c.Body)); n < 40 || n > 150 {
			t.Errorf("card %s: body has %d words, want 40 to 150", c.ID, n)
		}
		if c.Topic == "" || len(c.Areas) == 0 {
			t.Errorf("card %s: missing topic or areas", c.ID)
		}
	}
	if !slices.IsSortedFunc(cards, func(a, b bot.Card) int {
		return strings.Compare(a.Topic+"\x00"+a.Title, b.Topic+"\x00"+b.Title)
	}) {
		t.Error("Cards() is not ordered by topic and title")
	}
	for _, id := range []string{"stm-basics", "stm-vs-massage", "stm-plus-exercise", "techniques", "chronic-pain-basics",
		"tape-apply", "tape-wear", "tape-remove", "tape-skin-check", "pacing", "flare-up-plan", "sleep", "red-flags",
		"low-back", "neck-shoulder", "myofascial-pain", "tendinopathy", "post-surgical", "headaches-jaw", "overuse"} {
		if _, ok := lib.Card(id); !ok {
			t.Errorf("card %q is missing", id)
		}
	}
	for _, id := range []string{"low-back", "neck-shoulder", "knee", "ankle", "achilles-tendon", "knee-tendon", "elbow-tendon", "desk"} {
		p, ok := lib.Program(id)
		if !ok {
			t.Errorf("program %q is missing", id)
			continue
		}
		for _, e := range p.Exercises {
			if e.Dose() == "" || e.PerDay < 1 || e.HowTo == "" {
				t.Errorf("program %s exercise %s: incomplete %+v", id, e.ID, e)
			}
		}
	}
}

// TestProgramHowToHasTwoLines reads the program files themselves, since
// the loaded program joins the lines.
func TestProgramHowToHasTwoLines(t *testing.T) {
	files, err := filepath.Glob("programs/*.yaml")
	if err != nil || len(files) < 6 {
		t.Fatalf("program files: %v, %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Exercises []struct {
				ID    string   `yaml:"id"`
				HowTo []string `yaml:"how_to"`
			} `yaml:"exercises"`
		}
		if err := yaml.Unmarshal(data, &p); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, e := range p.Exercises {
			if len(e.HowTo) != 2 {
				t.Errorf("%s: exercise %s has %d how-to lines, want 2", f, e.ID, len(e.HowTo))
			}
		}
	}
}

var words = regexp.MustCompile(`[a-z0-9']+`)

func wordsOf(s string) []string {
	return words.FindAllString(strings.ReplaceAll(strings.ToLower(s), "’", "'"), -1)
}

// TestOwnWords makes sure no card or program reuses a run of 8 or more
// words from the background articles in shared/seeds: we use their facts,
// never their sentences.
func TestOwnWords(t *testing.T) {
	const run = 8
	seedDir := filepath.Join("..", "..", "shared", "seeds")
	seeds, err := filepath.Glob(filepath.Join(seedDir, "*"))
	if err != nil || len(seeds) == 0 {
		t.Skipf("no seed files in %s", seedDir)
	}
	seen := map[string]string{}
	for _, f := range seeds {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w := wordsOf(string(data))
		for i := 0; i+run <= len(w); i++ {
			seen[strings.Join(w[i:i+run], " ")] = filepath.Base(f)
		}
	}
	checked := 0
	err = fs.WalkDir(os.DirFS("."), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasPrefix(path, "library/") || strings.HasPrefix(path, "programs/")) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		w := wordsOf(string(data))
		for i := 0; i+run <= len(w); i++ {
			if seed, ok := seen[strings.Join(w[i:i+run], " ")]; ok {
				t.Errorf("%s shares %q with seed %s; rewrite it in our own words", path, strings.Join(w[i:i+run], " "), seed)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 31 {
		t.Errorf("checked only %d files", checked)
	}
}

// TestEmbeddedFilesMatchParse checks every embedded card also parses on its
// own, with the same id as its file name, so files are easy to find.
func TestEmbeddedFilesMatchParse(t *testing.T) {
	files, _ := filepath.Glob("library/*.md")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := content.ParseCard(f, data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if want := strings.TrimSuffix(filepath.Base(f), ".md"); c.ID != want {
			t.Errorf("%s: id %q differs from the file name", f, c.ID)
		}
		if !bytes.HasPrefix(data, []byte("---\n")) {
			t.Errorf("%s: should start with ---", f)
		}
	}
}

func TestSearch(t *testing.T) {
	lib := mustLibrary(t)
	tests := []struct {
		query string
		first string
	}{
		{"tape-apply", "tape-apply"},
		{"red flags", "red-flags"},
		{"graston", "techniques"},
		{"how do I remove tape", "tape-remove"},
		{"numbness", "numbness-weakness"},
		{"SWELLING", "swelling"},
		{"sleep", "sleep"},
		{"massage", "stm-vs-massage"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := lib.Search(tt.query)
			if len(got) == 0 || got[0].ID != tt.first {
				var ids []string
				for _, c := range got {
					ids = append(ids, c.ID)
				}
				t.Errorf("Search(%q) = %v, want %s first", tt.query, ids, tt.first)
			}
		})
	}
	if got := lib.Search("xyzzy"); len(got) != 0 {
		t.Errorf("Search(xyzzy) = %d cards, want none", len(got))
	}
	if got := lib.Search("   "); len(got) != 0 {
		t.Errorf("blank search = %d cards, want none", len(got))
	}
}
