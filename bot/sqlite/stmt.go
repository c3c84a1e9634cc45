package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps one prepared statement per query text. Preparing SQL is
// a large share of a short query's cost in SQLite, and the bot runs the
// same few dozen statements all day.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	// wanted holds queries first seen inside a transaction. They cannot be
	// prepared there: the writer's only connection belongs to the
	// transaction. They are prepared once it ends.
	wanted map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// cached returns a prepared statement if there is one, and otherwise notes
// the query for prepareWanted.
func (c *stmtCache) cached(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.stmts[query]
	if !ok {
		c.wanted[query] = true
	}
	return st
}

// prepareWanted prepares the queries noted inside transactions; it must be
// called with no transaction open.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	queries := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		queries = append(queries, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range queries {
		// A failure here only means the query stays unprepared.
		_, _ = c.get(ctx, q)
	}
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.stmts[query]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	// Prepare without holding the lock: preparing may wait for the writer's
	// connection, and the transaction holding it may need the cache.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if existing, ok := c.stmts[query]; ok {
		st.Close()
		return existing, nil
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

// exec runs a write statement on the writer connection.
func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := db.wstmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// txExec runs a write statement inside tx, reusing the prepared statement.
func (db *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st := db.wstmts.cached(query); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// row is a single-row result whose preparation may have failed.
type row struct {
	row *sql.Row
	err error
}

// Scan copies the row's columns into dest.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// readRow runs a single-row query on the reader pool.
func (db *DB) readRow(ctx context.Context, query string, args ...any) row {
	st, err := db.rstmts.get(ctx, query)
	if err != nil {
		return row{err: err}
	}
	return row{row: st.QueryRowContext(ctx, args...)}
}

// txRow runs a single-row query inside tx.
func (db *DB) txRow(ctx context.Context, tx *sql.Tx, query string, args ...any) row {
	if st := db.wstmts.cached(query); st != nil {
		return row{row: tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)}
	}
	return row{row: tx.QueryRowContext(ctx, query, args...)}
}

// readRows runs a query on the reader pool.
func (db *DB) readRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.rstmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}
