package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Defaults for Distribution fields left zero.
const (
	// DefaultStateTTL is how long an install link stays good.
	DefaultStateTTL = 10 * time.Minute
	// DefaultRefreshMargin is how long before its expiry a rotating bot
	// token is refreshed. Slack's tokens last twelve hours.
	DefaultRefreshMargin = 30 * time.Minute
)

// ErrNotInstalled means the app has no active installation for the
// workspace: it was never installed there, or was uninstalled.
var ErrNotInstalled = errors.New("the app is not installed in this workspace")

// Distribution turns on the OAuth install flow: one deployment serves every
// workspace that installs the app, each with its own bot token, stored
// sealed under Keyring.
type Distribution struct {
	// ClientID and ClientSecret are the app's credentials (Basic
	// Information > App Credentials).
	ClientID     string
	ClientSecret string
	// RedirectURL is the public URL of /slack/oauth_redirect, as entered
	// under OAuth & Permissions > Redirect URLs.
	RedirectURL string
	// Store keeps installations and install states.
	Store bot.InstallationStore
	// Keyring seals the tokens.
	Keyring *Keyring
	// APIURL is the Web API base (SLACK_API_URL), also for oauth.v2.access.
	APIURL string
	// HTTPClient calls the Web API; it defaults to one with a timeout.
	HTTPClient *http.Client
	// AuthorizeURL is Slack's authorize page (default
	// https://slack.com/oauth/v2/authorize).
	AuthorizeURL string
	// StateTTL bounds the time from the install link to Slack's redirect.
	StateTTL time.Duration
	// RefreshMargin is how long before expiry rotating tokens are refreshed.
	RefreshMargin time.Duration
	// Retention is how long a workspace's member data is kept after an
	// uninstall, as the privacy page states.
	Retention time.Duration
}

// check validates a distribution configuration.
func (d *Distribution) check(socket bool) error {
	switch {
	case socket:
		return errors.New("slack: Socket Mode apps cannot be distributed; distribution needs the HTTP endpoints")
	case d.ClientID == "" || d.ClientSecret == "" || d.RedirectURL == "":
		return errors.New("slack: distribution needs the client id, client secret and redirect URL")
	case d.Store == nil || d.Keyring == nil:
		return errors.New("slack: distribution needs an installation store and a keyring")
	}
	if d.APIURL == "" {
		d.APIURL = slackgo.APIURL
	}
	if d.AuthorizeURL == "" {
		d.AuthorizeURL = "https://slack.com/oauth/v2/authorize"
	}
	d.StateTTL = orDefault(d.StateTTL, DefaultStateTTL)
	d.RefreshMargin = orDefault(d.RefreshMargin, DefaultRefreshMargin)
	return nil
}

// clientKey carries the Web API client of the workspace a piece of work is
// for.
type clientKey struct{}

type workspaceClient struct {
	workspace string
	client    *slackgo.Client
}

// client returns the Web API client of the workspace ctx was prepared for
// with forWorkspace, or the single-workspace client.
func (a *Adapter) client(ctx context.Context) *slackgo.Client {
	if c, ok := ctx.Value(clientKey{}).(workspaceClient); ok {
		return c.client
	}
	return a.api
}

// workspaceCtx is forWorkspace for request work: when no installation
// serves the workspace (a request racing its uninstall) the work goes on
// with a client without a token, whose calls Slack refuses.
func (a *Adapter) workspaceCtx(ctx context.Context, workspace string) context.Context {
	wctx, err := a.forWorkspace(ctx, workspace)
	if err != nil {
		a.log.WarnContext(ctx, "slack: no token for the request's workspace", "team", workspace, "err", err)
	}
	return wctx
}

// forWorkspace returns ctx carrying the Web API client with the bot token
// of the installation that serves workspace (a team id, or an enterprise id
// for an org-wide install without a team). In single-workspace mode it
// returns ctx unchanged. Errors wrap ErrNotInstalled when no installation
// serves the workspace, and never quote a token.
func (a *Adapter) forWorkspace(ctx context.Context, workspace string) (context.Context, error) {
	if a.dist == nil {
		return ctx, nil
	}
	if c, ok := ctx.Value(clientKey{}).(workspaceClient); ok && c.workspace == workspace {
		return ctx, nil
	}
	token, err := a.token(ctx, workspace)
	if err != nil {
		return ctx, err
	}
	opts := []slackgo.Option{slackgo.OptionAPIURL(a.dist.APIURL)}
	if a.dist.HTTPClient != nil {
		opts = append(opts, slackgo.OptionHTTPClient(a.dist.HTTPClient))
	}
	return context.WithValue(ctx, clientKey{}, workspaceClient{workspace: workspace, client: slackgo.New(token, opts...)}), nil
}

// installation finds the active installation serving workspace.
func (a *Adapter) installation(ctx context.Context, workspace string) (bot.Installation, error) {
	team, enterprise := workspace, ""
	if strings.HasPrefix(workspace, "E") {
		// An org-wide install's member without a team.
		team, enterprise = "", workspace
	}
	in, err := a.dist.Store.Installation(ctx, team, enterprise)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return in, fmt.Errorf("slack: workspace %s: %w", workspace, ErrNotInstalled)
	}
	if err != nil {
		return in, fmt.Errorf("slack: installation of %s: %w", workspace, err)
	}
	return in, nil
}

// Installed reports whether an active installation serves workspace;
// always true in single-workspace mode.
func (a *Adapter) Installed(ctx context.Context, workspace string) (bool, error) {
	if a.dist == nil {
		return true, nil
	}
	_, err := a.installation(ctx, workspace)
	if errors.Is(err, ErrNotInstalled) {
		return false, nil
	}
	return err == nil, err
}

func botContext(key string) string     { return "slack-installation:" + key + ":bot" }
func refreshContext(key string) string { return "slack-installation:" + key + ":refresh" }

// token returns the bot token of workspace's installation, refreshing a
// rotating token that expires within the refresh margin first. A failed
// refresh keeps the current token while it is valid (the next use tries
// again); once it has expired the error is transient, so a nudge is retried
// rather than lost.
func (a *Adapter) token(ctx context.Context, workspace string) (string, error) {
	in, err := a.installation(ctx, workspace)
	if err != nil {
		return "", err
	}
	now := a.clock.Now()
	if !in.TokenExpiresAt.IsZero() && len(in.RefreshToken) > 0 && !now.Before(in.TokenExpiresAt.Add(-a.dist.RefreshMargin)) {
		refreshed, err := a.refresh(ctx, in)
		switch {
		case err == nil:
			in = refreshed
		case now.Before(in.TokenExpiresAt):
			a.log.WarnContext(ctx, "slack: token refresh failed; using the current token until it expires", "team", workspace, "err", err)
		default:
			return "", fmt.Errorf("slack: workspace %s: the bot token expired and could not be refreshed: %w", workspace, err)
		}
	}
	token, err := a.dist.Keyring.Open(in.BotToken, botContext(in.Key()))
	if err != nil {
		return "", fmt.Errorf("slack: open the bot token of %s: %w", in.Key(), err)
	}
	return token, nil
}

// refresh exchanges the installation's refresh token for a new bot token
// and stores it. Refreshes of one installation are serialised in this
// process; across processes the store's compare-and-swap lets one win and
// the others read its result.
func (a *Adapter) refresh(ctx context.Context, in bot.Installation) (bot.Installation, error) {
	mu := a.refreshLock(in.Key())
	mu.Lock()
	defer mu.Unlock()
	// Another caller may have refreshed while this one waited.
	if cur, err := a.installation(ctx, in.Key()); err == nil && !cur.TokenExpiresAt.Equal(in.TokenExpiresAt) {
		return cur, nil
	}
	refreshToken, err := a.dist.Keyring.Open(in.RefreshToken, refreshContext(in.Key()))
	if err != nil {
		return in, fmt.Errorf("open the refresh token: %w", err)
	}
	resp, err := slackgo.RefreshOAuthV2TokenContext(ctx, a.oauthHTTP(), a.dist.ClientID, a.dist.ClientSecret, refreshToken, slackgo.OAuthOptionAPIURL(a.dist.APIURL))
	if err != nil {
		return in, fmt.Errorf("oauth.v2.access refresh: %w", err)
	}
	if resp.AccessToken == "" {
		return in, errors.New("oauth.v2.access refresh: no token in the answer")
	}
	sealedBot, err := a.dist.Keyring.Seal(resp.AccessToken, botContext(in.Key()))
	if err != nil {
		return in, err
	}
	sealedRefresh := in.RefreshToken
	if resp.RefreshToken != "" {
		if sealedRefresh, err = a.dist.Keyring.Seal(resp.RefreshToken, refreshContext(in.Key())); err != nil {
			return in, err
		}
	}
	expires := time.Time{}
	if resp.ExpiresIn > 0 {
		expires = a.clock.Now().Add(time.Duration(resp.ExpiresIn) * time.Second).UTC().Truncate(time.Millisecond)
	}
	done, err := a.dist.Store.SetInstallationTokens(ctx, in.Key(), in.BotToken, sealedBot, sealedRefresh, expires)
	if err != nil {
		return in, err
	}
	if !done {
		// Another instance refreshed first (or the app was uninstalled).
		return a.installation(ctx, in.Key())
	}
	a.log.InfoContext(ctx, "slack: bot token refreshed", "team", in.Key(), "expires", expires)
	in.BotToken, in.RefreshToken, in.TokenExpiresAt = sealedBot, sealedRefresh, expires
	return in, nil
}

// RefreshTokens refreshes, ahead of use, the rotating bot token of every
// active installation that expires within the refresh margin, and returns
// how many it refreshed; housekeeping calls it every few minutes so that
// no send waits for a refresh. A failed refresh leaves the installation as
// it was, to be tried again by the next pass (and by the next send): its
// current token serves while valid, and after that its sends fail as
// transient errors and are retried, never lost. The error joins the
// failures by installation and never quotes a token. In single-workspace
// mode it does nothing.
func (a *Adapter) RefreshTokens(ctx context.Context) (int, error) {
	if a.dist == nil {
		return 0, nil
	}
	all, err := a.dist.Store.Installations(ctx)
	if err != nil {
		return 0, fmt.Errorf("slack: token refresh: read installations: %w", err)
	}
	now := a.clock.Now()
	n := 0
	var errs []error
	for _, in := range all {
		if !in.Active() || in.TokenExpiresAt.IsZero() || len(in.RefreshToken) == 0 || now.Before(in.TokenExpiresAt.Add(-a.dist.RefreshMargin)) {
			continue
		}
		if _, err := a.refresh(ctx, in); err != nil {
			if errors.Is(err, ErrNotInstalled) {
				continue // uninstalled meanwhile
			}
			a.log.WarnContext(ctx, "slack: token refresh failed; the next pass tries again", "team", in.Key(), "expires", in.TokenExpiresAt, "err", err)
			errs = append(errs, fmt.Errorf("slack: refresh the token of %s: %w", in.Key(), err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

func (a *Adapter) refreshLock(key string) *sync.Mutex {
	a.refreshMu.Lock()
	defer a.refreshMu.Unlock()
	if a.refreshing == nil {
		a.refreshing = map[string]*sync.Mutex{}
	}
	mu, ok := a.refreshing[key]
	if !ok {
		mu = &sync.Mutex{}
		a.refreshing[key] = mu
	}
	return mu
}

func (a *Adapter) oauthHTTP() *http.Client {
	if a.dist.HTTPClient != nil {
		return a.dist.HTTPClient
	}
	return a.http
}

// noteEnterprise records, once per process, that team belongs to
// enterprise, so that nudges to the team's members find the org-wide
// install from the team alone.
func (a *Adapter) noteEnterprise(ctx context.Context, team, enterprise string) {
	if a.dist == nil || team == "" || enterprise == "" {
		return
	}
	if _, seen := a.teams.LoadOrStore(team, enterprise); seen {
		return
	}
	if err := a.dist.Store.SetTeamEnterprise(ctx, team, enterprise); err != nil {
		a.teams.Delete(team)
		a.log.WarnContext(ctx, "slack: could not record the team's enterprise", "team", team, "err", err)
	}
}

// uninstall deletes the tokens of the installation serving the event's
// workspace at once, so no message goes out for it any more. Its member
// data stays for the retention period unless the app is installed again.
func (a *Adapter) uninstall(ctx context.Context, team, enterprise, why string) {
	if a.dist == nil {
		a.log.WarnContext(ctx, "slack: "+why+"; SLACK_BOT_TOKEN no longer works", "team", team)
		return
	}
	in, err := a.dist.Store.Installation(ctx, team, enterprise)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return
	}
	if err != nil {
		a.log.ErrorContext(ctx, "slack: uninstall: installation lookup failed", "team", team, "err", err)
		return
	}
	if _, err := a.dist.Store.Uninstall(ctx, in.Key(), a.clock.Now()); err != nil {
		a.log.ErrorContext(ctx, "slack: uninstall failed", "team", in.Key(), "err", err)
		return
	}
	a.log.InfoContext(ctx, "slack: "+why+"; tokens deleted, member data kept for the retention period", "team", in.Key(), "enterprise", in.EnterpriseID)
}

// CheckKeys opens every active installation's tokens with keyring, so
// that a wrong COACH_SECRET_KEY stops the start-up with a clear error
// instead of failing every message later.
func CheckKeys(ctx context.Context, store bot.InstallationStore, keyring *Keyring) error {
	all, err := store.Installations(ctx)
	if err != nil {
		return fmt.Errorf("read installations: %w", err)
	}
	for _, in := range all {
		if !in.Active() {
			continue
		}
		if _, err := keyring.Open(in.BotToken, botContext(in.Key())); err != nil {
			return fmt.Errorf("installation %s: %w", in.Key(), err)
		}
		if _, err := keyring.Open(in.RefreshToken, refreshContext(in.Key())); err != nil {
			return fmt.Errorf("installation %s: %w", in.Key(), err)
		}
	}
	return nil
}

// RotateKeys seals every active installation's tokens under the keyring's
// current key (they may be sealed under it or a previous one) and returns
// how many installations changed. It can run while the bot serves, and
// again after an interruption.
func RotateKeys(ctx context.Context, store bot.InstallationStore, keyring *Keyring) (int, error) {
	all, err := store.Installations(ctx)
	if err != nil {
		return 0, fmt.Errorf("read installations: %w", err)
	}
	n := 0
	for _, in := range all {
		if !in.Active() || (keyring.Current(in.BotToken) && (len(in.RefreshToken) == 0 || keyring.Current(in.RefreshToken))) {
			continue
		}
		botToken, err := keyring.Reseal(in.BotToken, botContext(in.Key()))
		if err != nil {
			return n, fmt.Errorf("installation %s: %w", in.Key(), err)
		}
		refreshToken, err := keyring.Reseal(in.RefreshToken, refreshContext(in.Key()))
		if err != nil {
			return n, fmt.Errorf("installation %s: %w", in.Key(), err)
		}
		done, err := store.SetInstallationTokens(ctx, in.Key(), in.BotToken, botToken, refreshToken, in.TokenExpiresAt)
		if err != nil {
			return n, fmt.Errorf("installation %s: %w", in.Key(), err)
		}
		if !done {
			// Refreshed (under the current key) or uninstalled meanwhile.
			continue
		}
		n++
	}
	return n, nil
}
