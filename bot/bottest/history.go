package bottest

import (
	"context"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// History gives each member n knee check-ins, one every pace, the newest
// pace before now, creating members that do not exist yet. It stores them
// in time order across the members, so that one member's check-ins lie
// spread over the table as real check-ins do: a benchmark reading a
// member's history then reads what a real one would.
func History(tb testing.TB, s bot.Store, members []bot.MemberKey, now time.Time, pace time.Duration, n int) {
	tb.Helper()
	ctx := context.Background()
	for _, key := range members {
		if _, _, err := s.EnsureMember(ctx, bot.Member{Key: key, TZ: "UTC", Role: bot.RoleMember, CreatedAt: now.Add(-time.Duration(n) * pace)}); err != nil {
			tb.Fatalf("ensure member %s: %v", key, err)
		}
	}
	for i := n; i > 0; i-- {
		for _, key := range members {
			c := bot.CheckIn{Member: key, Score: 3 + i%3, Area: "knee", Note: "stairs", At: now.Add(-time.Duration(i) * pace)}
			if _, err := s.AddCheckIn(ctx, c); err != nil {
				tb.Fatalf("add check-in: %v", err)
			}
		}
	}
}
