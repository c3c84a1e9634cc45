package bot

// Request is one command from a person, translated by an adapter from a
// platform event (slash command, button, DM text, console line).
type Request struct {
	Platform  Platform
	Workspace string
	Channel   string
	User      string
	// UserName is the platform display name. Replies name people by platform
	// mention instead (rendered by the platform), so the core stores none.
	UserName string
	IsDM     bool
	// IsAdmin is the platform's word that the user administers the workspace
	// (Slack admin/owner, Discord ADMINISTRATOR or MANAGE_GUILD).
	IsAdmin bool
	// TZ is the user's zone as the platform reports it, used as the default
	// at onboarding when the member has not chosen one.
	TZ string

	// Text is free text such as "pain 6 knee" or "/coach history 14". It is
	// parsed by the registry when Path is empty.
	Text string
	// Path and Options carry an already-structured command (Discord typed
	// options): Path like ["coach", "tape", "on"], Options by option name as
	// the raw string the user gave. The same option parsers validate them.
	Path    []string
	Options map[string]string
	// Conversational marks text typed as a message (a DM, a mention, a
	// console line) rather than a slash command: loose phrasings and short
	// answers to the latest nudge are understood, and chatter that is not a
	// command may get no reply at all (an empty Reply).
	Conversational bool
}

// Member returns the identity of the requester.
func (r Request) Member() MemberKey {
	return MemberKey{Platform: r.Platform, Workspace: r.Workspace, User: r.User}
}

// Visibility says who sees a reply.
type Visibility int

// Visibilities. The zero value is Private: personal data is never shown to a
// channel unless a command asks for it.
const (
	Private Visibility = iota
	InChannel
)

// Reply is a platform-neutral answer. Text uses a small Markdown subset
// (**bold**, _italic_, `code`, "- " lists, [text](url)) that each adapter
// renders in its own dialect.
type Reply struct {
	Title      string
	Text       string
	Fields     []Field
	Buttons    []Button
	Files      []File
	Visibility Visibility
	// Footer is small print under the message (a context block on Slack).
	Footer string
}

// Field is a short labelled value shown side by side with others.
type Field struct {
	Name  string
	Value string
}

// ButtonStyle hints at a button's colour.
type ButtonStyle int

// Button styles.
const (
	ButtonDefault ButtonStyle = iota
	ButtonPrimary
	ButtonDanger
)

// Button runs Command (a command line such as "coach snooze 1h") as the
// person who clicks it, through the same parser and handlers as typed
// commands. A button therefore never acts for anyone but the clicker.
type Button struct {
	Label   string
	Command string
	Style   ButtonStyle
	// Form, when set, is a command line such as "coach readiness" whose
	// options the button asks for in a dialog (see FormFor) before running
	// it; Command is then what a platform without dialogs offers instead.
	Form string
}

// File is an attachment such as a CSV export.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Empty reports whether there is nothing to send.
func (r Reply) Empty() bool {
	return r.Title == "" && r.Text == "" && len(r.Fields) == 0 && len(r.Buttons) == 0 && len(r.Files) == 0 && r.Footer == ""
}

// PlainText renders the reply as plain text, for the console and for the
// fallback text that platforms show in notifications.
func (r Reply) PlainText() string {
	var b []byte
	if r.Title != "" {
		b = append(b, StripMarkdown(r.Title)...)
		b = append(b, '\n')
	}
	b = append(b, StripMarkdown(r.Text)...)
	for _, f := range r.Fields {
		b = append(b, "\n"+f.Name+": "+StripMarkdown(f.Value)...)
	}
	if r.Footer != "" {
		b = append(b, "\n"+StripMarkdown(r.Footer)...)
	}
	return string(b)
}
