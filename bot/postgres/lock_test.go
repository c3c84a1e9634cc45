package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/postgres/pgtest"
)

func TestLockMemberExcludesOtherInstances(t *testing.T) {
	url := pgtest.SchemaURL(t)
	a, b := openOn(t, url, postgres.Options{Instance: "a"}), openOn(t, url, postgres.Options{Instance: "b"})
	alice := bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U1"}
	bob := bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U2"}

	unlock, err := a.LockMember(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err = b.LockMember(waitCtx, alice)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second instance locked a held member: err = %v", err)
	}
	// Another member is not held up.
	unlockBob, err := b.LockMember(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	unlockBob()

	got := make(chan error, 1)
	go func() {
		unlock, err := b.LockMember(ctx, alice)
		if err == nil {
			unlock()
		}
		got <- err
	}()
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("lock not handed over after unlock: %v", err)
	}
}

// TestCommandsOnTwoInstancesKeepEachChange is the several-instance form of
// the Coach's own test: one member's commands, changing different settings
// at once through two Coaches on one database, must not undo each other.
func TestCommandsOnTwoInstancesKeepEachChange(t *testing.T) {
	url := pgtest.SchemaURL(t)
	clock := bottest.NewClock(bottest.Start)
	var coaches []*bot.Coach
	for _, name := range []string{"a", "b"} {
		db := openOn(t, url, postgres.Options{Instance: name})
		coaches = append(coaches, bot.NewCoach(bot.Config{Store: db, Clock: clock}))
	}
	as := func(user, text string) bot.Request {
		req := bottest.Request(text)
		req.User = user
		return req
	}
	check := openOn(t, url, postgres.Options{})
	for round := range 5 {
		user := fmt.Sprintf("U%d", round)
		coaches[round%2].Handle(ctx, as(user, "/coach start"))
		var wg sync.WaitGroup
		for i, cmd := range []string{"/coach tz Europe/Berlin", "/coach snooze 2h", "/coach quiet 22:00-07:00", "/coach pause 3d", "/coach skip"} {
			wg.Go(func() { coaches[(i+round)%2].Handle(ctx, as(user, cmd)) })
		}
		wg.Wait()
		m, err := check.Member(ctx, as(user, "").Member())
		if err != nil {
			t.Fatal(err)
		}
		if m.TZ != "Europe/Berlin" || m.SnoozedUntil.IsZero() || !m.Quiet.Set || m.PausedUntil.IsZero() || m.SkippedDay == "" {
			t.Fatalf("round %d: a concurrent change was lost: %+v", round, m)
		}
	}
}
