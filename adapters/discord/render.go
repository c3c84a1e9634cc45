package discord

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Discord's message limits, in characters.
const (
	maxContent     = 2000
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxLabel       = 80
	maxCustomID    = 100
	maxButtonsRow  = 5
	maxRows        = 5
)

// embedColor is the accent bar of the bot's embeds.
const embedColor = 0x2E9E6B

// customIDPrefix marks buttons that carry a Recovery Coach command line.
const customIDPrefix = "rc:"

// message is a rendered bot.Reply, ready for any Discord message endpoint.
type message struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	Files      []*discordgo.File
	Ephemeral  bool
	// Dropped counts buttons whose command or form does not fit in a
	// custom_id, or that come after the last row.
	Dropped int
}

// render turns a reply into Discord content, an embed and buttons. Text
// alone becomes plain content; a title, fields or footer make an embed.
// Discord renders the reply's Markdown subset natively.
func render(r bot.Reply) message {
	m := message{
		Embeds:     []*discordgo.MessageEmbed{},
		Components: []discordgo.MessageComponent{},
		Ephemeral:  r.Visibility != bot.InChannel,
	}
	if r.Title == "" && len(r.Fields) == 0 && r.Footer == "" && utf8.RuneCountInString(r.Text) <= maxContent {
		m.Content = r.Text
	} else {
		e := &discordgo.MessageEmbed{
			Type:        discordgo.EmbedTypeRich,
			Title:       clip(bot.StripMarkdown(r.Title), maxTitle),
			Description: clip(r.Text, maxDescription),
			Color:       embedColor,
		}
		for i, f := range r.Fields {
			if i == maxFields {
				break
			}
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
				Name:   orBlank(clip(bot.StripMarkdown(f.Name), maxFieldName)),
				Value:  orBlank(clip(f.Value, maxFieldValue)),
				Inline: true,
			})
		}
		if r.Footer != "" {
			// Footers do not render Markdown.
			e.Footer = &discordgo.MessageEmbedFooter{Text: clip(bot.StripMarkdown(r.Footer), maxFooter)}
		}
		m.Embeds = append(m.Embeds, e)
	}
	var row []discordgo.MessageComponent
	for _, b := range r.Buttons {
		id, ok := buttonID(b)
		if !ok || len(m.Components) == maxRows {
			m.Dropped++
			continue
		}
		row = append(row, discordgo.Button{
			Label:    clip(orBlank(b.Label), maxLabel),
			Style:    buttonStyle(b.Style),
			CustomID: id,
		})
		if len(row) == maxButtonsRow {
			m.Components = append(m.Components, discordgo.ActionsRow{Components: row})
			row = nil
		}
	}
	if len(row) > 0 {
		m.Components = append(m.Components, discordgo.ActionsRow{Components: row})
	}
	if m.Content == "" && len(m.Embeds) == 0 && len(r.Files) == 0 {
		// Discord refuses a message with nothing to show.
		m.Content = "Done."
	}
	for _, f := range r.Files {
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		m.Files = append(m.Files, &discordgo.File{Name: f.Name, ContentType: ct, Reader: bytes.NewReader(f.Data)})
	}
	return m
}

func buttonStyle(s bot.ButtonStyle) discordgo.ButtonStyle {
	switch s {
	case bot.ButtonPrimary:
		return discordgo.PrimaryButton
	case bot.ButtonDanger:
		return discordgo.DangerButton
	}
	return discordgo.SecondaryButton
}

// noMentions keeps echoed text (notes, names) from pinging anyone.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// responseData is the message as an interaction response body.
func (m message) responseData() *discordgo.InteractionResponseData {
	d := &discordgo.InteractionResponseData{
		Content:         m.Content,
		Embeds:          m.Embeds,
		Components:      m.Components,
		Files:           m.Files,
		AllowedMentions: noMentions(),
	}
	if m.Ephemeral {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	return d
}

// webhookEdit is the message as an edit of a deferred response. Every part
// is set, so nothing of the "thinking..." placeholder survives.
func (m message) webhookEdit() *discordgo.WebhookEdit {
	content := m.Content
	embeds := m.Embeds
	components := m.Components
	return &discordgo.WebhookEdit{
		Content:         &content,
		Embeds:          &embeds,
		Components:      &components,
		Files:           m.Files,
		AllowedMentions: noMentions(),
	}
}

// webhookParams is the message as a follow-up message.
func (m message) webhookParams() *discordgo.WebhookParams {
	p := &discordgo.WebhookParams{
		Content:         m.Content,
		Embeds:          m.Embeds,
		Components:      m.Components,
		Files:           m.Files,
		AllowedMentions: noMentions(),
	}
	if m.Ephemeral {
		p.Flags = discordgo.MessageFlagsEphemeral
	}
	return p
}

// messageSend is the message as a new channel message (a DM); DMs are
// private already, so the ephemeral flag does not apply.
func (m message) messageSend() *discordgo.MessageSend {
	return &discordgo.MessageSend{
		Content:         m.Content,
		Embeds:          m.Embeds,
		Components:      m.Components,
		Files:           m.Files,
		AllowedMentions: noMentions(),
	}
}

// clip shortens s to at most n characters, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " \n") + "…"
}

// orBlank gives Discord the non-empty string it requires for names and values.
func orBlank(s string) string {
	if strings.TrimSpace(s) == "" {
		return "\u200b"
	}
	return s
}
