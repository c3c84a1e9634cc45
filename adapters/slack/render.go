package slack

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit). Going over
// any of them makes Slack refuse the whole message, so rendering clips.
const (
	maxBlocks          = 50
	maxSectionText     = 3000
	maxFieldText       = 2000
	maxFieldsPerBlock  = 10
	maxHeaderText      = 150
	maxButtonText      = 75
	maxButtonValue     = 2000
	maxButtonsPerBlock = 5 // Slack allows 25; more than 5 wrap badly on phones
	maxContextText     = 3000
	maxFallbackText    = 3000

	// maxInlineFile is the largest file shown in a code block: the block
	// and its fences must fit one section.
	maxInlineFile = maxSectionText - 100
)

// Button values and action ids carry a short prefix so that clicks on
// anything else (a future menu, a stale message) are recognised and ignored.
const (
	valuePrefix    = "cmd:"
	actionIDPrefix = "rc:"
)

// Render turns a reply into a Slack message: Block Kit blocks plus the plain
// text fallback Slack shows in notifications. It is used for slash-command
// responses, response_url follow-ups and DMs alike. Files must be small
// enough to show inline (see InlineFile); the adapter uploads larger ones
// before rendering.
func Render(r bot.Reply) *slackgo.WebhookMessage {
	var blocks []slackgo.Block
	if r.Title != "" {
		blocks = append(blocks, slackgo.NewHeaderBlock(plain(clip(bot.StripMarkdown(r.Title), maxHeaderText))))
	}
	if r.Text != "" {
		for _, chunk := range splitText(mrkdwn(r.Text), maxSectionText) {
			blocks = append(blocks, slackgo.NewSectionBlock(markdown(chunk), nil, nil))
		}
	}
	for i := 0; i < len(r.Fields); i += maxFieldsPerBlock {
		var fields []*slackgo.TextBlockObject
		for _, f := range r.Fields[i:min(i+maxFieldsPerBlock, len(r.Fields))] {
			text := "*" + escape(bot.StripMarkdown(f.Name)) + "*\n" + mrkdwn(f.Value)
			fields = append(fields, markdown(clip(text, maxFieldText)))
		}
		blocks = append(blocks, slackgo.NewSectionBlock(nil, fields, nil))
	}
	for _, f := range r.Files {
		text := "*" + escape(f.Name) + "*\n```\n" + escape(strings.TrimRight(string(f.Data), "\n")) + "\n```"
		blocks = append(blocks, slackgo.NewSectionBlock(markdown(clip(text, maxSectionText)), nil, nil))
	}
	if r.Footer != "" {
		blocks = append(blocks, slackgo.NewContextBlock("", markdown(clip(mrkdwn(r.Footer), maxContextText))))
	}
	blocks = append(blocks, buttonBlocks(r.Buttons)...)
	if len(blocks) > maxBlocks {
		blocks = append(blocks[:maxBlocks-1], slackgo.NewContextBlock("", markdown("_Shortened: the full answer did not fit one message._")))
	}

	responseType := slackgo.ResponseTypeEphemeral
	if r.Visibility == bot.InChannel {
		responseType = slackgo.ResponseTypeInChannel
	}
	msg := &slackgo.WebhookMessage{Text: fallback(r), ResponseType: responseType}
	if len(blocks) > 0 {
		msg.Blocks = &slackgo.Blocks{BlockSet: blocks}
	}
	return msg
}

// InlineFile reports whether a file is small enough to show in a code block
// instead of being uploaded.
func InlineFile(f bot.File) bool {
	textual := strings.HasPrefix(f.ContentType, "text/") || f.ContentType == ""
	return textual && utf8.Valid(f.Data) &&
		utf8.RuneCountInString(escape(string(f.Data)))+utf8.RuneCountInString(f.Name) <= maxInlineFile
}

func buttonBlocks(buttons []bot.Button) []slackgo.Block {
	var elements []slackgo.BlockElement
	for i, b := range buttons {
		value, ok := buttonValue(b)
		if !ok {
			continue // a clipped command would run something else
		}
		el := slackgo.NewButtonBlockElement(actionIDPrefix+strconv.Itoa(i), value, plain(clip(b.Label, maxButtonText)))
		switch b.Style {
		case bot.ButtonPrimary:
			el = el.WithStyle(slackgo.StylePrimary)
		case bot.ButtonDanger:
			el = el.WithStyle(slackgo.StyleDanger).WithConfirm(slackgo.NewConfirmationBlockObject(
				plain("Are you sure?"),
				plain(clip(b.Label+"?", 300)),
				plain(clip(b.Label, 30)),
				plain("Cancel"),
			).WithStyle(slackgo.StyleDanger))
		}
		elements = append(elements, el)
	}
	var blocks []slackgo.Block
	for i := 0; i < len(elements); i += maxButtonsPerBlock {
		blocks = append(blocks, slackgo.NewActionBlock("", elements[i:min(i+maxButtonsPerBlock, len(elements))]...))
	}
	return blocks
}

// fallback is the message's top-level text: what notifications and
// screen readers without Block Kit show.
func fallback(r bot.Reply) string {
	text := strings.TrimSpace(r.PlainText())
	if text == "" {
		for _, f := range r.Files {
			text = f.Name
		}
	}
	if text == "" {
		text = "Recovery Coach"
	}
	// Escaped like mrkdwn so that user and channel mentions stay live.
	return toMrkdwn(clip(text, maxFallbackText))
}

// mrkdwn converts the Reply Markdown subset to Slack mrkdwn, including "- "
// list items, which Slack shows literally.
func mrkdwn(s string) string {
	s = toMrkdwn(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, "- "); ok {
			lines[i] = "• " + rest
		}
	}
	return strings.Join(lines, "\n")
}

// escaper makes text safe in mrkdwn and in a message's text field, where
// &, < and > are control characters. A Replacer is immutable and safe for
// concurrent use; building one per call cost a tenth of a request.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

func plain(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, s, true, false)
}

func markdown(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, false)
}

// clip shortens s to at most n characters (runes), marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// splitText cuts s into chunks of at most n characters, at line breaks
// where possible, so that long answers become several sections instead of
// being refused.
func splitText(s string, n int) []string {
	var out []string
	for utf8.RuneCountInString(s) > n {
		r := []rune(s)
		cut := strings.LastIndex(string(r[:n]), "\n")
		if cut <= 0 {
			cut = len(string(r[:n]))
		}
		if chunk := strings.TrimRight(s[:cut], "\n"); chunk != "" {
			out = append(out, chunk)
		}
		s = strings.TrimLeft(s[cut:], "\n")
	}
	if strings.TrimSpace(s) != "" {
		out = append(out, s)
	}
	return out
}

var (
	mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	// escapedMention matches an escaped <@U123> or <#C123> mention token.
	escapedMention = regexp.MustCompile(`&lt;([@#][A-Za-z0-9]+)&gt;`)
	markdownLink   = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)
	markdownBold   = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
)

// toMrkdwn converts the Reply Markdown subset to Slack's mrkdwn: text is
// escaped, mention tokens (bot.Mention) stay live, links and bold become
// Slack's forms.
func toMrkdwn(s string) string {
	s = mrkdwnEscaper.Replace(s)
	s = escapedMention.ReplaceAllString(s, "<$1>")
	s = markdownLink.ReplaceAllString(s, "<$2|$1>")
	s = markdownBold.ReplaceAllString(s, "*$1*")
	return s
}
