package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// TestUndoStepsBack: undo removes the newest entry of any kind, says what
// it was, and steps back one entry at a time.
func TestUndoStepsBack(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, nil)
	ctx := context.Background()
	steps := []string{"/pain 4 knee stiff", "/coach done", "/coach tape on knee", "/coach load 7 60 practice", "/coach readiness 4 3 2 4 5", "/coach tape off", "/pain 9 knee"}
	for _, s := range steps {
		if r := handle(t, coach, s); r.Text == "" {
			t.Fatalf("%s: empty reply", s)
		}
		clock.Advance(time.Minute)
	}
	want := []string{
		"Removed your check-in of **9/10** for your knee at 09:06 today.",
		"your tape on your knee (taken off at 09:05 today) is back on",
		"Removed your readiness check-in (18/25) at 09:04 today.",
		"Removed your session of 60 minutes at effort 7 at 09:03 today.",
		"Removed the tape you put on your knee at 09:02 today.",
		"Removed today's exercises marked done at 09:01 today.",
		`Removed your check-in of **4/10** for your knee ("stiff") at 09:00 today.`,
		"There is nothing of the last 7 days to undo.",
	}
	for i, w := range want {
		r := handle(t, coach, "/coach undo")
		if !strings.Contains(r.Text, w) {
			t.Errorf("undo %d = %q, want %q", i+1, r.Text, w)
		}
		if i == 1 {
			worn, err := db.WornTape(ctx, alice())
			if err != nil || len(worn) != 1 {
				t.Errorf("after undoing tape off: worn %v, %v", worn, err)
			}
		}
	}
	data, err := db.MemberData(ctx, alice())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(data.CheckIns) + len(data.Completions) + len(data.TapeCycles) + len(data.Loads) + len(data.Readiness) + len(data.RedFlags); n != 0 {
		t.Errorf("%d entries left after undoing everything: %+v", n, data)
	}
}

// TestUndoReachesBackAWeek: an entry older than the window stays.
func TestUndoReachesBackAWeek(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, nil)
	handle(t, coach, "/pain 3")
	clock.Advance(8 * 24 * time.Hour)
	if r := handle(t, coach, "/coach undo"); !strings.Contains(r.Text, "nothing of the last 7 days") {
		t.Errorf("undo = %q", r.Text)
	}
	got, err := db.CheckIns(context.Background(), alice(), time.Time{})
	if err != nil || len(got) != 1 {
		t.Errorf("check-ins = %v, %v", got, err)
	}
}
