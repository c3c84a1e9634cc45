package slack

import (
	"container/list"
	"sync"
	"time"
)

// replayWindow is how long a signed request stays valid: Slack's verifier
// refuses timestamps more than five minutes away, so a signature needs
// remembering only that long (plus a minute for clock skew).
const replayWindow = 6 * time.Minute

// replayGuard remembers the signatures of recent requests, so a captured
// request cannot be sent again while its timestamp is still accepted.
// Memory is enough for one instance: older copies fail the timestamp
// check, and keeping them out of the database spares a write per command
// (event ids, which Slack retries over hours, are de-duplicated in the
// store instead). Several instances behind a load balancer do not see each
// other's memory, so Config.SharedReplay adds the store behind this guard.
type replayGuard struct {
	max int

	mu     sync.Mutex
	seen   map[string]struct{}
	expiry *list.List // of replayEntry, oldest first
}

type replayEntry struct {
	sig     string
	expires time.Time
}

func newReplayGuard(max int) *replayGuard {
	return &replayGuard{max: max, seen: map[string]struct{}{}, expiry: list.New()}
}

// seenBefore records sig at now and reports whether it was recorded
// within the replay window.
func (g *replayGuard) seenBefore(sig string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for el := g.expiry.Front(); el != nil; el = g.expiry.Front() {
		e := el.Value.(replayEntry)
		// Expired entries go; so does the oldest when full, which only
		// shortens the memory under a flood of validly signed requests.
		if now.Before(e.expires) && g.expiry.Len() < g.max {
			break
		}
		g.expiry.Remove(el)
		delete(g.seen, e.sig)
	}
	if _, ok := g.seen[sig]; ok {
		return true
	}
	g.seen[sig] = struct{}{}
	g.expiry.PushBack(replayEntry{sig: sig, expires: now.Add(replayWindow)})
	return false
}
