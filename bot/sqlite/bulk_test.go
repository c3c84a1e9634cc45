package sqlite_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

func importRows(n int, at bot.TimeOfDay) []bot.Subscription {
	subs := make([]bot.Subscription, n)
	for i := range subs {
		subs[i] = bot.Subscription{
			Member: key(fmt.Sprintf("U%d", i)), Kind: bot.RemindCheckIn,
			Times: []bot.TimeOfDay{at}, Days: bot.EveryDay, TZ: "UTC", CreatedAt: time.Unix(60, 0).UTC(),
		}
	}
	return subs
}

func TestImportSubscriptionsCreatesMembersAndGroups(t *testing.T) {
	db := bottest.MustOpenStore(t)
	subs := importRows(50, bot.TimeOfDay(9*60+30))
	subs[7].Times = []bot.TimeOfDay{bot.TimeOfDay(8 * 60), bot.TimeOfDay(20 * 60)}
	n, err := db.ImportSubscriptions(ctx, subs, true)
	if err != nil || n != 50 {
		t.Fatalf("import = %d, %v", n, err)
	}
	groups, err := db.ScheduleGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.ScheduleGroup{
		{TZ: "UTC", Time: bot.TimeOfDay(8 * 60), Days: bot.EveryDay},
		{TZ: "UTC", Time: bot.TimeOfDay(9*60 + 30), Days: bot.EveryDay},
		{TZ: "UTC", Time: bot.TimeOfDay(20 * 60), Days: bot.EveryDay},
	}
	if diff := cmp.Diff(want, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if _, err := db.Member(ctx, key("U49")); err != nil {
		t.Errorf("member U49 not created: %v", err)
	}
	got, err := db.Subscriptions(ctx, key("U7"))
	if err != nil || len(got) != 1 {
		t.Fatalf("subscriptions of U7 = %+v, %v", got, err)
	}
	subs[7].ID = got[0].ID
	if diff := cmp.Diff(subs[7], got[0]); diff != "" {
		t.Errorf("U7 (-want +got):\n%s", diff)
	}
	enq, err := db.EnqueueGroup(ctx, want[1], time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), time.Now(), bot.OutboxPending, "")
	if err != nil || enq != 49 {
		t.Errorf("enqueued %d rows (%v), want 49", enq, err)
	}
}

func TestImportSubscriptionsIsIdempotent(t *testing.T) {
	db := bottest.MustOpenStore(t)
	if _, err := db.ImportSubscriptions(ctx, importRows(10, bot.TimeOfDay(600)), true); err != nil {
		t.Fatal(err)
	}
	// Importing again moves everyone to a new time and keeps one reminder each.
	if _, err := db.ImportSubscriptions(ctx, importRows(10, bot.TimeOfDay(700)), true); err != nil {
		t.Fatal(err)
	}
	groups, err := db.ScheduleGroups(ctx)
	if err != nil || len(groups) != 1 || groups[0].Time != bot.TimeOfDay(700) {
		t.Fatalf("groups = %+v, %v", groups, err)
	}
	got, err := db.Subscriptions(ctx, key("U3"))
	if err != nil || len(got) != 1 {
		t.Fatalf("subscriptions = %+v, %v", got, err)
	}
}

func TestImportSubscriptionsRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func([]bot.Subscription)
		create bool
		code   bool
	}{
		{name: "unknown member without createMembers", mutate: func([]bot.Subscription) {}, create: false, code: true},
		{name: "incomplete key", mutate: func(s []bot.Subscription) { s[1].Member.User = "" }, create: true},
		{name: "no times", mutate: func(s []bot.Subscription) { s[2].Times = nil }, create: true},
		{name: "no zone", mutate: func(s []bot.Subscription) { s[0].TZ = "" }, create: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := bottest.MustOpenStore(t)
			subs := importRows(3, bot.TimeOfDay(600))
			tt.mutate(subs)
			n, err := db.ImportSubscriptions(ctx, subs, tt.create)
			if err == nil || n != 0 {
				t.Fatalf("import = %d, %v; want an error", n, err)
			}
			if tt.code && bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Errorf("error code = %v, want not_found (%v)", bot.ErrorCode(err), err)
			}
			if groups, _ := db.ScheduleGroups(ctx); len(groups) != 0 {
				t.Errorf("a failed import left groups %+v", groups)
			}
		})
	}
}

func TestImportSubscriptionsUsesExistingMembers(t *testing.T) {
	db := bottest.MustOpenStore(t)
	ensure(t, db, "U0")
	n, err := db.ImportSubscriptions(ctx, importRows(1, bot.TimeOfDay(600)), false)
	if err != nil || n != 1 {
		t.Fatalf("import = %d, %v", n, err)
	}
}
