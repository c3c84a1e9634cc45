package slack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/recoverycoach/recoverycoach/content"
)

// TestCardInMrkdwn renders a whole content card as Slack mrkdwn, against a
// golden file (refresh with -update).
func TestCardInMrkdwn(t *testing.T) {
	lib, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	card, ok := lib.Card("tape-apply")
	if !ok {
		t.Fatal("card tape-apply is missing")
	}
	got := toMrkdwn("**" + card.Title + "**\n\n" + card.Body + "\n")
	path := filepath.Join("testdata", "tape-apply.mrkdwn.golden")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("mrkdwn of tape-apply differs from %s:\n%s", path, got)
	}
}

func TestMentionsStayLive(t *testing.T) {
	got := toMrkdwn("**Red flag** for <@U1> in <#C2> & <script>")
	if want := "*Red flag* for <@U1> in <#C2> &amp; &lt;script&gt;"; got != want {
		t.Errorf("toMrkdwn = %q, want %q", got, want)
	}
}
