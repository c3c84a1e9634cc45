package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

var ctx = context.Background()

func key(user string) bot.MemberKey {
	return bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: user}
}

func ensure(t *testing.T, db *sqlite.DB, user string) bot.Member {
	t.Helper()
	m, _, err := db.EnsureMember(ctx, bot.Member{Key: key(user), TZ: "UTC", CreatedAt: time.Unix(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDataSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coach.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ensure(t, db, "U1")
	at := time.Date(2026, 3, 1, 8, 30, 0, 123e6, time.UTC)
	if _, err := db.AddCheckIn(ctx, bot.CheckIn{Member: key("U1"), Score: 4, Area: "knee", Note: "ok", At: at}); err != nil {
		t.Fatal(err)
	}
	m, _ := db.Member(ctx, key("U1"))
	m.Quiet = bot.QuietHours{Set: true, Start: 22 * 60, End: 7 * 60}
	m.TZ = "Europe/Berlin"
	m.PausedUntil = at.Add(48 * time.Hour)
	if err := db.UpdateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.CheckIns(ctx, key("U1"), time.Time{})
	if err != nil || len(got) != 1 || got[0].Score != 4 || !got[0].At.Equal(at) {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	m2, err := db.Member(ctx, key("U1"))
	if err != nil || m2.TZ != "Europe/Berlin" || m2.Quiet != m.Quiet || !m2.PausedUntil.Equal(m.PausedUntil) {
		t.Fatalf("member after reopen: %+v, %v", m2, err)
	}
}

func TestMigrationsAreVersioned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coach.db")
	db, err := sqlite.OpenNoMigrate(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.Version(ctx); err != nil || v != 0 {
		t.Fatalf("fresh version = %d, %v", v, err)
	}
	v, err := db.Migrate(ctx)
	if err != nil || v != sqlite.LatestVersion() || v < 1 {
		t.Fatalf("migrate = %d, %v (latest %d)", v, err, sqlite.LatestVersion())
	}
	if again, err := db.Migrate(ctx); err != nil || again != v {
		t.Fatalf("second migrate = %d, %v", again, err)
	}
}

// TestConcurrentWritesNeverBusy drives the single writer from many
// goroutines; SQLITE_BUSY must never reach a caller.
func TestConcurrentWritesNeverBusy(t *testing.T) {
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const workers, each = 8, 50
	for w := range workers {
		ensure(t, db, fmt.Sprint("U", w))
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if _, err := db.AddCheckIn(ctx, bot.CheckIn{Member: key(fmt.Sprint("U", w)), Score: i % 11, At: time.Unix(int64(i), 0)}); err != nil {
					errs <- err
				}
				if _, err := db.CheckIns(ctx, key(fmt.Sprint("U", w)), time.Time{}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestBackupIsConsistentCopy(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ensure(t, db, "U1")
	for i := range 5 {
		db.AddCheckIn(ctx, bot.CheckIn{Member: key("U1"), Score: i, At: time.Unix(int64(i), 0)})
	}
	copyPath := filepath.Join(dir, "copy.db")
	if err := db.Backup(ctx, copyPath); err != nil {
		t.Fatal(err)
	}
	cp, err := sqlite.Open(ctx, copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	got, err := cp.CheckIns(ctx, key("U1"), time.Time{})
	if err != nil || len(got) != 5 {
		t.Fatalf("backup holds %d check-ins, %v", len(got), err)
	}
}
