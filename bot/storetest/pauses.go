package storetest

import (
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// pauseTests cover the history of pauses and snoozes.
func pauseTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"Pauses/RecordedWithTheMember": testPausesRecorded,
		"Pauses/ResumeEndsRunning":     testPausesResume,
		"Pauses/UnknownMember":         testPausesUnknownMember,
	}
}

// setPause saves m with its pause fields changed and applies ch, and
// returns the member as stored.
func setPause(t *testing.T, s Store, m bot.Member, ch bot.PauseChange) bot.Member {
	t.Helper()
	ok(t, s.SetPause(t.Context(), m, ch))
	got, err := s.Member(t.Context(), m.Key)
	ok(t, err)
	return got
}

// pauses returns the member's stored periods.
func pauses(t *testing.T, s Store, key bot.MemberKey) []bot.PausePeriod {
	t.Helper()
	d, err := s.MemberData(t.Context(), key)
	ok(t, err)
	return d.Pauses
}

func testPausesRecorded(t *testing.T, open Opener) {
	s := open(t)
	key, other := slackKey("U1"), slackKey("U2")
	m := addMember(t, s, key)
	addMember(t, s, other)
	forever := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

	// A pause until resume: the member and the period are saved together.
	m.PausedUntil = forever
	pause := bot.PausePeriod{Member: key, Kind: bot.PauseNudges, From: at(0), Until: forever}
	m = setPause(t, s, m, bot.PauseChange{At: at(0), End: []bot.PauseKind{bot.PauseNudges}, Start: pause})
	if !m.PausedUntil.Equal(forever) {
		t.Errorf("PausedUntil = %v, want %v", m.PausedUntil, forever)
	}
	same(t, "after pause", []bot.PausePeriod{pause}, pauses(t, s, key))

	// A snooze runs beside the pause; a second snooze cuts the first short
	// and leaves the pause alone.
	m.SnoozedUntil = at(3 * time.Hour)
	first := bot.PausePeriod{Member: key, Kind: bot.PauseSnooze, From: at(time.Hour), Until: at(3 * time.Hour)}
	m = setPause(t, s, m, bot.PauseChange{At: at(time.Hour), End: []bot.PauseKind{bot.PauseSnooze}, Start: first})
	m.SnoozedUntil = at(5 * time.Hour)
	second := bot.PausePeriod{Member: key, Kind: bot.PauseSnooze, From: at(2 * time.Hour), Until: at(5 * time.Hour)}
	m = setPause(t, s, m, bot.PauseChange{At: at(2 * time.Hour), End: []bot.PauseKind{bot.PauseSnooze}, Start: second})
	if !m.SnoozedUntil.Equal(at(5*time.Hour)) || !m.PausedUntil.Equal(forever) {
		t.Errorf("member = snoozed %v, paused %v", m.SnoozedUntil, m.PausedUntil)
	}
	first.Until = at(2 * time.Hour)
	same(t, "after two snoozes", []bot.PausePeriod{pause, first, second}, pauses(t, s, key))
	same(t, "the other member's pauses", []bot.PausePeriod(nil), pauses(t, s, other))

	// Forgetting the member forgets the periods.
	ok(t, s.ForgetMember(t.Context(), key))
	if n, err := s.RowsOf(t.Context(), key); err != nil || n != 0 {
		t.Errorf("RowsOf after forget = %d, %v; want 0", n, err)
	}
}

func testPausesResume(t *testing.T, open Opener) {
	s := open(t)
	key := slackKey("U1")
	m := addMember(t, s, key)

	// A snooze that is over already, then a pause of two days.
	m.SnoozedUntil = at(time.Hour)
	over := bot.PausePeriod{Member: key, Kind: bot.PauseSnooze, From: at(-time.Hour), Until: at(time.Hour)}
	m = setPause(t, s, m, bot.PauseChange{At: at(-time.Hour), End: []bot.PauseKind{bot.PauseSnooze}, Start: over})
	m.PausedUntil = at(48 * time.Hour)
	pause := bot.PausePeriod{Member: key, Kind: bot.PauseNudges, From: at(2 * time.Hour), Until: at(48 * time.Hour)}
	m = setPause(t, s, m, bot.PauseChange{At: at(2 * time.Hour), End: []bot.PauseKind{bot.PauseNudges}, Start: pause})

	// Resume a day in: the running pause ends then, the finished snooze
	// keeps its end, and the member's settings are cleared with it.
	m.PausedUntil, m.SnoozedUntil = time.Time{}, time.Time{}
	m = setPause(t, s, m, bot.PauseChange{At: at(24 * time.Hour), End: []bot.PauseKind{bot.PauseNudges, bot.PauseSnooze}})
	if !m.PausedUntil.IsZero() || !m.SnoozedUntil.IsZero() {
		t.Errorf("after resume: paused %v, snoozed %v", m.PausedUntil, m.SnoozedUntil)
	}
	pause.Until = at(24 * time.Hour)
	same(t, "after resume", []bot.PausePeriod{over, pause}, pauses(t, s, key))

	// Resuming again changes nothing.
	setPause(t, s, m, bot.PauseChange{At: at(30 * time.Hour), End: []bot.PauseKind{bot.PauseNudges, bot.PauseSnooze}})
	same(t, "after a second resume", []bot.PausePeriod{over, pause}, pauses(t, s, key))
}

func testPausesUnknownMember(t *testing.T, open Opener) {
	s := open(t)
	ghost := bot.Member{Key: slackKey("ghost"), TZ: "UTC", PausedUntil: at(time.Hour)}
	err := s.SetPause(t.Context(), ghost, bot.PauseChange{At: at(0),
		Start: bot.PausePeriod{Member: ghost.Key, Kind: bot.PauseNudges, From: at(0), Until: at(time.Hour)}})
	wantCode(t, "SetPause of an unknown member", err, bot.ENOTFOUND)
	if n, err := s.RowsOf(t.Context(), ghost.Key); err != nil || n != 0 {
		t.Errorf("RowsOf the unknown member = %d, %v; want 0", n, err)
	}
}
