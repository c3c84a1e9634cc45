package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	bottest.Golden(t, filepath.Join("testdata", name), got, *update)
}

// goldenJSON compares v, as indented JSON, with testdata/name.
func goldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	var got bytes.Buffer
	enc := json.NewEncoder(&got)
	enc.SetEscapeHTML(false) // keep Slack's &amp; readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	golden(t, name, got.Bytes())
}

var renderCases = []struct {
	name  string
	reply bot.Reply
}{
	{"checkin", bot.Reply{
		Text:   "Logged **8/10** for your knee. That's a lot of pain.\n\n**Please talk to a professional.** A score of 8 or more is worth a call to your physical therapist.",
		Footer: "Why this advice: a score of 8 or more",
	}},
	{"history", bot.Reply{
		Title: "Your last 14 days",
		Text:  "`▁▂▃▅▃▂▁`\nTrending down: your last check-ins are lower than before.\nBy area:\n- knee: `▁▂▃` last 3\n- lower-back: `▅▃` last 2",
		Fields: []bot.Field{
			{Name: "Check-ins", Value: "7"}, {Name: "Last", Value: "2/10"}, {Name: "Average", Value: "3.4"},
			{Name: "Range", Value: "1 to 6"}, {Name: "Streak", Value: "3 days in a row"},
		},
	}},
	{"onboarding", bot.Reply{
		Title:  "Welcome to Recovery Coach",
		Text:   "Hi! I'm your home-rehab coach.\n\n**Not medical advice.** " + bot.NotMedicalAdvice + "\n\n**May your team's staff see your individual check-ins?**",
		Fields: []bot.Field{{Name: "Time zone", Value: "Europe/Berlin"}, {Name: "Sharing", Value: "private (not shared)"}},
		Buttons: []bot.Button{
			{Label: "Yes, share with staff", Command: "coach start yes", Style: bot.ButtonPrimary},
			{Label: "No, keep private", Command: "coach start no"},
		},
	}},
	{"forget", bot.Reply{
		Text:    "This deletes **everything** I store about you in this workspace. It cannot be undone. Consider `/coach export` first.",
		Buttons: []bot.Button{{Label: "Delete everything", Command: "coach forget confirm", Style: bot.ButtonDanger}},
	}},
	{"in_channel", bot.Reply{
		Text:       "Team readiness is up <3 & steady. See the [guide](https://example.com/a?b=1&c=2) and _rest well_.",
		Visibility: bot.InChannel,
	}},
	{"many_fields_and_buttons", bot.Reply{
		Title:   "Readiness",
		Fields:  fields(12),
		Buttons: buttons(7),
	}},
	{"export_inline", bot.Reply{
		Text:  "Here is everything I store about you: 2 check-ins.",
		Files: []bot.File{{Name: "recoverycoach-2026-03-02.csv", ContentType: "text/csv", Data: []byte("record,time_utc,score,area,note,detail\ncheckin,2026-03-01T09:00:00Z,4,knee,stairs <ok> & fine,\ncheckin,2026-03-02T09:00:00Z,3,knee,,\n")}},
	}},
	// A group post: plain buttons answer at once, the form button asks in
	// a dialog; every answer is private to whoever clicks.
	{"channel_post", bot.Reply{
		Title: "Movement break",
		Text:  "Time to stand up: two minutes of easy movement for everyone.",
		Buttons: []bot.Button{
			{Label: "Done", Command: "coach done", Style: bot.ButtonPrimary},
			{Label: "Not today", Command: "coach skip"},
			{Label: "Answer", Command: "coach readiness", Form: "coach readiness"},
		},
		Visibility: bot.InChannel,
	}},
	{"nudge", bot.Reply{
		Title: "Check-in time",
		Text:  "How is your knee today, from 0 (none) to 10 (worst)?",
		Buttons: []bot.Button{
			{Label: "0-2", Command: "pain 1"}, {Label: "3-4", Command: "pain 3"}, {Label: "5-6", Command: "pain 5"},
			{Label: "7-8", Command: "pain 7"}, {Label: "9-10", Command: "pain 9"}, {Label: "Snooze 1h", Command: "coach snooze 1h"},
		},
	}},
}

func fields(n int) []bot.Field {
	out := make([]bot.Field, n)
	for i := range out {
		out[i] = bot.Field{Name: fmt.Sprintf("Item %d", i+1), Value: fmt.Sprintf("%d/5", i%5+1)}
	}
	return out
}

func buttons(n int) []bot.Button {
	out := make([]bot.Button, n)
	for i := range out {
		out[i] = bot.Button{Label: fmt.Sprintf("Option %d", i+1), Command: fmt.Sprintf("coach readiness %d", i%5+1)}
	}
	return out
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range renderCases {
		t.Run(tc.name, func(t *testing.T) {
			msg := slackadapter.Render(tc.reply)
			checkLimits(t, msg)
			goldenJSON(t, "render_"+tc.name+".golden.json", msg)
		})
	}
}

func TestRenderVisibility(t *testing.T) {
	if got := slackadapter.Render(bot.Reply{Text: "x"}).ResponseType; got != slackgo.ResponseTypeEphemeral {
		t.Errorf("private reply response_type = %q", got)
	}
	if got := slackadapter.Render(bot.Reply{Text: "x", Visibility: bot.InChannel}).ResponseType; got != slackgo.ResponseTypeInChannel {
		t.Errorf("in-channel reply response_type = %q", got)
	}
}

func TestRenderStaysWithinSlackLimits(t *testing.T) {
	long := strings.Repeat("A line of guidance with **bold** text & <symbols>.\n", 400)
	tests := map[string]bot.Reply{
		"long text":     {Text: long},
		"one long line": {Text: strings.Repeat("ü", 10000)},
		"huge":          {Title: strings.Repeat("T", 400), Text: long, Fields: fields(200), Buttons: buttons(100), Footer: strings.Repeat("f", 5000)},
		"long labels":   {Text: "x", Fields: []bot.Field{{Name: "n", Value: strings.Repeat("v", 3000)}}, Buttons: []bot.Button{{Label: strings.Repeat("L", 200), Command: "coach done"}}},
		"empty":         {},
		"bad button":    {Text: "x", Buttons: []bot.Button{{Label: "too long", Command: strings.Repeat("c", 3000)}, {Label: "blank", Command: " "}}},
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			msg := slackadapter.Render(r)
			checkLimits(t, msg)
			if msg.Text == "" {
				t.Error("no fallback text")
			}
		})
	}
	t.Run("long text keeps every line", func(t *testing.T) {
		var text strings.Builder
		for _, b := range slackadapter.Render(bot.Reply{Text: long}).Blocks.BlockSet {
			if s, ok := b.(*slackgo.SectionBlock); ok && s.Text != nil {
				text.WriteString(s.Text.Text + "\n")
			}
		}
		if got := strings.Count(text.String(), "*bold*"); got != 400 {
			t.Errorf("%d of 400 lines survived the split", got)
		}
	})
}

// checkLimits fails when msg breaks one of Block Kit's limits, which would
// make Slack refuse the whole message.
func checkLimits(t *testing.T, msg *slackgo.WebhookMessage) {
	t.Helper()
	runes := utf8.RuneCountInString
	if msg.Blocks == nil {
		return
	}
	if n := len(msg.Blocks.BlockSet); n > 50 {
		t.Errorf("%d blocks, Slack allows 50", n)
	}
	ids := map[string]bool{} // action ids must be unique in the message
	for i, b := range msg.Blocks.BlockSet {
		switch b := b.(type) {
		case *slackgo.HeaderBlock:
			if n := runes(b.Text.Text); n > 150 || n == 0 {
				t.Errorf("block %d: header of %d characters", i, n)
			}
		case *slackgo.SectionBlock:
			if b.Text != nil {
				if err := b.Text.Validate(); err != nil {
					t.Errorf("block %d: %v", i, err)
				}
			}
			if len(b.Fields) > 10 {
				t.Errorf("block %d: %d fields, Slack allows 10", i, len(b.Fields))
			}
			for _, f := range b.Fields {
				if n := runes(f.Text); n > 2000 {
					t.Errorf("block %d: field of %d characters", i, n)
				}
			}
		case *slackgo.ContextBlock:
			for _, el := range b.ContextElements.Elements {
				if tx, ok := el.(*slackgo.TextBlockObject); ok {
					if err := tx.Validate(); err != nil {
						t.Errorf("block %d: %v", i, err)
					}
				}
			}
		case *slackgo.ActionBlock:
			if n := len(b.Elements.ElementSet); n > 25 || n == 0 {
				t.Errorf("block %d: %d actions", i, n)
			}
			for _, el := range b.Elements.ElementSet {
				btn := el.(*slackgo.ButtonBlockElement)
				if runes(btn.Text.Text) > 75 || len(btn.Value) > 2000 || ids[btn.ActionID] {
					t.Errorf("block %d: bad button %+v", i, btn)
				}
				ids[btn.ActionID] = true
			}
		}
	}
	// What Slack receives must decode as blocks again.
	data, err := json.Marshal(msg.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	var back slackgo.Blocks
	if err := json.Unmarshal(data, &back); err != nil || len(back.BlockSet) != len(msg.Blocks.BlockSet) {
		t.Errorf("blocks do not round-trip: %v", err)
	}
}

// TestRenderReadinessPrompt pins the daily readiness prompt as Block Kit:
// one question with five buttons that carry the answers so far.
func TestRenderReadinessPrompt(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, nil)
	msg := slackadapter.Render(coach.Handle(context.Background(), bottest.Request("/coach readiness 4")))
	checkLimits(t, msg)
	goldenJSON(t, "render_readiness_prompt.golden.json", msg)
}
