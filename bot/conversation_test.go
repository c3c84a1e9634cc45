package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

func say(c *bot.Coach, text string) bot.Reply {
	req := bottest.Request(text)
	req.Conversational = true
	return c.Handle(context.Background(), req)
}

func TestPhrasings(t *testing.T) {
	tests := []struct {
		in    string
		want  string // substring of the reply; "" means no reply at all
		score int    // stored score, -1 for none
	}{
		{"pain 6 knee", "Logged **6/10** for your knee", 6},
		{"/pain 6", "Logged **6/10**", 6},
		{"  PAIN   6  KNEE. ", "Logged **6/10** for your knee", 6},
		{"Pain: 6/10", "Logged **6/10**", 6},
		{"6/10 knee", "Logged **6/10** for your knee", 6},
		{"6 out of 10", "Logged **6/10**", 6},
		{"pain 11", "from 0 to 10", -1},
		{"coach history", "No check-ins", -1},
		{"help", "Commands", -1},
		{"snooze 2h", "Snoozed for 2h", -1},
		{"pause 3d", "paused until", -1},
		{"resume", "not paused", -1},
		{"tape off", "No tape on record", -1},
		{"done", "Logged today's exercises", -1},
		{"4", "Is that a pain score?", -1},
		{"yes", "Glad to hear it", -1},
		{"thanks!", "You're welcome", -1},
		{"Thank you so much", "You're welcome", -1},
		{"what's the weather like", "I'm a simple coach", -1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			coach, db, _ := bottest.NewCoach(t, nil)
			reply := say(coach, tt.in)
			if !strings.Contains(reply.Text+reply.Title, tt.want) {
				t.Errorf("reply = %q, want it to contain %q", reply.Text, tt.want)
			}
			got, _ := db.CheckIns(context.Background(), alice(), time.Time{})
			switch {
			case tt.score < 0 && len(got) != 0:
				t.Errorf("stored %+v, want nothing", got)
			case tt.score >= 0 && (len(got) != 1 || got[0].Score != tt.score):
				t.Errorf("stored %+v, want score %d", got, tt.score)
			}
		})
	}
}

func TestHintsAtMostHourly(t *testing.T) {
	coach, _, clock := bottest.NewCoach(t, nil)
	if r := say(coach, "lovely day"); r.Empty() {
		t.Fatal("first chatter got no hint")
	}
	clock.Advance(20 * time.Minute)
	if r := say(coach, "really lovely"); !r.Empty() {
		t.Fatalf("second chatter within the hour got %q", r.Text)
	}
	clock.Advance(time.Hour)
	if r := say(coach, "still lovely"); r.Empty() {
		t.Fatal("no hint after an hour")
	}
}
