package bot

import (
	"regexp"
	"strings"
)

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

// ToSlackMrkdwn converts the Reply Markdown subset to Slack's mrkdwn.
func ToSlackMrkdwn(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
	s = mdLink.ReplaceAllString(s, "<$2|$1>")
	s = mdBold.ReplaceAllString(s, "*$1*")
	return s
}
