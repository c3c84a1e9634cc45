package content_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

func TestCoachLearn(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, mustLibrary(t))
	ctx := context.Background()
	tests := []struct {
		text      string
		wantTitle string
		wantText  []string
		wantBtn   string
	}{
		{text: "coach learn", wantTitle: "Things to learn", wantText: []string{"`tape`: 5 cards", "`red-flags`", "/coach learn swelling"}, wantBtn: "coach learn tape"},
		{text: "/coach learn tape", wantTitle: "Topic: tape", wantText: []string{"`tape-apply`: Putting tape on", "/coach learn ID"}, wantBtn: ""},
		{text: "coach learn red flags", wantTitle: "Warning signs: when to get help", wantText: []string{"**urgent**"}, wantBtn: "coach learn rising-pain"},
		{text: "coach learn stm", wantTitle: "Topic: stm", wantText: []string{"`stm-vs-massage`"}},
		{text: "coach learn tape-apply", wantTitle: "Putting tape on", wantText: []string{"**Clean, dry skin**"}, wantBtn: "coach learn tape-wear"},
		{text: "coach learn low-back", wantTitle: "Low back pain", wantText: []string{"Starter program: **Low back starter** (`/coach plan low-back`)"}},
		{text: "coach learn Graston", wantTitle: `Cards about "Graston"`, wantText: []string{"- `techniques`: Hands-on techniques in one line each\n- `after-session`"}},
		{text: "coach learn swelling", wantTitle: "Swelling and bruising", wantBtn: "coach learn swelling-persists"},
		{text: "coach learn bruise", wantTitle: `Cards about "bruise"`, wantText: []string{"`swelling`: Swelling and bruising"}},
		{text: "coach learn xyzzy", wantText: []string{`I have no card about "xyzzy"`}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			reply := coach.Handle(ctx, bottest.Request(tt.text))
			if reply.Title != tt.wantTitle {
				t.Errorf("title = %q, want %q\n%s", reply.Title, tt.wantTitle, reply.PlainText())
			}
			for _, w := range tt.wantText {
				if !strings.Contains(reply.Text, w) {
					t.Errorf("text does not contain %q:\n%s", w, reply.Text)
				}
			}
			if tt.wantBtn != "" && !slices.ContainsFunc(reply.Buttons, func(b bot.Button) bool { return b.Command == tt.wantBtn }) {
				t.Errorf("no button running %q in %+v", tt.wantBtn, reply.Buttons)
			}
			for _, b := range reply.Buttons {
				if len(b.Label) > 80 || len(b.Command) > 90 {
					t.Errorf("button too long for Discord: %+v", b)
				}
				if r := coach.Handle(ctx, bottest.Request(b.Command)); strings.Contains(r.Text, "Sorry") || r.Title == "" {
					t.Errorf("button %q does not work: %s", b.Command, r.PlainText())
				}
			}
		})
	}
}

func TestCoachPlan(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, mustLibrary(t))
	ctx := context.Background()
	steps := []struct {
		text       string
		wantTitle  string
		wantText   []string
		wantButton string
		program    string
	}{
		{text: "coach plan", wantTitle: "Exercise programs", wantText: []string{"`knee`: **Knee starter**", "`desk`", "Choose one with `/coach plan ID`"}, wantButton: "coach plan knee"},
		{text: "coach plan neck", wantTitle: "Programs for your neck", wantText: []string{"`neck-shoulder`", "`desk`"}, wantButton: "coach plan desk"},
		{text: "coach plan knee", wantTitle: "Knee starter", wantText: []string{"You're now on **Knee starter**", "- **Quad sets**: 3 x 10 (hold 5 s), 2x a day. Sit with", "Exercise ids for `/coach done ID`: `quad-set`, `straight-leg-raise`"}, program: "knee"},
		{text: "coach plan", wantTitle: "Your program: Knee starter", wantText: []string{"Other programs:", "`ankle`"}, program: "knee"},
		{text: "coach plan back", wantTitle: "Programs for your lower back", wantText: []string{"`low-back`", "`desk`"}, wantButton: "coach plan low-back", program: "knee"},
		{text: "coach plan achilles", wantTitle: "Achilles tendon starter", wantText: []string{"You're now on **Achilles tendon starter**"}, program: "achilles-tendon"},
		{text: "coach plan yoga", wantText: []string{`There is no program "yoga"`}, program: "achilles-tendon"},
	}
	for _, s := range steps {
		reply := coach.Handle(ctx, bottest.Request(s.text))
		if reply.Title != s.wantTitle {
			t.Errorf("%s: title = %q, want %q\n%s", s.text, reply.Title, s.wantTitle, reply.PlainText())
		}
		for _, w := range s.wantText {
			if !strings.Contains(reply.Text, w) {
				t.Errorf("%s: text does not contain %q:\n%s", s.text, w, reply.Text)
			}
		}
		if reply.Title != "" && reply.Footer != "Follow your therapist's plan if it differs." {
			t.Errorf("%s: footer = %q", s.text, reply.Footer)
		}
		if s.wantButton != "" && !slices.ContainsFunc(reply.Buttons, func(b bot.Button) bool { return b.Command == s.wantButton }) {
			t.Errorf("%s: no button %q in %+v", s.text, s.wantButton, reply.Buttons)
		}
		m, err := db.Member(ctx, bottest.Request("").Member())
		if err != nil {
			t.Fatal(err)
		}
		if m.Program != s.program {
			t.Errorf("%s: member program = %q, want %q", s.text, m.Program, s.program)
		}
	}
}

// TestCoachPainGuidance runs check-ins through the Coach: the guide's
// advice and reason reach the reply, and red flags are stored.
func TestCoachPainGuidance(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, mustLibrary(t))
	ctx := context.Background()
	reply := coach.Handle(ctx, bottest.Request("pain 3 knee stiff this morning"))
	if !strings.Contains(reply.Text, "**Morning stiffness and stiff days**") || !strings.Contains(reply.Footer, `Why this advice: your note mentions "stiff"`) {
		t.Errorf("reply = %q / %q", reply.Text, reply.Footer)
	}
	clock.Advance(24 * time.Hour)
	reply = coach.Handle(ctx, bottest.Request("pain 9 knee toes numb"))
	if !strings.HasPrefix(reply.Text, "**Get checked today.**") || !strings.Contains(reply.Text, "doctor") {
		t.Errorf("red flag reply does not lead with the same-day referral: %q", reply.Text)
	}
	if !strings.Contains(reply.Footer, "a score of 9 out of 10") || !strings.Contains(reply.Footer, `"numb"`) {
		t.Errorf("footer = %q", reply.Footer)
	}
	data, err := db.MemberData(ctx, bottest.Request("").Member())
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, rf := range data.RedFlags {
		rules = append(rules, rf.Rule)
	}
	slices.Sort(rules)
	if want := []string{"high-score", "neuro", "rising-trend"}; !slices.Equal(rules, want) {
		t.Errorf("stored red flags = %v, want %v", rules, want)
	}
}
