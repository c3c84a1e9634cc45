package sqlite

import (
	"testing"
	"time"
)

// TestClaimRefusesACopyReadBeforeItsRelease: a claim whose read began
// before a row's outcome was recorded (and its claim released) must not
// take that stale copy; a read begun afterwards may.
func TestClaimRefusesACopyReadBeforeItsRelease(t *testing.T) {
	var c claimSet
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	if !c.take(1, c.readBegins(), now, now.Add(claimLease)) {
		t.Fatal("first claim refused")
	}
	stale := c.readBegins() // a claim's read starts ...
	c.release(1)            // ... while the send's outcome commits
	if c.take(1, stale, now, now.Add(claimLease)) {
		t.Fatal("a copy read before the release was claimed")
	}
	c.readEnds(stale)
	fresh := c.readBegins()
	if !c.take(1, fresh, now, now.Add(claimLease)) {
		t.Fatal("a copy read after the release was refused")
	}
	c.readEnds(fresh)
	if len(c.released) != 0 {
		t.Fatalf("released keeps %d entries no read can need", len(c.released))
	}
}
