package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// sharedStore is a scheduler.SharedOutbox over SQLite whose other
// instances are made up by the test: how many beat, and what they publish.
type sharedStore struct {
	*sqlite.DB
	mu        sync.Mutex
	live      int
	others    map[bot.OutboxScope][]string
	published []map[bot.OutboxScope]string
	left      bool
}

func (s *sharedStore) Heartbeat(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live, nil
}

func (s *sharedStore) Leave(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.left = true
	return nil
}

func (s *sharedStore) SharePaces(_ context.Context, paces map[bot.OutboxScope]string) (map[bot.OutboxScope][]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.published = append(s.published, paces)
	return s.others, nil
}

func (s *sharedStore) setLive(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.live = n
}

// keyStats returns the dispatcher's pacing of workspace T0.
func keyStats(t *testing.T, disp *scheduler.Dispatcher) scheduler.KeyStats {
	t.Helper()
	for _, k := range disp.Stats() {
		if k.Workspace == "T0" {
			return k
		}
	}
	t.Fatal("workspace T0 is not paced")
	return scheduler.KeyStats{}
}

// TestInstancesShareTheCeilingAndTheLatestDecrease: with three instances
// beating, each paces a workspace at a third of COACH_SLACK_RPS; a
// workspace another instance lowered for a shared 429 starts at that
// instance's pace (here 150 msg/s for all, so 50 each) rather than the
// ceiling; when one instance is gone the others take its share; what
// this instance paces is published; and it withdraws when it stops.
func TestInstancesShareTheCeilingAndTheLatestDecrease(t *testing.T) {
	db, clock, coach := timedFanOutIn(t, 5, 1)
	start := clock.Now()
	t0 := bot.OutboxScope{Platform: bot.Slack, Workspace: "T0"}
	lowered := start.Add(-5 * time.Second).UnixMilli()
	store := &sharedStore{DB: db, live: 3, others: map[bot.OutboxScope][]string{
		t0: {fmt.Sprintf("300 100 0 %d 0", lowered-1000), fmt.Sprintf("150 100 0 %d 0", lowered)},
	}}
	sender := newTrackedSender(clock)
	release := make(chan struct{})
	sender.fail = func(int, bot.MemberKey) error {
		<-release
		return nil
	}
	disp := scheduler.NewDispatcher(store, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, PollEvery: time.Hour, Concurrency: 1, Rates: map[bot.Platform]float64{bot.Slack: 300}})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- disp.Run(ctx) }()
	// The first send blocks on release, keeping rows queued; the beat
	// comes every half second.
	clock.waitArmed(t, start.Add(500*time.Millisecond))
	if k := keyStats(t, disp); k.Ceiling != 100 || k.Rate != 50 {
		t.Errorf("with 3 instances: ceiling %v, rate %v; want 100 and 50", k.Ceiling, k.Rate)
	}
	store.setLive(2)
	clock.Advance(500 * time.Millisecond)
	clock.waitArmed(t, start.Add(time.Second))
	if k := keyStats(t, disp); k.Ceiling != 150 || k.Rate != 75 {
		t.Errorf("with 2 instances: ceiling %v, rate %v; want 150 and 75", k.Ceiling, k.Rate)
	}
	close(release)
	cancel()
	if err := bottest.Within(t, done, "Run"); err != nil {
		t.Fatal(err)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if !store.left {
		t.Error("the instance did not withdraw when it stopped")
	}
	last := store.published[len(store.published)-1][t0]
	if !strings.HasPrefix(last, "150 ") {
		t.Errorf("published %q for T0, want its pace for all instances, 150 msg/s, first", last)
	}
}
