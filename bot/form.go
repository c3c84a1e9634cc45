package bot

import (
	"strings"
)

// Form is the dialog a button opens (a Slack modal, a Discord modal)
// instead of running a command at once: it asks for the options of one
// command of the registry, and the answers, in order, complete that
// command's line, which then runs as the person who submitted it through
// the same parser and handler as if they had typed it. The form is derived
// from the registry, so a dialog can never ask for something the command
// does not accept.
type Form struct {
	// Command is the command line the answers complete, such as
	// "coach readiness".
	Command string
	// Title is a short heading for the dialog.
	Title  string
	Fields []FormField
}

// FormField is one question of a form.
type FormField struct {
	// Name is the command option's name; platforms use it as the input's id.
	Name  string
	Label string
	// Placeholder is a hint shown in an empty input, such as "1-5".
	Placeholder string
	// Number marks a whole-number answer between Min and Max.
	Number   bool
	Min, Max int
	// MaxLength bounds a text answer.
	MaxLength int
	Required  bool
}

// formTitleMax is the longest dialog title both platforms accept (Slack
// allows 24 characters, Discord 45).
const formTitleMax = 24

// FormFor returns the form asking for the options of a command line such
// as "coach load"; false when the line names no runnable command or one
// whose options a dialog cannot ask for (only numbers and free text can).
func FormFor(command string) (Form, bool) {
	path := strings.Fields(strings.ToLower(command))
	if len(path) == 0 {
		return Form{}, false
	}
	c := Commands().Find(path...)
	if c == nil || c.Handler == nil || len(c.Options) == 0 {
		return Form{}, false
	}
	title := c.Summary
	if i := strings.IndexAny(title, "(:"); i > 0 {
		title = title[:i]
	}
	f := Form{Command: strings.Join(path, " "), Title: clipWords(strings.TrimSpace(title), formTitleMax)}
	for _, o := range c.Options {
		label := o.Label
		if label == "" {
			label = capitalize(o.Name)
		}
		field := FormField{Name: o.Name, Label: label, Placeholder: o.Description}
		switch o.Type {
		case OptInt:
			field.Number, field.Min, field.Max, field.Required = true, o.Min, o.Max, true
		case OptText:
			field.MaxLength, field.Required = o.Max, o.Required
			if field.MaxLength == 0 {
				field.MaxLength = MaxInputBytes / 4
			}
		default:
			return Form{}, false
		}
		f.Fields = append(f.Fields, field)
	}
	return f, true
}

// FieldError is Form.Line's refusal of one answer: Field names the
// question, so that a dialog can show the message under it. It unwraps to
// an EINVALID *Error.
type FieldError struct {
	Field string
	Err   *Error
}

// Error implements the error interface.
func (e *FieldError) Error() string { return e.Err.Error() }

// Unwrap exposes the *Error to ErrorCode and ErrorMessage.
func (e *FieldError) Unwrap() error { return e.Err }

// Line builds the command line from the answers by field name. A missing
// required answer is a *FieldError naming it; an answer is trimmed and
// kept on one line. Optional answers may be left out only at the end, since
// the line is positional. The registry's parser still checks every value.
func (f Form) Line(answers map[string]string) (string, error) {
	parts := []string{f.Command}
	skipped := ""
	for _, field := range f.Fields {
		v := strings.Join(strings.Fields(answers[field.Name]), " ")
		switch {
		case v == "" && field.Required:
			return "", &FieldError{field.Name, Errorf(EINVALID, "Please answer %s.", strings.ToLower(field.Label))}
		case v == "":
			skipped = field.Name
			continue
		case skipped != "":
			return "", &FieldError{skipped, Errorf(EINVALID, "Please answer %s too, or leave %s empty.", skipped, field.Name)}
		}
		parts = append(parts, v)
		if len(strings.Join(parts, " ")) > MaxInputBytes {
			return "", &FieldError{field.Name, Errorf(EINVALID, "That answer is too long.")}
		}
	}
	return strings.Join(parts, " "), nil
}

// Usage is how the form's command is typed, for a platform without dialogs
// (the console): "/coach load RPE MINUTES [NOTE...]".
func (f Form) Usage() string {
	if c := Commands().Find(strings.Fields(f.Command)...); c != nil {
		return c.Usage()
	}
	return "/" + f.Command
}

// clipWords shortens s to at most n bytes at a word boundary.
func clipWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n+1], ' ')
	if cut <= 0 {
		cut = n
	}
	return strings.TrimSpace(s[:cut])
}
