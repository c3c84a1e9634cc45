package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/bot"
)

// onInteraction handles an interaction from the gateway. discordgo calls
// it on a goroutine of its own, so the work is handed to one the adapter
// owns and waits for at shutdown.
func (a *Adapter) onInteraction(i *discordgo.Interaction) {
	if i == nil || i.ID == "" {
		return
	}
	// Discord's 3 seconds run from here, not from when a goroutine or the
	// database gets round to it.
	deadline := time.NewTimer(a.ackDeadline)
	started := a.goTracked(func() {
		defer deadline.Stop()
		ctx, cancel := context.WithTimeout(a.base, a.workTimeout)
		defer cancel()
		a.answer(ctx, i, deadline.C, func(resp *discordgo.InteractionResponse) error {
			return a.session.InteractionRespond(i, resp, discordgo.WithContext(ctx))
		}, func() {
			// The gateway replays events after a resume; answer each once.
			a.log.DebugContext(ctx, "discord: interaction already handled")
		})
	})
	if !started {
		deadline.Stop()
		a.log.Info("discord: interaction dropped during shutdown")
	}
}

// onDirectMessage runs a command typed in the bot's DMs ("pain 4 knee",
// "history"), the natural answer to a nudge. Messages in servers are not
// read: that would need the privileged message content intent.
func (a *Adapter) onDirectMessage(m *discordgo.Message) {
	if m == nil || m.GuildID != "" || m.Author == nil || m.Author.Bot || strings.TrimSpace(m.Content) == "" {
		return
	}
	a.goTracked(func() {
		ctx, cancel := context.WithTimeout(a.base, a.workTimeout)
		defer cancel()
		if a.seen(ctx, "msg:"+m.ID) {
			return
		}
		workspace, ok, err := a.dmOwner(ctx, m.ChannelID, m.Author.ID)
		switch {
		case err != nil:
			// Guessing would file the answer under the wrong member.
			a.log.WarnContext(ctx, "discord: DM not handled", "reason", "DM owner lookup failed", "err", err)
			a.sendDM(ctx, m.ChannelID, lookupFailed)
			return
		case !ok:
			// Nobody is nudged in this DM: personal use.
			workspace = DMWorkspace
		}
		req := bot.Request{
			Platform:       bot.Discord,
			Workspace:      workspace,
			Channel:        m.ChannelID,
			User:           m.Author.ID,
			UserName:       displayName(nil, m.Author),
			IsDM:           true,
			Text:           m.Content,
			Conversational: true,
		}
		reply := a.handle(ctx, req)
		if reply.Empty() {
			return
		}
		// The member exists now; remember their DM so nudges skip a call.
		if err := a.store.SetDMChannel(ctx, req.Member(), m.ChannelID); err != nil {
			a.log.WarnContext(ctx, "discord: caching DM channel failed", "err", err)
		}
		a.sendDM(ctx, m.ChannelID, reply)
	})
}

// sendDM answers a typed DM.
func (a *Adapter) sendDM(ctx context.Context, channel string, reply bot.Reply) {
	if _, err := a.session.ChannelMessageSendComplex(channel, a.rendered(ctx, reply).messageSend(), discordgo.WithContext(ctx)); err != nil {
		a.log.WarnContext(ctx, "discord: DM reply failed", "err", err)
	}
}

// dmOwner finds the workspace of the member a DM channel belongs to.
// Nudges for a server's member arrive in their DM with the bot, so
// whatever they do there (type "4" or "done", click Snooze on a nudge)
// is for that member: their red flags reach that server's staff and their
// nudges are the ones snoozed. ok is false for a DM nobody is nudged in.
func (a *Adapter) dmOwner(ctx context.Context, channel, user string) (workspace string, ok bool, err error) {
	key, ok, err := a.store.MemberByDMChannel(ctx, bot.Discord, channel)
	if err != nil {
		return "", false, fmt.Errorf("discord: DM owner: %w", err)
	}
	// A DM channel joins the bot and one user. Another user's record for
	// it could only be stale, and must not let anyone act for them.
	if !ok || key.User != user {
		return "", false, nil
	}
	return key.Workspace, true, nil
}
