// Package storesql holds the SQL text both stores build from domain tables,
// so SQLite and PostgreSQL cannot drift apart on it.
package storesql

import (
	"strings"

	"github.com/recoverycoach/recoverycoach/bot"
)

// ReminderSQL writes the domain's reminder table (bot.ReminderKind.Nudge
// and FansOut) as SQL for the bulk fan-out: the nudge kind of s.kind, and
// the reminder kinds sent to their owner or fanned out to a workspace. The
// kinds are the domain's constants, so quoting them as literals is safe.
func ReminderSQL(fansOut bool) (nudgeCase, kinds string) {
	var c, in strings.Builder
	c.WriteString("CASE s.kind")
	for _, k := range bot.ReminderKinds() {
		c.WriteString(" WHEN " + literal(string(k)) + " THEN " + literal(string(k.Nudge())))
		if k.FansOut() == fansOut {
			if in.Len() > 0 {
				in.WriteString(", ")
			}
			in.WriteString(literal(string(k)))
		}
	}
	c.WriteString(" END")
	return c.String(), "(" + in.String() + ")"
}

// ChannelPostNudgeSQL writes bot.ChannelPostKind.Nudge as SQL: the nudge
// kind of a channel post p.kind.
func ChannelPostNudgeSQL() string {
	var c strings.Builder
	c.WriteString("CASE p.kind")
	for _, k := range bot.ChannelPostKinds() {
		c.WriteString(" WHEN " + literal(string(k)) + " THEN " + literal(string(k.Nudge())))
	}
	c.WriteString(" END")
	return c.String()
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
