package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// OptionType is the type of a command option. Each type has one parser,
// used for free text and for values that arrive already split (Discord).
type OptionType int

// Option types.
const (
	// OptInt is a whole number within [Min, Max].
	OptInt OptionType = iota + 1
	// OptWord is one word.
	OptWord
	// OptText takes the rest of the line (at most Max characters).
	OptText
	// OptChoice is one of Choices (or an alias of one).
	OptChoice
	// OptDuration is a duration such as 30m, 2h or 1d.
	OptDuration
	// OptTimes is one or more times of day: 08:00 or 08:00,18:30.
	OptTimes
	// OptTimeRange is a daily window HH:MM-HH:MM, or "off".
	OptTimeRange
	// OptWeekdays is daily, weekdays, weekends or mon,wed,...
	OptWeekdays
	// OptDate is a date or moment as people say it (see When): 2026-12-10,
	// 10 Dec, friday, tomorrow 9am, in 2 weeks.
	OptDate
	// OptZone is an IANA time zone.
	OptZone
	// OptUser is a user mention or id.
	OptUser
	// OptChannel is a channel mention or id.
	OptChannel
	// OptArea is a body area with an optional side: knee, left knee,
	// both knees, lower back.
	OptArea
)

// Choice is one allowed value of an OptChoice option.
type Choice struct {
	Value   string
	Aliases []string
}

// Option describes one argument of a command.
type Option struct {
	Name        string
	Description string
	Type        OptionType
	Required    bool
	// Min and Max bound OptInt values; Max bounds OptText length in characters.
	Min, Max int
	Choices  []Choice
	// Default is parsed like user input when the option is absent.
	Default string
	// Keyword, when set, means the value follows this word in text, as in
	// "at 08:00" or "until 2026-03-01", and may stand anywhere in the line.
	Keyword string
	// Placeholder is shown in usage; it defaults to the upper-cased name.
	Placeholder string
	// Label names the option in a dialog (see FormFor); empty means the
	// capitalised Name.
	Label string
	// FromContext, for an optional option left out, asks the Coach to
	// fill it from what it knows of the member (the area of their program
	// or last check-in) before the handler runs.
	FromContext bool
}

// CommandFunc runs a parsed command for the Coach. (Adapters call their
// core through a Handler interface; this is the command's own function.)
type CommandFunc func(c *Coach, ctx context.Context, call *Call) (Reply, error)

// Command is a command (/pain, /coach), a verb (/coach tape) or a sub-verb
// (/coach tape on). A command either has subcommands or a handler.
type Command struct {
	Name     string
	Aliases  []string
	Summary  string
	Examples []string
	Options  []Option
	// Role is the role needed to run the command and everything below it.
	Role        Role
	Subcommands []*Command
	// Default is the subcommand used when the next word names no subcommand,
	// as in "/coach remind exercises at 08:00" meaning "remind set".
	Default string
	// Empty is the subcommand used when nothing follows, as in "/coach tape".
	Empty   string
	Handler CommandFunc
	// Filler lists words that carry no value in this command's text and
	// are dropped before parsing, so "remind me to do my exercises at
	// 7am" reads as "remind exercises at 7am". Only commands without a
	// free-text option may have them, as a note must stay as typed.
	Filler []string

	parent *Command
}

// Path returns the words that lead to the command, such as [coach tape on].
func (c *Command) Path() []string {
	if c.parent == nil {
		return []string{c.Name}
	}
	return append(c.parent.Path(), c.Name)
}

// FullName is the path joined by spaces.
func (c *Command) FullName() string { return strings.Join(c.Path(), " ") }

// Parent returns the enclosing command, or nil for a root.
func (c *Command) Parent() *Command { return c.parent }

// RequiredRole returns the strictest role on the path to the command.
func (c *Command) RequiredRole() Role {
	for n := c; n != nil; n = n.parent {
		if n.Role == RoleStaff {
			return RoleStaff
		}
	}
	return RoleMember
}

// Sub returns the subcommand with the given name or alias.
func (c *Command) Sub(name string) *Command {
	name = strings.ToLower(name)
	for _, s := range c.Subcommands {
		if s.Name == name || slices.Contains(s.Aliases, name) {
			return s
		}
	}
	return nil
}

// Usage renders the grammar line, for example "/coach tape on AREA [DAYS]".
func (c *Command) Usage() string {
	path := c.Path()
	// The default verb is implied in text: "/coach remind exercises at 08:00".
	if c.parent != nil && c.parent.Default == c.Name {
		path = path[:len(path)-1]
	}
	parts := []string{"/" + strings.Join(path, " ")}
	if len(c.Subcommands) > 0 {
		names := make([]string, len(c.Subcommands))
		for i, s := range c.Subcommands {
			names[i] = s.Name
		}
		verb := strings.Join(names, "|")
		if c.Empty != "" {
			verb = "[" + verb + "]"
		}
		return strings.Join(append(parts, verb), " ")
	}
	for _, o := range c.Options {
		p := o.placeholder()
		if o.Keyword != "" {
			p = o.Keyword + " " + p
		}
		if !o.Required {
			p = "[" + p + "]"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func (o Option) placeholder() string {
	switch {
	case o.Placeholder != "":
		return o.Placeholder
	case o.Type == OptChoice && len(o.Choices) <= 4:
		vals := make([]string, len(o.Choices))
		for i, ch := range o.Choices {
			vals[i] = ch.Value
		}
		return strings.Join(vals, "|")
	case o.Type == OptText:
		return strings.ToUpper(o.Name) + "..."
	}
	return strings.ToUpper(o.Name)
}

// Leaves returns every runnable command below c (c itself if it has a handler).
func (c *Command) Leaves() []*Command {
	if len(c.Subcommands) == 0 {
		return []*Command{c}
	}
	var out []*Command
	for _, s := range c.Subcommands {
		out = append(out, s.Leaves()...)
	}
	return out
}

// Registry holds every command. It is data: parsing, help, the Slack
// manifest and the Discord command definitions are all derived from it.
type Registry struct {
	roots     []*Command
	shortcuts []shortcut
}

// shortcut is another way to type a command: from, the words people type,
// leads to the command at to.
type shortcut struct{ from, to []string }

// Shortcut makes the words from (such as "pain edit") another way to type
// the command at path to (such as "coach", "edit"), for phrasings people
// use and for commands that moved: Discord allows 25 verbs under one
// command, so some live one level down while their old line still works.
func (r *Registry) Shortcut(from string, to ...string) {
	r.shortcuts = append(r.shortcuts, shortcut{from: strings.Fields(from), to: to})
}

// expand rewrites the leading words of a command line that match a
// shortcut; a line without its root ("skip" for "coach skip") matches too.
func (r *Registry) expand(tokens []string) []string {
	words := append([]string{strings.TrimPrefix(tokens[0], "/")}, tokens[1:]...)
	for _, sc := range r.shortcuts {
		for _, typed := range [][]string{words, append([]string{sc.from[0]}, words...)} {
			if len(typed) >= len(sc.from) && slices.EqualFunc(typed[:len(sc.from)], sc.from, strings.EqualFold) {
				return append(slices.Clone(sc.to), typed[len(sc.from):]...)
			}
		}
	}
	return tokens
}

// NewRegistry links the commands into a registry.
func NewRegistry(roots ...*Command) *Registry {
	var link func(parent, c *Command)
	link = func(parent, c *Command) {
		c.parent = parent
		for _, s := range c.Subcommands {
			link(c, s)
		}
	}
	for _, r := range roots {
		link(nil, r)
	}
	return &Registry{roots: roots}
}

// Roots returns the top-level commands (/pain, /coach).
func (r *Registry) Roots() []*Command { return r.roots }

// Root returns the top-level command with the given name or alias.
func (r *Registry) Root(name string) *Command {
	name = strings.ToLower(strings.TrimPrefix(name, "/"))
	for _, c := range r.roots {
		if c.Name == name || slices.Contains(c.Aliases, name) {
			return c
		}
	}
	return nil
}

// Find returns the command at path, such as ["coach", "tape", "on"].
func (r *Registry) Find(path ...string) *Command {
	if len(path) == 0 {
		return nil
	}
	c := r.Root(path[0])
	for _, p := range path[1:] {
		if c == nil {
			return nil
		}
		c = c.Sub(p)
	}
	return c
}

// Leaves returns every runnable command in registry order.
func (r *Registry) Leaves() []*Command {
	var out []*Command
	for _, c := range r.roots {
		out = append(out, c.Leaves()...)
	}
	return out
}

func usageError(c *Command, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return Errorf(EINVALID, "%s\nUsage: `%s`", msg, c.Usage())
}
