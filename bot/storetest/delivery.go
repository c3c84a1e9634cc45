package storetest

import (
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// testClaimScopes: a claim leaves out a held workspace, or a whole
// platform, and nothing else.
func testClaimScopes(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	t1 := bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U1"}
	t2 := bot.MemberKey{Platform: bot.Slack, Workspace: "T2", User: "U1"}
	dc := bot.MemberKey{Platform: bot.Discord, Workspace: "T1", User: "U1"}
	for _, k := range []bot.MemberKey{t1, t2, dc} {
		addMember(t, s, k)
	}
	enqueue(t, s, t1, bot.NudgeCheckIn, "t1", at(time.Minute))
	enqueue(t, s, t2, bot.NudgeCheckIn, "t2", at(2*time.Minute))
	enqueue(t, s, dc, bot.NudgeCheckIn, "dc", at(3*time.Minute))
	now := at(time.Hour)
	items, err := s.ClaimOutbox(ctx, now, 10, []bot.OutboxScope{{Platform: bot.Slack, Workspace: "T1"}})
	ok(t, err)
	same(t, "without Slack T1", []string{"t2", "dc"}, keys(items))
	for _, it := range items {
		ok(t, s.RetryOutbox(ctx, it.ID, it.NotBefore, it.Attempts, ""))
	}
	items, err = s.ClaimOutbox(ctx, now, 10, []bot.OutboxScope{{Platform: bot.Discord}})
	ok(t, err)
	same(t, "without Discord", []string{"t1", "t2"}, keys(items))
	finish(t, s, items, bot.OutboxSent, now)
}

// testHalfSent: a row marked sending whose claim lapsed (its process died)
// comes back first, carrying when the send began; finishing clears it,
// and a finished row cannot be marked again.
func testHalfSent(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	a, b := slackKey("A"), slackKey("B")
	addMember(t, s, a)
	addMember(t, s, b)
	enqueue(t, s, a, bot.NudgeCheckIn, "early", at(time.Minute))
	enqueue(t, s, b, bot.NudgeCheckIn, "sending", at(5*time.Minute))
	now := at(10 * time.Minute)
	items, err := s.ClaimOutbox(ctx, now, 10, nil)
	ok(t, err)
	same(t, "claimed", []string{"early", "sending"}, keys(items))
	mine, err := s.MarkSending(ctx, items[1].ID, now)
	ok(t, err)
	if !mine {
		t.Fatal("MarkSending of a claimed pending row = false")
	}
	// The first row goes back untouched; the second is left half-sent.
	ok(t, s.RetryOutbox(ctx, items[0].ID, items[0].NotBefore, 0, ""))

	later := now.Add(10 * time.Minute) // every lease has run out
	again, err := s.ClaimOutbox(ctx, later, 1, nil)
	ok(t, err)
	same(t, "half-sent first", []string{"sending"}, keys(again))
	if !again[0].SendingAt.Equal(now) {
		t.Errorf("SendingAt = %v, want %v", again[0].SendingAt, now)
	}
	finish(t, s, again, bot.OutboxSent, later)
	mine, err = s.MarkSending(ctx, again[0].ID, later)
	ok(t, err)
	if mine {
		t.Error("MarkSending of a sent row = true")
	}
	rest, err := s.ClaimOutbox(ctx, later, 10, nil)
	ok(t, err)
	same(t, "the other row", []string{"early"}, keys(rest))
	if !rest[0].SendingAt.IsZero() {
		t.Errorf("a row never marked has SendingAt %v", rest[0].SendingAt)
	}
	// A retry clears a send in progress.
	mine, err = s.MarkSending(ctx, rest[0].ID, later)
	ok(t, err)
	if !mine {
		t.Fatal("MarkSending = false")
	}
	ok(t, s.RetryOutbox(ctx, rest[0].ID, later, 1, "429"))
	rest, err = s.ClaimOutbox(ctx, later.Add(time.Hour), 10, nil)
	ok(t, err)
	if len(rest) != 1 || !rest[0].SendingAt.IsZero() {
		t.Errorf("after a retry = %+v, want the row without SendingAt", rest)
	}
	finish(t, s, rest, bot.OutboxSent, later)
}

// testNextDue: the earliest pending row after now, if any.
func testNextDue(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	if _, found, err := s.NextDue(ctx, at(0)); err != nil || found {
		t.Fatalf("NextDue of an empty outbox = %v, %v", found, err)
	}
	enqueue(t, s, key, bot.NudgeCheckIn, "a", at(time.Minute))
	enqueue(t, s, key, bot.NudgeExercises, "b", at(5*time.Minute))
	for _, tc := range []struct {
		now  time.Time
		want time.Time
	}{{at(0), at(time.Minute)}, {at(2 * time.Minute), at(5 * time.Minute)}} {
		next, found, err := s.NextDue(ctx, tc.now)
		ok(t, err)
		if !found || !next.Equal(tc.want) {
			t.Errorf("NextDue(%v) = %v, %v; want %v", tc.now, next, found, tc.want)
		}
	}
	if _, found, err := s.NextDue(ctx, at(time.Hour)); err != nil || found {
		t.Errorf("NextDue after every row = %v, %v", found, err)
	}
}
