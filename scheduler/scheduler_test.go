package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

var ctx = context.Background()

// rig is a coach, store, fake clock, recording sender, scheduler and
// dispatcher wired as in production.
type rig struct {
	t      *testing.T
	coach  *bot.Coach
	db     *sqlite.DB
	clock  *bottest.Clock
	sender *bottest.Sender
	sched  *scheduler.Scheduler
	disp   *scheduler.Dispatcher
}

func newRig(t *testing.T, at time.Time) *rig {
	t.Helper()
	db := bottest.MustOpenStore(t)
	clock := bottest.NewClock(at)
	r := &rig{t: t, db: db, clock: clock, sender: &bottest.Sender{}}
	r.coach = bot.NewCoach(bot.Config{Store: db, Clock: clock, DefaultTZ: "UTC"})
	r.sched = scheduler.New(db, scheduler.Options{Clock: clock})
	r.disp = scheduler.NewDispatcher(db, r.coach, map[bot.Platform]bot.Sender{bot.Console: r.sender},
		scheduler.DispatcherOptions{Clock: clock, Jitter: func() float64 { return 0.5 }})
	return r
}

func (r *rig) as(user, text string) bot.Reply {
	r.t.Helper()
	return r.coach.Handle(ctx, bot.Request{Platform: bot.Console, Workspace: "local", User: user, IsDM: true, Text: text})
}

// tick runs what cron and the dispatcher would do at the current minute.
func (r *rig) tick() int {
	r.t.Helper()
	if _, err := r.sched.CatchUp(ctx); err != nil {
		r.t.Fatal(err)
	}
	n, err := r.disp.Drain(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// runUntil advances to end in steps of five minutes (and exactly to end),
// ticking at each step as cron and the dispatcher's poll would.
func (r *rig) runUntil(end time.Time) {
	r.t.Helper()
	for now := r.clock.Now(); now.Before(end); now = r.clock.Now() {
		r.clock.Set(minTime(now.Add(5*time.Minute), end))
		r.tick()
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (r *rig) sentTitles() []string {
	var out []string
	for _, s := range r.sender.Sent() {
		out = append(out, s.To.User+":"+s.Reply.Title)
	}
	return out
}

func (r *rig) outbox() map[bot.OutboxStatus]int {
	r.t.Helper()
	stats, err := r.db.OutboxStats(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return stats
}

func TestDueTimesAcrossDST(t *testing.T) {
	tests := []struct {
		name     string
		tz       string
		at       bot.TimeOfDay
		from, to string // UTC
		want     []string
	}{
		{"berlin spring forward: 02:30 does not exist, sent once just after the gap", "Europe/Berlin", 150,
			"2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z",
			[]string{"2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"}},
		{"berlin fall back: 02:30 happens twice, sent once", "Europe/Berlin", 150,
			"2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z",
			[]string{"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		{"new york spring forward", "America/New_York", 150,
			"2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z",
			[]string{"2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"}},
		{"new york fall back: 01:30 twice", "America/New_York", 90,
			"2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z",
			[]string{"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
		{"berlin 08:00 on the spring-forward day is unaffected", "Europe/Berlin", 480,
			"2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z", []string{"2026-03-29T06:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, _ := time.Parse(time.RFC3339, tt.from)
			to, _ := time.Parse(time.RFC3339, tt.to)
			var got []string
			for _, d := range scheduler.DueTimes(bot.ScheduleGroup{TZ: tt.tz, Time: tt.at, Days: bot.EveryDay}, from, to) {
				got = append(got, d.Format(time.RFC3339))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestDueTimesHonourWeekdays(t *testing.T) {
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // Monday
	got := scheduler.DueTimes(bot.ScheduleGroup{TZ: "UTC", Time: 480, Days: bot.WorkDays}, from, from.AddDate(0, 0, 7))
	if len(got) != 5 {
		t.Fatalf("weekday instants = %v", got)
	}
	for _, d := range got {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			t.Errorf("weekend instant %v", d)
		}
	}
}

// TestDSTNeitherSkipsNorDoubles runs a Berlin 02:30 reminder minute by
// minute through both transitions.
func TestDSTNeitherSkipsNorDoubles(t *testing.T) {
	for _, start := range []time.Time{
		time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC),
	} {
		t.Run(start.Format("2006-01-02"), func(t *testing.T) {
			r := newRig(t, start)
			r.as("ana", "/coach tz Europe/Berlin")
			r.as("ana", "/coach remind checkin at 02:30")
			r.tick()
			r.runUntil(start.Add(72 * time.Hour))
			if n := len(r.sender.Sent()); n != 3 {
				t.Fatalf("sent %d check-in nudges over 3 days, want 3: %v", n, r.sentTitles())
			}
		})
	}
}

func TestFanOutAndSync(t *testing.T) {
	r := newRig(t, bottest.Start)
	for i := range 20 {
		r.as(fmt.Sprint("u", i), "/coach remind exercises at 09:30")
	}
	r.as("late", "/coach remind checkin at 09:30 weekdays")
	if err := r.sched.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.sched.Groups(); got != 2 {
		t.Fatalf("cron entries = %d, want one per group (2)", got)
	}
	r.clock.Set(bottest.Start.Add(30 * time.Minute))
	// Several triggers for the same minute, concurrently: still one row each.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, g := range []bot.ScheduleGroup{{TZ: "UTC", Time: 570, Days: bot.EveryDay}, {TZ: "UTC", Time: 570, Days: bot.WorkDays}} {
				if _, err := r.sched.Fire(ctx, g); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	r.sched.CatchUp(ctx)
	if got := r.outbox()[bot.OutboxPending]; got != 21 {
		t.Fatalf("pending rows = %d, want 21", got)
	}
	r.disp.Drain(ctx)
	if got := len(r.sender.Sent()); got != 21 {
		t.Fatalf("sent %d, want 21", got)
	}
	r.as("late", "/coach remind off all")
	if err := r.sched.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.sched.Groups(); got != 1 {
		t.Fatalf("cron entries after removal = %d, want 1", got)
	}
}

func TestCatchUpAfterOutage(t *testing.T) {
	tests := []struct {
		name        string
		outage      time.Duration
		wantSent    []string
		wantSkipped int
	}{
		// Down from 07:00; reminders at 07:30 and 08:15; back at 08:30 or 12:00.
		{"90 minutes: both sent once", 90 * time.Minute, []string{"a:Exercise time", "b:Pain check-in"}, 0},
		{"5 hours: older than 2h skipped and recorded", 5 * time.Hour, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
			r := newRig(t, start)
			r.as("a", "/coach remind exercises at 07:30")
			r.as("b", "/coach remind checkin at 08:15")
			r.runUntil(start.Add(time.Hour)) // processed up to 07:00, then the crash
			r.clock.Advance(tt.outage)
			r.tick()
			r.tick() // a second start-up pass must not repeat anything
			got := r.sentTitles()
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tt.wantSent, ",") {
				t.Errorf("sent %v, want %v", got, tt.wantSent)
			}
			if n := r.outbox()[bot.OutboxSkipped]; n != tt.wantSkipped {
				t.Errorf("skipped rows = %d, want %d", n, tt.wantSkipped)
			}
		})
	}
}

func TestNoCatchUpBeforeReminderExisted(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 5, 0, 0, time.UTC)
	r := newRig(t, start)
	r.tick()
	r.as("a", "/coach remind exercises at 08:00")
	r.runUntil(start.Add(10 * time.Minute))
	if n := len(r.sender.Sent()); n != 0 {
		t.Fatalf("a reminder set at 08:05 for 08:00 fired today: %v", r.sentTitles())
	}
}

func TestSendTimeSuppression(t *testing.T) {
	tests := []struct {
		name   string
		setup  []string
		reason string
	}{
		{"paused", []string{"/coach pause 2d"}, "paused"},
		{"paused indefinitely", []string{"/coach pause"}, "paused"},
		{"quiet hours", []string{"/coach quiet 09:00-10:00"}, "quiet hours"},
		{"already done today", []string{"/coach done"}, "already done today"},
		{"skipped today", []string{"/coach skip"}, "skipped today"},
		{"snoozed past the day", []string{"/coach snooze 1d"}, "snoozed"},
		{"reminder removed before it was due", []string{"/coach remind off exercises"}, ""},
		{"member forgot", []string{"/coach forget confirm"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			r.as("a", "/coach remind exercises at 09:30")
			r.tick()
			for _, cmd := range tt.setup {
				r.as("a", cmd)
			}
			r.runUntil(time.Date(2026, 3, 2, 9, 45, 0, 0, time.UTC))
			if n := len(r.sender.Sent()); n != 0 {
				t.Fatalf("nudge sent despite %s: %v", tt.name, r.sentTitles())
			}
			if tt.reason == "" {
				return
			}
			if n := r.outbox()[bot.OutboxSkipped]; n != 1 {
				t.Fatalf("skipped rows = %d, want 1 (%s)", n, tt.reason)
			}
		})
	}
}

func TestSnoozePostponesAndResumeBringsBack(t *testing.T) {
	r := newRig(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	r.as("a", "/coach remind checkin at 09:30")
	r.tick()
	r.as("a", "/coach snooze 1h")
	r.runUntil(time.Date(2026, 3, 2, 9, 59, 0, 0, time.UTC))
	if n := len(r.sender.Sent()); n != 0 {
		t.Fatalf("sent while snoozed: %v", r.sentTitles())
	}
	r.runUntil(time.Date(2026, 3, 2, 10, 1, 0, 0, time.UTC))
	if n := len(r.sender.Sent()); n != 1 {
		t.Fatalf("sent %d after snooze, want 1", n)
	}
	nudge := r.sender.Sent()[0].Reply
	if len(nudge.Buttons) != 11 || nudge.Buttons[4].Command != "pain 4" {
		t.Fatalf("check-in nudge buttons = %+v", nudge.Buttons)
	}
	// Pressing a quick score logs the check-in through the same handler.
	if reply := r.as("a", nudge.Buttons[4].Command); !strings.Contains(reply.Text, "Logged **4/10**") {
		t.Fatalf("quick score reply = %q", reply.Text)
	}
}

func TestExerciseNudgeButtonsAndStreak(t *testing.T) {
	r := newRig(t, time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC))
	r.as("a", "/coach remind exercises at 08:00")
	r.tick()
	for day := range 3 {
		r.runUntil(time.Date(2026, 3, 2+day, 8, 1, 0, 0, time.UTC))
		sent := r.sender.Sent()
		if len(sent) != day+1 {
			t.Fatalf("day %d: %d nudges", day, len(sent))
		}
		nudge := sent[day].Reply
		var commands []string
		for _, b := range nudge.Buttons {
			commands = append(commands, b.Command)
		}
		if strings.Join(commands, "|") != "coach done|coach snooze 1h|coach skip" {
			t.Fatalf("buttons = %v", commands)
		}
		if day == 2 && !strings.Contains(nudge.Text, "2-day streak") {
			t.Errorf("day 3 nudge lacks the streak line: %q", nudge.Text)
		}
		reply := r.as("a", "coach done")
		if day == 2 && !strings.Contains(reply.Text, "3 days in a row") {
			t.Errorf("done reply = %q", reply.Text)
		}
		if again := r.as("a", "coach done"); !strings.Contains(again.Text, "Already logged") {
			t.Errorf("second done = %q", again.Text)
		}
	}
}

func TestTapeCycleTimeline(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r := newRig(t, start)
	reply := r.as("a", "/coach tape on knee 4")
	if !strings.Contains(reply.Text, "Fri 6 Mar") {
		t.Fatalf("tape on reply = %q", reply.Text)
	}
	r.runUntil(start.Add(23 * time.Hour))
	if n := len(r.sender.Sent()); n != 0 {
		t.Fatalf("early tape nudge: %v", r.sentTitles())
	}
	r.runUntil(start.Add(24*time.Hour + time.Minute))
	if got := r.sentTitles(); len(got) != 1 || got[0] != "a:Skin check" {
		t.Fatalf("after 24h sent %v", got)
	}
	if status := r.as("a", "/coach tape status"); !strings.Contains(status.Text, "on for 1 day") {
		t.Fatalf("status = %q", status.Text)
	}
	r.runUntil(start.Add(96*time.Hour + time.Minute))
	if got := r.sentTitles(); len(got) != 2 || got[1] != "a:Time to take the tape off" {
		t.Fatalf("after 4 days sent %v", got)
	}
	// Re-taping replaces the cycle; taking it off cancels its reminders.
	r.as("a", "/coach tape on knee")
	r.as("a", "/coach tape on knee 3")
	if reply := r.as("a", "/coach tape off"); !strings.Contains(reply.Text, "knee") {
		t.Fatalf("tape off = %q", reply.Text)
	}
	r.runUntil(start.Add(10 * 24 * time.Hour))
	if n := len(r.sender.Sent()); n != 2 {
		t.Fatalf("reminders of removed tape were sent: %v", r.sentTitles())
	}
	if out := r.as("a", "/coach tape on knee 7"); !strings.Contains(out.Text, "outside the usual 3 to 5 days") {
		t.Errorf("no warning for 7 days: %q", out.Text)
	}
}

func TestTapeReminderWaitsOutQuietHours(t *testing.T) {
	start := time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC)
	r := newRig(t, start)
	r.as("a", "/coach quiet 22:00-07:00")
	r.as("a", "/coach tape on calf")
	r.runUntil(start.Add(24*time.Hour + time.Minute))
	if n := len(r.sender.Sent()); n != 0 {
		t.Fatalf("tape nudge sent in quiet hours: %v", r.sentTitles())
	}
	r.runUntil(time.Date(2026, 3, 4, 7, 1, 0, 0, time.UTC))
	if got := r.sentTitles(); len(got) != 1 || got[0] != "a:Skin check" {
		t.Fatalf("after quiet hours sent %v", got)
	}
}

func TestRateLimitRetriesWithoutLoss(t *testing.T) {
	r := newRig(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	calls := 0
	r.sender.Fail = func(bot.MemberKey, bot.Reply) error {
		calls++
		if calls%3 != 0 {
			return &bot.RateLimitedError{RetryAfter: 30 * time.Second}
		}
		return nil
	}
	for i := range 10 {
		r.as(fmt.Sprint("u", i), "/coach remind checkin at 09:30")
	}
	r.tick()
	r.runUntil(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	sent := map[string]int{}
	for _, s := range r.sender.Sent() {
		sent[s.To.User]++
	}
	if len(sent) != 10 {
		t.Fatalf("delivered to %d members, want 10", len(sent))
	}
	for u, n := range sent {
		if n != 1 {
			t.Errorf("%s got %d nudges", u, n)
		}
	}
	if st := r.outbox(); st[bot.OutboxSent] != 10 || st[bot.OutboxFailed] != 0 {
		t.Fatalf("outbox = %v", st)
	}
}

func TestTransientErrorsBackOffThenFail(t *testing.T) {
	r := newRig(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	r.sender.Fail = func(bot.MemberKey, bot.Reply) error { return errors.New("connection reset") }
	r.as("a", "/coach tape on knee 2")
	r.clock.Advance(48*time.Hour + time.Minute)
	r.tick()
	for range 10 {
		r.clock.Advance(time.Hour)
		r.tick()
	}
	if st := r.outbox(); st[bot.OutboxFailed] != 2 || st[bot.OutboxPending] != 0 {
		t.Fatalf("outbox = %v, want both tape rows failed after bounded attempts", st)
	}
	if b1, b3 := r.disp.Backoff(1), r.disp.Backoff(3); b1 != 30*time.Second || b3 != 2*time.Minute {
		t.Errorf("backoff(1)=%v backoff(3)=%v", b1, b3)
	}
}

func TestClosedDMDisablesMemberUntilTheyReturn(t *testing.T) {
	r := newRig(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	r.sender.Fail = func(bot.MemberKey, bot.Reply) error {
		return fmt.Errorf("discord 50007: %w", bot.ErrUnreachable)
	}
	r.as("a", "/coach remind checkin at 09:30")
	r.tick()
	r.runUntil(time.Date(2026, 3, 3, 9, 45, 0, 0, time.UTC))
	if st := r.outbox(); st[bot.OutboxFailed] != 1 || st[bot.OutboxSkipped] != 1 {
		t.Fatalf("outbox = %v: want one failed attempt, then the next day's nudge skipped", st)
	}
	reply := r.as("a", "/coach remind")
	if !strings.Contains(reply.Text, "could not message you") {
		t.Fatalf("member was not told: %q", reply.Text)
	}
	m, _ := r.db.Member(ctx, bot.MemberKey{Platform: bot.Console, Workspace: "local", User: "a"})
	if m.NudgesDisabled {
		t.Fatal("nudges still disabled after the member came back")
	}
}

// crashingStore fails to record a sent row, as if the process died between
// Send and the update.
type crashingStore struct {
	*sqlite.DB
	crashed bool
}

func (c *crashingStore) FinishOutbox(ctx context.Context, id int64, status bot.OutboxStatus, attempts int, at time.Time, note string) error {
	if status == bot.OutboxSent && !c.crashed {
		c.crashed = true
		return errors.New("process killed")
	}
	return c.DB.FinishOutbox(ctx, id, status, attempts, at, note)
}

func TestCrashBetweenSendAndMarkRepeatsOnlyThatMessage(t *testing.T) {
	r := newRig(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	for i := range 5 {
		r.as(fmt.Sprint("u", i), "/coach remind checkin at 09:30")
	}
	r.tick()
	r.clock.Set(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	r.sched.CatchUp(ctx)
	crashing := scheduler.NewDispatcher(&crashingStore{DB: r.db}, r.coach, map[bot.Platform]bot.Sender{bot.Console: r.sender},
		scheduler.DispatcherOptions{Clock: r.clock, Workers: 1, Batch: 1})
	// The first row is sent but not marked; the "crashed" dispatcher's
	// batch ends there.
	crashing.Drain(ctx)
	// After restart a fresh dispatcher drains the rest.
	r.tick()
	per := map[string]int{}
	for _, s := range r.sender.Sent() {
		per[s.To.User]++
	}
	repeats := 0
	for _, n := range per {
		repeats += n - 1
	}
	if len(per) != 5 || repeats > 1 {
		t.Fatalf("deliveries per member = %v: want all 5, at most one repeat", per)
	}
}

// TestRetryAfterStorm: 30% of sends answer 429 with Retry-After and 5% fail
// transiently; every nudge still arrives exactly once.
func TestRetryAfterStorm(t *testing.T) {
	members := 1000
	if testing.Short() {
		members = 200
	}
	db, clock, coach := dueFanOut(t, members)
	sender := &countingSender{seen: make([]atomic.Int32, members), fails: func(call int64) error {
		// A fixed pseudo-random pattern keeps the test deterministic.
		switch x := (call * 7919) % 100; {
		case x < 30:
			return &bot.RateLimitedError{RetryAfter: 2 * time.Second}
		case x < 35:
			return errors.New("502 bad gateway")
		}
		return nil
	}}
	disp := scheduler.NewDispatcher(db, coach, map[bot.Platform]bot.Sender{bot.Slack: sender},
		scheduler.DispatcherOptions{Clock: clock, Jitter: func() float64 { return 0 }, MaxAttempts: 20})
	// Each pass stops at the first 429 and waits out its Retry-After.
	for pass := 0; sender.sent.Load() < int64(members) && pass < 20*members; pass++ {
		if _, err := disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	for range 3 { // extra passes: nothing more may arrive
		if _, err := disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	for i := range members {
		if n := sender.seen[i].Load(); n != 1 {
			t.Fatalf("member %d got %d nudges", i, n)
		}
	}
	stats, _ := db.OutboxStats(ctx)
	if stats[bot.OutboxSent] != members {
		t.Fatalf("outbox = %v", stats)
	}
}

func TestRedFlagAlertsStaffOncePerDay(t *testing.T) {
	tests := []struct {
		name   string
		mode   string
		share  string
		alerts int
	}{
		{"team mode, member shares", "team", "yes", 2},
		{"team mode, member keeps private", "team", "no", 0},
		{"wellness mode names no one", "wellness", "yes", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			boss := bot.Request{Platform: bot.Console, Workspace: "local", User: "boss", IsAdmin: true}
			for _, cmd := range []string{"/coach team mode " + tt.mode, "/coach team alerts #trainers"} {
				boss.Text = cmd
				r.coach.Handle(ctx, boss)
			}
			r.as("a", "/coach start "+tt.share)
			r.as("a", "/pain 9 knee")
			r.tick()
			r.clock.Advance(2 * time.Hour)
			r.as("a", "/pain 9 knee") // same rule within 24h: no second alert
			r.tick()
			r.clock.Advance(23 * time.Hour)
			r.as("a", "/pain 9 knee")
			r.tick()
			var alerts []bottest.Sent
			for _, s := range r.sender.Sent() {
				if s.Channel != "" {
					alerts = append(alerts, s)
				}
			}
			if len(alerts) != tt.alerts {
				t.Fatalf("alerts = %d, want %d: %+v", len(alerts), tt.alerts, alerts)
			}
			for _, a := range alerts {
				if a.Channel != "trainers" || !strings.Contains(a.Reply.Text, "<@a>") || !strings.Contains(a.Reply.Text, "high score") {
					t.Errorf("alert = %+v", a)
				}
			}
		})
	}
}

func TestWeeklyDigestAndSummary(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) // a Sunday
	r := newRig(t, start)
	boss := bot.Request{Platform: bot.Console, Workspace: "local", User: "boss", IsAdmin: true, Text: "/coach team digest on mon 08:00"}
	if reply := r.coach.Handle(ctx, boss); !strings.Contains(reply.Text, "every Monday at 08:00") {
		t.Fatalf("digest on = %q", reply.Text)
	}
	if reply := r.as("a", "/coach summary on mon 08:00"); !strings.Contains(reply.Text, "Weekly summary on") {
		t.Fatalf("summary on = %q", reply.Text)
	}
	r.as("a", "/coach summary on mon,tue 08:00")
	r.as("a", "/pain 3 knee")
	r.tick()
	r.runUntil(start.Add(24 * time.Hour))
	got := r.sentTitles()
	sort.Strings(got)
	if strings.Join(got, ",") != "a:Your week,boss:Weekly team digest (team mode)" {
		t.Fatalf("sent %v", got)
	}
	boss.Text = "/coach team digest off"
	r.coach.Handle(ctx, boss)
	r.runUntil(start.Add(8 * 24 * time.Hour))
	if n := len(r.sender.Sent()); n != 3 {
		t.Fatalf("after digest off sent %v", r.sentTitles())
	}
}

func TestTeamReadinessPromptFansOutToConsentingMembers(t *testing.T) {
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	r := newRig(t, start)
	r.as("a", "/coach start yes")
	r.as("b", "/coach start no")
	r.as("c", "/pain 2")
	r.as("paused", "/coach start yes")
	r.as("paused", "/coach pause 2d")
	boss := bot.Request{Platform: bot.Console, Workspace: "local", User: "boss", IsAdmin: true, Text: "/coach team readiness at 08:00 weekdays"}
	if reply := r.coach.Handle(ctx, boss); !strings.Contains(reply.Text, "Team readiness prompt set") {
		t.Fatalf("schedule reply = %q", reply.Text)
	}
	r.tick()
	r.runUntil(start.Add(90 * time.Minute))
	if got := r.sentTitles(); strings.Join(got, ",") != "a:Daily readiness check-in" {
		t.Fatalf("sent %v, want only the consenting, unpaused member", got)
	}
	prompt := r.sender.Sent()[0].Reply
	if len(prompt.Buttons) != 5 || prompt.Buttons[0].Command != "coach readiness 1" {
		t.Fatalf("prompt buttons = %+v", prompt.Buttons)
	}
	r.as("a", "/coach readiness 4 4 4 4 4")
	// Answered before the next day's prompt? Then it is skipped.
	r.runUntil(start.Add(25 * time.Hour))
	if n := len(r.sender.Sent()); n != 2 {
		t.Fatalf("second day sent %v", r.sentTitles())
	}
}

// TestAnswersToANudge: right after a check-in nudge a bare number is the
// check-in; after an exercise nudge "yes" marks the day done; the context
// expires after 12 hours.
func TestAnswersToANudge(t *testing.T) {
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	r := newRig(t, start)
	say := func(text string) bot.Reply {
		return r.coach.Handle(ctx, bot.Request{Platform: bot.Console, Workspace: "local", User: "a", IsDM: true, Conversational: true, Text: text})
	}
	r.as("a", "/coach remind checkin at 08:00")
	r.as("a", "/coach remind exercises at 20:00")
	r.tick()
	r.runUntil(start.Add(70 * time.Minute))
	if reply := say("4 back stiff this morning"); !strings.Contains(reply.Text, "Logged **4/10** for your lower back") {
		t.Fatalf("answer to the check-in nudge = %q", reply.Text)
	}
	r.runUntil(start.Add(13*time.Hour + 10*time.Minute)) // the 20:00 exercise nudge
	if reply := say("👍"); !strings.Contains(reply.Text, "Logged today's exercises") {
		t.Fatalf("answer to the exercise nudge = %q", reply.Text)
	}
	if reply := say("5"); !strings.Contains(reply.Text, "Is that a pain score?") {
		t.Fatalf("a bare number after an exercise nudge = %q, want a hint", reply.Text)
	}
	r.clock.Advance(13 * time.Hour)
	if reply := say("yes"); strings.Contains(reply.Text, "Logged") {
		t.Fatalf("stale context still used: %q", reply.Text)
	}
}

func TestTeamLoadPromptAndStop(t *testing.T) {
	start := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
	r := newRig(t, start)
	r.as("a", "/coach start yes")
	r.as("b", "/coach start yes")
	r.as("b", "/coach load 6 60")
	boss := bot.Request{Platform: bot.Console, Workspace: "local", User: "boss", IsAdmin: true, Text: "/coach team load at 18:30"}
	r.coach.Handle(ctx, boss)
	r.tick()
	r.runUntil(start.Add(2 * time.Hour))
	if got := r.sentTitles(); strings.Join(got, ",") != "a:How was today's session?" {
		t.Fatalf("sent %v, want only the member who has not logged today", got)
	}
	boss.Text = "/coach team load off"
	if reply := r.coach.Handle(ctx, boss); !strings.Contains(reply.Text, "stopped") {
		t.Fatalf("stop reply = %q", reply.Text)
	}
	r.runUntil(start.Add(26 * time.Hour))
	if n := len(r.sender.Sent()); n != 1 {
		t.Fatalf("prompts after stop: %v", r.sentTitles())
	}
}

// dueFanOut seeds members subscribed to benchGroup, enqueues their nudges
// for one due minute, and returns the store, a clock at that minute and a
// Coach on both.
func dueFanOut(t *testing.T, members int) (*sqlite.DB, *bottest.Clock, *bot.Coach) {
	t.Helper()
	return dueFanOutIn(t, members, 50)
}

// dueFanOutIn is dueFanOut with the members spread over the given number
// of Slack workspaces.
func dueFanOutIn(t *testing.T, members, workspaces int) (*sqlite.DB, *bottest.Clock, *bot.Coach) {
	t.Helper()
	db := bottest.MustOpenStore(t)
	seedIn(t, db, members, workspaces)
	due := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	if _, err := db.EnqueueGroup(ctx, benchGroup, due, due, bot.OutboxPending, ""); err != nil {
		t.Fatal(err)
	}
	clock := bottest.NewClock(due)
	return db, clock, bot.NewCoach(bot.Config{Store: db, Clock: clock})
}
