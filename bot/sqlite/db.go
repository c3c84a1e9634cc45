// Package sqlite implements bot.Store on modernc.org/sqlite (pure Go).
//
// One connection writes (SQLite allows a single writer; queuing in Go is
// kinder than SQLITE_BUSY) and a small pool reads, both in WAL mode with a
// busy timeout and foreign keys on.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/internal/migrations"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// readers is how many connections read at once, besides the writer.
const readers = 4

// DB is the SQLite store.
type DB struct {
	path string
	// file is the file opened at path (nil in memory), for CheckFile.
	file   os.FileInfo
	write  *sql.DB
	read   *sql.DB
	wstmts *stmtCache
	rstmts *stmtCache
	// claims are the outbox rows this process has handed to a dispatcher
	// and not yet finished (see ClaimOutbox).
	claims claimSet
}

var _ bot.Store = (*DB)(nil)

// Open opens (creating if needed) the database at path and applies pending
// migrations. Path ":memory:" gives a private in-memory database.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := open(path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens the database without applying migrations, for
// `recoverycoach migrate` to report the version first.
func OpenNoMigrate(path string) (*DB, error) { return open(path) }

func open(path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: empty database path")
	}
	pragmas := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
		pragmas.Add("_pragma", p)
	}
	memory := path == ":memory:"
	if memory {
		pragmas.Set("_pragma", "foreign_keys(1)")
	}
	writeDSN := "file:" + path + "?" + pragmas.Encode() + "&_txlock=immediate"
	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db := &DB{path: path, write: write, read: write, wstmts: newStmtCache(write)}
	db.rstmts = db.wstmts
	if !memory {
		// The writer's connection holds the file open from here on, so
		// this is the file every later write goes to.
		if db.file, err = os.Stat(path); err != nil {
			write.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		// mode=rw: only the writer creates the file. A reader reconnecting
		// after the file was deleted must fail, not start an empty one.
		read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode()+"&mode=rw")
		if err != nil {
			write.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		read.SetMaxOpenConns(readers)
		// Readers stay open: database/sql keeps two idle by default, and
		// closing the others after each burst made every burst open new
		// connections, run the pragmas and prepare every statement
		// again.
		read.SetMaxIdleConns(readers)
		read.SetConnMaxIdleTime(0)
		db.read = read
		db.rstmts = newStmtCache(read)
	}
	return db, nil
}

// Close checkpoints the WAL and closes the connections.
func (db *DB) Close() error {
	var errs []error
	db.rstmts.close()
	db.wstmts.close()
	if db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.path != ":memory:" {
		_, err := db.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, err)
	}
	errs = append(errs, db.write.Close())
	return errors.Join(errs...)
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Backup writes a consistent copy of the database to path while it is in
// use. The target must not exist.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := db.write.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", path, err)
	}
	return nil
}

func loadMigrations() ([]migrations.Migration, error) {
	ms, err := migrations.Load(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return ms, nil
}

// LatestVersion is the schema version this build knows.
func LatestVersion() int {
	ms, err := loadMigrations()
	if err != nil {
		return 0
	}
	return migrations.Latest(ms)
}

// Version returns the applied schema version (0 for an empty database).
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return 0, nil
	}
	return v, err
}

// Migrate applies pending migrations, each in its own transaction, and
// returns the resulting version. A database newer than this build is refused.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := loadMigrations()
	if err != nil {
		return 0, err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return 0, fmt.Errorf("sqlite: schema_version: %w", err)
	}
	current, err := db.Version(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlite: schema version: %w", err)
	}
	if latest := migrations.Latest(ms); current > latest {
		return current, fmt.Errorf("sqlite: database schema version %d is newer than this build (%d)", current, latest)
	}
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		err := db.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`, m.Version, m.Name, toMS(time.Now()))
			return err
		})
		if err != nil {
			return current, fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
		current = m.Version
	}
	return current, nil
}

// tx runs fn in a write transaction (BEGIN IMMEDIATE through _txlock).
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	err = tx.Commit()
	db.wstmts.prepareWanted(ctx)
	return err
}

// toMS converts a time to stored milliseconds.
func toMS(t time.Time) int64 { return t.UnixMilli() }

// nullMS stores the zero time as NULL.
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

func notFound(what string) error {
	return bot.Errorf(bot.ENOTFOUND, "I could not find that %s.", what)
}
