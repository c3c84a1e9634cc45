package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// distConfig is the configuration of Slack distribution: one deployment
// serving every workspace that installs the app through OAuth.
type distConfig struct {
	SlackClientID     string
	SlackClientSecret string
	SlackRedirectURL  string
	// SecretKey seals installation tokens (COACH_SECRET_KEY);
	// PreviousSecretKey opens tokens sealed before a rotation
	// (COACH_SECRET_KEY_PREVIOUS).
	SecretKey         []byte
	PreviousSecretKey []byte
	// RetentionAfterUninstall is how long a workspace's member data is
	// kept after the app is uninstalled.
	RetentionAfterUninstall time.Duration
}

// slackDistribution reports whether Slack distribution is configured.
func (c config) slackDistribution() bool { return c.dist.SlackClientID != "" }

// loadDistribution reads the distribution settings and refuses a mix of
// the two Slack modes.
func (c *config) loadDistribution(getenv func(string) string) error {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	d := &c.dist
	d.SlackClientID, d.SlackClientSecret, d.SlackRedirectURL = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET"), get("SLACK_REDIRECT_URL")
	var err error
	retention := get("COACH_RETENTION_AFTER_UNINSTALL")
	if retention == "" {
		retention = "720h"
	}
	if d.RetentionAfterUninstall, err = time.ParseDuration(retention); err != nil || d.RetentionAfterUninstall <= 0 {
		return fmt.Errorf("COACH_RETENTION_AFTER_UNINSTALL: %q is not a positive duration such as 720h (30 days)", retention)
	}
	for _, k := range []struct {
		name string
		dst  *[]byte
	}{{"COACH_SECRET_KEY", &d.SecretKey}, {"COACH_SECRET_KEY_PREVIOUS", &d.PreviousSecretKey}} {
		if v := get(k.name); v != "" {
			if *k.dst, err = slackadapter.ParseKey(v); err != nil {
				return fmt.Errorf("%s: %w", k.name, err)
			}
		}
	}
	if d.SlackClientID == "" && d.SlackClientSecret == "" && d.SlackRedirectURL == "" {
		return nil
	}
	switch {
	case d.SlackClientID == "":
		return errors.New("SLACK_CLIENT_ID: required with SLACK_CLIENT_SECRET and SLACK_REDIRECT_URL (Basic Information > App Credentials)")
	case d.SlackClientSecret == "":
		return errors.New("SLACK_CLIENT_SECRET: required with SLACK_CLIENT_ID (Basic Information > App Credentials)")
	case d.SlackRedirectURL == "":
		return errors.New("SLACK_REDIRECT_URL: required with SLACK_CLIENT_ID, e.g. https://coach.example.com/slack/oauth_redirect")
	case c.SlackBotToken != "":
		return errors.New("SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: SLACK_BOT_TOKEN serves one workspace, SLACK_CLIENT_ID/SECRET/REDIRECT_URL serve every workspace that installs the app; unset one of them")
	case c.SlackAppToken != "":
		return errors.New("SLACK_APP_TOKEN: Slack distributes only apps that use HTTP endpoints, not Socket Mode; unset SLACK_APP_TOKEN to distribute the app")
	case c.SlackSigningSecret == "":
		return errors.New("SLACK_SIGNING_SECRET: required with SLACK_CLIENT_ID (Basic Information > Signing Secret)")
	case d.SecretKey == nil:
		return errors.New("COACH_SECRET_KEY: required with SLACK_CLIENT_ID, to encrypt the workspaces' tokens; create one with openssl rand -base64 32 and keep it safe")
	}
	u, err := url.Parse(d.SlackRedirectURL)
	local := err == nil && u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1")
	if err != nil || (u.Scheme != "https" && !local) || u.Host == "" || u.Path != "/slack/oauth_redirect" || u.RawQuery != "" {
		return fmt.Errorf("SLACK_REDIRECT_URL: %q must be https://YOUR-HOST/slack/oauth_redirect, as entered under OAuth & Permissions > Redirect URLs", d.SlackRedirectURL)
	}
	return nil
}

// keyring returns the token keyring of the configuration.
func (c config) keyring() (*slackadapter.Keyring, error) {
	if c.dist.SecretKey == nil {
		return nil, errors.New("COACH_SECRET_KEY: not set")
	}
	var previous [][]byte
	if c.dist.PreviousSecretKey != nil {
		previous = append(previous, c.dist.PreviousSecretKey)
	}
	k, err := slackadapter.NewKeyring(c.dist.SecretKey, previous...)
	if err != nil {
		return nil, fmt.Errorf("COACH_SECRET_KEY: %w", err)
	}
	return k, nil
}

// slackDistributionConfig builds the adapter's distribution settings and
// checks that the configured key opens every stored token, so a wrong key
// stops the start instead of failing each message.
func slackDistributionConfig(ctx context.Context, d deps) (*slackadapter.Distribution, error) {
	keyring, err := d.cfg.keyring()
	if err != nil {
		return nil, err
	}
	if err := slackadapter.CheckKeys(ctx, d.store, keyring); err != nil {
		if errors.Is(err, slackadapter.ErrWrongKey) {
			return nil, fmt.Errorf("COACH_SECRET_KEY: the stored Slack tokens were encrypted with another key (%w); set the key they were stored with, or during a rotation the old one as COACH_SECRET_KEY_PREVIOUS", err)
		}
		return nil, fmt.Errorf("COACH_SECRET_KEY: the stored Slack tokens do not open: %w", err)
	}
	return &slackadapter.Distribution{
		ClientID:     d.cfg.dist.SlackClientID,
		ClientSecret: d.cfg.dist.SlackClientSecret,
		RedirectURL:  d.cfg.dist.SlackRedirectURL,
		Store:        d.store,
		Keyring:      keyring,
		APIURL:       d.cfg.SlackAPIURL,
		HTTPClient:   &http.Client{Timeout: 15 * time.Second},
		Retention:    d.cfg.dist.RetentionAfterUninstall,
	}, nil
}

// purgeUninstalled deletes the member data of workspaces whose app was
// uninstalled longer ago than the retention period; housekeeping runs it.
func (e *engine) purgeUninstalled(ctx context.Context) error {
	if !e.cfg.slackDistribution() {
		return nil
	}
	purged, err := e.db.PurgeUninstalled(ctx, e.clock.Now().Add(-e.cfg.dist.RetentionAfterUninstall))
	if err != nil {
		return err
	}
	if len(purged) > 0 {
		e.log.Info("deleted the data of uninstalled Slack workspaces after the retention period", "workspaces", purged)
	}
	return nil
}

// tokenRefresher is a Sender whose tokens expire and are refreshed ahead
// of use (the Slack adapter in distribution mode).
type tokenRefresher interface {
	RefreshTokens(ctx context.Context) (int, error)
}

// refreshTokens refreshes, on every housekeeping pass, the tokens that
// expire within the refresh margin. A failed refresh is logged by the
// adapter and tried again on the next pass; sends meanwhile use the
// current token while it is valid and are retried after that.
func (e *engine) refreshTokens(ctx context.Context) error {
	for _, s := range e.senders {
		if r, ok := s.(tokenRefresher); ok {
			if _, err := r.RefreshTokens(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// installChecker is a Sender that knows whether its platform's app is still
// installed in a workspace (the Slack adapter in distribution mode).
type installChecker interface {
	Installed(ctx context.Context, workspace string) (bool, error)
}

// installedNudger skips the nudges of a workspace that uninstalled the app
// (or revoked its token), so they stop within one dispatcher cycle and are
// never attempted against Slack.
type installedNudger struct {
	scheduler.Nudger
	senders map[bot.Platform]bot.Sender
}

// Nudge implements scheduler.Nudger.
func (n installedNudger) Nudge(ctx context.Context, it bot.OutboxItem) (bot.NudgeDecision, error) {
	if ic, ok := n.senders[it.Member.Platform].(installChecker); ok {
		installed, err := ic.Installed(ctx, it.Member.Workspace)
		if err != nil {
			return bot.NudgeDecision{}, err
		}
		if !installed {
			return bot.NudgeDecision{SkipReason: "app uninstalled from the workspace"}, nil
		}
	}
	return n.Nudger.Nudge(ctx, it)
}

// ChannelGone implements scheduler.ChannelKeeper for the wrapped Nudger:
// without it the wrapper would hide the Coach's, and a channel the bot was
// removed from would be tried again forever.
func (n installedNudger) ChannelGone(ctx context.Context, it bot.OutboxItem, channel string) error {
	if k, ok := n.Nudger.(scheduler.ChannelKeeper); ok {
		return k.ChannelGone(ctx, it, channel)
	}
	return nil
}
