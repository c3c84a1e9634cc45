package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/recoverycoach/recoverycoach/bot"
)

// errNoIdentity means a payload did not say who sent it; such a request is
// acknowledged and dropped, since nothing can be done for an unknown user.
var errNoIdentity = errors.New("slack: payload carries no team or user id")

// DecodeSlashCommand decodes the form body of a slash-command request.
func DecodeSlashCommand(body []byte) (slackgo.SlashCommand, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return slackgo.SlashCommand{}, fmt.Errorf("slack: decode slash command form: %w", err)
	}
	sc := slackgo.SlashCommand{
		TeamID:         form.Get("team_id"),
		TeamDomain:     form.Get("team_domain"),
		EnterpriseID:   form.Get("enterprise_id"),
		EnterpriseName: form.Get("enterprise_name"),
		ChannelID:      form.Get("channel_id"),
		ChannelName:    form.Get("channel_name"),
		UserID:         form.Get("user_id"),
		UserName:       form.Get("user_name"),
		Command:        form.Get("command"),
		Text:           form.Get("text"),
		ResponseURL:    form.Get("response_url"),
		TriggerID:      form.Get("trigger_id"),
		APIAppID:       form.Get("api_app_id"),
	}
	sc.IsEnterpriseInstall = form.Get("is_enterprise_install") == "true"
	return sc, nil
}

// DecodeInteraction decodes the form body of an interactivity request: a
// "payload" field holding the JSON interaction callback.
func DecodeInteraction(body []byte) (slackgo.InteractionCallback, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return slackgo.InteractionCallback{}, fmt.Errorf("slack: decode interaction form: %w", err)
	}
	payload := form.Get("payload")
	if payload == "" {
		return slackgo.InteractionCallback{}, errors.New("slack: interaction without payload")
	}
	var ic slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &ic); err != nil {
		return slackgo.InteractionCallback{}, fmt.Errorf("slack: decode interaction payload: %w", err)
	}
	return ic, nil
}

// CommandRequest translates a slash command into a bot.Request. The command
// word and its text become one command line, such as "/pain 6 knee".
func CommandRequest(sc slackgo.SlashCommand) (bot.Request, error) {
	ws := workspaceID(sc.TeamID, sc.EnterpriseID)
	if ws == "" || sc.UserID == "" {
		return bot.Request{}, errNoIdentity
	}
	return bot.Request{
		Platform:  bot.Slack,
		Workspace: ws,
		Channel:   sc.ChannelID,
		User:      sc.UserID,
		UserName:  sc.UserName,
		IsDM:      isDM(sc.ChannelID, sc.ChannelName),
		Text:      strings.TrimSpace(sc.Command + " " + unescape(sc.Text)),
	}, nil
}

// Click is a button press: the request to run for the person who clicked,
// and where to answer.
type Click struct {
	Request     bot.Request
	ResponseURL string
	// Form, when set, is the dialog the button asks for instead of a
	// command (Request.Text is then empty); TriggerID opens it.
	Form      *bot.Form
	TriggerID string
}

// InteractionClicks returns the Recovery Coach buttons pressed in a
// block_actions callback. The command or form comes from the button's
// value; the identity always comes from the callback itself, so a button
// can never act for anyone but the person who clicked it.
func InteractionClicks(ic slackgo.InteractionCallback) ([]Click, error) {
	if ic.Type != slackgo.InteractionTypeBlockActions {
		return nil, nil
	}
	who, err := actor(ic)
	if err != nil {
		return nil, err
	}
	var out []Click
	for _, act := range ic.ActionCallback.BlockActions {
		if act == nil {
			continue
		}
		c := Click{Request: who, ResponseURL: ic.ResponseURL}
		if command, ok := ButtonCommand(act.Value); ok {
			c.Request.Text = command
		} else if f, ok := ButtonForm(act.Value); ok {
			c.Form, c.TriggerID = &f, ic.TriggerID
		} else {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// actor is who an interaction came from, and where, as a request still
// without a command. It reads the payload alone, which Slack signs.
func actor(ic slackgo.InteractionCallback) (bot.Request, error) {
	ws := workspaceID(firstNonEmpty(ic.Team.ID, ic.User.TeamID), ic.Enterprise.ID)
	if ws == "" || ic.User.ID == "" {
		return bot.Request{}, errNoIdentity
	}
	channel := firstNonEmpty(ic.Channel.ID, ic.Container.ChannelID)
	return bot.Request{
		Platform:  bot.Slack,
		Workspace: ws,
		Channel:   channel,
		User:      ic.User.ID,
		UserName:  firstNonEmpty(ic.User.Name, ic.User.Username),
		IsDM:      isDM(channel, ic.Channel.Name),
	}, nil
}

// ButtonCommand extracts the command line from a button value written by
// Render.
func ButtonCommand(value string) (string, bool) {
	command, ok := strings.CutPrefix(value, valuePrefix)
	command = strings.TrimSpace(command)
	if !ok || command == "" || len(command) > bot.MaxInputBytes {
		return "", false
	}
	return command, true
}

// workspaceID is the member's workspace: the team, or on an Enterprise Grid
// org-wide install without a team, the enterprise.
func workspaceID(teamID, enterpriseID string) string {
	return firstNonEmpty(teamID, enterpriseID)
}

// isDM reports whether a channel is the user's DM with the bot: Slack names
// it "directmessage" in slash commands, and DM ids start with D.
func isDM(channelID, channelName string) bool {
	return channelName == "directmessage" || strings.HasPrefix(channelID, "D")
}

// unescape undoes Slack's escaping of &, < and > in user text. Mentions
// keep their real angle brackets, so the registry still recognises them.
func unescape(s string) string { return unescaper.Replace(s) }

// unescaper is immutable and safe for concurrent use.
var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
