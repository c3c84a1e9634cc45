package bot

import (
	"regexp"
	"strings"
)

var (
	mdLink       = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)
	mdBold       = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
	mdItalic     = regexp.MustCompile(`(^|[\s(])_([^_\n]+)_`)
	mdCode       = regexp.MustCompile("`([^`\n]+)`")
	slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	// mdMention matches an escaped <@U123> or <#C123> mention.
	mdMention = regexp.MustCompile(`&lt;([@#][A-Za-z0-9]+)&gt;`)
)

// StripMarkdown turns the Reply Markdown subset into plain text.
func StripMarkdown(s string) string {
	s = mdLink.ReplaceAllString(s, "$1 ($2)")
	s = mdBold.ReplaceAllString(s, "$1")
	s = mdItalic.ReplaceAllString(s, "$1$2")
	s = mdCode.ReplaceAllString(s, "$1")
	return s
}

// ToSlackMrkdwn converts the Reply Markdown subset to Slack's mrkdwn.
func ToSlackMrkdwn(s string) string {
	s = slackEscaper.Replace(s)
	// User and channel mentions are Slack syntax already: keep them live.
	s = mdMention.ReplaceAllString(s, "<$1>")
	s = mdLink.ReplaceAllString(s, "<$2|$1>")
	s = mdBold.ReplaceAllString(s, "*$1*")
	return s
}
