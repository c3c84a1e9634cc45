// Package console is the terminal adapter: a REPL on stdin/stdout for one
// local user, and the Sender that prints nudges as they come due. It needs
// no tokens, so it is the zero-setup default.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Identity of the console's only user.
const (
	Workspace = "local"
	User      = "console"
)

// Handler runs a request; *bot.Coach implements it.
type Handler interface {
	Handle(ctx context.Context, req bot.Request) bot.Reply
}

// Options tune the adapter.
type Options struct {
	// Prompt prints "> " before each line; set it for an interactive terminal.
	Prompt bool
	// FilesDir is where attachments (exports) are written.
	FilesDir string
	// TZ is passed with each request as the platform's zone for new members.
	TZ string
}

// Adapter is the console REPL.
type Adapter struct {
	handler Handler
	in      io.Reader
	opts    Options

	mu  sync.Mutex // serializes writes: replies and nudges share out
	out io.Writer
}

// New returns a console adapter reading in and writing out.
func New(h Handler, in io.Reader, out io.Writer, opts Options) *Adapter {
	if opts.FilesDir == "" {
		opts.FilesDir = "."
	}
	return &Adapter{handler: h, in: in, out: out, opts: opts}
}

// Run reads commands until EOF, "quit", or ctx is cancelled.
func (a *Adapter) Run(ctx context.Context) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	// The reader cannot be interrupted while blocked on a terminal; it ends
	// at EOF, and with the process otherwise.
	go func() {
		sc := bufio.NewScanner(a.in)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	a.print("Recovery Coach (console). Type `help`, `/pain 4 knee`, or `quit`.\n")
	for {
		a.prompt()
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if err != nil {
				return fmt.Errorf("console: read: %w", err)
			}
			return nil
		case line := <-lines:
			line = strings.TrimSpace(line)
			switch {
			case line == "" || strings.HasPrefix(line, "#"):
				continue
			case line == "quit" || line == "exit":
				return nil
			}
			if !a.opts.Prompt {
				a.print("> " + line + "\n")
			}
			reply := a.handler.Handle(ctx, bot.Request{
				// The person at the terminal owns this bot, so they may use
				// the staff commands too.
				Platform: bot.Console, Workspace: Workspace, User: User, UserName: "you", IsDM: true, IsAdmin: true, TZ: a.opts.TZ, Text: line,
				Conversational: true,
			})
			if !reply.Empty() {
				a.print(a.render(reply))
			}
		}
	}
}

func (a *Adapter) prompt() {
	if a.opts.Prompt {
		a.print("> ")
	}
}

// Send implements bot.Sender for the console: nudges are printed.
func (a *Adapter) Send(_ context.Context, to bot.MemberKey, msg bot.Reply) error {
	if to.Platform != bot.Console {
		return fmt.Errorf("console: cannot deliver to %s: %w", to.Platform, bot.ErrUnreachable)
	}
	a.print("\n[nudge] " + a.render(msg))
	a.prompt()
	return nil
}

// SendChannel implements bot.ChannelSender: staff alerts are printed with
// the channel's name.
func (a *Adapter) SendChannel(_ context.Context, _ bot.Platform, _, channel string, msg bot.Reply) error {
	a.print("\n[#" + channel + "] " + a.render(msg))
	a.prompt()
	return nil
}

func (a *Adapter) print(s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	io.WriteString(a.out, s)
}

// mentionToken is a bot.Mention or bot.ChannelMention token, shown in a
// terminal as @id or #id.
var mentionToken = regexp.MustCompile(`<([@#][A-Za-z0-9_.-]+)>`)

// render turns a reply into plain text with buttons shown as commands to type.
func (a *Adapter) render(r bot.Reply) string {
	var b strings.Builder
	b.WriteString(mentionToken.ReplaceAllString(r.PlainText(), "$1"))
	b.WriteString("\n")
	if len(r.Buttons) > 0 {
		b.WriteString("  ")
		for i, btn := range r.Buttons {
			if i > 0 {
				b.WriteString("  ")
			}
			command := btn.Command
			if form, ok := bot.FormFor(btn.Form); ok {
				// A terminal has no dialogs: show the whole line to type.
				command = strings.TrimPrefix(form.Usage(), "/")
			}
			fmt.Fprintf(&b, "[%s: type `%s`]", btn.Label, command)
		}
		b.WriteString("\n")
	}
	for _, f := range r.Files {
		path, err := saveNew(a.opts.FilesDir, filepath.Base(f.Name), f.Data)
		if err != nil {
			fmt.Fprintf(&b, "Could not save %s: %v\n", f.Name, err)
			continue
		}
		fmt.Fprintf(&b, "Saved %s\n", path)
	}
	return b.String()
}

// saveNew writes data to a file that did not exist: name, else name-2,
// name-3 and so on before the extension, so that a second report of the
// same minute never overwrites the first.
func saveNew(dir, name string, data []byte) (string, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 1; ; i++ {
		path := filepath.Join(dir, name)
		if i > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d%s", base, i, ext))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && i < 1000 {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return path, err
	}
}
