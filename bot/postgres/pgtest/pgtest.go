// Package pgtest gives tests their own PostgreSQL schema on the server
// named by COACH_TEST_POSTGRES_URL, so packages testing concurrently never
// see each other's rows. Without the variable the tests skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the test server's URL.
const EnvURL = "COACH_TEST_POSTGRES_URL"

// SchemaURL creates an empty schema for tb, dropped when tb ends, and
// returns a URL whose connections work inside it. It skips tb when no
// server is configured.
func SchemaURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		tb.Skipf("%s is not set; PostgreSQL tests skipped (.ci/run starts a server)", EnvURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: connect to %s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	raw := make([]byte, 6)
	if _, err := rand.Read(raw); err != nil {
		tb.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(raw)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("pgtest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("pgtest: connect to drop %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("pgtest: %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Cutter dials the server for one store under test (as its DialFunc) and
// can cut every connection it made at once, refusing new ones: to the
// server, that process has died, so its sessions and their locks end.
type Cutter struct {
	// cut is read on every read and write of every connection: closing
	// the sockets one by one takes long enough (under the race detector
	// above all) for a "dead" process to finish a write on one not yet
	// closed, which a crashed process never does.
	cut   atomic.Bool
	mu    sync.Mutex
	conns []net.Conn
}

// errCut is what a cut connection answers.
var errCut = errors.New("pgtest: cut off")

// Dial connects like net.Dialer until Cut is called.
func (c *Cutter) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut.Load() {
		return nil, errCut
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c.conns = append(c.conns, conn)
	return cutConn{Conn: conn, cut: &c.cut}, nil
}

// Cut closes every connection and refuses new ones. From the moment it is
// called, no connection of this Cutter reads or writes another byte.
func (c *Cutter) Cut() {
	c.cut.Store(true)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
}

// IsCut reports whether Cut has been called.
func (c *Cutter) IsCut() bool { return c.cut.Load() }

// cutConn is a connection that stops the moment its Cutter is cut.
type cutConn struct {
	net.Conn
	cut *atomic.Bool
}

func (c cutConn) Read(b []byte) (int, error) {
	if c.cut.Load() {
		return 0, errCut
	}
	return c.Conn.Read(b)
}

func (c cutConn) Write(b []byte) (int, error) {
	if c.cut.Load() {
		return 0, errCut
	}
	return c.Conn.Write(b)
}
