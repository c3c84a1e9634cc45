package slack

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/recoverycoach/recoverycoach/bot"
)

// stateCookie binds an install state to the browser that asked for it, so
// that a state cannot be planted in someone else's install (login CSRF).
const stateCookie = "slack_install_state"

// serveInstall handles GET /slack/install: it records a single-use state
// and sends the browser to Slack's authorize page with the bot scopes.
func (a *Adapter) serveInstall(w http.ResponseWriter, r *http.Request) {
	state, err := newState()
	if err == nil {
		err = a.dist.Store.SaveOAuthState(r.Context(), state, a.clock.Now().Add(a.dist.StateTTL))
	}
	if err != nil {
		a.log.ErrorContext(r.Context(), "slack: install: could not record the state", "err", err)
		page(w, http.StatusServiceUnavailable, installFailedPage("The installation could not start. Please try again in a minute."))
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: stateCookie, Value: state, Path: "/slack/",
		MaxAge: int(a.dist.StateTTL / time.Second), HttpOnly: true,
		Secure: strings.HasPrefix(a.dist.RedirectURL, "https://"), SameSite: http.SameSiteLaxMode,
	})
	q := url.Values{
		"client_id":    {a.dist.ClientID},
		"scope":        {strings.Join(BotScopes, ",")},
		"redirect_uri": {a.dist.RedirectURL},
		"state":        {state},
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, a.dist.AuthorizeURL+"?"+q.Encode(), http.StatusFound)
}

func newState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// serveOAuthRedirect handles GET /slack/oauth_redirect: Slack sends the
// installer back with a code (or an error) and the state. The state must be
// the one this browser was given, recorded and unused and unexpired; then
// the code is exchanged with oauth.v2.access and the installation stored.
// Every failure shows a page saying what to do and stores nothing.
func (a *Adapter) serveOAuthRedirect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	state := q.Get("state")
	// The state is spent whatever happens next: a link works once.
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: "/slack/", MaxAge: -1, HttpOnly: true,
		Secure: strings.HasPrefix(a.dist.RedirectURL, "https://"), SameSite: http.SameSiteLaxMode})
	cookie, err := r.Cookie(stateCookie)
	if state == "" || err != nil || subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(state)) != 1 {
		a.log.WarnContext(ctx, "slack: install refused: state missing or not this browser's")
		page(w, http.StatusForbidden, installFailedPage("This install link was not started in this browser, or has been used already. Please start again from the Add to Slack button."))
		return
	}
	fresh, err := a.dist.Store.ConsumeOAuthState(ctx, state, a.clock.Now())
	if err != nil {
		a.log.ErrorContext(ctx, "slack: install: state check failed", "err", err)
		page(w, http.StatusServiceUnavailable, installFailedPage("The installation could not be checked. Please try again in a minute."))
		return
	}
	if !fresh {
		a.log.WarnContext(ctx, "slack: install refused: state expired or used before")
		page(w, http.StatusForbidden, installFailedPage("This install link has expired or has been used already. Please start again from the Add to Slack button."))
		return
	}
	if e := q.Get("error"); e != "" {
		a.log.InfoContext(ctx, "slack: install cancelled", "error", e)
		page(w, http.StatusBadRequest, installFailedPage("The installation was cancelled, so nothing was installed. You can start again from the Add to Slack button whenever you like."))
		return
	}
	code := q.Get("code")
	if code == "" {
		page(w, http.StatusBadRequest, installFailedPage("Slack sent no authorization code. Please start again from the Add to Slack button."))
		return
	}
	resp, err := slackgo.GetOAuthV2ResponseContext(ctx, a.oauthHTTP(), a.dist.ClientID, a.dist.ClientSecret, code, a.dist.RedirectURL, slackgo.OAuthOptionAPIURL(a.dist.APIURL))
	if err == nil {
		err = checkOAuthResponse(resp)
	}
	if err != nil {
		a.log.WarnContext(ctx, "slack: install: oauth.v2.access failed", "err", err)
		page(w, http.StatusBadGateway, installFailedPage("Slack did not confirm the installation, so nothing was installed. Please start again from the Add to Slack button."))
		return
	}
	in, err := a.newInstallation(resp)
	if err == nil {
		err = a.dist.Store.SaveInstallation(ctx, in)
	}
	if err != nil {
		a.log.ErrorContext(ctx, "slack: install: could not store the installation", "team", in.Key(), "err", err)
		page(w, http.StatusInternalServerError, installFailedPage("The installation could not be saved. Please try again in a minute."))
		return
	}
	if in.TeamID != "" && in.EnterpriseID != "" {
		a.noteEnterprise(ctx, in.TeamID, in.EnterpriseID)
	}
	a.log.InfoContext(ctx, "slack: installed", "team", in.TeamID, "enterprise", in.EnterpriseID, "org_install", in.OrgInstall, "rotating", !in.TokenExpiresAt.IsZero())
	page(w, http.StatusOK, installedPage(in))
}

// checkOAuthResponse refuses an answer without a bot token or workspace.
func checkOAuthResponse(resp *slackgo.OAuthV2Response) error {
	switch {
	case resp.AccessToken == "" || resp.TokenType != "bot":
		return errors.New("the answer carries no bot token")
	case resp.IsEnterpriseInstall && resp.Enterprise.ID == "":
		return errors.New("an org-wide install without an enterprise id")
	case !resp.IsEnterpriseInstall && resp.Team.ID == "":
		return errors.New("an install without a team id")
	}
	return nil
}

// newInstallation seals the tokens of an oauth.v2.access answer.
func (a *Adapter) newInstallation(resp *slackgo.OAuthV2Response) (bot.Installation, error) {
	now := a.clock.Now().UTC().Truncate(time.Millisecond)
	in := bot.Installation{
		TeamID: resp.Team.ID, TeamName: resp.Team.Name,
		EnterpriseID: resp.Enterprise.ID, EnterpriseName: resp.Enterprise.Name,
		OrgInstall: resp.IsEnterpriseInstall, AppID: resp.AppID, BotUserID: resp.BotUserID,
		InstallerID: resp.AuthedUser.ID, InstalledAt: now,
	}
	if in.OrgInstall {
		// An org-wide install answers for the organisation, not one team.
		in.TeamID, in.TeamName = "", ""
	}
	for _, s := range strings.Split(resp.Scope, ",") {
		if s = strings.TrimSpace(s); s != "" {
			in.Scopes = append(in.Scopes, s)
		}
	}
	var err error
	if in.BotToken, err = a.dist.Keyring.Seal(resp.AccessToken, botContext(in.Key())); err != nil {
		return in, err
	}
	if resp.RefreshToken != "" {
		if in.RefreshToken, err = a.dist.Keyring.Seal(resp.RefreshToken, refreshContext(in.Key())); err != nil {
			return in, err
		}
		if resp.ExpiresIn > 0 {
			in.TokenExpiresAt = now.Add(time.Duration(resp.ExpiresIn) * time.Second)
		}
	}
	return in, nil
}
