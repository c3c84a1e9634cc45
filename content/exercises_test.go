package content_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// TestDoneByName: an exercise is logged by the name the plan shows, its
// id or a unique start, each session of a twice-daily one on its own.
func TestDoneByName(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, mustLibrary(t))
	ctx := context.Background()
	say := func(text string) string {
		req := bottest.Request(text)
		req.Conversational = true
		return coach.Handle(ctx, req).Text
	}
	if got := say("done banana"); !strings.Contains(got, "no exercise program") || !strings.Contains(got, "`knee`") {
		t.Errorf("done banana without a program = %q", got)
	}
	say("plan knee")
	tests := []struct{ in, want string }{
		{"done quad sets", "Logged **Quad sets** (1st of 2 today)"},
		{"done quadset", "Logged **Quad sets** (2nd of 2 today)"},
		{"done quad-set", "Already logged **Quad sets** twice today"},
		{"done straight", "Logged **Straight leg raise**"},
		{"done Heel Slides", "Logged **Heel slides** (1st of 2 today)"},
		{"done heel slide", "Logged **Heel slides** (2nd of 2 today)"},
		{"done quod sets", "Did you mean `Quad sets`"},
		{"done banana", "You can log: `Quad sets`"},
	}
	for _, tt := range tests {
		if got := say(tt.in); !strings.Contains(got, tt.want) {
			t.Errorf("%s = %q, want %q", tt.in, got, tt.want)
		}
	}
	done, err := db.Completions(ctx, alice(), "2000-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 5 {
		t.Errorf("stored %d completions, want 5: %+v", len(done), done)
	}
}

// TestQuickScoreTakesProgramArea: "4" after a check-in nudge, or "6/10",
// from a member on the knee program is a knee check-in, not a series of
// its own.
func TestQuickScoreTakesProgramArea(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, mustLibrary(t))
	ctx := context.Background()
	coach.Handle(ctx, bottest.Request("plan knee"))
	req := bottest.Request("6/10")
	req.Conversational = true
	if got := coach.Handle(ctx, req).Text; !strings.Contains(got, "for your knee") {
		t.Errorf("6/10 = %q", got)
	}
	clock.Advance(time.Hour)
	coach.Handle(ctx, bottest.Request("pain 5 left knee"))
	clock.Advance(time.Hour)
	coach.Handle(ctx, bottest.Request("pain 4"))
	got, _ := db.CheckIns(ctx, alice(), time.Time{})
	var areas []string
	for _, c := range got {
		areas = append(areas, c.Area)
	}
	if strings.Join(areas, ",") != "knee,left-knee,left-knee" {
		t.Errorf("areas = %v", areas)
	}
}

func alice() bot.MemberKey {
	return bot.MemberKey{Platform: bot.Console, Workspace: "local", User: "alice"}
}
