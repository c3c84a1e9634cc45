package bot

import "regexp"

var (
	mdLink   = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)
	mdBold   = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
	mdItalic = regexp.MustCompile(`(^|[\s(])_([^_\n]+)_`)
	mdCode   = regexp.MustCompile("`([^`\n]+)`")
)

// StripMarkdown turns the Reply Markdown subset into plain text.
func StripMarkdown(s string) string {
	s = mdLink.ReplaceAllString(s, "$1 ($2)")
	s = mdBold.ReplaceAllString(s, "$1")
	s = mdItalic.ReplaceAllString(s, "$1$2")
	s = mdCode.ReplaceAllString(s, "$1")
	return s
}

// Mention is the Reply Markdown token for a user, rendered by each adapter
// as a live mention (Slack and Discord) or as @id (console).
func Mention(user string) string { return "<@" + user + ">" }

// ChannelMention is the Reply Markdown token for a channel.
func ChannelMention(channel string) string { return "<#" + channel + ">" }
