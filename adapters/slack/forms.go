package slack

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"github.com/recoverycoach/recoverycoach/bot"
)

// A button that asks for a command's options in a dialog carries the form's
// command under its own prefix, so that a form value can never be taken
// for a command to run at once, nor the other way round.
const formPrefix = "form:"

// formCallbackID marks the modals Recovery Coach opens; a view_submission
// with any other callback_id is not ours and runs nothing.
const formCallbackID = "rc:form"

// Modal limits (https://docs.slack.dev/reference/views/modal-views and the
// input block's elements). Going over one makes views.open fail, and the
// click would do nothing.
const (
	maxModalTitle       = 24
	maxInputLabel       = 2000
	maxPlaceholder      = 150
	maxHint             = 2000
	maxTextInputLength  = 3000
	maxPrivateMetadata  = 3000
	defaultModalTitle   = "Recovery Coach"
	formSubmitLabel     = "Save"
	formCloseLabel      = "Cancel"
	formUnavailableText = "I could not open the form just now. Please click the button again."
)

// errBadForm means a form's private_metadata does not name a form this
// bot asks (an old deployment's view, or a forged one): nothing runs.
var errBadForm = errors.New("slack: view does not carry a valid form")

// channelID is the shape of a Slack conversation id; anything else in
// private_metadata is refused rather than passed to chat.postEphemeral.
var channelID = regexp.MustCompile(`^[A-Z0-9]{1,40}$`)

// ButtonForm extracts the form a button value written by Render asks for.
// Like ButtonCommand it refuses values that are too long, and it refuses a
// command the registry cannot turn into a dialog.
func ButtonForm(value string) (bot.Form, bool) {
	command, ok := strings.CutPrefix(value, formPrefix)
	if !ok || len(command) > bot.MaxInputBytes {
		return bot.Form{}, false
	}
	return bot.FormFor(command)
}

// buttonValue is what a rendered button carries: its form when it has one
// the registry knows, otherwise its command; false when it has neither, so
// that it is left out rather than run something else.
func buttonValue(b bot.Button) (string, bool) {
	if f, ok := bot.FormFor(b.Form); ok {
		return formPrefix + f.Command, true
	}
	value := valuePrefix + b.Command
	return value, len(value) <= maxButtonValue && strings.TrimSpace(b.Command) != ""
}

// formMetadata is the modal's private_metadata: what the submission needs
// and Slack does not send back by itself. It never holds an identity; the
// submitter always comes from the payload.
type formMetadata struct {
	Form    string `json:"form"`
	Channel string `json:"channel,omitempty"`
}

// FormView is the modal asking for f's options, for a button clicked in
// channel: the answers are posted back there, visible to the submitter only.
func FormView(f bot.Form, channel string) slackgo.ModalViewRequest {
	if !channelID.MatchString(channel) {
		channel = "" // answered by DM instead
	}
	meta, _ := json.Marshal(formMetadata{Form: f.Command, Channel: channel}) // strings always marshal
	title := f.Title
	if strings.TrimSpace(title) == "" {
		title = defaultModalTitle
	}
	blocks := make([]slackgo.Block, 0, len(f.Fields))
	for _, field := range f.Fields {
		blocks = append(blocks, formInput(field))
	}
	return slackgo.ModalViewRequest{
		Type:            slackgo.VTModal,
		Title:           plain(clip(title, maxModalTitle)),
		Blocks:          slackgo.Blocks{BlockSet: blocks},
		Close:           plain(formCloseLabel),
		Submit:          plain(formSubmitLabel),
		PrivateMetadata: string(meta),
		CallbackID:      formCallbackID,
	}
}

// formInput is one question of a form. The block and the element are both
// named after the option, which is where the submission's answer is found.
func formInput(field bot.FormField) *slackgo.InputBlock {
	var placeholder, hint *slackgo.TextBlockObject
	if p := strings.TrimSpace(field.Placeholder); p != "" {
		placeholder = plain(clip(p, maxPlaceholder))
		if utf8.RuneCountInString(p) > maxPlaceholder {
			// The placeholder is cut; the hint under the input keeps it whole.
			hint = plain(clip(p, maxHint))
		}
	}
	var element slackgo.BlockElement
	if field.Number {
		element = slackgo.NewNumberInputBlockElement(placeholder, field.Name, false).
			WithMinValue(strconv.Itoa(field.Min)).WithMaxValue(strconv.Itoa(field.Max))
	} else {
		text := slackgo.NewPlainTextInputBlockElement(placeholder, field.Name)
		if field.MaxLength > 0 {
			text = text.WithMaxLength(min(field.MaxLength, maxTextInputLength))
		}
		element = text
	}
	return slackgo.NewInputBlock(field.Name, plain(clip(field.Label, maxInputLabel)), hint, element).WithOptional(!field.Required)
}

// parseFormMetadata reads a submitted view's private_metadata. Slack signs
// the payload it comes in, but it is still checked like input: the form
// must be one the registry asks today, and the channel a conversation id.
func parseFormMetadata(s string) (bot.Form, string, error) {
	var meta formMetadata
	if len(s) > maxPrivateMetadata || json.Unmarshal([]byte(s), &meta) != nil {
		return bot.Form{}, "", errBadForm
	}
	f, ok := bot.FormFor(meta.Form)
	if !ok || meta.Channel != "" && !channelID.MatchString(meta.Channel) {
		return bot.Form{}, "", errBadForm
	}
	return f, meta.Channel, nil
}

// Submission is a form submitted by a person: the command line to run for
// them, or why the answers were refused.
type Submission struct {
	Request bot.Request
	// Errors, when set, is the acknowledgement that keeps the dialog open
	// with a message under the answer at fault; nothing runs.
	Errors *slackgo.ViewSubmissionResponse
}

// FormSubmission reads a view_submission of a Recovery Coach form; false
// for any other interaction. The identity comes from the payload alone, the
// form and channel from private_metadata, and the answers complete the
// form's command line exactly as if the person had typed it.
func FormSubmission(ic slackgo.InteractionCallback) (Submission, bool, error) {
	if ic.Type != slackgo.InteractionTypeViewSubmission || ic.View.CallbackID != formCallbackID {
		return Submission{}, false, nil
	}
	req, err := actor(ic)
	if err != nil {
		return Submission{}, true, err
	}
	f, channel, err := parseFormMetadata(ic.View.PrivateMetadata)
	if err != nil {
		return Submission{}, true, err
	}
	answers := formAnswers(f, ic.View.State)
	line, err := f.Line(answers)
	if err != nil {
		field := f.Fields[0].Name
		if fe := (*bot.FieldError)(nil); errors.As(err, &fe) {
			field = fe.Field
		}
		errs := map[string]string{field: bot.ErrorMessage(err)}
		return Submission{Errors: slackgo.NewErrorsViewSubmissionResponse(errs)}, true, nil
	}
	// The answer is private wherever the post was: never a DM's shortcuts.
	req.Channel, req.IsDM, req.Text = channel, false, line
	return Submission{Request: req}, true, nil
}

// formAnswers reads the answer to each of the form's questions, and only
// those, from the view's state.
func formAnswers(f bot.Form, state *slackgo.ViewState) map[string]string {
	answers := make(map[string]string, len(f.Fields))
	if state == nil {
		return answers
	}
	for _, field := range f.Fields {
		answers[field.Name] = state.Values[field.Name][field.Name].Value
	}
	return answers
}

// openForm shows the dialog a form button asks for. Nothing else comes
// first: the click's trigger_id expires three seconds after the click.
func (a *Adapter) openForm(ctx context.Context, c Click) {
	ctx = a.workspaceCtx(ctx, c.Request.Workspace)
	_, err := a.client(ctx).OpenViewContext(ctx, c.TriggerID, FormView(*c.Form, c.Request.Channel))
	if err == nil {
		return
	}
	a.log.WarnContext(ctx, "slack: views.open failed", "team", c.Request.Workspace, "err", err)
	a.respond(ctx, c.ResponseURL, c.Request, Render(bot.Reply{Text: formUnavailableText}))
}

// runSubmission runs a submitted form's line for the submitter through the
// same path as their typed commands, and shows the answer to them alone.
func (a *Adapter) runSubmission(ctx context.Context, req bot.Request) {
	ctx = a.workspaceCtx(ctx, req.Workspace)
	m := a.answer(ctx, req)
	m.ResponseType = slackgo.ResponseTypeEphemeral
	if req.Channel != "" {
		err := a.postEphemeral(ctx, req.Channel, req.User, m)
		if err == nil {
			return
		}
		// Not in the channel (any more), or it is archived: the DM still
		// reaches them, and nobody else.
		a.log.InfoContext(ctx, "slack: ephemeral answer failed; sending it by DM", "team", req.Workspace, "err", err)
	}
	a.respond(ctx, "", req, m)
}
