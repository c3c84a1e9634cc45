package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
)

// newSlack builds the Slack adapter from the configuration: Socket Mode when
// SLACK_APP_TOKEN is set, signed HTTP endpoints otherwise. It makes no
// network calls; the adapter checks the token when it runs, so serving can
// start while Slack is briefly unreachable.
func newSlack(_ context.Context, d deps) (*platform, error) {
	cfg := d.cfg
	socket := cfg.SlackAppToken != ""
	if socket && !strings.HasPrefix(cfg.SlackAppToken, "xapp-") {
		return nil, errors.New("SLACK_APP_TOKEN: must be an app-level token starting with xapp- (Basic Information > App-Level Tokens)")
	}
	if !socket && cfg.SlackSigningSecret == "" {
		return nil, errors.New("SLACK_SIGNING_SECRET: required for Slack over HTTP (Basic Information > Signing Secret); or set SLACK_APP_TOKEN for Socket Mode")
	}
	opts := []slackgo.Option{
		slackgo.OptionAPIURL(cfg.SlackAPIURL),
		slackgo.OptionHTTPClient(&http.Client{Timeout: 15 * time.Second}),
	}
	if socket {
		opts = append(opts, slackgo.OptionAppLevelToken(cfg.SlackAppToken))
	}
	a, err := slackadapter.New(slackadapter.Config{
		Client:        slackgo.New(cfg.SlackBotToken, opts...),
		Handler:       d.coach,
		Store:         d.store,
		SocketMode:    socket,
		SigningSecret: cfg.SlackSigningSecret,
		// Signatures go to the store as well as memory: with PostgreSQL a
		// request replayed to another instance is refused there too, and
		// with SQLite one replayed after a restart is.
		SharedReplay: true,
		Logger:       d.logger,
		Clock:        d.clock,
		OnReconnect: func() {
			if d.reconnected != nil {
				d.reconnected(bot.Slack)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("SLACK_BOT_TOKEN: %w", err)
	}
	return &platform{
		name:   bot.Slack,
		sender: a,
		routes: a.Routes(),
		run:    a.Run,
		ready:  a.Ready,
	}, nil
}

// runSlackManifest implements `recoverycoach slack-manifest [--url BASE]
// [--socket-mode]`: it prints the app manifest, generated from the command
// registry, for Slack's "Create an app from a manifest" dialog.
func runSlackManifest(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("slack-manifest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	base := fs.String("url", "", "public https base URL of the /slack/* endpoints")
	socket := fs.Bool("socket-mode", false, "use Socket Mode (no public URL needed)")
	const usage = "usage: recoverycoach slack-manifest [--url https://coach.example.com] [--socket-mode]"
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usage)
			return nil
		}
		return usageError{fmt.Sprintf("slack-manifest: %v\n%s", err, usage)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("slack-manifest: unexpected argument %q\n%s", fs.Arg(0), usage)}
	}
	out, err := slackadapter.ManifestYAML(bot.Commands(), slackadapter.ManifestOptions{BaseURL: *base, SocketMode: *socket})
	if err != nil {
		return usageError{fmt.Sprintf("slack-manifest: %v\n%s", err, usage)}
	}
	_, err = stdout.Write(out)
	return err
}
