package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
)

// formOf is the registry's form for command.
func formOf(t testing.TB, command string) bot.Form {
	t.Helper()
	f, ok := bot.FormFor(command)
	if !ok {
		t.Fatalf("FormFor(%q) found no form", command)
	}
	return f
}

// formButtonValue is the value Slack sends back when someone clicks the
// form button of a channel post rendered by the adapter.
func formButtonValue(t testing.TB, command string) string {
	t.Helper()
	msg := slackadapter.Render(bot.Reply{Text: "Readiness?", Visibility: bot.InChannel,
		Buttons: []bot.Button{{Label: "Answer", Command: command, Form: command}}})
	for _, b := range msg.Blocks.BlockSet {
		if actions, ok := b.(*slackgo.ActionBlock); ok {
			return actions.Elements.ElementSet[0].(*slackgo.ButtonBlockElement).Value
		}
	}
	t.Fatal("the post has no button")
	return ""
}

// formMetadata is the private_metadata of the dialog the adapter opens for
// command from a post in channel C1: what Slack sends back on submit.
func formMetadata(command string) string {
	f, _ := bot.FormFor(command)
	return slackadapter.FormView(f, "C1").PrivateMetadata
}

// formCallbackID is the callback_id of the adapter's dialogs.
var formCallbackID = slackadapter.FormView(bot.Form{}, "").CallbackID

// submissionPayload is a view_submission of one of the adapter's dialogs
// by user, with answers by field name.
func submissionPayload(user, callbackID, metadata string, answers map[string]string) string {
	values := map[string]any{}
	for name, v := range answers {
		values[name] = map[string]any{name: map[string]any{"type": "plain_text_input", "value": v}}
	}
	data, _ := json.Marshal(map[string]any{
		"type":       "view_submission",
		"team":       map[string]any{"id": "T1", "domain": "acme"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(user), "team_id": "T1"},
		"api_app_id": "A1",
		"trigger_id": testTriggerID,
		"view": map[string]any{"id": "V2", "type": "modal", "callback_id": callbackID,
			"private_metadata": metadata, "state": map[string]any{"values": values}},
	})
	return string(data)
}

var readinessAnswers = map[string]string{"fatigue": "4", "sleep": "3", "soreness": "2", "stress": "4", "mood": "5"}

// readinessSubmission is user's valid answer to the readiness dialog.
func readinessSubmission(user string) string {
	return submissionPayload(user, formCallbackID, formMetadata("coach readiness"), readinessAnswers)
}

// interact posts a signed interaction payload.
func (h *harness) interact(payload string) *httptest.ResponseRecorder {
	return h.serve(signedRequest("/slack/interactions", "application/x-www-form-urlencoded", "payload="+url.QueryEscape(payload)))
}

// socketInteraction delivers an interaction payload over Socket Mode and
// returns its acknowledgement's payload.
func (h *harness) socketInteraction(t *testing.T, payload string) any {
	t.Helper()
	var ic slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &ic); err != nil {
		t.Fatal(err)
	}
	got := make(acks, 1)
	h.adapter.SocketEvent(socketmode.Event{Type: socketmode.EventTypeInteractive, Data: ic, Request: envelope("ef")}, got.ack)
	return got.next(t)
}

// assertNothingRan fails when a refused interaction reached the handler or
// called Slack.
func assertNothingRan(t *testing.T, h *harness) {
	t.Helper()
	h.drain()
	if got := h.handler.Requests(); len(got) != 0 {
		t.Errorf("handler ran %+v", got)
	}
	if calls := h.fake.Calls(); len(calls) != 0 {
		t.Errorf("Slack was called: %+v", calls)
	}
}

func TestFormViewGolden(t *testing.T) {
	for _, command := range []string{"coach readiness", "coach load"} {
		t.Run(command, func(t *testing.T) {
			view := slackadapter.FormView(formOf(t, command), "C1")
			checkModal(t, view)
			goldenJSON(t, "form_"+strings.ReplaceAll(command, " ", "_")+".golden.json", view)
		})
	}
}

// TestEveryFormFitsSlack: whatever the registry turns into a dialog opens
// on Slack.
func TestEveryFormFitsSlack(t *testing.T) {
	n := 0
	for _, c := range bot.Commands().Leaves() {
		if f, ok := bot.FormFor(c.FullName()); ok {
			n++
			checkModal(t, slackadapter.FormView(f, "C1"))
		}
	}
	if n < 2 {
		t.Errorf("%d forms in the registry, want at least readiness and load", n)
	}
}

// checkModal fails when a view breaks one of Slack's modal limits, which
// would make views.open fail.
func checkModal(t *testing.T, v slackgo.ModalViewRequest) {
	t.Helper()
	runes := utf8.RuneCountInString
	if n := runes(v.Title.Text); n == 0 || n > 24 {
		t.Errorf("title %q of %d characters", v.Title.Text, n)
	}
	if v.Type != slackgo.VTModal || v.Submit.Text != "Save" || v.Close.Text != "Cancel" || v.CallbackID == "" {
		t.Errorf("view = %+v", v)
	}
	if n := len(v.PrivateMetadata); n > 3000 {
		t.Errorf("private_metadata of %d characters", n)
	}
	if n := len(v.Blocks.BlockSet); n == 0 || n > 100 {
		t.Errorf("%d blocks", n)
	}
	ids := map[string]bool{}
	for _, b := range v.Blocks.BlockSet {
		in := b.(*slackgo.InputBlock)
		if ids[in.BlockID] || runes(in.Label.Text) > 2000 || in.Hint != nil && runes(in.Hint.Text) > 2000 {
			t.Errorf("bad input block %+v", in)
		}
		ids[in.BlockID] = true
		switch el := in.Element.(type) {
		case *slackgo.NumberInputBlockElement:
			if el.IsDecimalAllowed || el.ActionID != in.BlockID || el.MinValue == "" || el.MaxValue == "" || el.Placeholder != nil && runes(el.Placeholder.Text) > 150 {
				t.Errorf("bad number input %+v", el)
			}
		case *slackgo.PlainTextInputBlockElement:
			if el.ActionID != in.BlockID || el.MaxLength <= 0 || el.MaxLength > 3000 || el.Placeholder != nil && runes(el.Placeholder.Text) > 150 {
				t.Errorf("bad text input %+v", el)
			}
		default:
			t.Errorf("unexpected element %T", el)
		}
	}
}

func TestButtonForm(t *testing.T) {
	tests := []struct {
		value, want string
		ok          bool
	}{
		{"form:coach readiness", "coach readiness", true},
		{"form:  Coach   LOAD ", "coach load", true},
		{"form:", "", false},
		{"form:coach forget confirm", "", false}, // no options to ask for
		{"form:coach nonsense", "", false},
		{"cmd:coach readiness", "", false},
		{"coach readiness", "", false},
		{"form:coach readiness" + strings.Repeat(" ", bot.MaxInputBytes), "", false},
	}
	for _, tt := range tests {
		f, ok := slackadapter.ButtonForm(tt.value)
		if f.Command != tt.want || ok != tt.ok {
			t.Errorf("ButtonForm(%.30q) = %q, %v; want %q, %v", tt.value, f.Command, ok, tt.want, tt.ok)
		}
	}
	if _, ok := slackadapter.ButtonCommand("form:coach readiness"); ok {
		t.Error("a form value was taken for a command")
	}
}

func TestFormButtonFallsBackToItsCommand(t *testing.T) {
	msg := slackadapter.Render(bot.Reply{Text: "x", Buttons: []bot.Button{
		{Label: "Unknown form", Command: "coach readiness", Form: "coach nonsense"},
		{Label: "Nothing to run", Form: "coach nonsense"},
	}})
	checkLimits(t, msg)
	actions := msg.Blocks.BlockSet[len(msg.Blocks.BlockSet)-1].(*slackgo.ActionBlock)
	if n := len(actions.Elements.ElementSet); n != 1 {
		t.Fatalf("%d buttons, want only the one with a command", n)
	}
	if v := actions.Elements.ElementSet[0].(*slackgo.ButtonBlockElement).Value; v != "cmd:coach readiness" {
		t.Errorf("value = %q", v)
	}
}

// TestFormButtonOpensTheDialog: clicking a form button on a channel post
// opens the dialog for the clicker with the click's trigger_id, and runs
// nothing.
func TestFormButtonOpensTheDialog(t *testing.T) {
	for _, command := range []string{"coach readiness", "coach load"} {
		t.Run(command, func(t *testing.T) {
			h := newHarness(t)
			w := h.interact(clickPayloadIn("C1", "general", "U2", formButtonValue(t, command), h.fake.ResponseURL("click")))
			if w.Code != http.StatusOK || w.Body.Len() != 0 {
				t.Fatalf("ack = %d %q, want an empty 200", w.Code, w.Body.String())
			}
			h.drain()
			assertOpened(t, h, formOf(t, command))
			if got := h.handler.Requests(); len(got) != 0 {
				t.Errorf("a form click ran %+v", got)
			}
			if calls := h.fake.Calls("chat.postMessage", "chat.postEphemeral", "response_url"); len(calls) != 0 {
				t.Errorf("a form click posted %+v", calls)
			}
		})
	}
}

// assertOpened fails unless Slack was asked once, with the click's
// trigger_id, to open f's dialog for the post in C1.
func assertOpened(t *testing.T, h *harness, f bot.Form) {
	t.Helper()
	calls := h.fake.Calls("views.open")
	if len(calls) != 1 {
		t.Fatalf("views.open called %d times, want 1", len(calls))
	}
	var sent struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if err := json.Unmarshal([]byte(calls[0].Form.Get("json")), &sent); err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(slackadapter.FormView(f, "C1"))
	if err != nil {
		t.Fatal(err)
	}
	var got, wantView any
	json.Unmarshal(sent.View, &got)
	json.Unmarshal(want, &wantView)
	if sent.TriggerID != testTriggerID || !reflect.DeepEqual(got, wantView) {
		t.Errorf("views.open trigger_id %q view %s\nwant view %s", sent.TriggerID, sent.View, want)
	}
}

// TestFormUnavailableIsSaidPrivately: when the dialog cannot be opened
// (the trigger expired) the clicker alone is told to click again.
func TestFormUnavailableIsSaidPrivately(t *testing.T) {
	h := newHarness(t)
	h.fake.fail("views.open", "expired_trigger_id")
	h.interact(clickPayloadIn("C1", "general", "U2", formButtonValue(t, "coach load"), h.fake.ResponseURL("click")))
	m := h.nextResponse()
	if m.ResponseType != slackgo.ResponseTypeEphemeral || m.ReplaceOriginal || !strings.Contains(m.Text, "click the button again") {
		t.Errorf("answer = %q replace_original=%v %q", m.ResponseType, m.ReplaceOriginal, m.Text)
	}
	h.drain()
	if got := h.handler.Requests(); len(got) != 0 {
		t.Errorf("handler ran %+v", got)
	}
}

// TestFormSubmissionRunsAsTheSubmitter: the answers run as the typed
// command for the submitter alone, stored as their record, and the reply
// is shown to them only, in the channel of the post.
func TestFormSubmissionRunsAsTheSubmitter(t *testing.T) {
	tests := []struct {
		command string
		answers map[string]string
		line    string
		stored  func(h *harness, user string) int
	}{
		{"coach readiness", readinessAnswers, "coach readiness 4 3 2 4 5", readinessCount},
		{"coach load", map[string]string{"rpe": "7", "minutes": " 60 ", "note": "team\npractice"}, "coach load 7 60 team practice", loadCount},
	}
	for _, tt := range tests {
		for _, shared := range []bool{false, true} {
			name := tt.command
			if shared {
				name += " with shared replay"
			}
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) { c.SharedReplay = shared })
				w := h.interact(submissionPayload("U2", formCallbackID, formMetadata(tt.command), tt.answers))
				if w.Code != http.StatusOK || w.Body.Len() != 0 {
					t.Fatalf("ack = %d %q, want an empty 200 (closes the dialog)", w.Code, w.Body.String())
				}
				h.drain()
				reqs := h.handler.Requests()
				if len(reqs) != 1 {
					t.Fatalf("handler ran %d times, want once", len(reqs))
				}
				if r := reqs[0]; r.Text != tt.line || r.User != "U2" || r.Workspace != "T1" || r.Channel != "C1" || r.IsDM || r.Platform != bot.Slack {
					t.Errorf("request = %+v, want %q for U2 in T1's C1", r, tt.line)
				}
				eph := h.fake.Calls("chat.postEphemeral")
				if len(eph) != 1 || eph[0].Form.Get("channel") != "C1" || eph[0].Form.Get("user") != "U2" || eph[0].Form.Get("text") == "" {
					t.Fatalf("chat.postEphemeral calls = %+v, want one to U2 in C1", eph)
				}
				if posts := h.fake.Calls("chat.postMessage", "response_url"); len(posts) != 0 {
					t.Errorf("the answer was posted where others see it: %+v", posts)
				}
				if n := tt.stored(h, "U2"); n != 1 {
					t.Errorf("submitter has %d records, want 1", n)
				}
			})
		}
	}
}

func readinessCount(h *harness, user string) int {
	h.t.Helper()
	got, err := h.db.ReadinessSince(context.Background(), bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: user}, "")
	if err != nil {
		h.t.Fatalf("ReadinessSince: %v", err)
	}
	return len(got)
}

func loadCount(h *harness, user string) int {
	h.t.Helper()
	got, err := h.db.LoadsSince(context.Background(), bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: user}, time.Time{})
	if err != nil {
		h.t.Fatalf("LoadsSince: %v", err)
	}
	return len(got)
}

// TestFormSubmissionFallsBackToDM: when the answer cannot be shown in the
// channel (the bot is not in it) it goes to the submitter's DM, never to
// the channel.
func TestFormSubmissionFallsBackToDM(t *testing.T) {
	h := newHarness(t)
	h.fake.fail("chat.postEphemeral", "not_in_channel")
	if w := h.interact(readinessSubmission("U2")); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	h.drain()
	posts := h.fake.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "DU2" {
		t.Fatalf("chat.postMessage calls = %+v, want one to U2's DM", posts)
	}
	if n := readinessCount(h, "U2"); n != 1 {
		t.Errorf("%d readiness records, want 1", n)
	}
}

// TestFormSubmissionIdentityComesFromThePayload: whatever the metadata
// says, the answers are the submitter's.
func TestFormSubmissionIdentityComesFromThePayload(t *testing.T) {
	h := newHarness(t)
	meta := `{"form":"coach readiness","channel":"C1","user":"U1","team":"T9","workspace":"T9"}`
	h.interact(submissionPayload("U2", formCallbackID, meta, readinessAnswers))
	h.drain()
	if r := h.handler.Requests(); len(r) != 1 || r[0].User != "U2" || r[0].Workspace != "T1" {
		t.Fatalf("requests = %+v, want one for U2 in T1", r)
	}
	if n := readinessCount(h, "U1"); n != 0 {
		t.Errorf("U1, named in the metadata, got %d records", n)
	}
}

// TestFormSubmissionMissingAnswerKeepsTheDialogOpen: Slack shows the
// error under the unanswered question, and nothing runs.
func TestFormSubmissionMissingAnswerKeepsTheDialogOpen(t *testing.T) {
	answers := map[string]string{"fatigue": "4", "sleep": "  ", "soreness": "2", "stress": "4", "mood": "5"}
	h := newHarness(t)
	w := h.interact(submissionPayload("U2", formCallbackID, formMetadata("coach readiness"), answers))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	var got slackgo.ViewSubmissionResponse
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
	if got.ResponseAction != slackgo.RAErrors || len(got.Errors) != 1 || !strings.Contains(got.Errors["sleep"], "sleep") {
		t.Errorf("ack = %s, want errors naming the sleep block", w.Body.String())
	}
	assertNothingRan(t, h)
}

// TestFormSubmissionsRefused: submissions that are not ours, or that say
// nothing valid, run nothing.
func TestFormSubmissionsRefused(t *testing.T) {
	tests := []struct {
		name, payload string
		want          int
	}{
		{"unknown callback_id", submissionPayload("U2", "someone-else", formMetadata("coach readiness"), readinessAnswers), http.StatusOK},
		{"no user", submissionPayload("", formCallbackID, formMetadata("coach readiness"), readinessAnswers), http.StatusBadRequest},
		{"metadata names no form", submissionPayload("U2", formCallbackID, `{"form":"coach forget confirm","channel":"C1"}`, readinessAnswers), http.StatusBadRequest},
		{"metadata names a bad channel", submissionPayload("U2", formCallbackID, `{"form":"coach readiness","channel":"#general"}`, readinessAnswers), http.StatusBadRequest},
		{"metadata not JSON", submissionPayload("U2", formCallbackID, "coach readiness", readinessAnswers), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if w := h.interact(tt.payload); w.Code != tt.want || tt.want == http.StatusOK && w.Body.Len() != 0 {
				t.Fatalf("ack = %d %q, want %d", w.Code, w.Body.String(), tt.want)
			}
			assertNothingRan(t, h)
		})
	}
}

// TestPlainClickOnChannelPostIsPrivate: a plain button on a channel post
// answers the clicker alone with a new ephemeral message; the post itself
// is neither replaced nor deleted, and nothing is posted to the channel.
func TestPlainClickOnChannelPostIsPrivate(t *testing.T) {
	h := newHarness(t)
	w := h.interact(clickPayloadIn("C1", "general", "U2", "cmd:pain 4", h.fake.ResponseURL("click")))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("ack = %d %q, want an empty 200", w.Code, w.Body.String())
	}
	h.drain()
	responses := h.fake.Calls("response_url")
	if len(responses) != 1 {
		t.Fatalf("%d response_url posts, want 1", len(responses))
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(responses[0].Form.Get("body")), &raw); err != nil {
		t.Fatal(err)
	}
	if raw["response_type"] != "ephemeral" || raw["replace_original"] != false || raw["delete_original"] != false {
		t.Errorf("response_url body = %v, want a new ephemeral message that leaves the post alone", raw)
	}
	if calls := h.fake.Calls("chat.postMessage", "chat.update", "chat.delete", "chat.postEphemeral"); len(calls) != 0 {
		t.Errorf("the click posted to the channel: %+v", calls)
	}
	if r := h.handler.Requests(); len(r) != 1 || r[0].User != "U2" || r[0].Channel != "C1" || r[0].IsDM {
		t.Errorf("requests = %+v, want one for U2 in C1", r)
	}
	if n := len(h.checkIns("U2")); n != 1 {
		t.Errorf("clicker has %d check-ins, want 1", n)
	}
}

// TestSocketForms: over Socket Mode a form click opens the dialog, a
// missing answer is refused in the ack, and a valid submission is
// answered privately.
func TestSocketForms(t *testing.T) {
	h := newSocketHarness(t)
	if p := h.socketInteraction(t, clickPayloadIn("C1", "general", "U2", formButtonValue(t, "coach readiness"), h.fake.ResponseURL("s"))); p != nil {
		t.Errorf("click ack = %v, want empty", p)
	}
	h.adapter.Idle()
	assertOpened(t, h, formOf(t, "coach readiness"))

	missing := submissionPayload("U2", formCallbackID, formMetadata("coach readiness"), map[string]string{"fatigue": "4"})
	errs, ok := h.socketInteraction(t, missing).(*slackgo.ViewSubmissionResponse)
	if !ok || errs.ResponseAction != slackgo.RAErrors || errs.Errors["sleep"] == "" {
		t.Errorf("missing answer ack = %+v, want errors on sleep", errs)
	}
	h.adapter.Idle()
	if n := len(h.handler.Requests()); n != 0 {
		t.Fatalf("handler ran %d times before a valid submission", n)
	}

	if p := h.socketInteraction(t, readinessSubmission("U2")); p != nil {
		t.Errorf("submission ack = %v, want empty", p)
	}
	h.drain()
	if r := h.handler.Requests(); len(r) != 1 || r[0].Text != "coach readiness 4 3 2 4 5" || r[0].User != "U2" {
		t.Errorf("requests = %+v", r)
	}
	if eph := h.fake.Calls("chat.postEphemeral"); len(eph) != 1 || eph[0].Form.Get("user") != "U2" || eph[0].Form.Get("channel") != "C1" {
		t.Errorf("chat.postEphemeral calls = %+v", eph)
	}
	if posts := h.fake.Calls("chat.postMessage"); len(posts) != 0 {
		t.Errorf("chat.postMessage calls = %+v", posts)
	}
}

func FuzzButtonForm(f *testing.F) {
	f.Add("form:coach readiness")
	f.Add("form:COACH  load")
	f.Add("form:coach forget confirm")
	f.Add("cmd:coach readiness")
	f.Add("form:\x00coach readiness")
	f.Fuzz(func(t *testing.T, value string) {
		form, ok := slackadapter.ButtonForm(value)
		if !ok {
			return
		}
		if len(value) > len("form:")+bot.MaxInputBytes || len(form.Fields) == 0 {
			t.Fatalf("ButtonForm(%q) accepted %+v", value, form)
		}
		if _, isCommand := slackadapter.ButtonCommand(value); isCommand {
			t.Fatalf("%q is both a form and a command", value)
		}
		// What renders as a form button reads back as the same form.
		rendered := formButtonValue(t, form.Command)
		if back, ok := slackadapter.ButtonForm(rendered); !ok || back.Command != form.Command {
			t.Fatalf("form %q renders as %q, which reads back as %q", form.Command, rendered, back.Command)
		}
	})
}

func FuzzFormSubmission(f *testing.F) {
	f.Add("U2", formMetadata("coach readiness"), "4", "3")
	f.Add("U2", formMetadata("coach load"), "7", "60")
	f.Add("U2", `{"form":"coach load","channel":"C1","user":"U9"}`, "", "60")
	f.Add("", formMetadata("coach load"), "7", "60")
	f.Add("U2", `{"form":"pain","channel":"<#C1>"}`, "4", "x")
	f.Add("U2", `{"form":"coach readiness","channel":""}`, "4 4 4 4 4", "5")
	f.Add("U2", "null", "1", "1")
	f.Fuzz(func(t *testing.T, user, metadata, first, second string) {
		var ic slackgo.InteractionCallback
		if err := json.Unmarshal([]byte(submissionPayload(user, formCallbackID, metadata, nil)), &ic); err != nil {
			return
		}
		ic.User.ID = user // JSON would have mangled invalid UTF-8
		ic.View.PrivateMetadata = metadata
		ic.View.State = &slackgo.ViewState{Values: map[string]map[string]slackgo.BlockAction{}}
		for i, name := range []string{"fatigue", "sleep", "soreness", "stress", "mood", "rpe", "minutes", "note"} {
			v := first
			if i%2 == 1 {
				v = second
			}
			ic.View.State.Values[name] = map[string]slackgo.BlockAction{name: {Value: v}}
		}
		sub, ours, err := slackadapter.FormSubmission(ic)
		if !ours {
			t.Fatal("a submission of our callback_id was not taken as ours")
		}
		if err != nil {
			return
		}
		if sub.Errors != nil {
			for block := range sub.Errors.Errors {
				if _, known := ic.View.State.Values[block]; !known {
					t.Fatalf("error names block %q, which is no question", block)
				}
			}
			return
		}
		r := sub.Request
		if r.User != user || user == "" || r.Workspace != "T1" || r.IsDM || r.Platform != bot.Slack {
			t.Fatalf("request %+v does not run as the submitter %q", r, user)
		}
		if strings.Trim(r.Channel, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			t.Fatalf("channel %q is no Slack id", r.Channel)
		}
		var meta struct{ Form string }
		json.Unmarshal([]byte(metadata), &meta)
		form, ok := bot.FormFor(meta.Form)
		if !ok || !strings.HasPrefix(r.Text, form.Command+" ") || len(r.Text) > bot.MaxInputBytes {
			t.Fatalf("line %q from metadata %q", r.Text, metadata)
		}
	})
}
