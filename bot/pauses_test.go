package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// TestPausesReachTheChart: pause, snooze and resume record the periods
// the member's nudges were held, as they were taken rather than as asked,
// and the report's chart gets those in its window.
func TestPausesReachTheChart(t *testing.T) {
	db := bottest.MustOpenStore(t)
	clock := bottest.NewClock(bottest.Start)
	rend := &captureRenderer{}
	coach := bot.NewCoach(bot.Config{Store: db, Clock: clock, DefaultTZ: "UTC", Renderer: rend})
	start := bottest.Start
	forever := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		at   time.Duration
		text string
		want string
	}{
		{0, "/coach pause 3 days", "paused until"},
		{24 * time.Hour, "/coach snooze 2h", "Snoozed for 2 hours"},
		{48 * time.Hour, "/coach resume", "Welcome back"},
		{72 * time.Hour, "/coach resume", "nothing to resume"},
		{96 * time.Hour, "/coach pause", "All nudges paused."},
	}
	for _, s := range steps {
		clock.Set(start.Add(s.at))
		if reply := handle(t, coach, s.text); !strings.Contains(reply.Text, s.want) {
			t.Fatalf("%s: reply = %q, want %q", s.text, reply.Text, s.want)
		}
	}
	clock.Set(start.Add(120 * time.Hour))
	handle(t, coach, "/coach report 7")

	key := alice()
	want := []bot.PausePeriod{
		// Three days asked, two taken: resume cut it short.
		{Member: key, Kind: bot.PauseNudges, From: start, Until: start.Add(48 * time.Hour)},
		{Member: key, Kind: bot.PauseSnooze, From: start.Add(24 * time.Hour), Until: start.Add(26 * time.Hour)},
		{Member: key, Kind: bot.PauseNudges, From: start.Add(96 * time.Hour), Until: forever},
	}
	if d := cmp.Diff(want, rend.report.Pauses); d != "" {
		t.Errorf("chart pauses (-want +got):\n%s", d)
	}
	m, err := db.Member(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if !m.PausedUntil.Equal(forever) || !m.SnoozedUntil.IsZero() {
		t.Errorf("member paused until %v, snoozed until %v", m.PausedUntil, m.SnoozedUntil)
	}
}
