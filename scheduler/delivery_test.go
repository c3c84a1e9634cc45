package scheduler_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// timerClock is a fake scheduler.TimerClock: time moves only by Advance,
// which fires the timers it passes. Every new timer's deadline is sent on
// armed, so a test knows what the dispatcher is waiting for.
type timerClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	armed  chan time.Time
}

type fakeTimer struct {
	c        chan time.Time
	deadline time.Time
	clock    *timerClock
}

func newTimerClock(at time.Time) *timerClock {
	return &timerClock{now: at, armed: make(chan time.Time, 1024)}
}

// timedFanOutIn is dueFanOutIn with a timerClock at the due minute, for
// tests that drive the dispatcher's own waits.
func timedFanOutIn(t *testing.T, members, workspaces int) (*sqlite.DB, *timerClock, *bot.Coach) {
	t.Helper()
	db, due, _ := dueFanOutIn(t, members, workspaces)
	clock := newTimerClock(due.Now())
	return db, clock, bot.NewCoach(bot.Config{Store: db, Clock: clock})
}

func (c *timerClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *timerClock) NewTimer(d time.Duration) scheduler.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: make(chan time.Time, 1), deadline: c.now.Add(d), clock: c}
	if d <= 0 {
		t.c <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	select {
	case c.armed <- t.deadline:
	default:
	}
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	for i, x := range t.clock.timers {
		if x == t {
			t.clock.timers = append(t.clock.timers[:i], t.clock.timers[i+1:]...)
			return true
		}
	}
	return false
}

// Advance moves time on and fires the timers due by then.
func (c *timerClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set(c.now.Add(d))
}

// advanceTo moves time on to at, if it is later, and fires the timers due.
func (c *timerClock) advanceTo(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at.After(c.now) {
		c.set(at)
	}
}

// set moves time to now and fires the timers due; callers hold mu.
func (c *timerClock) set(now time.Time) {
	c.now = now
	keep := c.timers[:0]
	for _, t := range c.timers {
		if t.deadline.After(c.now) {
			keep = append(keep, t)
			continue
		}
		t.c <- c.now
	}
	c.timers = keep
}

// advanceOnWait moves the clock to the deadline of every timer armed for
// at most a second ahead, as if that wait had passed, until stop is
// called: a dispatcher waiting for its pace goes on at once. Longer waits
// (none, a poll) are left to the test.
func (c *timerClock) advanceOnWait() (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case at := <-c.armed:
				if at.Sub(c.Now()) <= time.Second {
					c.advanceTo(at)
				}
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// waitArmed blocks until the dispatcher arms a timer for exactly at.
func (c *timerClock) waitArmed(t *testing.T, at time.Time) {
	t.Helper()
	for deadline := range c.armed {
		if deadline.Equal(at) {
			return
		}
	}
}

// trackedSender is a bot.TrackedSender on a fake platform: it records
// each message by outbox id at the clock's time and answers Delivered from
// what it holds; hidden ids were "sent" but are not visible in history.
type trackedSender struct {
	clock bot.Clock
	fail  func(n int, to bot.MemberKey) error

	mu     sync.Mutex
	calls  int
	byID   map[int64]int
	hidden map[int64]bool
	at     []time.Time
	asked  []int64
	sent   chan int64
}

func newTrackedSender(clock bot.Clock) *trackedSender {
	return &trackedSender{clock: clock, byID: map[int64]int{}, hidden: map[int64]bool{}, sent: make(chan int64, 1024)}
}

func (s *trackedSender) Send(context.Context, bot.MemberKey, bot.Reply) error {
	return errors.New("untracked send")
}

func (s *trackedSender) SendTracked(_ context.Context, to bot.MemberKey, _ string, _ bot.Reply, d bot.Delivery) error {
	s.mu.Lock()
	s.calls++
	n := s.calls
	s.mu.Unlock()
	if s.fail != nil {
		if err := s.fail(n, to); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.byID[d.ID]++
	s.at = append(s.at, s.clock.Now())
	s.mu.Unlock()
	s.sent <- d.ID
	return nil
}

func (s *trackedSender) Delivered(_ context.Context, _ bot.MemberKey, _ string, d bot.Delivery) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, d.ID)
	return s.byID[d.ID] > 0 && !s.hidden[d.ID], nil
}

// TestHoldWakesTheDispatcherWhenItEnds: after a shared 429 with
// Retry-After 3s, the dispatcher sleeps exactly until the hold ends (the
// poll interval is an hour) and then sends both rows. Both members are in
// one workspace: a shared 429 holds only its own (platform, workspace), so
// a row of another workspace would rightly go out during the hold.
func TestHoldWakesTheDispatcherWhenItEnds(t *testing.T) {
	db, _, _ := dueFanOutIn(t, 2, 1)
	clock := newTimerClock(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC))
	coach := bot.NewCoach(bot.Config{Store: db, Clock: clock})
	sender := newTrackedSender(clock)
	sender.fail = func(n int, _ bot.MemberKey) error {
		if n == 1 {
			return &bot.RateLimitedError{RetryAfter: 3 * time.Second, Shared: true, Err: errors.New("429 global")}
		}
		return nil
	}
	disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, PollEvery: time.Hour, Concurrency: 1})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- disp.Run(ctx) }()
	holdEnd := clock.Now().Add(3 * time.Second)
	clock.waitArmed(t, holdEnd)
	select {
	case id := <-sender.sent:
		t.Fatalf("row %d sent during the hold", id)
	default:
	}
	clock.Advance(3 * time.Second)
	<-sender.sent
	<-sender.sent
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, at := range sender.at {
		if !at.Equal(holdEnd) {
			t.Errorf("sent at %s, want at the hold's end %s", at.Format(time.TimeOnly), holdEnd.Format(time.TimeOnly))
		}
	}
	if st, _ := db.OutboxStats(t.Context()); st[bot.OutboxSent] != 2 {
		t.Fatalf("outbox = %v, want both sent", st)
	}
}

// TestSharedHoldIsPerWorkspace: a shared 429 in one workspace holds that
// workspace only; a row of another workspace goes out at once, during the
// hold, without the clock moving.
func TestSharedHoldIsPerWorkspace(t *testing.T) {
	db, clock, coach := timedFanOutIn(t, 2, 2)
	start := clock.Now()
	sender := newTrackedSender(clock)
	var limited bot.MemberKey
	sender.fail = func(n int, to bot.MemberKey) error {
		if n == 1 {
			limited = to
			return &bot.RateLimitedError{RetryAfter: 3 * time.Second, Shared: true, Err: errors.New("429")}
		}
		return nil
	}
	disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, PollEvery: time.Hour, Concurrency: 1})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- disp.Run(ctx) }()
	<-sender.sent
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(sender.at) != 1 || !sender.at[0].Equal(start) {
		t.Fatalf("sent at %v, want one row, of the workspace not held, at %s", sender.at, start)
	}
	for _, k := range disp.Stats() {
		if held := k.Workspace == limited.Workspace; k.Held != held {
			t.Errorf("workspace %s held = %v, want %v", k.Workspace, k.Held, held)
		}
	}
}

// TestNewRowsWakeTheDispatcherWhenDue: a row due in ten minutes is sent at
// its time, without a poll in between.
func TestNewRowsWakeTheDispatcherWhenDue(t *testing.T) {
	// The fan-out row is due at 07:00; the dispatcher starts at 06:50.
	db, _, _ := dueFanOut(t, 1)
	due := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	clock := newTimerClock(due.Add(-10 * time.Minute))
	coach := bot.NewCoach(bot.Config{Store: db, Clock: clock})
	sender := newTrackedSender(clock)
	disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, PollEvery: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- disp.Run(ctx) }()
	clock.waitArmed(t, due)
	clock.Advance(10 * time.Minute)
	<-sender.sent
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(sender.at) != 1 || !sender.at[0].Equal(due) {
		t.Fatalf("sent at %v, want once at %s", sender.at, due)
	}
}

// diesAfterSend is a store whose process "dies" after the platform took
// the first message: the outcome of that send is never recorded.
type diesAfterSend struct {
	*sqlite.DB
	mu   sync.Mutex
	dead bool
}

func (s *diesAfterSend) FinishOutbox(ctx context.Context, id int64, status bot.OutboxStatus, attempts int, at time.Time, note string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead || status == bot.OutboxSent {
		s.dead = true
		return errors.New("process killed")
	}
	return s.DB.FinishOutbox(ctx, id, status, attempts, at, note)
}

func (s *diesAfterSend) MarkSending(ctx context.Context, id int64, at time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return false, errors.New("process killed")
	}
	return s.DB.MarkSending(ctx, id, at)
}

func (s *diesAfterSend) RetryOutbox(ctx context.Context, id int64, notBefore time.Time, attempts int, note string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return errors.New("process killed")
	}
	return s.DB.RetryOutbox(ctx, id, notBefore, attempts, note)
}

// TestCrashBetweenSendAndMarkIsReconciled: rows in flight when the process
// dies are settled by asking the platform. The one it shows in the DM is
// marked sent without a repeat; the one it does not show is sent again.
func TestCrashBetweenSendAndMarkIsReconciled(t *testing.T) {
	for _, visible := range []bool{true, false} {
		name := map[bool]string{true: "visible", false: "not visible"}[visible]
		t.Run(name, func(t *testing.T) {
			db, clock, coach := dueFanOut(t, 3)
			sender := newTrackedSender(clock)
			crashing := &diesAfterSend{DB: db}
			first := scheduler.NewDispatcher(crashing, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
				scheduler.DispatcherOptions{Clock: clock, Concurrency: 1, Batch: 1})
			first.Drain(t.Context())
			if len(sender.byID) != 1 {
				t.Fatalf("before the crash %d rows reached the platform, want 1", len(sender.byID))
			}
			var crashed int64
			for id := range sender.byID {
				crashed = id
				sender.hidden[id] = !visible
			}
			// The dead process's claims lapse; a new one takes over.
			clock.Advance(time.Minute)
			obs := &reconcileCounter{}
			second := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
				scheduler.DispatcherOptions{Clock: clock, Observer: obs})
			if _, err := second.Drain(t.Context()); err != nil {
				t.Fatal(err)
			}
			if len(sender.asked) == 0 || sender.asked[0] != crashed {
				t.Fatalf("platform asked about %v, want the interrupted row %d first", sender.asked, crashed)
			}
			want := 1
			if !visible {
				want = 2
			}
			if got := sender.byID[crashed]; got != want {
				t.Errorf("interrupted row sent %d times, want %d", got, want)
			}
			if len(sender.byID) != 3 {
				t.Errorf("%d rows delivered, want 3", len(sender.byID))
			}
			if st, _ := db.OutboxStats(t.Context()); st[bot.OutboxSent] != 3 {
				t.Errorf("outbox = %v, want 3 sent", st)
			}
			wantOutcome := map[bool]string{true: "found", false: "absent"}[visible]
			if obs.outcomes[wantOutcome] != 1 || len(obs.outcomes) != 1 {
				t.Errorf("reconciled %v, want one %q", obs.outcomes, wantOutcome)
			}
		})
	}
}

type reconcileCounter struct {
	mu       sync.Mutex
	outcomes map[string]int
}

func (c *reconcileCounter) NudgeSent(bot.Platform, bot.NudgeKind, time.Duration) {}
func (c *reconcileCounter) NudgeSkipped(bot.Platform, bot.NudgeKind, string)     {}
func (c *reconcileCounter) NudgeFailed(bot.Platform, bot.NudgeKind)              {}
func (c *reconcileCounter) RateLimited(bot.Platform)                             {}
func (c *reconcileCounter) Reconciled(_ bot.Platform, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.outcomes == nil {
		c.outcomes = map[string]int{}
	}
	c.outcomes[outcome]++
}

// limitSignal reports every 429 the dispatcher records on limited (which
// must have room: it is told with the dispatcher's lock held).
type limitSignal struct {
	reconcileCounter
	limited chan struct{}
}

func (s *limitSignal) RateLimited(bot.Platform) { s.limited <- struct{}{} }

// TestA429OfASendAdmittedBeforeADecreaseActsOnce: a send the pace let go
// before a shared 429 lowered it, but still waiting for a send slot then,
// draws a 429 of its own when it goes out. That 429 answers for the old
// pace and does not lower the new one again. Judged at the call, it did:
// in coachload's first seconds every instance halved twice within a tenth
// of a second.
func TestA429OfASendAdmittedBeforeADecreaseActsOnce(t *testing.T) {
	db, clock, coach := timedFanOutIn(t, 3, 1)
	sender := newTrackedSender(clock)
	calls := make(chan int, 3)
	release := []chan struct{}{make(chan struct{}), make(chan struct{})}
	sender.fail = func(n int, _ bot.MemberKey) error {
		calls <- n
		if n <= len(release) {
			<-release[n-1]
		}
		return &bot.RateLimitedError{RetryAfter: time.Second, Shared: true, Err: errors.New("429")}
	}
	obs := &limitSignal{limited: make(chan struct{}, 3)}
	// Two slots: all three rows are admitted at once (the ceiling's burst
	// allows it), the third waits for a slot.
	disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, PollEvery: time.Hour, Concurrency: 2, Observer: obs, Rates: map[bot.Platform]float64{bot.Slack: 1000}})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- disp.Run(ctx) }()
	bottest.Within(t, calls, "the first call")
	bottest.Within(t, calls, "the second call")

	clock.Advance(100 * time.Millisecond)
	close(release[0])
	bottest.Within(t, obs.limited, "the first 429")
	if k := keyStats(t, disp); k.Rate != 500 || !k.Held {
		t.Fatalf("after the first shared 429: rate %v, held %v; want 500 (halved: nothing measured yet) and held", k.Rate, k.Held)
	}
	if n := bottest.Within(t, calls, "the third call, in the freed slot"); n != 3 {
		t.Fatalf("call %d, want the third", n)
	}
	bottest.Within(t, obs.limited, "the third send's 429")
	close(release[1])
	bottest.Within(t, obs.limited, "the second send's 429")
	if k := keyStats(t, disp); k.Rate != 500 {
		t.Errorf("rate %v after the 429s of sends admitted before the decrease, want still 500", k.Rate)
	}
	cancel()
	if err := bottest.Within(t, done, "Run"); err != nil {
		t.Fatal(err)
	}
}
