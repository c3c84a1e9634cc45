package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecentCheckInsReadOnlyTheIndex: the history read of every check-in
// is answered from checkins_member_history alone (no table page, no
// sort), which is what keeps it cheap right after another commit.
func TestRecentCheckInsReadOnlyTheIndex(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "coach.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.readRows(ctx, "EXPLAIN QUERY PLAN "+recentCheckIns, "slack", "T1", "U1", 0, 60)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(plan, "\n")
	if !strings.Contains(all, "USING COVERING INDEX checkins_member_history") || strings.Contains(all, "TEMP B-TREE") {
		t.Errorf("plan of the recent check-ins read:\n%s\nwant the covering index checkins_member_history and no sort", all)
	}
}
