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
	if underRace {
		t.Skip("one command per case on a fresh store, no goroutines: the plain run covers it")
	}
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
		{"snooze 2h", "Snoozed for 2 hours", -1},
		{"snooze 3 days", "Snoozed for 3 days", -1},
		{"pause until 10 Dec", "paused until the start of Thu 10 Dec", -1},
		{"pause until friday", "paused until the start of Fri 6 Mar", -1},
		{"pause until tomorrow 9am", "paused until tomorrow 09:00", -1},
		{"pause in 2 weeks", "paused until Mon 16 Mar 09:00", -1},
		{"pause until 2026-03-10", "paused until the start of Tue 10 Mar", -1},
		{"tz London", "Europe/London", -1},
		{"tz new york", "America/New_York", -1},
		{"tz Europe/Londn", "Did you mean `Europe/London`", -1},
		{"tz EST", "never changes for daylight saving", -1},
		{"tz PST", "`America/Los_Angeles`", -1},
		{"tz", "Your time zone is **UTC**", -1},
		{"quiet", "No quiet hours set", -1},
		{"remind", "No reminders yet", -1},
		{"remind me to do exercises at 7am", "to do your exercises at **07:00** every day", -1},
		{"help me", "Commands", -1},
		{"help pian", "Did you mean `pain`", -1},
		{"/pian 5 knee", "Did you mean `pain 5 knee`", -1},
		{"histroy", "Did you mean `history`", -1},
		{"stop", "pause 1w", -1},
		{"unsubscribe", "remind off all", -1},
		{"I feel awful", "score from 0 to 10", -1},
		{"my knee hurts a lot today", "pain 7 knee", -1},
		{"did my exercises", "Logged today's exercises", -1},
		{"?", "help", -1},
		{"hello", "Hi!", -1},
		{"/pain 5 left knee sore", "Logged **5/10** for your left knee", 5},
		{"6/10", "Logged **6/10**", 6},
		{"done banana", "no exercise program", -1},
		{"forget yes", "Type confirm", -1},
		{"/coach readiness 9 5 5 5 5", "FATIGUE must be", -1},
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

// TestNeverSilentNeverRepeats: chatter always gets an answer, and never
// the same canned words twice in a row (the hourly hint limit is gone).
func TestNeverSilentNeverRepeats(t *testing.T) {
	coach, _, clock := bottest.NewCoach(t, nil)
	last := ""
	for _, in := range []string{"lovely day", "really lovely", "still lovely", "lovely", "lovely day", "?", "??", "thanks", "thanks", "yes", "yes"} {
		r := say(coach, in)
		if r.Empty() {
			t.Fatalf("%q got no reply", in)
		}
		if r.Text == last {
			t.Errorf("%q got the same line twice in a row: %q", in, r.Text)
		}
		last = r.Text
		clock.Advance(time.Minute)
	}
}

func TestYesAfterForgetPrompt(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	say(coach, "pain 3")
	if r := say(coach, "forget"); !strings.Contains(r.Text, "deletes **everything**") {
		t.Fatalf("forget = %q", r.Text)
	}
	r := say(coach, "yes")
	if strings.Contains(r.Text, "Glad") || !strings.Contains(r.Text, "forget confirm") {
		t.Errorf("yes after forget = %q", r.Text)
	}
	if got, _ := db.CheckIns(context.Background(), alice(), time.Time{}); len(got) != 1 {
		t.Errorf("a bare yes deleted data: %d check-ins left", len(got))
	}
	if r := say(coach, "yes"); strings.Contains(r.Text, "forget confirm") {
		t.Errorf("second yes still answers the old question: %q", r.Text)
	}
}

func TestQuickScoreTakesProgramOrLastArea(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, nil)
	say(coach, "pain 4 left knee")
	clock.Advance(time.Hour)
	say(coach, "pain 5")
	got, _ := db.CheckIns(context.Background(), alice(), time.Time{})
	if len(got) != 2 || got[1].Area != "left-knee" {
		t.Fatalf("stored %+v, want the second on the left knee too", got)
	}
}

func TestRemindDoesNotSilentlyReplace(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	say(coach, "remind exercises at 08:00 mon,wed,fri")
	r := say(coach, "remind exercises at 07:00 monday")
	if !strings.Contains(r.Text, "I have not changed it") || len(r.Buttons) != 2 {
		t.Fatalf("reply = %q", r.Text)
	}
	subs, _ := db.Subscriptions(context.Background(), alice())
	if len(subs) != 1 || subs[0].Days.String() != "mon,wed,fri" {
		t.Fatalf("schedule changed: %+v", subs)
	}
	if r := say(coach, "remind exercises at 07:00 mon,wed,fri add"); !strings.Contains(r.Text, "07:00 and 08:00") || !strings.Contains(r.Text, "Before, it was 08:00") {
		t.Errorf("add = %q", r.Text)
	}
	if r := say(coach, "remind exercises at 07:00 monday add"); !strings.Contains(r.Text, "one set of days") {
		t.Errorf("add on other days = %q", r.Text)
	}
	if r := say(coach, "remind exercises at 07:00 monday replace"); !strings.Contains(r.Text, "on Mondays") {
		t.Errorf("replace = %q", r.Text)
	}
}

func TestQuietHoursNeverDropSilently(t *testing.T) {
	coach, db, _ := bottest.NewCoach(t, nil)
	say(coach, "remind checkin at 23:00")
	if r := say(coach, "quiet 22:00-07:30"); !strings.Contains(r.Text, "check-in reminder at 23:00") {
		t.Errorf("quiet did not warn about the 23:00 reminder: %q", r.Text)
	}
	if r := say(coach, "remind"); !strings.Contains(r.Text, "inside your quiet hours") {
		t.Errorf("remind list does not warn: %q", r.Text)
	}
	r := say(coach, "remind exercises at 23:30")
	if !strings.Contains(r.Text, "**not** set") || len(r.Buttons) != 1 || !strings.Contains(r.Buttons[0].Command, "07:30") {
		t.Fatalf("reminder inside quiet hours: %q %+v", r.Text, r.Buttons)
	}
	subs, _ := db.Subscriptions(context.Background(), alice())
	for _, s := range subs {
		if s.Kind == bot.RemindExercises {
			t.Errorf("stored a reminder inside quiet hours: %+v", s)
		}
	}
	if r := say(coach, "quiet"); !strings.Contains(r.Text, "22:00-07:30") {
		t.Errorf("quiet alone = %q", r.Text)
	}
}
