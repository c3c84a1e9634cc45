package discord_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// channelPost is a group post as the Coach sends it to a team's channel:
// two plain buttons and one that asks for the readiness items.
var channelPost = bot.Reply{
	Title: "Movement break",
	Text:  "Four moves, about four minutes.",
	Buttons: []bot.Button{
		{Label: "Done", Command: "coach break at 10:00", Style: bot.ButtonPrimary},
		{Label: "Not today", Command: "coach break skip"},
		{Label: "Answer", Command: "coach readiness", Form: "coach readiness", Style: bot.ButtonPrimary},
	},
	Footer:     "Your answers are private: nobody in this channel sees them.",
	Visibility: bot.InChannel,
}

// answer is one text input of a submitted modal, in Discord's order.
type answer struct{ name, value string }

// submit is user u's submit of the modal customID in guild g ("" for a
// DM), opened from a button on a post everyone in channel 42 sees.
func submit(id, g, u, customID string, answers ...answer) []byte {
	rows := make([]map[string]any, 0, len(answers))
	for _, a := range answers {
		rows = append(rows, map[string]any{"type": 1, "components": []map[string]any{
			{"type": 4, "custom_id": a.name, "value": a.value},
		}})
	}
	in := interaction{ID: id, AppID: "app1", Type: 5, Token: "tok-" + id, GuildID: g, Channel: "42",
		Data:    map[string]any{"custom_id": customID, "components": rows},
		Message: map[string]any{"id": "post1", "channel_id": "42", "flags": 0}}
	setUser(&in, g, u)
	return mustJSON(in)
}

var readinessAnswers = []answer{{"fatigue", "4"}, {"sleep", "3"}, {"soreness", "2"}, {"stress", "4"}, {"mood", "5"}}

// postButtons sends the channel post through the Sender and returns the
// message Discord received and its buttons' custom_ids by label: what a
// click on the post carries.
func postButtons(t *testing.T) ([]byte, map[string]string) {
	t.Helper()
	fake := newFakeDiscord(t)
	s := discord.NewSender(fake.session(), bottest.MustOpenStore(t), nil)
	if err := s.SendChannel(context.Background(), bot.Discord, "g1", "42", channelPost); err != nil {
		t.Fatalf("SendChannel: %v", err)
	}
	calls := fake.Calls()
	if len(calls) != 1 || calls[0].Method != http.MethodPost || calls[0].Path != "/channels/42/messages" {
		t.Fatalf("calls = %+v, want one message to channel 42", calls)
	}
	var msg struct {
		Flags      int `json:"flags"`
		Components []struct {
			Components []struct {
				Label    string `json:"label"`
				CustomID string `json:"custom_id"`
			} `json:"components"`
		} `json:"components"`
	}
	if err := json.Unmarshal(calls[0].JSON, &msg); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, row := range msg.Components {
		for _, b := range row.Components {
			ids[b.Label] = b.CustomID
		}
	}
	return calls[0].JSON, ids
}

// TestChannelPostGolden pins a group post as Discord receives it: public,
// with the plain buttons carrying their commands and the form button its
// form under a prefix of its own.
func TestChannelPostGolden(t *testing.T) {
	t.Parallel()
	body, ids := postButtons(t)
	checkGolden(t, "channel_post.json", body)
	if len(ids) != 3 || ids["Done"] != "rc:coach break at 10:00" || ids["Not today"] != "rc:coach break skip" {
		t.Errorf("custom_ids = %v", ids)
	}
	if f, ok := discord.ButtonForm(ids["Answer"]); !ok || f.Command != "coach readiness" || strings.HasPrefix(ids["Answer"], "rc:") {
		t.Errorf("Answer custom_id %q: form %+v, %v", ids["Answer"], f, ok)
	}
}

// TestFormButtonRendering: a form the registry cannot ask falls back to
// the button's command, and one whose custom_id would not fit is left out.
func TestFormButtonRendering(t *testing.T) {
	t.Parallel()
	reply := bot.Reply{Text: "Log it:", Buttons: []bot.Button{
		{Label: "No dialog", Command: "coach help", Form: "coach forget confirm"},
		{Label: "Unknown", Command: "pain 3", Form: "coach nothing"},
		{Label: "Form", Command: "coach load", Form: "COACH  Load"},
	}}
	e := newEnv(t, envOptions{handler: &recorder{reply: reply}})
	_, body := e.post(slash("3000", "g1", "u1", "coach", sub("help")))
	r := decodeResponse(t, body)
	var ids []string
	for _, row := range r.Data.Components {
		for _, b := range row.Components {
			ids = append(ids, b.CustomID)
		}
	}
	if len(ids) != 3 || ids[0] != "rc:coach help" || ids[1] != "rc:pain 3" {
		t.Fatalf("custom_ids = %q", ids)
	}
	if f, ok := discord.ButtonForm(ids[2]); !ok || f.Command != "coach load" {
		t.Errorf("form custom_id %q -> %+v, %v", ids[2], f, ok)
	}
}

// TestFormModalGolden: a click on a form button, on a post everyone sees,
// is answered at once with the modal, and nothing runs or is recorded.
func TestFormModalGolden(t *testing.T) {
	t.Parallel()
	_, ids := postButtons(t)
	tests := []struct {
		name, customID string
	}{
		{"coach_readiness", ids["Answer"]},
		{"coach_load", "rcf:coach load"},
	}
	for n, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: bot.Reply{Text: "ran"}}
			// A modal cannot follow a deferral: even a slow store and an
			// expired deadline must not defer a click that opens one.
			e := newEnv(t, envOptions{handler: rec, ackDeadline: time.Nanosecond, dedupeWait: time.Nanosecond})
			id := "310" + string(rune('0'+n))
			status, body := e.post(click(id, "g1", "u2", tt.customID, false))
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			checkGolden(t, "modal_"+tt.name+".json", body)
			var modal struct {
				Type int `json:"type"`
				Data struct {
					CustomID string `json:"custom_id"`
				} `json:"data"`
			}
			if err := json.Unmarshal(body, &modal); err != nil || modal.Type != 9 || !strings.HasSuffix(modal.Data.CustomID, ":"+strings.ReplaceAll(tt.name, "_", " ")) {
				t.Errorf("response = %s, want a modal for the form", body)
			}
			e.adapter.Idle()
			if n := len(rec.Requests()); n != 0 {
				t.Errorf("a click that opens a form ran %d commands", n)
			}
			if calls := e.fake.Calls(); len(calls) != 0 {
				t.Errorf("REST calls = %+v, want none", calls)
			}
			if seen, err := e.db.SeenEvent(context.Background(), "discord:"+id, e.clock.Now()); err != nil || seen {
				t.Errorf("interaction id recorded (seen=%v, err=%v); nothing should be", seen, err)
			}
		})
	}
}

// TestFormResponseTooManyFields: a form with more questions than a modal
// holds is answered privately with how to type the command.
func TestFormResponseTooManyFields(t *testing.T) {
	t.Parallel()
	f, ok := bot.FormFor("coach readiness")
	if !ok {
		t.Fatal("no readiness form")
	}
	f.Fields = append(f.Fields, bot.FormField{Name: "extra", Label: "Extra", Number: true, Min: 1, Max: 5, Required: true})
	resp := discord.FormResponse(f)
	if resp.Type != 4 || resp.Data == nil || resp.Data.Flags != 64 || !strings.Contains(resp.Data.Content, "`"+f.Usage()+"`") {
		t.Fatalf("response = %+v, want a private message naming %q", resp.Data, f.Usage())
	}
	if len(resp.Data.Components) != 0 || resp.Data.CustomID != "" {
		t.Errorf("response carries a modal: %+v", resp.Data)
	}
}

// TestFormLimits: whatever the registry says, the modal stays inside
// Discord's limits, and a number's input fits its largest value.
func TestFormLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 40)
	f := bot.Form{Command: "coach load", Title: long, Fields: []bot.FormField{
		{Name: "rpe", Label: long, Placeholder: long, Number: true, Min: 0, Max: 10, Required: true},
		{Name: "minutes", Label: "Minutes", Number: true, Min: -5, Max: 600, Required: true},
		{Name: "note", Label: "Note", MaxLength: 9000},
		{Name: "short", Label: "Short", MaxLength: 40, Required: true},
	}}
	resp := discord.FormResponse(f)
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var modal struct {
		Type int `json:"type"`
		Data struct {
			CustomID   string `json:"custom_id"`
			Title      string `json:"title"`
			Components []struct {
				Type       int `json:"type"`
				Components []struct {
					Type        int    `json:"type"`
					CustomID    string `json:"custom_id"`
					Label       string `json:"label"`
					Style       int    `json:"style"`
					Placeholder string `json:"placeholder"`
					Required    bool   `json:"required"`
					MinLength   int    `json:"min_length"`
					MaxLength   int    `json:"max_length"`
				} `json:"components"`
			} `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &modal); err != nil {
		t.Fatal(err)
	}
	d := modal.Data
	if modal.Type != 9 || len(d.CustomID) > 100 || runes(d.Title) > 45 || len(d.Components) != 4 {
		t.Fatalf("modal = %s", b)
	}
	want := []struct {
		style, minLen, maxLen int
		required              bool
	}{{1, 1, 2, true}, {1, 1, 3, true}, {2, 0, 4000, false}, {1, 1, 40, true}}
	for i, row := range d.Components {
		if row.Type != 1 || len(row.Components) != 1 {
			t.Fatalf("row %d = %+v, want one input", i, row)
		}
		in := row.Components[0]
		if in.Type != 4 || in.CustomID != f.Fields[i].Name || runes(in.Label) > 45 || runes(in.Placeholder) > 100 {
			t.Errorf("input %d = %+v", i, in)
		}
		if w := want[i]; in.Style != w.style || in.MinLength != w.minLen || in.MaxLength != w.maxLen || in.Required != w.required {
			t.Errorf("input %s: style %d, length %d-%d, required %v; want %+v", in.CustomID, in.Style, in.MinLength, in.MaxLength, in.Required, w)
		}
	}
	if p := d.Components[1].Components[0].Placeholder; p != "-5-600" {
		t.Errorf("placeholder without a hint = %q, want the range", p)
	}
}

func runes(s string) int { return len([]rune(s)) }

// formEnv is an HTTP adapter in front of a real Coach, with a spy that
// sees every request that reaches it; db is the Coach's store.
func formEnv(t *testing.T) (*env, *spy, *sqlite.DB) {
	t.Helper()
	coach, db, _ := bottest.NewCoach(t, nil)
	s := &spy{next: coach}
	return newEnv(t, envOptions{handler: s}), s, db
}

// TestFormSubmit: the answers become the typed command, run as the person
// who submitted them and answered to them alone; the channel sees nothing.
func TestFormSubmit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("readiness", func(t *testing.T) {
		e, s, db := formEnv(t)
		status, body := e.post(submit("3200", "g1", "u2", "rcm:coach readiness", readinessAnswers...))
		r := decodeResponse(t, body)
		if status != http.StatusOK || r.Type != 4 || r.Data == nil || r.Data.Flags != 64 {
			t.Fatalf("submit -> %d %s, want a private answer", status, body)
		}
		reqs := s.Requests()
		if len(reqs) != 1 {
			t.Fatalf("requests = %+v, want one", reqs)
		}
		want := bot.Request{Platform: bot.Discord, Workspace: "g1", Channel: "42", User: "u2", UserName: "useru2", Text: "coach readiness 4 3 2 4 5"}
		if got := reqs[0]; got.Platform != want.Platform || got.Workspace != want.Workspace || got.Channel != want.Channel ||
			got.User != want.User || got.IsDM || got.Text != want.Text || len(got.Path) != 0 || got.Conversational {
			t.Errorf("request = %+v, want %+v", got, want)
		}
		for u, n := range map[string]int{"u1": 0, "u2": 1} {
			got, err := db.ReadinessSince(ctx, bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: u}, "")
			if err != nil || len(got) != n {
				t.Fatalf("%s readiness = %+v, %v; want %d", u, got, err, n)
			}
			if n == 1 && got[0].Items != [5]int{4, 3, 2, 4, 5} {
				t.Errorf("stored items = %v", got[0].Items)
			}
		}
		if calls := e.fake.Calls(); len(calls) != 0 {
			t.Errorf("REST calls = %+v; nothing may go to the channel", calls)
		}
	})
	t.Run("load", func(t *testing.T) {
		e, s, db := formEnv(t)
		status, body := e.post(submit("3201", "g1", "u2", "rcm:coach load",
			answer{"rpe", " 7"}, answer{"minutes", "60 "}, answer{"note", "team\npractice"}))
		if r := decodeResponse(t, body); status != http.StatusOK || r.Type != 4 || r.Data.Flags != 64 {
			t.Fatalf("submit -> %d %s", status, body)
		}
		if reqs := s.Requests(); len(reqs) != 1 || reqs[0].Text != "coach load 7 60 team practice" || reqs[0].User != "u2" {
			t.Fatalf("requests = %+v", reqs)
		}
		got, err := db.LoadsSince(ctx, bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: "u2"}, time.Time{})
		if err != nil || len(got) != 1 || got[0].RPE != 7 || got[0].Minutes != 60 || got[0].Note != "team practice" {
			t.Errorf("stored loads = %+v, %v", got, err)
		}
	})
	t.Run("out of range", func(t *testing.T) {
		// The registry's parser, not the modal, is the check on values.
		e, _, db := formEnv(t)
		bad := append([]answer{{"fatigue", "9"}}, readinessAnswers[1:]...)
		status, body := e.post(submit("3202", "g1", "u2", "rcm:coach readiness", bad...))
		if r := decodeResponse(t, body); status != http.StatusOK || r.Type != 4 || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, "1") {
			t.Fatalf("submit -> %d %s, want a private error", status, body)
		}
		if got, _ := db.ReadinessSince(ctx, bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: "u2"}, ""); len(got) != 0 {
			t.Errorf("stored %+v from an invalid answer", got)
		}
	})
}

// TestFormSubmitAlwaysPrivate: a dialog's answer is personal even when the
// command's reply is meant for the channel, and when it comes late.
func TestFormSubmitAlwaysPrivate(t *testing.T) {
	t.Parallel()
	public := bot.Reply{Text: "Team readiness is up.", Visibility: bot.InChannel}
	t.Run("at once", func(t *testing.T) {
		e := newEnv(t, envOptions{handler: &recorder{reply: public}})
		_, body := e.post(submit("3300", "g1", "u2", "rcm:coach readiness", readinessAnswers...))
		if r := decodeResponse(t, body); r.Type != 4 || r.Data.Flags != 64 {
			t.Fatalf("submit -> %s, want a private answer", body)
		}
	})
	t.Run("late", func(t *testing.T) {
		slow := newBlocker(public)
		e := newEnv(t, envOptions{handler: slow, ackDeadline: time.Nanosecond})
		_, body := e.post(submit("3301", "g1", "u2", "rcm:coach readiness", readinessAnswers...))
		if r := decodeResponse(t, body); r.Type != 5 || r.Data == nil || r.Data.Flags != 64 {
			t.Fatalf("slow submit -> %s, want a private deferral", body)
		}
		if req := <-slow.started; req.Text != "coach readiness 4 3 2 4 5" || req.User != "u2" {
			t.Errorf("request = %+v", req)
		}
		close(slow.release)
		e.adapter.Idle()
		calls := e.fake.Calls()
		if len(calls) != 1 || calls[0].Method != http.MethodPatch || calls[0].Path != "/webhooks/app1/tok-3301/messages/@original" {
			t.Fatalf("late calls = %+v, want only the edit of the private placeholder", calls)
		}
	})
}

// TestFormSubmitRefused: answers a form cannot use, and modals that name
// no form, run nothing and are answered privately.
func TestFormSubmitRefused(t *testing.T) {
	t.Parallel()
	blank := append([]answer{{"fatigue", "4"}, {"sleep", "   "}}, readinessAnswers[2:]...)
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"blank required answer", submit("3400", "g1", "u2", "rcm:coach readiness", blank...), "Please answer sleep."},
		{"missing required answer", submit("3401", "g1", "u2", "rcm:coach load", answer{"rpe", "7"}), "Please answer minutes."},
		{"no answers", submit("3402", "g1", "u2", "rcm:coach load"), "Please answer effort (rpe)."},
		{"unknown form", submit("3403", "g1", "u2", "rcm:coach forget confirm"), "That form no longer works."},
		{"not ours", submit("3404", "g1", "u2", "other:coach load", answer{"rpe", "7"}, answer{"minutes", "60"}), "That form no longer works."},
		{"plain command prefix", submit("3405", "g1", "u2", "rc:coach load", answer{"rpe", "7"}, answer{"minutes", "60"}), "That form no longer works."},
		{"button prefix", submit("3406", "g1", "u2", "rcf:coach load", answer{"rpe", "7"}, answer{"minutes", "60"}), "That form no longer works."},
		{"no user", func() []byte {
			in := interaction{ID: "3407", AppID: "app1", Type: 5, Token: "t", GuildID: "g1", Channel: "42",
				Data: map[string]any{"custom_id": "rcm:coach load", "components": []any{}}}
			return mustJSON(in)
		}(), "can't handle that"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, s, _ := formEnv(t)
			status, body := e.post(tt.body)
			r := decodeResponse(t, body)
			if status != http.StatusOK || r.Type != 4 || r.Data == nil || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, tt.want) {
				t.Fatalf("-> %d %s, want a private %q", status, body, tt.want)
			}
			e.adapter.Idle()
			if reqs := s.Requests(); len(reqs) != 0 {
				t.Errorf("ran %+v", reqs)
			}
			if calls := e.fake.Calls(); len(calls) != 0 {
				t.Errorf("REST calls = %+v", calls)
			}
		})
	}
}

// TestFormSubmitForged: an unsigned or wrongly signed submit gets 401 and
// runs and records nothing.
func TestFormSubmitForged(t *testing.T) {
	t.Parallel()
	e, s, db := formEnv(t)
	body := submit("3600", "g1", "u2", "rcm:coach readiness", readinessAnswers...)
	_, otherKey, _ := ed25519.GenerateKey(nil)
	wrongSig, ts := sign(otherKey, e.clock.Now(), body)
	goodSig, _ := sign(e.priv, e.clock.Now(), body)
	tampered := []byte(strings.Replace(string(body), `"value":"4"`, `"value":"1"`, 1))
	for name, req := range map[string]struct {
		body    []byte
		sig, ts string
	}{
		"wrong key":    {body, wrongSig, ts},
		"no signature": {body, "", ts},
		"tampered":     {tampered, goodSig, ts},
	} {
		if status, _ := e.postSigned(req.body, req.sig, req.ts); status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, status)
		}
	}
	e.adapter.Idle()
	if reqs := s.Requests(); len(reqs) != 0 {
		t.Errorf("ran %+v", reqs)
	}
	ctx := context.Background()
	if got, _ := db.ReadinessSince(ctx, bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: "u2"}, ""); len(got) != 0 {
		t.Errorf("stored %+v", got)
	}
	if seen, err := e.db.SeenEvent(ctx, "discord:3600", e.clock.Now()); err != nil || seen {
		t.Errorf("interaction id recorded by a forged request (seen=%v, err=%v)", seen, err)
	}
}

// TestFormSubmitInDM: a modal from a DM acts for the member whose nudges go
// there, like a click does, and is refused where nobody is nudged.
func TestFormSubmitInDM(t *testing.T) {
	t.Parallel()
	e, s, _ := formEnv(t)
	nudged(t, e.db)
	dmSubmit := func(id, channel string) []byte {
		var in interaction
		if err := json.Unmarshal(submit(id, "", "u1", "rcm:coach readiness", readinessAnswers...), &in); err != nil {
			t.Fatal(err)
		}
		in.Channel = channel
		return mustJSON(in)
	}
	_, body := e.post(dmSubmit("3700", "dmc1"))
	if r := decodeResponse(t, body); r.Type != 4 || r.Data.Flags != 64 {
		t.Fatalf("DM submit -> %s", body)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Member() != serverMember || !reqs[0].IsDM || reqs[0].Text != "coach readiness 4 3 2 4 5" {
		t.Fatalf("requests = %+v, want one for %v", reqs, serverMember)
	}
	_, body = e.post(dmSubmit("3701", "dmc-other"))
	if r := decodeResponse(t, body); r.Type != 4 || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, "from the server") {
		t.Fatalf("DM submit without an owner -> %s", body)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("the ownerless DM ran a command (%d requests)", n)
	}
}

// TestClickOnPublicPost: a plain button on a post everyone sees answers
// the clicker privately, never by updating the post, even when the reply
// is meant for the channel or comes late.
func TestClickOnPublicPost(t *testing.T) {
	t.Parallel()
	_, ids := postButtons(t)
	public := bot.Reply{Text: "Nice, that's one more break for the team.", Visibility: bot.InChannel}
	t.Run("at once", func(t *testing.T) {
		rec := &recorder{reply: public}
		e := newEnv(t, envOptions{handler: rec})
		status, body := e.post(click("3800", "g1", "u2", ids["Done"], false))
		if r := decodeResponse(t, body); status != http.StatusOK || r.Type != 4 || r.Data.Flags != 64 {
			t.Fatalf("click -> %d %s, want a new private message (type 4, flags 64)", status, body)
		}
		if reqs := rec.Requests(); len(reqs) != 1 || reqs[0].Text != "coach break at 10:00" || reqs[0].User != "u2" {
			t.Errorf("requests = %+v", reqs)
		}
		if calls := e.fake.Calls(); len(calls) != 0 {
			t.Errorf("REST calls = %+v", calls)
		}
	})
	t.Run("late", func(t *testing.T) {
		slow := newBlocker(public)
		e := newEnv(t, envOptions{handler: slow, ackDeadline: time.Nanosecond})
		_, body := e.post(click("3801", "g1", "u2", ids["Not today"], false))
		if r := decodeResponse(t, body); r.Type != 5 || r.Data == nil || r.Data.Flags != 64 {
			t.Fatalf("slow click -> %s, want a private deferral (not 6, which would update the post)", body)
		}
		<-slow.started
		close(slow.release)
		e.adapter.Idle()
		calls := e.fake.Calls()
		if len(calls) != 1 || calls[0].Method != http.MethodPatch || calls[0].Path != "/webhooks/app1/tok-3801/messages/@original" {
			t.Fatalf("late calls = %+v, want only the edit of the private placeholder", calls)
		}
	})
	t.Run("real coach", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		_, body := e.post(click("3802", "g1", "u2", "rc:pain 3", false))
		if r := decodeResponse(t, body); r.Type != 4 || r.Data.Flags != 64 {
			t.Fatalf("click -> %s", body)
		}
	})
}

// TestGatewayForms: over the gateway the modal and the submit's answer are
// interaction callbacks like any other answer.
func TestGatewayForms(t *testing.T) {
	t.Parallel()
	rec := &recorder{reply: bot.Reply{Text: "Saved.", Visibility: bot.InChannel}}
	a, fake, gw, connects := gatewayEnv(t, rec, 0)
	stop := connect(t, a, gw, connects)

	gw.send(2, "INTERACTION_CREATE", click("3900", "g1", "u2", "rcf:coach load", false))
	c := nextCall(t, fake)
	var modal struct {
		Type int `json:"type"`
		Data struct {
			CustomID   string            `json:"custom_id"`
			Components []json.RawMessage `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(c.JSON, &modal); err != nil || c.Path != "/interactions/3900/tok-3900/callback" ||
		modal.Type != 9 || modal.Data.CustomID != "rcm:coach load" || len(modal.Data.Components) != 3 {
		t.Fatalf("call = %s %s, want the load modal", c.Path, c.JSON)
	}

	gw.send(3, "INTERACTION_CREATE", submit("3901", "g1", "u2", modal.Data.CustomID, answer{"rpe", "6"}, answer{"minutes", "45"}))
	c = nextCall(t, fake)
	if r := decodeResponse(t, c.JSON); c.Path != "/interactions/3901/tok-3901/callback" || r.Type != 4 || r.Data.Flags != 64 || r.Data.Content != "Saved." {
		t.Fatalf("call = %s %s, want a private answer", c.Path, c.JSON)
	}
	gw.send(4, "INTERACTION_CREATE", submit("3902", "g1", "u2", modal.Data.CustomID, answer{"rpe", "6"}))
	c = nextCall(t, fake)
	if r := decodeResponse(t, c.JSON); r.Type != 4 || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, "Please answer minutes.") {
		t.Fatalf("call = %s %s, want a private refusal", c.Path, c.JSON)
	}

	stop()
	if reqs := rec.Requests(); len(reqs) != 1 || reqs[0].Text != "coach load 6 45" || reqs[0].User != "u2" || reqs[0].Workspace != "g1" {
		t.Errorf("requests = %+v, want only the complete submit", reqs)
	}
}
