package postgres_test

import (
	"os"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/postgres/pgtest"
	"github.com/recoverycoach/recoverycoach/bot/storetest"
)

// TestContract holds the PostgreSQL store to the behaviour bot/sqlite has.
func TestContract(t *testing.T) {
	if os.Getenv(pgtest.EnvURL) == "" {
		t.Skipf("%s is not set; PostgreSQL store tests skipped (.ci/run starts a server)", pgtest.EnvURL)
	}
	storetest.Run(t, func(t testing.TB) storetest.Store { return openTestDB(t, postgres.Options{}) })
}
