package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/postgres/pgtest"
)

// ledger counts deliveries per user across instances.
type ledger struct {
	mu     sync.Mutex
	per    map[string]int
	total  int
	ids    map[int64]bool // outbox ids delivered by SendTracked
	notify chan struct{}
}

func newLedger() *ledger {
	return &ledger{per: map[string]int{}, ids: map[int64]bool{}, notify: make(chan struct{}, 1)}
}

// Send implements bot.Sender.
func (l *ledger) Send(_ context.Context, to bot.MemberKey, _ bot.Reply) error {
	l.mu.Lock()
	l.per[to.User]++
	l.total++
	l.mu.Unlock()
	select {
	case l.notify <- struct{}{}:
	default:
	}
	return nil
}

func (l *ledger) counts() (total, users int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total, len(l.per)
}

// waitFor blocks until cond holds, checking after each delivery and at
// least every 50 ms, or fails the test at the deadline.
func (l *ledger) waitFor(t *testing.T, deadline time.Time, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			total, users := l.counts()
			t.Fatalf("timed out waiting for %s (%d deliveries to %d users)", what, total, users)
		}
		select {
		case <-l.notify:
		case <-tick.C:
		}
	}
	return time.Since(start)
}

// crashingSender delivers into the ledger for one instance and, once,
// kills that instance right after the platform has taken a message but
// before the outbox row is marked: the worst moment to crash.
type crashingSender struct {
	ledger *ledger
	in     *instance
	// crashNow reports whether this send is the one to crash after.
	crashNow func(*instance) bool
}

// Send implements bot.Sender.
func (s crashingSender) Send(ctx context.Context, to bot.MemberKey, msg bot.Reply) error {
	err := s.ledger.Send(ctx, to, msg)
	if s.crashNow(s.in) {
		s.in.kill()
	}
	return err
}

// SendTracked implements bot.TrackedSender, as the Slack and Discord
// senders do: the platform remembers which outbox row each message was.
func (s crashingSender) SendTracked(ctx context.Context, to bot.MemberKey, _ string, msg bot.Reply, d bot.Delivery) error {
	s.ledger.mu.Lock()
	s.ledger.ids[d.ID] = true
	s.ledger.mu.Unlock()
	return s.Send(ctx, to, msg)
}

// Delivered implements bot.TrackedSender from the ledger.
func (s crashingSender) Delivered(_ context.Context, _ bot.MemberKey, _ string, d bot.Delivery) (bool, error) {
	s.ledger.mu.Lock()
	defer s.ledger.mu.Unlock()
	return s.ledger.ids[d.ID], nil
}

// instance is one bot process in miniature: its own pool, engine and
// dispatcher over the shared database.
type instance struct {
	name   string
	db     *postgres.DB
	eng    *engine
	net    *pgtest.Cutter
	cancel context.CancelFunc
	wait   func()
	killed chan struct{}
}

// kill makes the instance vanish as a crashed process would: the server
// sees its sessions end (releasing its leadership) while rows it claimed
// stay claimed until their lease runs out.
func (in *instance) kill() {
	in.net.Cut()
	in.cancel()
	close(in.killed)
}

// TestSeveralInstancesShareAFanOut runs three instances against one
// PostgreSQL database, fans out 10,000 nudges (1,000 with -short), crashes
// the leader a third of the way through, right after a send, and checks
// that every nudge arrives exactly once but for the one in flight at the
// crash, and that another instance takes over the triggers.
func TestSeveralInstancesShareAFanOut(t *testing.T) {
	url := pgtest.SchemaURL(t)
	nudges := 10_000
	if testing.Short() {
		nudges = 1_000
	}
	ctx := context.Background()
	lease := 2 * time.Second
	cfg := config{DB: url, DefaultTZ: "UTC", CatchupWindow: 2 * time.Hour, SlackRPS: 1e6, DiscordRPS: 1e6}
	lib, err := loadLibrary(cfg)
	if err != nil {
		t.Fatal(err)
	}

	seedDB, err := postgres.Open(ctx, url, postgres.Options{Instance: "seed"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seedDB.Close() })
	now := time.Now().UTC()
	due := now.Truncate(time.Minute)
	created := now.Add(-time.Hour)
	subs := make([]bot.Subscription, nudges)
	for i := range subs {
		subs[i] = bot.Subscription{
			Member: bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U" + strconv.Itoa(i)},
			Kind:   bot.RemindCheckIn, Times: []bot.TimeOfDay{bot.TimeOfDay(due.Hour()*60 + due.Minute())},
			Days: bot.EveryDay, TZ: "UTC", CreatedAt: created,
		}
	}
	if _, err := seedDB.ImportSubscriptions(ctx, subs, true); err != nil {
		t.Fatal(err)
	}
	if err := seedDB.SetState(ctx, "scheduler.last_processed", due.Add(-time.Minute).Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}

	sent := newLedger()
	// The leader crashes after its first send past a third of the fan-out.
	var crashed atomic.Bool
	crashNow := func(in *instance) bool {
		total, _ := sent.counts()
		return total >= nudges/3 && in.eng.leading() && crashed.CompareAndSwap(false, true)
	}
	logger := slog.New(slog.DiscardHandler)
	var instances []*instance
	for i := range 3 {
		in := &instance{name: fmt.Sprintf("instance-%d", i+1), net: &pgtest.Cutter{}, killed: make(chan struct{})}
		in.db, err = postgres.Open(ctx, url, postgres.Options{Instance: in.name, Lease: lease, DialFunc: in.net.Dial})
		if err != nil {
			t.Fatal(err)
		}
		in.eng = newEngine(cfg, in.db, lib, logger, bot.SystemClock{}, nil)
		var runCtx context.Context
		runCtx, in.cancel = context.WithCancel(ctx)
		in.wait = in.eng.start(runCtx, map[bot.Platform]bot.Sender{bot.Slack: crashingSender{ledger: sent, in: in, crashNow: crashNow}})
		instances = append(instances, in)
		t.Cleanup(func() {
			in.cancel()
			in.wait()
			in.db.Close()
		})
	}
	deadline := time.Now().Add(2 * time.Minute)
	leader := func() *instance {
		for _, in := range instances {
			if in.eng.leading() && !in.net.IsCut() {
				return in
			}
		}
		return nil
	}
	sent.waitFor(t, deadline, "a leader", func() bool { return leader() != nil })
	first := leader()
	select {
	case <-first.killed:
	case <-time.After(time.Until(deadline)):
		t.Fatal("the leader never crashed")
	}
	killedAt := time.Now()
	sent.waitFor(t, deadline, "a new leader", func() bool { return leader() != nil })
	failover := time.Since(killedAt)
	sent.waitFor(t, deadline, "every nudge", func() bool {
		_, users := sent.counts()
		return users == nudges
	})
	drained := time.Since(killedAt)
	first.wait()
	// The last delivery is counted when the fake platform receives it,
	// a moment before its row is marked sent: wait for the mark too.
	var stats map[bot.OutboxStatus]int
	sent.waitFor(t, deadline, "every row marked sent", func() bool {
		stats, err = seedDB.OutboxStats(ctx)
		return err != nil || stats[bot.OutboxSent] == nudges
	})
	if err != nil {
		t.Fatal(err)
	}

	total, users := sent.counts()
	t.Logf("%d nudges over 3 instances, leader %s killed: %d deliveries, %d repeated; new leader %s after %s; rest drained %s after the kill",
		nudges, first.name, total, total-users, leader().name, failover.Round(time.Millisecond), drained.Round(time.Millisecond))
	// The crash fell between a send and its record (for every send in
	// flight on the leader); once their lease ends another instance finds
	// them delivered, so nothing is sent twice.
	if total-users != 0 {
		t.Errorf("%d repeated nudges; want none", total-users)
	}
	for u, n := range sent.per {
		if n > 2 {
			t.Errorf("%s got %d nudges", u, n)
		}
	}
	if stats[bot.OutboxSent] != nudges || stats[bot.OutboxPending] != 0 {
		t.Errorf("outbox = %v, want %d sent and none pending", stats, nudges)
	}
}
