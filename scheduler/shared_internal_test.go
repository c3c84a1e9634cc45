package scheduler

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// TestSharedPaceIsSetFromEveryInstance: a shared 429 on one of three
// instances sets the pace from what all of them delivered (90, 150 and
// this one's 60 msg/s: 100 each, not just the others'), and
// stops probing at it only when this instance's measure was trusted. An
// instance publishes what it achieved over its last whole second, and
// nothing while it is held: a window with a hold in it would count the
// hold's time as refused and understate the limit for all of them. A
// decrease with nothing measured anywhere is not published.
func TestSharedPaceIsSetFromEveryInstance(t *testing.T) {
	id := keyID{platform: bot.Slack, workspace: "T0"}
	for _, trusted := range []bool{true, false} {
		d := NewDispatcher(nil, nil, nil, DispatcherOptions{})
		d.instances = 3
		now := d.pace.Now()
		k := &keyState{id: id, pace: newAdaptiveRate(100, now.Add(-5*time.Second)), queue: []bot.OutboxItem{{ID: 1}}}
		d.keys[id] = k
		succeed(k.pace, now.Add(-2*time.Second), 90, 2)

		r := &run{d: d}
		if got := r.sharedPaces()[id.scope()].achieved; math.Abs(got-90) > 2 {
			t.Errorf("published %.1f msg/s achieved, want about 90", got)
		}
		k.holding = true
		if got := r.sharedPaces()[id.scope()].achieved; got != 0 {
			t.Errorf("published %.1f msg/s achieved while held, want none", got)
		}

		r.presence = &presence{others: map[bot.OutboxScope]senders{id.scope(): {sum: 90 + 150, n: 2, measured: 2}}}
		r.lowered(k, rateChange{Shared: true, Measured: 60, Trusted: trusted})
		if k.pace.limit != 100 || k.pace.Rate() != backoff*100 {
			t.Errorf("trusted %v: rate %.1f, limit %.1f; want %v and 100 (a third of 90, 150 and 60)", trusted, k.pace.Rate(), k.pace.limit, backoff*100)
		}
		if left := k.pace.capLeft(d.pace.Now()); (left > 0) != trusted {
			t.Errorf("trusted %v: probing stopped at the limit for %s", trusted, left)
		}
		if k.decreased.IsZero() {
			t.Errorf("trusted %v: the decrease is not published for the others to take up", trusted)
		}
	}

	// With nothing measured anywhere (every instance just held), the
	// decrease is a guess the others do not take up.
	d := NewDispatcher(nil, nil, nil, DispatcherOptions{})
	d.instances = 3
	k := &keyState{id: id, pace: newAdaptiveRate(100, d.pace.Now())}
	r := &run{d: d, presence: &presence{others: map[bot.OutboxScope]senders{}}}
	r.lowered(k, rateChange{Shared: true, From: 100, To: 50})
	if !k.decreased.IsZero() {
		t.Error("a decrease with nothing measured was published")
	}
}

// TestSharedDecreaseCountsEachInstanceForWhatItSends: what the others
// publish, read at a heartbeat, adds up to what the platform let through.
// An instance that sends less than its share counts for what it sends
// (44 msg/s), and one held after a 429 of its own, with no whole second
// to tell, for its pace (120): with this one's 130, 98 each. Taken as the
// mean of the two measures (87 each), the instance that started late would
// pull the others down to its level.
func TestSharedDecreaseCountsEachInstanceForWhatItSends(t *testing.T) {
	id := keyID{platform: bot.Slack, workspace: "T0"}
	clock := &simClock{now: time.Date(2026, 3, 2, 8, 0, 5, 0, time.UTC)}
	board := &simBoard{paces: []map[bot.OutboxScope]string{
		nil,
		{id.scope(): sharedPace{rate: 3 * 46, achieved: 44}.String()},
		{id.scope(): sharedPace{rate: 3 * 120}.String()},
	}}
	d := NewDispatcher(nil, nil, nil, DispatcherOptions{Clock: clock, Rates: map[bot.Platform]float64{bot.Slack: 1000}})
	r := &run{d: d, presence: &presence{store: simPresence{board, 0}, next: clock.now}}
	r.beat(context.Background())
	k := r.key(id)
	if got := k.pace.Rate(); math.Abs(got-1000.0/3) > 1e-9 {
		t.Fatalf("a new key paced at %.1f, want its share of the ceiling", got)
	}
	r.lowered(k, rateChange{Shared: true, Measured: 130})
	if math.Abs(k.pace.limit-98) > 1e-9 || math.Abs(k.pace.Rate()-backoff*98) > 1e-9 {
		t.Errorf("rate %.2f, limit %.2f; want %.2f and 98", k.pace.Rate(), k.pace.limit, backoff*98)
	}
}

// TestFollowingAnUntrustedDecreaseDropsTheOldCap: an instance capped at a
// limit it measured itself, which then follows another instance's later
// decrease made without a trusted measure, is no longer capped. Seen with
// three instances: the follower stayed at 98% of the new, lower limit for
// twelve seconds while the other two probed past it.
func TestFollowingAnUntrustedDecreaseDropsTheOldCap(t *testing.T) {
	id := keyID{platform: bot.Slack, workspace: "T0"}
	d := NewDispatcher(nil, nil, nil, DispatcherOptions{})
	d.instances = 3
	now := d.pace.Now()
	k := &keyState{id: id, pace: newAdaptiveRate(1000, now.Add(-5*time.Second)), queue: []bot.OutboxItem{{ID: 1}}}
	d.keys[id] = k
	k.pace.adopt(70, 71, limitHold, now)
	k.decreased = d.opts.Clock.Now()
	if k.pace.capLeft(now) == 0 {
		t.Fatal("a trusted decrease did not cap probing")
	}

	later := d.opts.Clock.Now().Add(300 * time.Millisecond)
	r := &run{d: d, presence: &presence{latest: map[bot.OutboxScope]sharedPace{
		id.scope(): {rate: 3 * 84.6, limit: 3 * 89, decreased: later},
	}}}
	r.follow(k)
	if math.Abs(k.pace.Rate()-84.6) > 1e-9 || math.Abs(k.pace.limit-89) > 1e-9 {
		t.Fatalf("rate %.1f, limit %.1f after following; want 84.6 and 89", k.pace.Rate(), k.pace.limit)
	}
	if left := k.pace.capLeft(now); left > 0 {
		t.Errorf("still capped for %s at a limit no instance trusted", left)
	}
	// Sending at the pace for a while, the rate rises past the old cap.
	succeed(k.pace, now, 85, 3)
	if k.pace.Rate() <= capShare*89 {
		t.Errorf("rate %.1f after three seconds at the pace, want above %.1f", k.pace.Rate(), capShare*89)
	}
}
