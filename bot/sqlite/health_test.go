package sqlite_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// TestCheckFileNoticesDeletionAndReplacement: queries keep working on a
// deleted or replaced file, so only CheckFile can tell.
func TestCheckFileNoticesDeletionAndReplacement(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "coach.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckFile(); err != nil {
		t.Fatalf("fresh database: %v", err)
	}

	other := filepath.Join(dir, "other.db")
	odb, err := sqlite.Open(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	odb.Close()
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckFile(); err == nil || !strings.Contains(err.Error(), "replaced") {
		t.Errorf("after replacing the file: %v, want it to say replaced", err)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	// Readers may reconnect; none may create an empty database in its place.
	for range 8 {
		_ = db.Ping(ctx)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a reader recreated the deleted file (stat: %v)", err)
	}
	if err := db.CheckFile(); err == nil || !strings.Contains(err.Error(), "deleted") {
		t.Errorf("after deleting the file: %v, want it to say deleted", err)
	}
}

func TestCheckFileInMemory(t *testing.T) {
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckFile(); err != nil {
		t.Fatalf("in memory: %v", err)
	}
}
