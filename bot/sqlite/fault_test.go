package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// TestCheckInsDuringFanOutNeverFail runs many members' check-ins while a
// fan-out of a few thousand rows is enqueued and drained: SQLite has one
// writer, and no caller may see SQLITE_BUSY or any other error.
func TestCheckInsDuringFanOutNeverFail(t *testing.T) {
	subscribers, workers, each := 3000, 16, 60
	if testing.Short() {
		subscribers, each = 1500, 30
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "busy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	group := bot.ScheduleGroup{TZ: "UTC", Time: 7 * 60, Days: bot.EveryDay}
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range subscribers {
		k := key(fmt.Sprint("S", i))
		if _, _, err := db.EnsureMember(ctx, bot.Member{Key: k, TZ: "UTC", CreatedAt: created}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetSubscription(ctx, bot.Subscription{Member: k, Kind: bot.RemindCheckIn,
			Times: []bot.TimeOfDay{group.Time}, Days: group.Days, TZ: "UTC", CreatedAt: created}); err != nil {
			t.Fatal(err)
		}
	}
	for w := range workers {
		ensure(t, db, fmt.Sprint("W", w))
	}

	var wg sync.WaitGroup
	errs := make(chan error, workers*each+64)
	enqueued := make(chan struct{})
	// The fan-out: three due minutes' worth of rows, one transaction each.
	wg.Go(func() {
		defer close(enqueued)
		for d := range 3 {
			due := time.Date(2026, 3, 2+d, 7, 0, 0, 0, time.UTC)
			if _, err := db.EnqueueGroup(ctx, group, due, due, bot.OutboxPending, ""); err != nil {
				errs <- fmt.Errorf("enqueue: %w", err)
			}
		}
	})
	// The dispatcher's side: claim due rows and mark them sent.
	finished := 0
	wg.Go(func() {
		now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
		for {
			items, err := db.DueOutbox(ctx, now, 256, nil)
			if err != nil {
				errs <- fmt.Errorf("due outbox: %w", err)
				return
			}
			if len(items) == 0 {
				select {
				case <-enqueued:
					if items, err = db.DueOutbox(ctx, now, 1, nil); err == nil && len(items) == 0 {
						return
					}
				default:
				}
				continue
			}
			for _, it := range items {
				if err := db.FinishOutbox(ctx, it.ID, bot.OutboxSent, 1, now, ""); err != nil {
					errs <- fmt.Errorf("finish outbox: %w", err)
					return
				}
				finished++
			}
		}
	})
	for w := range workers {
		wg.Go(func() {
			k := key(fmt.Sprint("W", w))
			for i := range each {
				if _, err := db.AddCheckIn(ctx, bot.CheckIn{Member: k, Score: i % 11, Area: "knee", At: time.Unix(int64(1_700_000_000+i), 0)}); err != nil {
					errs <- fmt.Errorf("check-in: %w", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if finished != 3*subscribers {
		t.Errorf("finished %d outbox rows, want %d", finished, 3*subscribers)
	}
	for w := range workers {
		got, err := db.CheckIns(ctx, key(fmt.Sprint("W", w)), time.Time{})
		if err != nil || len(got) != each {
			t.Fatalf("W%d: %d check-ins, %v; want %d", w, len(got), err, each)
		}
	}
}

// unwritableCase is one way for the store's writes to fail.
type unwritableCase struct {
	name string
	// setup gets a store holding one member with one check-in; it breaks
	// writes and returns the store the coach should use and a context for
	// the request.
	setup func(t *testing.T, path string, db *sqlite.DB) (*sqlite.DB, context.Context)
}

// TestUnwritableStoreGivesAFriendlyReply: a /pain check-in against a store
// that cannot write answers with the friendly "nothing was saved" message,
// never SQL or driver text, and leaves no partial rows.
func TestUnwritableStoreGivesAFriendlyReply(t *testing.T) {
	member := key("U1")
	cases := []unwritableCase{
		{"closed", func(t *testing.T, _ string, db *sqlite.DB) (*sqlite.DB, context.Context) {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			return db, ctx
		}},
		{"locked by another process", func(t *testing.T, path string, db *sqlite.DB) (*sqlite.DB, context.Context) {
			// Another writer holds the lock past the request's deadline:
			// works as root, unlike file permissions. The writer waits out
			// its 10 s busy timeout whatever the request's deadline.
			if testing.Short() {
				t.Skip("waits out the 10 s busy timeout")
			}
			t.Cleanup(func() { db.Close() })
			other, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			other.SetMaxOpenConns(1)
			t.Cleanup(func() { other.Close() })
			conn, err := other.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				conn.ExecContext(ctx, "ROLLBACK")
				conn.Close()
			})
			rctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			t.Cleanup(cancel)
			return db, rctx
		}},
		{"read-only file", func(t *testing.T, path string, db *sqlite.DB) (*sqlite.DB, context.Context) {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Dir(path)
			for _, p := range []string{path, dir} {
				mode := os.FileMode(0o444)
				if p == dir {
					mode = 0o555
				}
				if err := os.Chmod(p, mode); err != nil {
					t.Fatal(err)
				}
			}
			t.Cleanup(func() {
				os.Chmod(dir, 0o755)
				os.Chmod(path, 0o644)
			})
			if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
				f.Close()
				t.Skip("running as root: file permissions do not stop writes")
			}
			ro, err := sqlite.Open(ctx, path)
			if err != nil {
				// Refusing to open is also safe: serve fails fast on it.
				t.Skipf("store refuses to open a read-only file (%v); serve fails at start instead", err)
			}
			t.Cleanup(func() { ro.Close() })
			return ro, ctx
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "coach.db")
			db, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			coach := bot.NewCoach(bot.Config{Store: db, Clock: fixedClock(clock), DefaultTZ: "UTC"})
			req := bot.Request{Platform: member.Platform, Workspace: member.Workspace, User: member.User, IsDM: true}
			req.Text = "/pain 4 knee"
			if r := coach.Handle(ctx, req); !strings.Contains(r.Text+r.Title, "4") {
				t.Fatalf("first check-in failed: %+v", r)
			}
			before := countCheckIns(t, path, member)

			store, rctx := tc.setup(t, path, db)
			coach = bot.NewCoach(bot.Config{Store: store, Clock: fixedClock(clock), DefaultTZ: "UTC"})
			req.Text = "/pain 6 knee sore after stairs"
			reply := coach.Handle(rctx, req)
			want := bot.ErrorMessage(bot.Errorf(bot.EINTERNAL, "x"))
			if got := reply.PlainText(); !strings.Contains(got, want) {
				t.Errorf("reply = %q, want the friendly %q", got, want)
			}
			for _, leak := range []string{"sql", "SQL", "database is", "INSERT", "constraint", "closed", "readonly", "locked"} {
				if strings.Contains(reply.PlainText(), leak) {
					t.Errorf("reply leaks %q: %q", leak, reply.PlainText())
				}
			}
			if reply.Visibility != bot.Private {
				t.Error("error reply is not private")
			}
			if after := countCheckIns(t, path, member); after != before {
				t.Errorf("check-ins on disk %d -> %d, want unchanged", before, after)
			}
		})
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// countCheckIns reads the file through a fresh store, waiting out any lock.
func countCheckIns(t *testing.T, path string, k bot.MemberKey) int {
	t.Helper()
	db, err := sqlite.OpenNoMigrate(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.CheckIns(ctx, k, time.Time{})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	return len(got)
}
