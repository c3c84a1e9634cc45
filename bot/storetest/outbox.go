package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/recoverycoach/recoverycoach/bot"
)

func outboxTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"Outbox/EnqueueDedupes":           testEnqueue,
		"Outbox/DueHonoursNotBefore":      testDueNotBefore,
		"Outbox/DueOldestFirstWithLimit":  testDueOrderAndLimit,
		"Outbox/DueExcludesPlatforms":     testDueExclude,
		"Outbox/FinishOnlyPendingRows":    testFinishOutbox,
		"Outbox/RetryMovesTheRow":         testRetryOutbox,
		"Outbox/Stats":                    testOutboxStats,
		"Outbox/LastSentNudge":            testLastSentNudge,
		"Outbox/AlertedSince":             testAlertedSince,
		"Outbox/ClaimLeavesOutWorkspaces": testClaimScopes,
		"Outbox/HalfSentRowsComeFirst":    testHalfSent,
		"Outbox/NextDue":                  testNextDue,
	}
}

// enqueue adds a row for key and fails the test unless it is new.
func enqueue(t testing.TB, s Store, key bot.MemberKey, kind bot.NudgeKind, dedupe string, notBefore time.Time) {
	t.Helper()
	added, err := s.Enqueue(t.Context(), bot.OutboxItem{Member: key, Kind: kind, DedupeKey: dedupe, NotBefore: notBefore, CreatedAt: at(0)})
	ok(t, err)
	if !added {
		t.Fatalf("Enqueue(%q) = false for a new key", dedupe)
	}
}

// keys returns the dedupe keys of items, in order.
func keys(items []bot.OutboxItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.DedupeKey
	}
	return out
}

func testEnqueue(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	addMember(t, s, slackKey("U2"))
	in := bot.OutboxItem{Member: key, Kind: bot.NudgeCheckIn, DedupeKey: "checkin:7:29541600", NotBefore: at(time.Minute + 250*time.Millisecond), Ref: 7, CreatedAt: at(15 * time.Millisecond)}
	added, err := s.Enqueue(ctx, in)
	ok(t, err)
	if !added {
		t.Fatal("first Enqueue = false")
	}
	// The same key is refused whoever asks and whatever else differs.
	for _, again := range []bot.OutboxItem{
		in,
		{Member: slackKey("U2"), Kind: bot.NudgeExercises, DedupeKey: in.DedupeKey, NotBefore: at(0), CreatedAt: at(0)},
	} {
		added, err := s.Enqueue(ctx, again)
		ok(t, err)
		if added {
			t.Errorf("Enqueue of an existing key by %s = true", again.Member)
		}
	}
	same(t, "stats", map[bot.OutboxStatus]int{bot.OutboxPending: 1}, stats(t, s))
	items := due(t, s, at(time.Hour), 10)
	want := in
	want.Status = bot.OutboxPending
	same(t, "due row", []bot.OutboxItem{want}, items, cmpopts.IgnoreFields(bot.OutboxItem{}, "ID"))
	finish(t, s, items, bot.OutboxSent, at(time.Hour))

	// A finished row still holds its key.
	added, err = s.Enqueue(ctx, in)
	ok(t, err)
	if added {
		t.Error("Enqueue of a sent row's key = true")
	}
}

func testDueNotBefore(t *testing.T, open Opener) {
	s := open(t)
	key := slackKey("U1")
	addMember(t, s, key)
	enqueue(t, s, key, bot.NudgeCheckIn, "a", at(10*time.Minute))
	if items := due(t, s, at(10*time.Minute-time.Millisecond), 10); len(items) != 0 {
		finish(t, s, items, bot.OutboxFailed, at(0))
		t.Fatalf("due a millisecond early: %v", keys(items))
	}
	items := due(t, s, at(10*time.Minute), 10)
	same(t, "due exactly at not_before", []string{"a"}, keys(items))
	finish(t, s, items, bot.OutboxSent, at(10*time.Minute))
	if items := due(t, s, at(time.Hour), 10); len(items) != 0 {
		t.Errorf("a sent row is due again: %v", keys(items))
	}
}

func testDueOrderAndLimit(t *testing.T, open Opener) {
	s := open(t)
	a, b := slackKey("A"), slackKey("B")
	addMember(t, s, a)
	addMember(t, s, b)
	// Enqueued out of order; ties on not_before go by enqueue order.
	enqueue(t, s, a, bot.NudgeCheckIn, "third", at(3*time.Minute))
	enqueue(t, s, b, bot.NudgeCheckIn, "first", at(time.Minute))
	enqueue(t, s, a, bot.NudgeExercises, "second", at(2*time.Minute))
	enqueue(t, s, b, bot.NudgeExercises, "fourth", at(3*time.Minute))
	enqueue(t, s, a, bot.NudgeSummary, "later", at(time.Hour))

	now := at(5 * time.Minute)
	items := due(t, s, now, 2)
	same(t, "first batch", []string{"first", "second"}, keys(items))
	// Putting the batch back for later lets the rest through.
	for _, it := range items {
		ok(t, s.RetryOutbox(t.Context(), it.ID, at(30*time.Minute), it.Attempts+1, "busy"))
	}
	items = due(t, s, now, 2)
	same(t, "second batch", []string{"third", "fourth"}, keys(items))
	finish(t, s, items, bot.OutboxSent, now)
	items = due(t, s, now, 2)
	same(t, "nothing more due now", []string(nil), keys(items))
	finish(t, s, items, bot.OutboxSent, now)

	items = due(t, s, at(2*time.Hour), 10)
	same(t, "retried rows, then the late one", []string{"first", "second", "later"}, keys(items))
	finish(t, s, items, bot.OutboxSent, at(2*time.Hour))
}

func testDueExclude(t *testing.T, open Opener) {
	s := open(t)
	sl := slackKey("U1")
	dc := bot.MemberKey{Platform: bot.Discord, Workspace: "G1", User: "U1"}
	co := bot.MemberKey{Platform: bot.Console, Workspace: "local", User: "alice"}
	for _, k := range []bot.MemberKey{sl, dc, co} {
		addMember(t, s, k)
	}
	enqueue(t, s, dc, bot.NudgeCheckIn, "discord-1", at(time.Minute))
	enqueue(t, s, sl, bot.NudgeCheckIn, "slack-1", at(2*time.Minute))
	enqueue(t, s, co, bot.NudgeCheckIn, "console-1", at(3*time.Minute))
	enqueue(t, s, dc, bot.NudgeCheckIn, "discord-2", at(4*time.Minute))

	now := at(time.Hour)
	items := due(t, s, now, 10, bot.Discord)
	same(t, "without discord", []string{"slack-1", "console-1"}, keys(items))
	finish(t, s, items, bot.OutboxSent, now)
	items = due(t, s, now, 10, bot.Discord, bot.Console, bot.Slack)
	same(t, "every platform excluded", []string(nil), keys(items))
	items = due(t, s, now, 10)
	same(t, "nothing excluded", []string{"discord-1", "discord-2"}, keys(items))
	for _, it := range items {
		if it.Member != dc {
			t.Errorf("row %s belongs to %s, want %s", it.DedupeKey, it.Member, dc)
		}
	}
	finish(t, s, items, bot.OutboxSent, now)
}

func testFinishOutbox(t *testing.T, open Opener) {
	for _, status := range []bot.OutboxStatus{bot.OutboxSent, bot.OutboxSkipped, bot.OutboxFailed} {
		t.Run(string(status), func(t *testing.T) {
			s, ctx := open(t), t.Context()
			key := slackKey("U1")
			addMember(t, s, key)
			enqueue(t, s, key, bot.NudgeCheckIn, "a", at(0))
			enqueue(t, s, key, bot.NudgeExercises, "b", at(0))
			items := due(t, s, at(time.Minute), 10)
			same(t, "due", []string{"a", "b"}, keys(items))
			ok(t, s.FinishOutbox(ctx, items[0].ID, status, 1, at(time.Minute), "note"))
			ok(t, s.RetryOutbox(ctx, items[1].ID, at(time.Hour), 1, "later"))
			same(t, "stats after finishing", map[bot.OutboxStatus]int{status: 1, bot.OutboxPending: 1}, stats(t, s))

			// A finished row is left alone by a second finish or a retry.
			other := bot.OutboxFailed
			if status == bot.OutboxFailed {
				other = bot.OutboxSent
			}
			ok(t, s.FinishOutbox(ctx, items[0].ID, other, 5, at(2*time.Minute), "again"))
			ok(t, s.RetryOutbox(ctx, items[0].ID, at(time.Minute), 6, "retry"))
			same(t, "stats after touching a finished row", map[bot.OutboxStatus]int{status: 1, bot.OutboxPending: 1}, stats(t, s))
			items = due(t, s, at(2*time.Hour), 10)
			same(t, "due later", []string{"b"}, keys(items))
			finish(t, s, items, bot.OutboxSent, at(2*time.Hour))
			if items := due(t, s, at(3*time.Hour), 10); len(items) != 0 {
				t.Errorf("due after everything finished: %v", keys(items))
			}
		})
	}
}

func testRetryOutbox(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	enqueue(t, s, key, bot.NudgeCheckIn, "a", at(0))
	items := due(t, s, at(time.Minute), 10)
	if len(items) != 1 {
		t.Fatalf("due = %v, want one row", keys(items))
	}
	first := items[0]
	if first.Attempts != 0 || first.LastError != "" {
		t.Errorf("fresh row: attempts %d, last error %q", first.Attempts, first.LastError)
	}
	ok(t, s.RetryOutbox(ctx, first.ID, at(30*time.Minute+5*time.Millisecond), 2, "platform said 503"))
	if items := due(t, s, at(30*time.Minute+4*time.Millisecond), 10); len(items) != 0 {
		finish(t, s, items, bot.OutboxFailed, at(0))
		t.Fatalf("due before its new time: %v", keys(items))
	}
	items = due(t, s, at(30*time.Minute+5*time.Millisecond), 10)
	want := first
	want.NotBefore, want.Attempts, want.LastError = at(30*time.Minute+5*time.Millisecond), 2, "platform said 503"
	same(t, "retried row", []bot.OutboxItem{want}, items)
	// A retry to an earlier time makes it due at once.
	ok(t, s.RetryOutbox(ctx, first.ID, at(0), 3, "postponed"))
	items = due(t, s, at(31*time.Minute), 10)
	want.NotBefore, want.Attempts, want.LastError = at(0), 3, "postponed"
	same(t, "row retried for now", []bot.OutboxItem{want}, items)
	finish(t, s, items, bot.OutboxSent, at(31*time.Minute))
}

func testOutboxStats(t *testing.T, open Opener) {
	s := open(t)
	same(t, "stats of an empty outbox", map[bot.OutboxStatus]int{}, stats(t, s))
	key := slackKey("U1")
	addMember(t, s, key)
	for i := range 7 {
		enqueue(t, s, key, bot.NudgeCheckIn, fmt.Sprint("k", i), at(time.Duration(i)*time.Minute))
	}
	items := due(t, s, at(time.Hour), 10)
	if len(items) != 7 {
		t.Fatalf("%d rows due, want 7", len(items))
	}
	status := []bot.OutboxStatus{bot.OutboxSent, bot.OutboxSent, bot.OutboxSent, bot.OutboxSkipped, bot.OutboxFailed, bot.OutboxFailed}
	for i, it := range items {
		if i < len(status) {
			ok(t, s.FinishOutbox(t.Context(), it.ID, status[i], 1, at(time.Hour), ""))
		} else {
			ok(t, s.RetryOutbox(t.Context(), it.ID, at(2*time.Hour), 1, ""))
		}
	}
	want := map[bot.OutboxStatus]int{bot.OutboxSent: 3, bot.OutboxSkipped: 1, bot.OutboxFailed: 2, bot.OutboxPending: 1}
	same(t, "stats", want, stats(t, s))
}

func testLastSentNudge(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key, other := slackKey("U1"), slackKey("U2")
	addMember(t, s, key)
	addMember(t, s, other)
	if _, found, err := s.LastSentNudge(ctx, key); err != nil || found {
		t.Errorf("LastSentNudge with nothing sent: found %v, %v", found, err)
	}
	enqueue(t, s, key, bot.NudgeCheckIn, "checkin", at(0))
	enqueue(t, s, key, bot.NudgeReadiness, "readiness", at(time.Minute))
	enqueue(t, s, key, bot.NudgeExercises, "skipped", at(2*time.Minute))
	enqueue(t, s, key, bot.NudgeSummary, "failed", at(3*time.Minute))
	enqueue(t, s, key, bot.NudgeStaffAlert, "alert", at(4*time.Minute))
	enqueue(t, s, other, bot.NudgeLoad, "theirs", at(5*time.Minute))
	items := due(t, s, at(time.Hour), 10)
	byKey := map[string]bot.OutboxItem{}
	for _, it := range items {
		byKey[it.DedupeKey] = it
	}
	// Delivered out of order: the latest delivery counts, not the latest
	// row; skipped and failed rows and staff alerts do not count.
	done := map[string]struct {
		status bot.OutboxStatus
		at     time.Time
	}{
		"checkin":   {bot.OutboxSent, at(20*time.Minute + 7*time.Millisecond)},
		"readiness": {bot.OutboxSent, at(10 * time.Minute)},
		"skipped":   {bot.OutboxSkipped, at(30 * time.Minute)},
		"failed":    {bot.OutboxFailed, at(30 * time.Minute)},
		"alert":     {bot.OutboxSent, at(40 * time.Minute)},
		"theirs":    {bot.OutboxSent, at(50 * time.Minute)},
	}
	for _, it := range items {
		d := done[it.DedupeKey]
		ok(t, s.FinishOutbox(ctx, it.ID, d.status, 1, d.at, ""))
	}
	got, found, err := s.LastSentNudge(ctx, key)
	ok(t, err)
	if !found {
		t.Fatal("LastSentNudge found nothing")
	}
	want := byKey["checkin"]
	want.Status, want.DoneAt = bot.OutboxSent, at(20*time.Minute+7*time.Millisecond)
	// Attempts and LastError are the dispatcher's business, not this one's.
	same(t, "last sent nudge", want, got, cmpopts.IgnoreFields(bot.OutboxItem{}, "Attempts", "LastError"))
}

func testAlertedSince(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key, other := slackKey("U1"), slackKey("U2")
	addMember(t, s, key)
	addMember(t, s, other)
	flag, err := addRedFlag(t, s, bot.RedFlagEvent{Member: key, Rule: "numbness", At: at(0)})
	ok(t, err)
	_, err = addRedFlag(t, s, bot.RedFlagEvent{Member: other, Rule: "numbness", At: at(0)})
	ok(t, err)
	alerted := func(k bot.MemberKey, rule string, since time.Time) bool {
		t.Helper()
		got, err := s.AlertedSince(ctx, k, rule, since)
		ok(t, err)
		return got
	}
	if alerted(key, "numbness", at(-time.Hour)) {
		t.Error("alerted before any alert")
	}
	// A member nudge pointing at the same id is not an alert.
	_, err = s.Enqueue(ctx, bot.OutboxItem{Member: key, Kind: bot.NudgeCheckIn, DedupeKey: "not-an-alert", Ref: flag.ID, NotBefore: at(time.Hour), CreatedAt: at(time.Hour)})
	ok(t, err)
	if alerted(key, "numbness", at(-time.Hour)) {
		t.Error("a check-in nudge counted as an alert")
	}
	_, err = s.Enqueue(ctx, bot.OutboxItem{Member: key, Kind: bot.NudgeStaffAlert, DedupeKey: "alert", Ref: flag.ID, NotBefore: at(time.Hour), CreatedAt: at(time.Hour)})
	ok(t, err)
	tests := []struct {
		key   bot.MemberKey
		rule  string
		since time.Time
		want  bool
	}{
		{key, "numbness", at(-time.Hour), true},
		{key, "numbness", at(time.Hour), true},
		{key, "numbness", at(time.Hour + time.Millisecond), false},
		{key, "fever", at(-time.Hour), false},
		{other, "numbness", at(-time.Hour), false},
	}
	for _, tt := range tests {
		if got := alerted(tt.key, tt.rule, tt.since); got != tt.want {
			t.Errorf("AlertedSince(%s, %s, %v) = %v, want %v", tt.key.User, tt.rule, tt.since, got, tt.want)
		}
	}
}
