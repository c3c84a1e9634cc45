package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// historyReads counts the reads of check-in history a store is asked for.
type historyReads struct {
	*sqlite.DB
	recent, all int
}

func (s *historyReads) RecentCheckIns(ctx context.Context, key bot.MemberKey, since time.Time, limit int) ([]bot.CheckIn, error) {
	s.recent++
	return s.DB.RecentCheckIns(ctx, key, since, limit)
}

func (s *historyReads) CheckIns(ctx context.Context, key bot.MemberKey, since time.Time) ([]bot.CheckIn, error) {
	s.all++
	return s.DB.CheckIns(ctx, key, since)
}

// TestCheckInReadsHistoryOnce: a check-in without an area (a reminder's
// score button) takes the area of the last check-in and chooses guidance
// from one bounded read of the history, not one read for each.
func TestCheckInReadsHistoryOnce(t *testing.T) {
	store := &historyReads{DB: bottest.MustOpenStore(t)}
	clock := bottest.NewClock(bottest.Start)
	coach := bot.NewCoach(bot.Config{Store: store, Clock: clock, DefaultTZ: "UTC"})
	ctx := context.Background()
	coach.Handle(ctx, bottest.Request("pain 3 ankle"))
	clock.Advance(12 * time.Hour)
	store.recent, store.all = 0, 0
	if reply := coach.Handle(ctx, bottest.Request("pain 4")); !strings.Contains(reply.Text, "Logged **4/10** for your ankle") {
		t.Fatalf("reply = %q", reply.Text)
	}
	if store.recent != 1 || store.all != 0 {
		t.Errorf("%d bounded and %d whole reads of the history, want one bounded read", store.recent, store.all)
	}
}

// TestCheckInAreaBeyondRecentHistory: when none of the check-ins the
// bounded read returns names an area, the last area of the 90 days is
// still found, as before the read was bounded.
func TestCheckInAreaBeyondRecentHistory(t *testing.T) {
	store := &historyReads{DB: bottest.MustOpenStore(t)}
	clock := bottest.NewClock(bottest.Start)
	coach := bot.NewCoach(bot.Config{Store: store, Clock: clock, DefaultTZ: "UTC"})
	ctx := context.Background()
	key := bottest.Request("").Member()
	coach.Handle(ctx, bottest.Request("pain 3 ankle"))
	for range 70 {
		clock.Advance(time.Hour)
		if _, err := store.DB.AddCheckIn(ctx, bot.CheckIn{Member: key, Score: 2, At: clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Hour)
	if reply := coach.Handle(ctx, bottest.Request("pain 4")); !strings.Contains(reply.Text, "Logged **4/10** for your ankle") {
		t.Fatalf("reply = %q", reply.Text)
	}
	if store.all != 1 {
		t.Errorf("%d whole reads of the history, want 1 when the bounded one names no area", store.all)
	}
}
