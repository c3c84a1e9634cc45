package content_test

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"

	"github.com/recoverycoach/recoverycoach/bot/bottest"
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
		{"tape-apply.discord.golden", md},
	}
	for _, r := range renders {
		t.Run(r.file, func(t *testing.T) {
			bottest.Golden(t, filepath.Join("testdata", r.file), []byte(r.text), *update)
		})
	}
}
