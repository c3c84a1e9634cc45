package console_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/recoverycoach/recoverycoach/adapters/console"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// syncBuffer is a bytes.Buffer safe for the REPL and nudges at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestPipedScriptRunsToEOF(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	var out syncBuffer
	dir := t.TempDir()
	con := console.New(coach, strings.NewReader("# a comment\n\n/pain 5 knee\nexport\nthanks!\nlovely day\nreally lovely\n"), &out, console.Options{FilesDir: dir})
	if err := con.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"> /pain 5 knee", "Logged 5/10 for your knee", "Saved " + dir, "You're welcome", "I'm a simple coach"} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "# a comment") {
		t.Error("comment lines must be skipped")
	}
	if strings.Count(got, "simple coach") != 1 {
		t.Errorf("chatter hinted more than once:\n%s", got)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(files) != 1 {
		t.Fatalf("export files = %v", files)
	}
	if data, _ := os.ReadFile(files[0]); !strings.Contains(string(data), "checkin") {
		t.Errorf("export = %s", data)
	}
	key := bot.MemberKey{Platform: bot.Console, Workspace: console.Workspace, User: console.User}
	if got, _ := db.CheckIns(context.Background(), key, bottest.Start.AddDate(-1, 0, 0)); len(got) != 1 {
		t.Errorf("stored %d check-ins", len(got))
	}
}

func TestQuitEndsTheSession(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, nil)
	var out syncBuffer
	con := console.New(coach, strings.NewReader("quit\n/pain 3\n"), &out, console.Options{})
	if err := con.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Logged") {
		t.Errorf("input after quit was handled:\n%s", out.String())
	}
}

func TestCancelStopsAnInteractiveSession(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, nil)
	in, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	con := console.New(coach, in, io.Discard, console.Options{Prompt: true})
	done := make(chan error, 1)
	go func() { done <- con.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v", err)
	}
}

func TestSendPrintsNudgesAndRefusesOtherPlatforms(t *testing.T) {
	var out syncBuffer
	con := console.New(nil, strings.NewReader(""), &out, console.Options{})
	nudge := bot.Reply{Title: "Exercise time", Text: "**Bridges** 3 x 10", Buttons: []bot.Button{{Label: "Done", Command: "coach done"}}}
	if err := con.Send(context.Background(), bot.MemberKey{Platform: bot.Console, Workspace: "local", User: "console"}, nudge); err != nil {
		t.Fatal(err)
	}
	if err := con.SendChannel(context.Background(), bot.Console, "local", "staff", bot.Reply{Text: "Red flag"}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"[nudge] Exercise time", "Bridges 3 x 10", "[Done: type `coach done`]", "[#staff] Red flag"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	err := con.Send(context.Background(), bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U1"}, nudge)
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Errorf("Send to Slack = %v, want unreachable", err)
	}
}

// TestChannelPostsShowTheirFormsAsLinesToType: a terminal has no dialogs,
// so a button that opens one shows the whole command to type instead; a
// channel command typed at the console posts to its one channel.
func TestChannelPostsShowTheirFormsAsLinesToType(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, nil)
	var out syncBuffer
	con := console.New(coach, strings.NewReader("/coach channel load at 18:30\n/coach channel list\n"), &out, console.Options{})
	if err := con.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	post := bot.Reply{Title: "Session load", Visibility: bot.InChannel,
		Buttons: []bot.Button{{Label: "Answer", Command: "coach load", Form: "coach load"}}}
	if err := con.SendChannel(context.Background(), bot.Console, console.Workspace, "general", post); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"a session-load prompt here at 18:30 every day", "Posts in this channel", "[#general] Session load", "[Answer: type `coach load RPE MINUTES [NOTE...]`]"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestFilesNeverOverwrite: two attachments of the same name are both kept.
func TestFilesNeverOverwrite(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, nil)
	dir := t.TempDir()
	var out strings.Builder
	con := console.New(coach, strings.NewReader("/pain 5 knee\nexport\nexport\n"), &out, console.Options{FilesDir: dir})
	if err := con.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir(dir)
	if err != nil || len(files) != 2 {
		t.Fatalf("files = %v, %v; want two exports\n%s", files, err, out.String())
	}
}
