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
func newSlack(ctx context.Context, d deps) (*platform, error) {
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
	var dist *slackadapter.Distribution
	client := slackgo.New(cfg.SlackBotToken, opts...)
	if cfg.slackDistribution() {
		var err error
		if dist, err = slackDistributionConfig(ctx, d); err != nil {
			return nil, err
		}
		client = nil
	}
	a, err := slackadapter.New(slackadapter.Config{
		Distribution:  dist,
		Client:        client,
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
		idle:   a.Idle,
	}, nil
}

// runSlackManifest implements `recoverycoach slack-manifest [--url BASE]
// [--socket-mode]`: it prints the app manifest, generated from the command
// registry, for Slack's "Create an app from a manifest" dialog.
//
// With distribution configured (SLACK_CLIENT_ID and SLACK_REDIRECT_URL)
// the manifest carries the redirect URL and enables org-wide installs, and
// a comment above it gives the install URL to share.
func runSlackManifest(args []string, getenv func(string) string, stdout io.Writer) error {
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
	opts := slackadapter.ManifestOptions{BaseURL: *base, SocketMode: *socket}
	redirect := strings.TrimSpace(getenv("SLACK_REDIRECT_URL"))
	distributed := strings.TrimSpace(getenv("SLACK_CLIENT_ID")) != "" && redirect != "" && !*socket
	if distributed {
		opts.RedirectURL = redirect
	}
	out, err := slackadapter.ManifestYAML(bot.Commands(), opts)
	if err != nil {
		return usageError{fmt.Sprintf("slack-manifest: %v\n%s", err, usage)}
	}
	if distributed {
		install := strings.TrimSuffix(redirect, "/slack/oauth_redirect") + "/slack/install"
		fmt.Fprintf(stdout, "# Install URL (the Add to Slack button of the landing page): %s\n", install)
	}
	_, err = stdout.Write(out)
	return err
}
