package discord_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
)

// FuzzToRequest feeds arbitrary interaction JSON through decoding and
// option flattening: it must never panic, and whatever it accepts must name
// a Discord member and either a command path or a command line.
func FuzzToRequest(f *testing.F) {
	f.Add(slash("1", "g1", "u1", "pain", num("score", 6), str("area", "knee"), str("note", "sore")))
	f.Add(slash("2", "", "u1", "coach", group("tape", sub("on", str("area", "knee"), num("days", 4)))))
	f.Add(slash("3", "g1", "u1", "coach", sub("history", num("days", 30))))
	f.Add(click("4", "g1", "u2", "rc:coach snooze 1h", true))
	f.Add(click("5", "", "u2", "other", false))
	f.Add([]byte(`{"id":"6","type":2,"guild_id":"g","member":{"user":{"id":"u"},"permissions":"8"},"data":{"name":"coach","options":[{"name":"a","type":2,"options":[{"name":"b","type":1,"options":[{"name":"c","type":1,"options":[{"name":"x","type":4,"value":1e300}]}]}]}]}}`))
	f.Add([]byte(`{"id":"7","type":2,"user":{"id":"u"},"data":{"name":"pain","options":[null,{"name":"score","type":4,"value":"six"},{"name":"","type":3,"value":true},{"name":"n","type":10,"value":2.5}]}}`))
	f.Add([]byte(`{"id":"8","type":4,"user":{"id":"u"},"data":{"name":"pain"}}`))
	f.Add([]byte(`{"id":"9","type":5,"user":{"id":"u"},"data":{"custom_id":"rc:x","components":[]}}`))
	f.Add(submit("10", "g1", "u1", "rcm:coach readiness", readinessAnswers...))
	f.Add(submit("11", "", "u1", "rcm:coach load", answer{"rpe", "7"}, answer{"minutes", "60"}, answer{"note", "x"}))
	f.Add(click("12", "g1", "u1", "rcf:coach load", false))
	f.Add([]byte(`{"id":"13","type":5,"user":{"id":"u"},"data":{"custom_id":"rcm:coach load","components":[{"type":1,"components":[{"type":4,"custom_id":"rpe","value":"1"},{"type":4,"custom_id":"rpe","value":"2"},{"type":2,"custom_id":"minutes"}]},{"type":4,"custom_id":"minutes","value":"5"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var i discordgo.Interaction
		if err := json.Unmarshal(data, &i); err != nil {
			return
		}
		req, err := discord.ToRequest(&i)
		if err != nil {
			return
		}
		if req.Platform != bot.Discord || req.User == "" || req.Workspace == "" {
			t.Fatalf("accepted a request without a member: %+v", req)
		}
		if req.IsDM != (req.Workspace == discord.DMWorkspace && i.GuildID == "") {
			t.Fatalf("IsDM = %v for guild %q", req.IsDM, i.GuildID)
		}
		switch d := i.Data.(type) {
		case discordgo.MessageComponentInteractionData:
			if req.Text != strings.TrimPrefix(d.CustomID, "rc:") || !strings.HasPrefix(d.CustomID, "rc:") {
				t.Fatalf("click on %q ran %q", d.CustomID, req.Text)
			}
		case discordgo.ModalSubmitInteractionData:
			form, ok := bot.FormFor(strings.TrimPrefix(d.CustomID, "rcm:"))
			if !ok || d.CustomID != "rcm:"+form.Command || !strings.HasPrefix(req.Text, form.Command) {
				t.Fatalf("modal %q ran %q", d.CustomID, req.Text)
			}
		}
		switch {
		case len(req.Path) > 0:
			if req.Path[0] == "" || len(req.Path) > 3 || req.Text != "" {
				t.Fatalf("bad path %q (text %q)", req.Path, req.Text)
			}
		case strings.TrimSpace(req.Text) == "":
			t.Fatalf("accepted a request with neither path nor text: %+v", req)
		}
	})
}

// FuzzForms feeds arbitrary custom_ids and answers to the form decoders:
// a button's custom_id names a form only as rendered, and a modal submit
// runs nothing but its form's command, completed by answers that form
// builds.
func FuzzForms(f *testing.F) {
	f.Add("rcf:coach readiness", "4")
	f.Add("rcm:coach load", " 7 ")
	f.Add("rcm:coach learn", "")
	f.Add("rcm:COACH load", "7")
	f.Add("rc:coach load", "7")
	f.Add("rcf:coach forget confirm", "x")
	f.Add("rcm:"+strings.Repeat("coach ", 20)+"load", "7")
	f.Add("rcm:coach load\n", "7\nsecond line")
	f.Fuzz(func(t *testing.T, customID, value string) {
		if form, ok := discord.ButtonForm(customID); ok {
			again, known := bot.FormFor(form.Command)
			if !known || again.Command != form.Command || customID != "rcf:"+form.Command || len(customID) > 100 {
				t.Fatalf("ButtonForm(%q) accepted form %q", customID, form.Command)
			}
			if resp := discord.FormResponse(form); resp.Data == nil || (resp.Type == 9) != (len(form.Fields) <= 5) {
				t.Fatalf("form %q: response type %d", form.Command, resp.Type)
			}
		}
		if !utf8.ValidString(value) {
			return // JSON cannot carry it: Discord never sends one
		}
		// Every question of the form the id names gets the same answer.
		form, _ := bot.FormFor(strings.TrimPrefix(customID, "rcm:"))
		answers := make([]answer, 0, len(form.Fields)+1)
		values := map[string]string{}
		for _, field := range form.Fields {
			answers = append(answers, answer{field.Name, value})
			values[field.Name] = value
		}
		answers = append(answers, answer{"extra", "not asked"})
		var i discordgo.Interaction
		if err := json.Unmarshal(submit("1", "g1", "u1", customID, answers...), &i); err != nil {
			t.Fatalf("a modal submit does not decode: %v", err)
		}
		req, err := discord.ToRequest(&i)
		if err != nil {
			return
		}
		line, lineErr := form.Line(values)
		if customID != "rcm:"+form.Command || lineErr != nil || req.Text != line || req.User != "u1" || req.Workspace != "g1" {
			t.Fatalf("modal %q with %q ran %q (want %q, %v)", customID, value, req.Text, line, lineErr)
		}
		if strings.ContainsAny(req.Text, "\n\r") || strings.Contains(req.Text, "not asked") {
			t.Fatalf("modal line %q carries more than the answers", req.Text)
		}
	})
}

// FuzzVerify: random signatures and timestamps never verify, and nothing
// panics on odd header values.
func FuzzVerify(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	now := time.Unix(1_772_000_000, 0)
	f.Add("00", "1772000000", []byte(`{"type":1}`))
	f.Add(strings.Repeat("ab", 64), "1772000000", []byte(`{"type":1}`))
	f.Add(strings.Repeat("ab", 64), "-9223372036854775808", []byte{})
	f.Add("", "", []byte(nil))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		if err := discord.Verify(pub, now, sig, ts, body); err == nil {
			t.Fatalf("random signature %q verified", sig)
		}
		good, goodTS := sign(priv, now, body)
		if err := discord.Verify(pub, now, good, goodTS, body); err != nil {
			t.Fatalf("a real signature failed: %v", err)
		}
	})
}
