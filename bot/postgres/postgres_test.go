package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/postgres/pgtest"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// enqueue adds n pending rows for member k, one second apart from t0.
func enqueue(t testing.TB, db *postgres.DB, k bot.MemberKey, n int) []bot.OutboxItem {
	t.Helper()
	var out []bot.OutboxItem
	for i := range n {
		it := bot.OutboxItem{Member: k, Kind: bot.NudgeCheckIn, DedupeKey: fmt.Sprintf("%s:%d", k.User, i),
			NotBefore: t0.Add(time.Duration(i) * time.Second), Status: bot.OutboxPending, CreatedAt: t0}
		if ok, err := db.Enqueue(ctx, it); err != nil || !ok {
			t.Fatalf("enqueue %d = %v, %v", i, ok, err)
		}
		out = append(out, it)
	}
	return out
}

func ids(items []bot.OutboxItem) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestDueOutboxLeasesRowsToOneInstance(t *testing.T) {
	url := pgtest.SchemaURL(t)
	lease := 30 * time.Second
	a := openOn(t, url, postgres.Options{Instance: "a", Lease: lease})
	b := openOn(t, url, postgres.Options{Instance: "b", Lease: lease})
	raw := rawConn(t, url)
	ensure(t, a, key("U1"))
	want := enqueue(t, a, key("U1"), 3)
	now := t0.Add(time.Minute)

	got, err := a.DueOutbox(ctx, now, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(bot.OutboxItem{}, "ID")); diff != "" {
		t.Fatalf("A's claim (-want +got):\n%s", diff)
	}
	for i := 1; i < len(got); i++ {
		if got[i].ID <= got[i-1].ID {
			t.Fatalf("ids not ascending: %v", ids(got))
		}
	}
	for name, db := range map[string]*postgres.DB{"B": b, "A again": a} {
		if again, err := db.DueOutbox(ctx, now, 10, nil); err != nil || len(again) != 0 {
			t.Errorf("%s while A's lease holds = %v, %v; want nothing", name, ids(again), err)
		}
	}

	// A died: once its lease has run out, B takes the rows over.
	now = now.Add(lease)
	took, err := b.DueOutbox(ctx, now, 10, nil)
	if err != nil || !cmp.Equal(ids(took), ids(got)) {
		t.Fatalf("B after the lease = %v, %v; want %v", ids(took), err, ids(got))
	}
	var by string
	if err := raw.QueryRow(ctx, `SELECT claimed_by FROM outbox WHERE id = $1`, took[2].ID).Scan(&by); err != nil || by != "b" {
		t.Fatalf("claimed_by = %q, %v", by, err)
	}

	// A, had it only stalled, may not hand back or delay a row B now holds.
	if err := a.RetryOutbox(ctx, took[2].ID, now.Add(time.Hour), 1, "stale"); err != nil {
		t.Fatal(err)
	}
	var lastError string
	if err := raw.QueryRow(ctx, `SELECT claimed_by, last_error FROM outbox WHERE id = $1`, took[2].ID).Scan(&by, &lastError); err != nil || by != "b" || lastError != "" {
		t.Fatalf("after A's stale retry: claimed_by %q, last_error %q, %v; want B's claim untouched", by, lastError, err)
	}

	// Finishing and retrying release the claim.
	if err := b.FinishOutbox(ctx, took[0].ID, bot.OutboxSent, 1, now, ""); err != nil {
		t.Fatal(err)
	}
	retryAt := now.Add(time.Second)
	if err := b.RetryOutbox(ctx, took[1].ID, retryAt, 1, "429"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{took[0].ID, took[1].ID} {
		var until *int64
		if err := raw.QueryRow(ctx, `SELECT claimed_by, claimed_until FROM outbox WHERE id = $1`, id).Scan(&by, &until); err != nil || by != "" || until != nil {
			t.Errorf("row %d after finish/retry: claimed_by %q until %v, %v", id, by, until, err)
		}
	}
	// The retried row is A's at its new time; B still holds the third.
	got, err = a.DueOutbox(ctx, retryAt, 10, nil)
	if err != nil || !cmp.Equal(ids(got), []int64{took[1].ID}) || got[0].Attempts != 1 || got[0].LastError != "429" {
		t.Fatalf("A after retry = %+v, %v; want row %d", got, err, took[1].ID)
	}
	got, err = a.DueOutbox(ctx, now.Add(lease), 10, nil)
	if err != nil || !cmp.Equal(ids(got), []int64{took[2].ID}) {
		t.Fatalf("A after B's lease = %v, %v; want [%d]", ids(got), err, took[2].ID)
	}
}

func TestDueOutboxExcludesPlatforms(t *testing.T) {
	db := openTestDB(t, postgres.Options{})
	discord := bot.MemberKey{Platform: bot.Discord, Workspace: "G1", User: "D1"}
	ensure(t, db, key("U1"))
	ensure(t, db, discord)
	enqueue(t, db, key("U1"), 1)
	enqueue(t, db, discord, 1)
	got, err := db.DueOutbox(ctx, t0, 10, []bot.Platform{bot.Slack})
	if err != nil || len(got) != 1 || got[0].Member != discord {
		t.Fatalf("due without slack = %+v, %v", got, err)
	}
	got, err = db.DueOutbox(ctx, t0, 10, nil)
	if err != nil || len(got) != 1 || got[0].Member != key("U1") {
		t.Fatalf("due = %+v, %v; want the slack row only", got, err)
	}
}

func TestConcurrentClaimsNeverShareARow(t *testing.T) {
	url := pgtest.SchemaURL(t)
	dbs := []*postgres.DB{
		openOn(t, url, postgres.Options{Instance: "a"}),
		openOn(t, url, postgres.Options{Instance: "b"}),
	}
	const rows = 200
	ensure(t, dbs[0], key("U1"))
	enqueue(t, dbs[0], key("U1"), rows)
	now := t0.Add(time.Hour)

	var mu sync.Mutex
	claims := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		db := dbs[g%2]
		wg.Go(func() {
			for {
				got, err := db.DueOutbox(ctx, now, 7, nil)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, it := range got {
					claims[it.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(claims) != rows {
		t.Errorf("%d rows claimed, want %d", len(claims), rows)
	}
	for id, n := range claims {
		if n != 1 {
			t.Errorf("row %d claimed %d times", id, n)
		}
	}
}

func TestConcurrentOpensMigrateOnce(t *testing.T) {
	url := pgtest.SchemaURL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Go(func() {
			db, err := postgres.Open(ctx, url, postgres.Options{})
			if err != nil {
				errs <- err
				return
			}
			db.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rows, err := rawConn(t, url).Query(ctx, `SELECT version, COUNT(*) FROM schema_version GROUP BY version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	type applied struct{ Version, Count int }
	var got []applied
	for rows.Next() {
		var a applied
		if err := rows.Scan(&a.Version, &a.Count); err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var want []applied
	for v := 1; v <= postgres.LatestVersion(); v++ {
		want = append(want, applied{v, 1})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema_version (-want +got):\n%s", diff)
	}
}

func TestMigrationsAreVersioned(t *testing.T) {
	url := pgtest.SchemaURL(t)
	db, err := postgres.OpenNoMigrate(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.Version(ctx); err != nil || v != 0 {
		t.Fatalf("fresh version = %d, %v", v, err)
	}
	latest := postgres.LatestVersion()
	for range 2 {
		if v, err := db.Migrate(ctx); err != nil || v != latest || v < 1 {
			t.Fatalf("migrate = %d, %v (latest %d)", v, err, latest)
		}
	}
	if _, err := rawConn(t, url).Exec(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES ($1, 'future', 0)`, latest+1); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Migrate(ctx); err == nil || v != latest+1 {
		t.Errorf("migrate on a newer schema = %d, %v; want an error", v, err)
	}
	if _, err := postgres.Open(ctx, url, postgres.Options{}); err == nil {
		t.Error("open on a newer schema succeeded")
	}
}

func TestOpenRejectsABadURL(t *testing.T) {
	_, err := postgres.Open(ctx, "postgres://coach:secret@[::1", postgres.Options{})
	if err == nil {
		t.Fatal("open succeeded")
	}
	if msg := err.Error(); msg != "postgres: invalid database URL" {
		t.Errorf("error %q, want one that does not repeat the URL", msg)
	}
}

func TestInstanceDefaultsToHostAndPID(t *testing.T) {
	db := openTestDB(t, postgres.Options{})
	if db.Instance() == "" {
		t.Error("empty default instance")
	}
	if got := openTestDB(t, postgres.Options{Instance: "web-1"}).Instance(); got != "web-1" {
		t.Errorf("instance = %q", got)
	}
	if err := db.Ping(ctx); err != nil {
		t.Error(err)
	}
}

func TestCreateRacesHaveOneWinner(t *testing.T) {
	url := pgtest.SchemaURL(t)
	dbs := []*postgres.DB{openOn(t, url, postgres.Options{}), openOn(t, url, postgres.Options{})}
	const racers = 8
	type result struct {
		member    bot.Member
		created   bool
		workspace bot.Workspace
		hint      bool
		err       error
	}
	results := make([]result, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		db := dbs[i%2]
		wg.Go(func() {
			<-start
			r := &results[i]
			r.workspace, r.err = db.EnsureWorkspace(ctx, bot.Workspace{Platform: bot.Slack, ID: "T1", Privacy: bot.PrivacyTeam, MinGroupSize: 5, CreatedAt: t0.Add(time.Duration(i))})
			if r.err != nil {
				return
			}
			r.member, r.created, r.err = db.EnsureMember(ctx, bot.Member{Key: key("U1"), TZ: fmt.Sprint("Zone/", i), CreatedAt: t0})
			if r.err != nil {
				return
			}
			r.hint, r.err = db.ClaimHint(ctx, key("U1"), t0, t0.Add(-time.Hour))
		})
	}
	close(start)
	wg.Wait()
	created, hints := 0, 0
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("racer %d: %v", i, r.err)
		}
		if r.created {
			created++
		}
		if r.hint {
			hints++
		}
		if diff := cmp.Diff(results[0].workspace, r.workspace); diff != "" {
			t.Errorf("racer %d saw another workspace (-0 +%d):\n%s", i, i, diff)
		}
		if r.member.TZ != results[0].member.TZ {
			t.Errorf("racer %d saw zone %q, racer 0 %q", i, r.member.TZ, results[0].member.TZ)
		}
	}
	if created != 1 || hints != 1 {
		t.Errorf("%d racers created the member and %d claimed the hint; want 1 and 1", created, hints)
	}
}

func TestLeadFailsOverWhenTheLeaderIsCutOff(t *testing.T) {
	url := pgtest.SchemaURL(t)
	var cutters [2]pgtest.Cutter
	var dbs [2]*postgres.DB
	for i := range dbs {
		dbs[i] = openOn(t, url, postgres.Options{Instance: fmt.Sprint("i", i), DialFunc: cutters[i].Dial})
	}
	ctx, cancel := context.WithCancel(ctx)
	var running atomic.Int32
	var cut atomic.Bool
	started, stopped := make(chan int, 4), make(chan int, 4)
	problems := make(chan string, 8)
	done := make(chan error, 2)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			done <- db.Lead(ctx, "cron", 50*time.Millisecond, func(lctx context.Context) error {
				if n := running.Add(1); n > 1 && !cut.Load() {
					problems <- fmt.Sprintf("instance %d leads while %d others do", i, n-1)
				}
				if !db.Leading() {
					problems <- fmt.Sprintf("instance %d runs but Leading() is false", i)
				}
				started <- i
				<-lctx.Done()
				running.Add(-1)
				stopped <- i
				return lctx.Err()
			})
		})
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})

	first := bottest.Within(t, started, "a leader")
	if dbs[1-first].Leading() {
		t.Errorf("instance %d leads too", 1-first)
	}
	cut.Store(true)
	cutters[first].Cut()
	if got := bottest.Within(t, stopped, "the cut-off leader to stop"); got != first {
		t.Fatalf("instance %d stopped, want %d", got, first)
	}
	if got := bottest.Within(t, started, "a new leader"); got != 1-first {
		t.Fatalf("instance %d took over, want %d", got, 1-first)
	}
	cancel()
	if got := bottest.Within(t, stopped, "the new leader to stop"); got != 1-first {
		t.Fatalf("instance %d stopped, want %d", got, 1-first)
	}
	for range dbs {
		if err := bottest.Within(t, done, "Lead to return"); err != nil {
			t.Errorf("Lead = %v, want nil after cancel", err)
		}
	}
	close(problems)
	for p := range problems {
		t.Error(p)
	}
}

func TestLeadReturns(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name  string
		run   func(calls int, cancel func()) error
		want  error
		calls int
	}{
		{
			name: "run's error",
			run:  func(int, func()) error { return boom }, want: boom, calls: 1,
		},
		{
			name: "nil when ctx ends",
			run: func(_ int, cancel func()) error {
				cancel()
				return context.Canceled
			},
			calls: 1,
		},
		{
			name: "nil after competing again when run returns nil",
			run: func(calls int, cancel func()) error {
				if calls == 2 {
					cancel()
				}
				return nil
			},
			calls: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t, postgres.Options{})
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			calls := 0
			err := db.Lead(ctx, "cron", 10*time.Millisecond, func(context.Context) error {
				calls++
				return tt.run(calls, cancel)
			})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Lead = %v, want %v", err, tt.want)
			}
			if calls != tt.calls {
				t.Errorf("run called %d times, want %d", calls, tt.calls)
			}
			if db.Leading() {
				t.Error("Leading() after Lead returned")
			}
		})
	}
}
