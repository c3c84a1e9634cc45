package sqlite_test

import (
	"testing"

	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/bot/storetest"
)

// TestContract runs the store contract shared with bot/postgres.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t testing.TB) storetest.Store {
		db, err := sqlite.Open(t.Context(), bottest.MigratedFile(t))
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Errorf("close store: %v", err)
			}
		})
		return db
	})
}
