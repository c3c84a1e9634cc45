package slack

import (
	"context"
	"fmt"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/recoverycoach/recoverycoach/bot"
)

// seenEvent records an event callback's id and reports whether it was
// processed before (Slack retries deliver the same event_id).
func (a *Adapter) seenEvent(ctx context.Context, ev slackevents.EventsAPIEvent) (bool, error) {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || cb.EventID == "" {
		return false, nil
	}
	seen, err := a.store.SeenEvent(ctx, "slack:event:"+cb.EventID, a.clock.Now())
	if err != nil {
		return false, fmt.Errorf("slack: seen event: %w", err)
	}
	return seen, nil
}

// handleEvent acts on one Events API callback: the App Home, DMs to the bot
// and mentions.
func (a *Adapter) handleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) {
	team := workspaceID(ev.TeamID, ev.EnterpriseID)
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppUninstalledEvent:
		a.uninstall(ctx, ev.TeamID, ev.EnterpriseID, "app uninstalled")
		return
	case *slackevents.TokensRevokedEvent:
		if len(e.Tokens.Bot) > 0 {
			a.uninstall(ctx, ev.TeamID, ev.EnterpriseID, "bot token revoked")
		}
		return
	}
	a.noteEnterprise(ctx, ev.TeamID, ev.EnterpriseID)
	ctx = a.workspaceCtx(ctx, team)
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab != "home" || e.User == "" {
			return
		}
		a.publishHome(ctx, bot.MemberKey{Platform: bot.Slack, Workspace: team, User: e.User}, e.View != nil)
	case *slackevents.MessageEvent:
		// Only people's own new messages in the bot's DM: edits, bot
		// messages (including ours) and channel chatter are not commands.
		if e.ChannelType != slackevents.ChannelTypeIM || e.BotID != "" || e.SubType != "" || e.User == "" || team == "" {
			return
		}
		req := bot.Request{Platform: bot.Slack, Workspace: team, Channel: e.Channel, User: e.User, IsDM: true, Text: unescape(e.Text)}
		m := a.answerMessage(ctx, req)
		if m == nil {
			return
		}
		if err := a.post(ctx, e.Channel, m); err != nil {
			a.log.WarnContext(ctx, "slack: dm reply failed", "team", team, "err", err)
		}
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || team == "" {
			return
		}
		req := bot.Request{Platform: bot.Slack, Workspace: team, Channel: e.Channel, User: e.User, IsDM: isDM(e.Channel, ""), Text: withoutMention(unescape(e.Text))}
		m := a.answerMessage(ctx, req)
		if m == nil {
			return
		}
		var err error
		if m.ResponseType == slackgo.ResponseTypeInChannel {
			err = a.post(ctx, e.Channel, m)
		} else {
			// A mention happens in front of others; the answer is only
			// for the person who asked.
			err = a.postEphemeral(ctx, e.Channel, e.User, m)
		}
		if err != nil {
			a.log.WarnContext(ctx, "slack: mention reply failed", "team", team, "err", err)
		}
	}
}

// withoutMention drops the leading @-mention of the bot from a message.
func withoutMention(text string) string {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "<@") {
		if end := strings.IndexByte(text, '>'); end > 0 {
			text = strings.TrimSpace(text[end+1:])
		}
	}
	return text
}

// interactionWork is what an interaction asks of the adapter, decided
// before Slack is acknowledged: the jobs to run, dialogs to open first
// (their trigger expires three seconds after the click), and the
// acknowledgement's body, nil for an empty one. A body means nothing runs:
// it keeps a dialog open with the answer at fault marked.
func (a *Adapter) interactionWork(ic slackgo.InteractionCallback) (jobs []func(context.Context), ack any, err error) {
	sub, isForm, err := FormSubmission(ic)
	switch {
	case err != nil:
		return nil, nil, err
	case sub.Errors != nil:
		return nil, sub.Errors, nil
	case isForm:
		return []func(context.Context){func(ctx context.Context) { a.runSubmission(ctx, sub.Request) }}, nil, nil
	}
	clicks, err := InteractionClicks(ic)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range clicks {
		job := func(ctx context.Context) { a.runClick(ctx, c) }
		if c.Form != nil {
			jobs = append([]func(context.Context){job}, jobs...)
		} else {
			jobs = append(jobs, job)
		}
	}
	return jobs, nil, nil
}

// start runs an interaction's jobs on goroutines the adapter owns.
func (a *Adapter) start(jobs []func(context.Context)) {
	for _, job := range jobs {
		if !a.spawn(job) {
			a.log.Warn("slack: dropping an interaction during shutdown")
		}
	}
}

// runClick opens a button's dialog, or runs its command for the person who
// clicked and answers them privately through response_url. The answer is a
// new ephemeral message (Render never sets replace_original): a click on a
// channel post must not change the post everyone sees.
func (a *Adapter) runClick(ctx context.Context, c Click) {
	if c.Form != nil {
		a.openForm(ctx, c)
		return
	}
	m := a.answer(ctx, c.Request)
	m.ResponseType = slackgo.ResponseTypeEphemeral
	a.respond(ctx, c.ResponseURL, c.Request, m)
}

// homeBuilder is implemented by handlers that show a personal App Home
// (*bot.Coach does).
type homeBuilder interface {
	Home(ctx context.Context, key bot.MemberKey) bot.Reply
}

// publishHome publishes the member's App Home. A static home that Slack
// still shows is left alone for a day; a personal one is rebuilt on every
// visit, since it shows today's status.
func (a *Adapter) publishHome(ctx context.Context, key bot.MemberKey, shown bool) {
	cacheKey, now := key.Workspace+"/"+key.User, a.clock.Now()
	hb, personal := a.handler.(homeBuilder)
	if _, fresh := a.homes.get(cacheKey, now); fresh && shown && !personal {
		return
	}
	a.homes.put(cacheKey, userInfo{}, now, 0)
	ctx = a.workspaceCtx(ctx, key.Workspace)
	reply := defaultHome()
	if personal {
		reply = hb.Home(ctx, key)
	}
	if _, err := a.client(ctx).PublishViewContext(ctx, slackgo.PublishViewContextRequest{UserID: key.User, View: HomeView(reply)}); err != nil {
		a.homes.put(cacheKey, userInfo{}, now, -time.Nanosecond) // try again next time
		a.log.WarnContext(ctx, "slack: views.publish failed", "team", key.Workspace, "err", err)
	}
}

// refreshHome rebuilds the App Home of a member who has it open recently,
// after one of their commands changed what it shows.
func (a *Adapter) refreshHome(key bot.MemberKey) {
	if _, personal := a.handler.(homeBuilder); !personal {
		return
	}
	if _, recent := a.homes.get(key.Workspace+"/"+key.User, a.clock.Now()); !recent {
		return
	}
	a.spawn(func(ctx context.Context) { a.publishHome(ctx, key, true) })
}

// defaultHome is the App Home for handlers without a personal view: what
// the bot does and how to start, built from the command registry.
func defaultHome() bot.Reply {
	reg := bot.Commands()
	var b strings.Builder
	b.WriteString("I help you keep up your home rehab between physical-therapy visits: exercise reminders, pain check-ins, kinesiology-tape tracking and short guidance. Your check-ins stay private unless you choose to share them with your team's staff.\n\n")
	for _, path := range [][]string{{"coach", "start"}, {"pain"}, {"coach", "remind", "set"}, {"coach", "history"}, {"coach", "help"}} {
		if cmd := reg.Find(path...); cmd != nil {
			fmt.Fprintf(&b, "- `%s`: %s\n", cmd.Usage(), cmd.Summary)
		}
	}
	b.WriteString("\nYou can also message me here, for example `pain 3 knee`.")
	return bot.Reply{Title: "Recovery Coach", Text: b.String(), Footer: bot.NotMedicalAdvice}
}

// HomeView renders a reply as the App Home tab.
func HomeView(r bot.Reply) slackgo.HomeTabViewRequest {
	msg := Render(r)
	return slackgo.HomeTabViewRequest{Type: slackgo.VTHomeTab, Blocks: *msg.Blocks}
}
