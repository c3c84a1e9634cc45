package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/internal/migrations"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options configure a DB.
type Options struct {
	// Instance names this process in outbox claims (claimed_by). Default:
	// hostname-pid.
	Instance string
	// Lease is how long outbox rows returned by DueOutbox stay claimed by
	// this instance (default 30s). It must outlast a send, retries
	// included, or another instance may send the same row again.
	Lease time.Duration
	// MaxConns caps the pool (default 32: each command in flight holds one
	// connection for its member lock and uses another for its queries).
	MaxConns int32
	// DialFunc, when set, dials the server (tests use it to cut one
	// instance off to simulate a crash).
	DialFunc pgconn.DialFunc
}

// DB is the PostgreSQL store.
type DB struct {
	pool     *pgxpool.Pool
	instance string
	lease    time.Duration
	// leadConfig connects Lead's lock sessions outside the pool, so that
	// pool churn (idle timeouts, health checks) cannot drop a held lock.
	leadConfig *pgx.ConnConfig
	leading    leadership
}

var _ bot.Store = (*DB)(nil)

// Open connects to the database at url (a postgres:// URL or key=value
// string) and applies pending migrations.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	db, err := OpenNoMigrate(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate connects without applying migrations, for
// `recoverycoach migrate` to report the version first. It fails when the
// server does not answer.
func OpenNoMigrate(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password included.
		return nil, errors.New("postgres: invalid database URL")
	}
	cfg.MaxConns = opts.MaxConns
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 32
	}
	if opts.DialFunc != nil {
		cfg.ConnConfig.DialFunc = opts.DialFunc
	}
	db := &DB{instance: opts.Instance, lease: opts.Lease, leadConfig: cfg.ConnConfig.Copy()}
	if db.instance == "" {
		host, _ := os.Hostname()
		db.instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if db.lease <= 0 {
		db.lease = 30 * time.Second
	}
	db.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := db.pool.Ping(ctx); err != nil {
		db.pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return db, nil
}

// Close closes the pool, waiting for borrowed connections to come back.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Instance returns the name this process claims outbox rows under.
func (db *DB) Instance() string { return db.instance }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.pool.Ping(ctx)
}

func loadMigrations() ([]migrations.Migration, error) {
	ms, err := migrations.Load(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
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

// querier is what the pool and a transaction have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Version returns the applied schema version (0 for an empty schema).
func (db *DB) Version(ctx context.Context) (int, error) {
	return version(ctx, db.pool)
}

func version(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "42P01" { // undefined_table
		return 0, nil
	}
	return v, err
}

// Migrate applies pending migrations, each in its own transaction, and
// returns the resulting version. A database newer than this build is
// refused. Every transaction first takes an advisory lock on the schema,
// so instances starting together apply each migration once: a waiter
// re-reads the version after the lock is granted.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := loadMigrations()
	if err != nil {
		return 0, err
	}
	latest := migrations.Latest(ms)
	current := 0
	for {
		var next *migrations.Migration
		err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('recoverycoach.migrate:' || COALESCE(current_schema(), '')))`); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
				version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
				return fmt.Errorf("schema_version: %w", err)
			}
			v, err := version(ctx, tx)
			if err != nil {
				return fmt.Errorf("schema version: %w", err)
			}
			current = v
			if current > latest {
				return fmt.Errorf("database schema version %d is newer than this build (%d)", current, latest)
			}
			next = nil
			for i := range ms {
				if ms[i].Version > current {
					next = &ms[i]
					break
				}
			}
			if next == nil {
				return nil
			}
			if _, err := tx.Exec(ctx, next.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", next.Name, err)
			}
			_, err = tx.Exec(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)`,
				next.Version, next.Name, toMS(time.Now()))
			if err != nil {
				return fmt.Errorf("migration %s: %w", next.Name, err)
			}
			return nil
		})
		if err != nil {
			return current, fmt.Errorf("postgres: %w", err)
		}
		if next == nil {
			return current, nil
		}
		current = next.Version
	}
}

// tx runs fn in a transaction, committed when fn returns nil.
func (db *DB) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{}, fn)
}

// scanner is a row being read: pgx.Row or pgx.Rows.
type scanner interface{ Scan(dest ...any) error }

// each runs a read query and calls fn for every row.
func (db *DB) each(ctx context.Context, query string, args []any, fn func(scanner) error) error {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
	}
	return rows.Err()
}

// toMS converts a time to stored milliseconds.
func toMS(t time.Time) int64 { return t.UnixMilli() }

// nullMS stores the zero time as NULL.
func nullMS(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return fromMS(*v)
}

func notFound(what string) error {
	return bot.Errorf(bot.ENOTFOUND, "I could not find that %s.", what)
}
