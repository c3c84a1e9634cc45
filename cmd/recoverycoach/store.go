package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// database is what the binary needs of a store, whichever engine holds it.
type database interface {
	bot.Store
	bot.InstallationStore
	scheduler.Store
	scheduler.OutboxStore
	SeenEvent(ctx context.Context, id string, now time.Time) (bool, error)
	DMChannel(ctx context.Context, key bot.MemberKey) (string, error)
	SetDMChannel(ctx context.Context, key bot.MemberKey, channel string) error
	MemberByDMChannel(ctx context.Context, p bot.Platform, channel string) (bot.MemberKey, bool, error)
	OutboxStats(ctx context.Context) (map[bot.OutboxStatus]int, error)
	PruneEvents(ctx context.Context, before time.Time) error
	PruneEventsPrefix(ctx context.Context, prefix string, before time.Time) error
	Ping(ctx context.Context) error
	Version(ctx context.Context) (int, error)
	Migrate(ctx context.Context) (int, error)
	Close() error
}

// elector is offered by a store that several instances share: Lead runs
// run only while this instance holds the leadership, so exactly one
// instance fires cron triggers.
type elector interface {
	Lead(ctx context.Context, name string, poll time.Duration, run func(ctx context.Context) error) error
	Leading() bool
}

// backuper copies a live database to a file (SQLite's VACUUM INTO).
type backuper interface {
	Backup(ctx context.Context, path string) error
}

// Settings of the shared (PostgreSQL) mode.
const (
	// leaderPoll is how often a standby instance tries for the leadership,
	// and so bounds how long cron triggers pause when the leader dies.
	leaderPoll = 2 * time.Second
	// sharedBatch keeps each instance's claim small, so a burst spreads over
	// every instance and a crash strands few rows.
	sharedBatch = 16
	// sharedPoll is how often every instance looks for due rows.
	sharedPoll = time.Second
	// sharedSweep re-reads reminders set through other instances this often.
	sharedSweep = time.Minute
	// minLease is the shortest claim on outbox rows.
	minLease = 30 * time.Second
)

// claimLease is how long a claimed batch stays with one instance: long
// enough to send the whole batch at the slowest configured rate, so a live
// instance never loses rows it is still working through.
func claimLease(cfg config) time.Duration {
	slowest := min(cfg.SlackRPS, cfg.DiscordRPS)
	return max(minLease, time.Duration(4*float64(sharedBatch)/slowest*float64(time.Second)))
}

// openStore opens (and migrates) the store COACH_DB names.
func openStore(ctx context.Context, cfg config) (database, error) {
	if cfg.postgres() {
		db, err := postgres.Open(ctx, cfg.DB, postgres.Options{Lease: claimLease(cfg)})
		if err != nil {
			return nil, fmt.Errorf("COACH_DB: %w", err)
		}
		return db, nil
	}
	return openSQLite(cfg, false, func() (*sqlite.DB, error) { return sqlite.Open(ctx, cfg.DB) })
}

// openExistingStore opens (and migrates) the store COACH_DB names, refusing
// to create a SQLite file that is not there: a tool run with a mistyped
// COACH_DB must fail, not back up or migrate a new empty database.
func openExistingStore(ctx context.Context, cfg config) (database, error) {
	if cfg.postgres() {
		return openStore(ctx, cfg)
	}
	return openSQLite(cfg, true, func() (*sqlite.DB, error) { return sqlite.Open(ctx, cfg.DB) })
}

// openStoreNoMigrate opens the store without touching its schema, so
// `migrate` can report the version it found. A missing SQLite file is an
// error unless COACH_DB_CREATE asks for a new one.
func openStoreNoMigrate(ctx context.Context, cfg config) (database, error) {
	if cfg.postgres() {
		db, err := postgres.OpenNoMigrate(ctx, cfg.DB, postgres.Options{})
		if err != nil {
			return nil, fmt.Errorf("COACH_DB: %w", err)
		}
		return db, nil
	}
	return openSQLite(cfg, !cfg.DBCreate, func() (*sqlite.DB, error) { return sqlite.OpenNoMigrate(cfg.DB) })
}

// createdSuffix names the marker file kept beside a SQLite database. SQLite
// creates a missing file without a word, so after a lost volume or a stray
// rm the bot would start over empty and look healthy; the marker tells a
// first run from a database that has gone.
const createdSuffix = ".created"

// openSQLite opens the SQLite file with open, refusing to create an empty
// database where the marker shows one existed unless COACH_DB_CREATE is
// set, or anywhere at all when mustExist is set, and writes the marker once
// the file exists.
func openSQLite(cfg config, mustExist bool, open func() (*sqlite.DB, error)) (database, error) {
	if cfg.DB == ":memory:" {
		db, err := open()
		if err != nil {
			return nil, fmt.Errorf("COACH_DB: %w", err)
		}
		return db, nil
	}
	marker := cfg.DB + createdSuffix
	_, err := os.Stat(cfg.DB)
	missing := errors.Is(err, fs.ErrNotExist)
	if missing && !cfg.DBCreate {
		if _, err := os.Stat(marker); err == nil {
			return nil, fmt.Errorf("COACH_DB: %s is missing, but %s shows a database was created there; restore it from a backup, or set COACH_DB_CREATE=1 to start an empty one", cfg.DB, marker)
		}
	}
	if missing && mustExist {
		return nil, fmt.Errorf("COACH_DB: there is no database at %s; check the path (serve and console create a new one, as does migrate with COACH_DB_CREATE=1)", cfg.DB)
	}
	if dir := filepath.Dir(cfg.DB); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("COACH_DB: cannot create directory %s: %w", dir, err)
		}
	}
	db, err := open()
	if err != nil {
		return nil, fmt.Errorf("COACH_DB: %w", err)
	}
	// A new file gets a new marker; an existing one without a marker (made
	// before markers existed) is adopted.
	if _, err := os.Stat(marker); missing || errors.Is(err, fs.ErrNotExist) {
		if err := writeMarker(marker, cfg.DB); err != nil {
			db.Close()
			return nil, fmt.Errorf("COACH_DB: %w", err)
		}
	}
	return db, nil
}

func writeMarker(marker, db string) error {
	text := fmt.Sprintf("Recovery Coach keeps its database in %s (marked %s).\n"+
		"While this file exists, the bot refuses to start an empty database in place of a missing one;\n"+
		"restore the database from a backup, or set COACH_DB_CREATE=1 to start over.\n",
		filepath.Base(db), time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(marker, []byte(text), 0o640); err != nil {
		return fmt.Errorf("cannot write %s: %w", marker, err)
	}
	return nil
}
