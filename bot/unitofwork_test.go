package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// failingStore fails one store method, to show a command leaves nothing
// behind when any step fails.
type failingStore struct {
	*sqlite.DB
	fail string
}

var errInjected = errors.New("injected failure")

func (s failingStore) WornTape(ctx context.Context, key bot.MemberKey) ([]bot.TapeCycle, error) {
	if s.fail == "WornTape" {
		return nil, errInjected
	}
	return s.DB.WornTape(ctx, key)
}

func (s failingStore) AlertedSince(ctx context.Context, key bot.MemberKey, rule string, since time.Time) (bool, error) {
	if s.fail == "AlertedSince" {
		return false, errInjected
	}
	return s.DB.AlertedSince(ctx, key, rule, since)
}

func (s failingStore) RecordCheckIn(ctx context.Context, rec bot.CheckInRecord) (bot.RecordedCheckIn, error) {
	if s.fail == "RecordCheckIn" {
		return bot.RecordedCheckIn{}, errInjected
	}
	return s.DB.RecordCheckIn(ctx, rec)
}

// TestCheckInIsOneUnitOfWork: whichever step of /pain fails, the member is
// told nothing was saved, and nothing was; their retry stores one row.
func TestCheckInIsOneUnitOfWork(t *testing.T) {
	for _, step := range []string{"WornTape", "AlertedSince", "RecordCheckIn"} {
		t.Run(step, func(t *testing.T) {
			db := bottest.MustOpenStore(t)
			clock := bottest.NewClock(bottest.Start)
			ctx := context.Background()
			store := &failingStore{DB: db}
			coach := bot.NewCoach(bot.Config{Store: store, Clock: clock, DefaultTZ: "UTC"})
			// Team mode with an alert channel and consent, so a score of 9
			// raises a red flag that alerts staff.
			staff := bot.Request{Platform: bot.Discord, Workspace: "G1", User: "coach", IsAdmin: true}
			member := bot.Request{Platform: bot.Discord, Workspace: "G1", User: "p1", IsDM: true}
			for _, text := range []string{"coach team mode team", "coach team alerts C1"} {
				staff.Text = text
				coach.Handle(ctx, staff)
			}
			member.Text = "coach start yes"
			coach.Handle(ctx, member)
			before, err := db.RowsOf(ctx, member.Member())
			if err != nil {
				t.Fatal(err)
			}
			store.fail = step
			member.Text = "pain 9 knee"
			if reply := coach.Handle(ctx, member); !strings.Contains(reply.Text, "nothing was saved") {
				t.Fatalf("reply = %q, want the truth: nothing was saved", reply.Text)
			}
			if after, _ := db.RowsOf(ctx, member.Member()); after != before {
				t.Fatalf("%d rows written by a failed check-in", after-before)
			}
			store.fail = ""
			clock.Advance(time.Second)
			if reply := coach.Handle(ctx, member); !strings.Contains(reply.Text, "9/10") {
				t.Fatalf("retry = %q", reply.Text)
			}
			data, err := db.MemberData(ctx, member.Member())
			if err != nil {
				t.Fatal(err)
			}
			if len(data.CheckIns) != 1 || len(data.RedFlags) != 1 {
				t.Errorf("after the retry: %d check-ins and %d red flags, want 1 and 1", len(data.CheckIns), len(data.RedFlags))
			}
			if alerted, _ := db.AlertedSince(ctx, member.Member(), "high-score", bottest.Start.Add(-time.Hour)); !alerted {
				t.Error("the retry did not alert staff")
			}
		})
	}
}

// TestRepeatedCheckInStoredOnce: a double tap, or a retried request with
// the same content, is one check-in, and the reply says so.
func TestRepeatedCheckInStoredOnce(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, nil)
	ctx := context.Background()
	coach.Handle(ctx, bottest.Request("pain 6 knee stairs"))
	clock.Advance(20 * time.Second)
	reply := coach.Handle(ctx, bottest.Request("pain 6 knee stairs"))
	if !strings.Contains(reply.Text, "kept just that one") {
		t.Errorf("repeat reply = %q", reply.Text)
	}
	clock.Advance(5 * time.Minute)
	coach.Handle(ctx, bottest.Request("pain 6 knee stairs"))
	got, err := db.CheckIns(ctx, bottest.Request("").Member(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("%d check-ins, want 2 (a repeat within two minutes is one)", len(got))
	}
}

// BenchmarkPainCheckIn is the cost of one durable /pain through
// Coach.Handle (parse, member lookups, history read, guidance, one
// transaction) on a SQLite file; BenchmarkBareCheckInInsert, its baseline,
// is the insert alone.
func BenchmarkPainCheckIn(b *testing.B) {
	// Every minute: the month's history grows with every check-in.
	// Twice a day: a keen member's real pace.
	for _, every := range []time.Duration{time.Minute, 12 * time.Hour} {
		b.Run("every-"+every.String(), func(b *testing.B) {
			coach, _, clock := bottest.NewCoach(b, nil)
			ctx := context.Background()
			coach.Handle(ctx, bottest.Request("pain 3 knee"))
			i := 0
			for b.Loop() {
				i++
				clock.Advance(every)
				coach.Handle(ctx, bottest.Request("pain "+[]string{"3", "4", "5"}[i%3]+" knee stiff after stairs"))
			}
		})
	}
}

func BenchmarkBareCheckInInsert(b *testing.B) {
	coach, db, clock := bottest.NewCoach(b, nil)
	ctx := context.Background()
	coach.Handle(ctx, bottest.Request("pain 3 knee"))
	key := bottest.Request("").Member()
	for b.Loop() {
		clock.Advance(time.Minute)
		if _, err := db.AddCheckIn(ctx, bot.CheckIn{Member: key, Score: 4, Area: "knee", Note: "stiff after stairs", At: clock.Now()}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPainEditReplacesTodaysCheckIn: /pain edit corrects the last check-in
// of today in place, its red flags and unsent staff alert with it.
func TestPainEditReplacesTodaysCheckIn(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, nil)
	ctx := context.Background()
	key := bottest.Request("").Member()
	if r := coach.Handle(ctx, bottest.Request("pain edit 4")); !strings.Contains(r.Text, "no check-in from today") {
		t.Errorf("edit with nothing to edit = %q", r.Text)
	}
	coach.Handle(ctx, bottest.Request("pain 9 knee stairs"))
	clock.Advance(time.Hour)
	reply := coach.Handle(ctx, bottest.Request("/pain edit 4 knee"))
	if !strings.Contains(reply.Text, "Corrected today's check-in: **4/10** for your knee (it was 9/10)") {
		t.Fatalf("edit reply = %q", reply.Text)
	}
	data, err := db.MemberData(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(data.CheckIns) != 1 || data.CheckIns[0].Score != 4 || data.CheckIns[0].Note != "stairs" {
		t.Errorf("check-ins after edit = %+v, want one 4/10 keeping its note", data.CheckIns)
	}
	if len(data.RedFlags) != 0 {
		t.Errorf("the 9/10 red flag survived the correction: %+v", data.RedFlags)
	}
	clock.Advance(24 * time.Hour)
	if r := coach.Handle(ctx, bottest.Request("coach edit 3")); !strings.Contains(r.Text, "no check-in from today") {
		t.Errorf("editing yesterday's = %q", r.Text)
	}
}
