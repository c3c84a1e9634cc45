package scheduler_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// blockedFinish is a store whose first blocked FinishOutbox calls wait
// until release is closed, as a busy single writer would.
type blockedFinish struct {
	*sqlite.DB
	mu        sync.Mutex
	blocked   int
	finishing chan struct{}
	release   chan struct{}
}

func (s *blockedFinish) FinishOutbox(ctx context.Context, id int64, status bot.OutboxStatus, attempts int, at time.Time, note string) error {
	s.mu.Lock()
	wait := s.blocked > 0
	s.blocked--
	s.mu.Unlock()
	if wait {
		s.finishing <- struct{}{}
		<-s.release
	}
	return s.DB.FinishOutbox(ctx, id, status, attempts, at, note)
}

// TestSlotIsHeldOnlyForThePlatformCall: with two send slots, a third
// member's message goes out while the first two outcomes are still being
// written: recording an outcome does not keep the platform idle.
func TestSlotIsHeldOnlyForThePlatformCall(t *testing.T) {
	db, clock, coach := dueFanOut(t, 3)
	store := &blockedFinish{DB: db, blocked: 2, finishing: make(chan struct{}, 2), release: make(chan struct{})}
	sender := newTrackedSender(clock)
	disp := scheduler.NewDispatcher(store, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, Concurrency: 2})
	done := make(chan error, 1)
	go func() {
		_, err := disp.Drain(t.Context())
		done <- err
	}()
	sent := map[int64]bool{}
	for range 2 {
		sent[bottest.Within(t, sender.sent, "the first two sends")] = true
		bottest.Within(t, store.finishing, "an outcome to be written")
	}
	sent[bottest.Within(t, sender.sent, "the third send while two outcomes wait")] = true
	close(store.release)
	if err := bottest.Within(t, done, "Drain"); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 3 {
		t.Fatalf("sent rows %v, want three different", sent)
	}
	if st, _ := db.OutboxStats(t.Context()); st[bot.OutboxSent] != 3 {
		t.Fatalf("outbox = %v, want all sent", st)
	}
}

// TestRateLimitedRowComesBackAtItsTime: a row answered with 429 and
// Retry-After 2s is sent again 2s later, without waiting for a poll (an
// hour here).
func TestRateLimitedRowComesBackAtItsTime(t *testing.T) {
	db, clock, coach := timedFanOutIn(t, 1, 50)
	start := clock.Now()
	sender := newTrackedSender(clock)
	sender.fail = func(n int, _ bot.MemberKey) error {
		if n == 1 {
			return &bot.RateLimitedError{RetryAfter: 2 * time.Second, Err: errors.New("429")}
		}
		return nil
	}
	disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, PollEvery: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- disp.Run(ctx) }()
	clock.waitArmed(t, start.Add(2*time.Second))
	clock.Advance(2 * time.Second)
	bottest.Within(t, sender.sent, "the retry")
	cancel()
	if err := bottest.Within(t, done, "Run"); err != nil {
		t.Fatal(err)
	}
	if len(sender.at) != 1 || !sender.at[0].Equal(start.Add(2*time.Second)) {
		t.Fatalf("delivered at %v, want once at %s", sender.at, start.Add(2*time.Second).Format(time.TimeOnly))
	}
}

// channelNudger sends every row to a staff channel and, as a
// scheduler.ChannelKeeper, records the channels it is told are gone.
type channelNudger struct {
	gone    []string
	goneErr error
}

func (n *channelNudger) Nudge(context.Context, bot.OutboxItem) (bot.NudgeDecision, error) {
	return bot.NudgeDecision{Send: true, Reply: bot.Reply{Text: "red flag"}, Channel: "C1"}, nil
}

func (n *channelNudger) DisableNudges(context.Context, bot.MemberKey, string) error {
	return errors.New("a member's nudges must not be disabled for a channel")
}

func (n *channelNudger) ChannelGone(_ context.Context, it bot.OutboxItem, channel string) error {
	n.gone = append(n.gone, fmt.Sprintf("%s/%s", it.Member.Workspace, channel))
	return n.goneErr
}

// goneChannel is a platform on which the bot can no longer post to any
// channel.
type goneChannel struct{}

func (goneChannel) Send(context.Context, bot.MemberKey, bot.Reply) error { return nil }

func (goneChannel) SendChannel(_ context.Context, _ bot.Platform, _, channel string, _ bot.Reply) error {
	return fmt.Errorf("channel_not_found %s: %w", channel, bot.ErrUnreachable)
}

// TestChannelGoneIsToldAndTheRowFails: when the platform refuses a post to
// a channel for good, a Nudger that keeps channels is told which one, an
// error it returns is logged, and the row is failed either way.
func TestChannelGoneIsToldAndTheRowFails(t *testing.T) {
	for _, goneErr := range []error{nil, errors.New("database is locked")} {
		t.Run(fmt.Sprint(goneErr), func(t *testing.T) {
			db, clock, _ := dueFanOutIn(t, 1, 1)
			nudger := &channelNudger{goneErr: goneErr}
			var logs bytes.Buffer
			disp := scheduler.NewDispatcher(db, nudger, map[bot.Platform]bot.Sender{bot.Slack: goneChannel{}},
				scheduler.DispatcherOptions{Clock: clock, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if _, err := disp.Drain(t.Context()); err != nil {
				t.Fatal(err)
			}
			if want := []string{"T0/C1"}; fmt.Sprint(nudger.gone) != fmt.Sprint(want) {
				t.Errorf("channels gone = %v, want %v", nudger.gone, want)
			}
			if st, _ := db.OutboxStats(t.Context()); st[bot.OutboxFailed] != 1 {
				t.Errorf("outbox = %v, want the row failed", st)
			}
			if logged := strings.Contains(logs.String(), "database is locked"); logged != (goneErr != nil) {
				t.Errorf("ChannelGone's error logged = %v, want %v:\n%s", logged, goneErr != nil, logs.String())
			}
		})
	}
}

// tellingNudger is a channelNudger whose ChannelGone, as the Coach's
// does, writes a row due now telling the post's owner; that row goes to
// the owner's DM.
type tellingNudger struct {
	channelNudger
	db    *sqlite.DB
	owner bot.MemberKey
	now   time.Time
}

func (n *tellingNudger) Nudge(_ context.Context, it bot.OutboxItem) (bot.NudgeDecision, error) {
	if it.Member == n.owner {
		return bot.NudgeDecision{Send: true, Reply: bot.Reply{Text: "your post is off"}}, nil
	}
	return n.channelNudger.Nudge(context.Background(), it)
}

func (n *tellingNudger) ChannelGone(ctx context.Context, it bot.OutboxItem, channel string) error {
	if err := n.channelNudger.ChannelGone(ctx, it, channel); err != nil {
		return err
	}
	_, err := n.db.Enqueue(ctx, bot.OutboxItem{Member: n.owner, Kind: bot.NudgeCheckIn, DedupeKey: "gone:" + channel, NotBefore: n.now})
	return err
}

// TestChannelGoneTellsTheOwnerWithoutAPoll: the row ChannelGone writes to
// tell the owner goes out at once, not at the next poll (an hour here).
func TestChannelGoneTellsTheOwnerWithoutAPoll(t *testing.T) {
	db, _, _ := dueFanOutIn(t, 1, 1)
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	clock := newTimerClock(start)
	owner := bot.MemberKey{Platform: bot.Slack, Workspace: "T0", User: "Uowner"}
	if _, _, err := db.EnsureMember(t.Context(), bot.Member{Key: owner, TZ: "UTC", CreatedAt: start}); err != nil {
		t.Fatal(err)
	}
	nudger := &tellingNudger{db: db, owner: owner, now: start}
	sender := &ownerDM{goneChannel: goneChannel{}, sent: make(chan string, 4)}
	disp := scheduler.NewDispatcher(db, nudger, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, PollEvery: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- disp.Run(ctx) }()
	if got := bottest.Within(t, sender.sent, "the owner's DM"); got != "your post is off" {
		t.Errorf("DM = %q", got)
	}
	cancel()
	if err := bottest.Within(t, done, "Run"); err != nil {
		t.Fatal(err)
	}
}

// ownerDM is a goneChannel whose DMs arrive.
type ownerDM struct {
	goneChannel
	sent chan string
}

func (s *ownerDM) Send(_ context.Context, _ bot.MemberKey, msg bot.Reply) error {
	s.sent <- msg.Text
	return nil
}
