package storetest

import (
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

func adapterTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"Adapter/SeenEvents":                   testSeenEvents,
		"Adapter/PruneEventsPrefix":            testPruneEventsPrefix,
		"Adapter/DMChannel":                    testDMChannel,
		"Adapter/MemberByDMChannelPrefersLast": testMemberByDMChannel,
	}
}

func testSeenEvents(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	seen := func(id string, now time.Time) bool {
		t.Helper()
		got, err := s.SeenEvent(ctx, id, now)
		ok(t, err)
		return got
	}
	if seen("Ev1", at(0)) {
		t.Error("a new event was seen before")
	}
	if !seen("Ev1", at(time.Minute)) {
		t.Error("a repeated event was not recognised")
	}
	if seen("Ev2", at(time.Hour)) {
		t.Error("another new event was seen before")
	}
	// Pruning forgets ids seen before the cut, and only those.
	ok(t, s.PruneEvents(ctx, at(time.Hour)))
	if seen("Ev1", at(2*time.Hour)) {
		t.Error("a pruned event is still remembered")
	}
	if !seen("Ev2", at(2*time.Hour)) {
		t.Error("an event seen exactly at the cut was pruned")
	}
}

// testPruneEventsPrefix prunes one kind of id early and leaves the rest,
// including ids that sort right next to the prefix.
func testPruneEventsPrefix(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	ids := []string{"sig:a", "sig:b", "sig:", "sig9", "sig;", "sif:z", "slack:event:1", "si"}
	for _, id := range ids {
		if _, err := s.SeenEvent(ctx, id, at(0)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SeenEvent(ctx, "sig:late", at(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ok(t, s.PruneEventsPrefix(ctx, "sig:", at(time.Minute)))
	for _, id := range append(ids, "sig:late") {
		gone := id == "sig:a" || id == "sig:b" || id == "sig:"
		seen, err := s.SeenEvent(ctx, id, at(2*time.Hour))
		ok(t, err)
		if seen == gone {
			t.Errorf("after pruning sig: before the cut, %q remembered = %v, want %v", id, seen, !gone)
		}
	}
}

func testDMChannel(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	channel := func(k bot.MemberKey) string {
		t.Helper()
		ch, err := s.DMChannel(ctx, k)
		ok(t, err)
		return ch
	}
	if ch := channel(key); ch != "" {
		t.Errorf("DM channel before any = %q", ch)
	}
	if ch := channel(slackKey("nobody")); ch != "" {
		t.Errorf("DM channel of an unknown member = %q", ch)
	}
	ok(t, s.SetDMChannel(ctx, key, "D1"))
	if ch := channel(key); ch != "D1" {
		t.Errorf("DM channel = %q, want D1", ch)
	}
	found, hit, err := s.MemberByDMChannel(ctx, bot.Slack, "D1")
	ok(t, err)
	if !hit || found != key {
		t.Errorf("MemberByDMChannel(D1) = %v, %v; want %v", found, hit, key)
	}
	for _, probe := range []struct {
		p  bot.Platform
		ch string
	}{{bot.Discord, "D1"}, {bot.Slack, "D2"}, {bot.Slack, ""}} {
		if found, hit, err := s.MemberByDMChannel(ctx, probe.p, probe.ch); err != nil || hit {
			t.Errorf("MemberByDMChannel(%s, %q) = %v, %v, %v; want not found", probe.p, probe.ch, found, hit, err)
		}
	}
	m, err := s.Member(ctx, key)
	ok(t, err)
	ok(t, s.UpdateMember(ctx, m))
	if ch := channel(key); ch != "D1" {
		t.Errorf("UpdateMember changed the DM channel to %q", ch)
	}

	ok(t, s.SetDMChannel(ctx, key, ""))
	if ch := channel(key); ch != "" {
		t.Errorf("cleared DM channel = %q", ch)
	}
	if found, hit, err := s.MemberByDMChannel(ctx, bot.Slack, "D1"); err != nil || hit {
		t.Errorf("MemberByDMChannel of a cleared channel = %v, %v, %v", found, hit, err)
	}
}

// testMemberByDMChannel: one Discord user in two guilds has one DM
// channel; an answer there belongs to the membership nudged last.
func testMemberByDMChannel(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	g1 := bot.MemberKey{Platform: bot.Discord, Workspace: "G1", User: "U1"}
	g2 := bot.MemberKey{Platform: bot.Discord, Workspace: "G2", User: "U1"}
	for _, k := range []bot.MemberKey{g1, g2} {
		addMember(t, s, k)
		ok(t, s.SetDMChannel(ctx, k, "DM1"))
	}
	// send delivers one nudge to k at when.
	send := func(k bot.MemberKey, dedupe string, status bot.OutboxStatus, when time.Time) {
		t.Helper()
		enqueue(t, s, k, bot.NudgeCheckIn, dedupe, at(0))
		items := due(t, s, when, 10)
		for _, it := range items {
			ok(t, s.FinishOutbox(ctx, it.ID, status, 1, when, ""))
		}
		if len(items) != 1 {
			t.Fatalf("%d rows due, want 1", len(items))
		}
	}
	owner := func() bot.MemberKey {
		t.Helper()
		k, found, err := s.MemberByDMChannel(ctx, bot.Discord, "DM1")
		ok(t, err)
		if !found {
			t.Fatal("MemberByDMChannel(DM1) found nobody")
		}
		return k
	}
	if k := owner(); k != g1 && k != g2 {
		t.Errorf("owner before any nudge = %v", k)
	}
	steps := []struct {
		to     bot.MemberKey
		status bot.OutboxStatus
		when   time.Time
		want   bot.MemberKey
	}{
		{g2, bot.OutboxSent, at(time.Minute), g2},
		{g1, bot.OutboxSent, at(2 * time.Minute), g1},
		{g2, bot.OutboxSent, at(3 * time.Minute), g2},
		// Only delivered nudges count.
		{g1, bot.OutboxFailed, at(4 * time.Minute), g2},
		{g1, bot.OutboxSkipped, at(5 * time.Minute), g2},
	}
	for i, st := range steps {
		send(st.to, "n"+string(rune('a'+i)), st.status, st.when)
		if k := owner(); k != st.want {
			t.Errorf("step %d: owner = %v, want %v", i, k, st.want)
		}
	}
}
