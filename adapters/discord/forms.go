package discord

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/bot"
)

// A button that asks for a command's options carries the form's command
// under a prefix of its own, and the modal it opens under another, so that
// a form can never be taken for a command to run at once (a click on it
// would otherwise run "coach load" with no options), nor a modal for a
// button.
const (
	formButtonPrefix = "rcf:"
	modalPrefix      = "rcm:"
)

// Discord's modal limits, in characters. A modal over any of them is
// refused, and the click would seem to do nothing.
const (
	maxModalTitle  = 45
	maxInputLabel  = 45
	maxPlaceholder = 100
	maxModalInputs = 5
	maxInputLength = 4000
	// maxShortInput is the longest text answer given a one-line input;
	// longer ones get a paragraph, where the whole answer stays in view.
	maxShortInput = 100
	// defaultModalTitle stands in for a form without a title, since
	// Discord requires one.
	defaultModalTitle = "Recovery Coach"
)

// errForeignForm means a modal submit names no form this bot asks today
// (an old deployment's modal, or a forged one): nothing runs.
var errForeignForm = errors.New("modal without a Recovery Coach form")

// ButtonForm returns the form a button's custom_id asks for, as rendered
// for a bot.Button with a Form. Any other custom_id, and a form the
// registry no longer has, give false.
func ButtonForm(customID string) (bot.Form, bool) {
	return formIn(customID, formButtonPrefix)
}

// formIn reads the form named after prefix in a custom_id. Discord echoes
// custom_ids, but a signed payload is still input: only the exact id this
// adapter writes for a form the registry asks today is accepted.
func formIn(customID, prefix string) (bot.Form, bool) {
	command, ok := strings.CutPrefix(customID, prefix)
	if !ok || len(customID) > maxCustomID {
		return bot.Form{}, false
	}
	f, ok := bot.FormFor(command)
	if !ok || f.Command != command {
		return bot.Form{}, false
	}
	return f, true
}

// buttonID is the custom_id of a rendered button: its form when the
// registry can ask for one, otherwise its command line; false when it does
// not fit, so that the button is left out rather than cut into another
// command.
func buttonID(b bot.Button) (string, bool) {
	if f, ok := bot.FormFor(b.Form); ok {
		id := formButtonPrefix + f.Command
		return id, len(id) <= maxCustomID
	}
	id := customIDPrefix + b.Command
	return id, len(id) <= maxCustomID && b.Command != ""
}

// formClick answers a click on a form button: the modal asking for the
// form's options, which must be the interaction's first response (a
// deferred interaction cannot open one). Nothing runs and nothing is
// stored until the modal is submitted. ok is false for any other
// interaction.
func formClick(i *discordgo.Interaction) (resp *discordgo.InteractionResponse, ok bool) {
	d, isClick := i.Data.(discordgo.MessageComponentInteractionData)
	if i.Type != discordgo.InteractionMessageComponent || !isClick || !strings.HasPrefix(d.CustomID, formButtonPrefix) {
		return nil, false
	}
	f, ok := ButtonForm(d.CustomID)
	if !ok {
		return notice(refusal(errForeignButton)), true
	}
	return FormResponse(f), true
}

// FormResponse is the answer to a click on a button asking for f: the
// modal with one text input per field. A form Discord cannot show (no
// questions, or more than a modal holds) is answered instead with a
// private message saying how to type the command.
func FormResponse(f bot.Form) *discordgo.InteractionResponse {
	id := modalPrefix + f.Command
	if len(f.Fields) == 0 || len(f.Fields) > maxModalInputs || len(id) > maxCustomID {
		return notice(fmt.Sprintf("Discord can't show that form as a dialog. Please type `%s` instead.", f.Usage()))
	}
	title := strings.TrimSpace(f.Title)
	if title == "" {
		title = defaultModalTitle
	}
	rows := make([]discordgo.MessageComponent, 0, len(f.Fields))
	for _, field := range f.Fields {
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{textInput(field)}})
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{CustomID: id, Title: clip(title, maxModalTitle), Components: rows},
	}
}

// textInput is one question of a form, named after the option so that the
// submitted answer finds its place in the command line. Discord has no
// number input: a number's length bounds it in the client, its range is
// shown in the placeholder, and the registry's parser checks the value.
func textInput(field bot.FormField) discordgo.TextInput {
	in := discordgo.TextInput{
		CustomID: field.Name,
		Label:    clip(orBlank(field.Label), maxInputLabel),
		Style:    discordgo.TextInputShort,
		Required: field.Required,
	}
	hint := strings.TrimSpace(field.Placeholder)
	if field.Number {
		in.MinLength = 1
		in.MaxLength = max(len(strconv.Itoa(field.Min)), len(strconv.Itoa(field.Max)))
		if hint == "" {
			hint = fmt.Sprintf("%d-%d", field.Min, field.Max)
		} else {
			hint = fmt.Sprintf("%d-%d: %s", field.Min, field.Max, hint)
		}
	} else {
		in.MaxLength = min(field.MaxLength, maxInputLength)
		if in.MaxLength <= 0 {
			in.MaxLength = maxInputLength
		}
		if in.MaxLength > maxShortInput {
			in.Style = discordgo.TextInputParagraph
		}
		if field.Required {
			in.MinLength = 1
		}
	}
	in.Placeholder = clip(hint, maxPlaceholder)
	return in
}

// submission turns a modal submit into the command line it completes. The
// answers are found by input id, and Form.Line refuses a missing one with
// a message for the submitter (a *bot.Error), before anything runs.
func submission(d discordgo.ModalSubmitInteractionData) (string, error) {
	f, ok := formIn(d.CustomID, modalPrefix)
	if !ok {
		return "", errForeignForm
	}
	return f.Line(answers(d.Components))
}

// answers collects a modal's text inputs by custom_id. Only the first of
// two inputs with one id counts: Discord never sends two, and a forged
// second must not replace an answer.
func answers(components []discordgo.MessageComponent) map[string]string {
	values := make(map[string]string)
	for _, c := range components {
		var inner []discordgo.MessageComponent
		switch row := c.(type) {
		case *discordgo.ActionsRow:
			if row != nil {
				inner = row.Components
			}
		case discordgo.ActionsRow:
			inner = row.Components
		}
		for _, in := range inner {
			var t discordgo.TextInput
			switch v := in.(type) {
			case *discordgo.TextInput:
				if v == nil {
					continue
				}
				t = *v
			case discordgo.TextInput:
				t = v
			default:
				continue
			}
			if _, dup := values[t.CustomID]; !dup {
				values[t.CustomID] = t.Value
			}
		}
	}
	return values
}

// notice is an answer of the adapter's own, private to the clicker.
func notice(text string) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: render(bot.Reply{Text: text}).responseData(),
	}
}
