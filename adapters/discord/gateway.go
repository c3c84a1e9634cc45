package discord

import (
	"context"
	"strings"

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
	started := a.goTracked(func() {
		ctx, cancel := context.WithTimeout(a.base, a.workTimeout)
		defer cancel()
		// The gateway replays events after a resume; answer each once.
		if a.seen(ctx, i.ID) {
			return
		}
		a.answer(ctx, i, func(resp *discordgo.InteractionResponse) error {
			return a.session.InteractionRespond(i, resp, discordgo.WithContext(ctx))
		})
	})
	if !started {
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
		req := bot.Request{
			Platform:       bot.Discord,
			Workspace:      a.dmWorkspace(ctx, m.ChannelID),
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
		if _, err := a.session.ChannelMessageSendComplex(m.ChannelID, a.rendered(ctx, reply).messageSend(), discordgo.WithContext(ctx)); err != nil {
			a.log.WarnContext(ctx, "discord: DM reply failed", "err", err)
		}
	})
}

// dmWorkspace is the workspace a DM speaks for: nudges for a server's
// member arrive in this DM channel, so an answer typed there ("4", "done")
// belongs to that member. A DM with no such member is personal use.
func (a *Adapter) dmWorkspace(ctx context.Context, channel string) string {
	key, ok, err := a.store.MemberByDMChannel(ctx, bot.Discord, channel)
	if err != nil {
		a.log.WarnContext(ctx, "discord: DM owner lookup failed", "err", err)
	}
	if !ok {
		return DMWorkspace
	}
	return key.Workspace
}
