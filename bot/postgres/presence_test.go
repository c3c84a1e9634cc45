package postgres_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/postgres/pgtest"
)

// TestHeartbeatLetsOthersTakeOverADeadInstancesClaims: while both beat,
// each counts two instances and B cannot take A's claimed rows; once A's
// heartbeat is late (A killed), B takes them at once, long before A's
// lease ends, and A may no longer mark them sending. Leave counts an
// instance out at once.
func TestHeartbeatLetsOthersTakeOverADeadInstancesClaims(t *testing.T) {
	url := pgtest.SchemaURL(t)
	lease := time.Hour
	a := openOn(t, url, postgres.Options{Instance: "a", Lease: lease})
	b := openOn(t, url, postgres.Options{Instance: "b", Lease: lease})
	c := openOn(t, url, postgres.Options{Instance: "c", Lease: lease})
	raw := rawConn(t, url)
	ensure(t, a, key("U1"))
	enqueue(t, a, key("U1"), 2)
	now := t0.Add(time.Minute)

	for _, db := range []*postgres.DB{a, b} {
		if _, err := db.Heartbeat(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for name, db := range map[string]*postgres.DB{"a": a, "b": b} {
		if live, err := db.Heartbeat(ctx); err != nil || live != 2 {
			t.Errorf("%s: Heartbeat = %d, %v; want 2 instances", name, live, err)
		}
	}
	got, err := a.ClaimOutbox(ctx, now, 1, nil)
	if err != nil || len(got) != 1 {
		t.Fatalf("A's claim = %v, %v", ids(got), err)
	}
	if ok, err := a.MarkSending(ctx, got[0].ID, now); err != nil || !ok {
		t.Fatalf("A marks its row sending = %v, %v", ok, err)
	}
	if again, err := b.ClaimOutbox(ctx, now, 2, nil); err != nil || len(again) != 1 || again[0].ID == got[0].ID {
		t.Fatalf("B's claim while A beats = %v, %v; want only the other row", ids(again), err)
	}

	// A is killed: its heartbeat grows old while its lease has an hour to go.
	if _, err := raw.Exec(ctx, `UPDATE state SET value = (value::bigint - 10000)::text WHERE name = 'outbox.instance:a'`); err != nil {
		t.Fatal(err)
	}
	took, err := c.ClaimOutbox(ctx, now, 2, nil)
	if err != nil || len(took) != 1 || took[0].ID != got[0].ID || took[0].SendingAt.IsZero() {
		t.Fatalf("C's claim after A died = %+v, %v; want A's half-sent row %d", took, err, got[0].ID)
	}
	if live, err := b.Heartbeat(ctx); err != nil || live != 1 {
		t.Errorf("B counts %d instances, %v; want 1 once A is late", live, err)
	}
	// Had A only stalled, it must not send what the others may be sending.
	if _, err := raw.Exec(ctx, `UPDATE outbox SET claimed_by = 'a' WHERE id = $1`, got[0].ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := a.MarkSending(ctx, got[0].ID, now); err != nil || ok {
		t.Errorf("A marks a row sending while its heartbeat is late = %v, %v; want false", ok, err)
	}

	if _, err := c.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	if live, err := b.Heartbeat(ctx); err != nil || live != 1 {
		t.Errorf("B counts %d instances after C left, %v; want 1", live, err)
	}
}

// TestSharePacesReturnsLiveInstancesPaces: each instance's paces replace
// what it published before, and those of the other live instances come
// back; an instance whose heartbeat is late no longer counts, and other
// state is left alone.
func TestSharePacesReturnsLiveInstancesPaces(t *testing.T) {
	url := pgtest.SchemaURL(t)
	a := openOn(t, url, postgres.Options{Instance: "a"})
	b := openOn(t, url, postgres.Options{Instance: "b"})
	raw := rawConn(t, url)
	if err := a.SetState(ctx, "scheduler.last_processed", "2026-03-02T09:00:00Z"); err != nil {
		t.Fatal(err)
	}
	t1 := bot.OutboxScope{Platform: bot.Slack, Workspace: "T1"}
	discord := bot.OutboxScope{Platform: bot.Discord}
	type (
		m    = map[bot.OutboxScope]string
		want = map[bot.OutboxScope][]string
	)
	share := func(db *postgres.DB, paces m, want want) {
		t.Helper()
		if _, err := db.Heartbeat(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := db.SharePaces(ctx, paces)
		if err != nil || !cmp.Equal(got, want, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()) {
			t.Errorf("%s shares %v: got %v, %v; want %v", db.Instance(), paces, got, err, want)
		}
	}
	share(a, m{t1: "a1"}, nil)
	share(b, m{t1: "b1", discord: "b2"}, want{t1: {"a1"}})
	share(a, m{}, want{t1: {"b1"}, discord: {"b2"}})
	share(a, m{t1: "a3"}, want{t1: {"b1"}, discord: {"b2"}})
	share(b, m{t1: "b3"}, want{t1: {"a3"}})
	// B is killed: its heartbeat grows old.
	if _, err := raw.Exec(ctx, `UPDATE state SET value = (value::bigint - 10000)::text WHERE name = 'outbox.instance:b'`); err != nil {
		t.Fatal(err)
	}
	share(a, m{t1: "a4"}, nil)
	if err := a.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	share(b, m{}, nil)
	if v, err := a.State(ctx, "scheduler.last_processed"); err != nil || v == "" {
		t.Errorf("scheduler state = %q, %v; want it kept", v, err)
	}
}
