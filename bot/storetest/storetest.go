// Package storetest is the contract every store implementation must meet:
// one suite of behaviour tests, run by bot/sqlite and bot/postgres against
// their own store, so the two cannot drift apart.
//
// The suite speaks to the Store interface only. Times are fixed, and a
// store must round-trip them at millisecond precision. A store may lease
// the rows DueOutbox returns (PostgreSQL does, so that several instances
// can dispatch) or not (SQLite): the tests therefore finish or retry every
// row DueOutbox hands out before asking again, and never assert either way
// whether a returned but unfinished row would be returned twice.
package storetest

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Store is everything the bot asks of storage: the core's bot.Store plus
// what the scheduler, the dispatcher and the adapters use.
type Store interface {
	bot.Store
	bot.InstallationStore

	// Scheduler.
	ScheduleGroups(ctx context.Context) ([]bot.ScheduleGroup, error)
	EnqueueGroup(ctx context.Context, g bot.ScheduleGroup, due, now time.Time, status bot.OutboxStatus, note string) (int, error)
	State(ctx context.Context, name string) (string, error)
	SetState(ctx context.Context, name, value string) error

	// Dispatcher.
	DueOutbox(ctx context.Context, now time.Time, limit int, exclude []bot.Platform) ([]bot.OutboxItem, error)
	ClaimOutbox(ctx context.Context, now time.Time, limit int, exclude []bot.OutboxScope) ([]bot.OutboxItem, error)
	MarkSending(ctx context.Context, id int64, at time.Time) (bool, error)
	NextDue(ctx context.Context, now time.Time) (time.Time, bool, error)
	FinishOutbox(ctx context.Context, id int64, status bot.OutboxStatus, attempts int, at time.Time, note string) error
	RetryOutbox(ctx context.Context, id int64, notBefore time.Time, attempts int, note string) error
	OutboxStats(ctx context.Context) (map[bot.OutboxStatus]int, error)

	// Adapters.
	SeenEvent(ctx context.Context, id string, now time.Time) (bool, error)
	PruneEvents(ctx context.Context, before time.Time) error
	PruneEventsPrefix(ctx context.Context, prefix string, before time.Time) error
	DMChannel(ctx context.Context, key bot.MemberKey) (string, error)
	SetDMChannel(ctx context.Context, key bot.MemberKey, channel string) error
	MemberByDMChannel(ctx context.Context, p bot.Platform, channel string) (bot.MemberKey, bool, error)

	// Operations.
	ImportSubscriptions(ctx context.Context, subs []bot.Subscription, createMembers bool) (int, error)
	Workspace(ctx context.Context, p bot.Platform, id string) (bot.Workspace, error)
	RowsOf(ctx context.Context, key bot.MemberKey) (int, error)
	Ping(ctx context.Context) error
	Version(ctx context.Context) (int, error)
}

// Opener returns a new, empty, migrated store for one test; the opener
// closes it when the test ends.
type Opener func(t testing.TB) Store

// Run runs the whole contract against stores made by open. Every test
// opens its own store, so they run in parallel.
func Run(t *testing.T, open Opener) {
	t.Helper()
	all := tests()
	for _, name := range slices.Sorted(maps.Keys(all)) {
		test := all[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, open)
		})
	}
}

// tests lists the contract, by name.
func tests() map[string]func(*testing.T, Opener) {
	out := map[string]func(*testing.T, Opener){}
	for _, part := range []map[string]func(*testing.T, Opener){
		memberTests(), activityTests(), scheduleTests(), outboxTests(), teamTests(), adapterTests(), installationTests(), planTests(), conversationTests(), pauseTests(), channelTests(),
	} {
		maps.Copy(out, part)
	}
	return out
}

// at is a fixed instant, a Monday morning, moved by offset.
func at(offset time.Duration) time.Time {
	return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Add(offset)
}

// slackKey is a member of the Slack workspace T1.
func slackKey(user string) bot.MemberKey {
	return bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: user}
}

// addMember creates a member in UTC and returns it as stored.
func addMember(t testing.TB, s Store, key bot.MemberKey) bot.Member {
	t.Helper()
	m, _, err := s.EnsureMember(t.Context(), bot.Member{Key: key, TZ: "UTC", CreatedAt: at(0)})
	if err != nil {
		t.Fatalf("ensure member %s: %v", key, err)
	}
	return m
}

// update saves the member after change and returns it as stored.
func update(t testing.TB, s Store, key bot.MemberKey, change func(*bot.Member)) bot.Member {
	t.Helper()
	m, err := s.Member(t.Context(), key)
	if err != nil {
		t.Fatalf("member %s: %v", key, err)
	}
	change(&m)
	if err := s.UpdateMember(t.Context(), m); err != nil {
		t.Fatalf("update member %s: %v", key, err)
	}
	m, err = s.Member(t.Context(), key)
	if err != nil {
		t.Fatalf("member %s: %v", key, err)
	}
	return m
}

// ok fails the test now on an error.
func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// same reports a difference between want and got; nil and empty slices
// are the same thing.
func same(t testing.TB, what string, want, got any, opts ...cmp.Option) {
	t.Helper()
	if d := cmp.Diff(want, got, append(opts, cmpopts.EquateEmpty())...); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

// wantCode checks an error's bot.ErrorCode.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := bot.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

// stats returns the outbox counts without the zero ones, so that a store
// listing every status and one listing only those present compare equal.
func stats(t testing.TB, s Store) map[bot.OutboxStatus]int {
	t.Helper()
	got, err := s.OutboxStats(t.Context())
	ok(t, err)
	maps.DeleteFunc(got, func(_ bot.OutboxStatus, n int) bool { return n == 0 })
	return got
}

// due returns the rows due at now; the caller must finish or retry every
// one before asking again.
func due(t testing.TB, s Store, now time.Time, limit int, exclude ...bot.Platform) []bot.OutboxItem {
	t.Helper()
	items, err := s.DueOutbox(t.Context(), now, limit, exclude)
	ok(t, err)
	return items
}

// finish marks every item with status at the given time.
func finish(t testing.TB, s Store, items []bot.OutboxItem, status bot.OutboxStatus, when time.Time) {
	t.Helper()
	for _, it := range items {
		ok(t, s.FinishOutbox(t.Context(), it.ID, status, it.Attempts+1, when, ""))
	}
}
