package console_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/adapters/console"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/content"
)

var update = flag.Bool("update", false, "rewrite golden transcripts")

// TestTranscripts replays each script in testdata on a fake clock and
// compares the console's output with its golden transcript. Every line
// must get a reply: the console prints nothing for an empty one, so an
// input followed straight by the next input is silence.
func TestTranscripts(t *testing.T) {
	scripts, _ := filepath.Glob("testdata/*.txt")
	if len(scripts) == 0 {
		t.Fatal("no scripts in testdata")
	}
	lib, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, script := range scripts {
		t.Run(filepath.Base(script), func(t *testing.T) {
			data, err := os.ReadFile(script)
			if err != nil {
				t.Fatal(err)
			}
			coach, _, clock := bottest.NewCoach(t, lib)
			var transcript strings.Builder
			var chunk []string
			run := func() {
				var out syncBuffer
				con := console.New(coach, strings.NewReader(strings.Join(chunk, "\n")+"\n"), &out, console.Options{FilesDir: t.TempDir(), TZ: "UTC"})
				if err := con.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				_, body, _ := strings.Cut(out.String(), "\n") // the banner
				transcript.WriteString(body)
				chunk = nil
			}
			for line := range strings.SplitSeq(string(data), "\n") {
				if step, ok := strings.CutPrefix(line, "@ +"); ok {
					run()
					d, err := parseStep(step)
					if err != nil {
						t.Fatalf("bad step %q: %v", line, err)
					}
					clock.Advance(d)
					transcript.WriteString("@ " + clock.Now().Format("Mon 2 Jan 15:04 MST") + "\n")
					continue
				}
				chunk = append(chunk, line)
			}
			run()
			got := transcript.String()
			checkNoSilence(t, got)
			bottest.Golden(t, strings.TrimSuffix(script, ".txt")+".golden", []byte(got), *update)
		})
	}
}

func parseStep(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := time.ParseDuration(n + "h")
		return 24 * d, err
	}
	return time.ParseDuration(s)
}

// checkNoSilence fails when an input line ("> ...") is followed directly
// by another input line or by the end: that input got no reply.
func checkNoSilence(t *testing.T, transcript string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(transcript, "\n"), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "> ") {
			continue
		}
		if i+1 == len(lines) || strings.HasPrefix(lines[i+1], "> ") || strings.HasPrefix(lines[i+1], "@ ") {
			t.Errorf("no reply to %q", l)
		}
	}
}
