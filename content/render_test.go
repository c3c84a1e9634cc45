package content_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGoldenRenders pins how one card looks on each platform: plain text
// for the console and notifications, Slack mrkdwn, and Discord, which
// takes the Markdown subset unchanged.
func TestGoldenRenders(t *testing.T) {
	lib := mustLibrary(t)
	card, ok := lib.Card("tape-apply")
	if !ok {
		t.Fatal("card tape-apply is missing")
	}
	md := "**" + card.Title + "**\n\n" + card.Body + "\n"
	renders := []struct {
		file string
		text string
	}{
		{"tape-apply.plain.golden", bot.StripMarkdown(md)},
		{"tape-apply.slack.golden", bot.ToSlackMrkdwn(md)},
		{"tape-apply.discord.golden", md},
	}
	for _, r := range renders {
		t.Run(r.file, func(t *testing.T) {
			path := filepath.Join("testdata", r.file)
			if *update {
				if err := os.WriteFile(path, []byte(r.text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run go test -update to create it): %v", err)
			}
			if r.text != string(want) {
				t.Errorf("render differs from %s:\n--- got\n%s\n--- want\n%s", path, r.text, want)
			}
		})
	}
}
