package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/postgres/pgtest"
)

var ctx = context.Background()

// openOn opens a migrated store on the schema of url, closed when the test
// ends.
func openOn(t testing.TB, url string, opts postgres.Options) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(ctx, url, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openTestDB opens a migrated store on a fresh schema.
func openTestDB(t testing.TB, opts postgres.Options) *postgres.DB {
	t.Helper()
	return openOn(t, pgtest.SchemaURL(t), opts)
}

// rawConn connects to the schema of url for checks the store's API does
// not offer.
func rawConn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func key(user string) bot.MemberKey {
	return bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: user}
}

func ensure(t testing.TB, db *postgres.DB, k bot.MemberKey) {
	t.Helper()
	if _, _, err := db.EnsureMember(ctx, bot.Member{Key: k, TZ: "UTC", CreatedAt: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
}
