package bot

import (
	"context"
	"time"
)

// PauseKind says how a member's nudges were held.
type PauseKind string

// Pause kinds.
const (
	// PauseNudges is `/coach pause`: every nudge held, for a while or
	// until resume.
	PauseNudges PauseKind = "pause"
	// PauseSnooze is `/coach snooze`: nudges held for up to a week.
	PauseSnooze PauseKind = "snooze"
)

// PausePeriod is a stretch of time in which a member's nudges were held.
// Member.PausedUntil and SnoozedUntil only say what holds now; the periods
// are kept so that a chart can show why check-ins stopped for a while, a
// gap a clinician would otherwise read as falling off the program.
type PausePeriod struct {
	Member MemberKey
	Kind   PauseKind
	From   time.Time
	// Until is when nudges came back, or come back: the end asked for,
	// cut short when the member resumed or paused again. A pause until
	// resume runs to the year 9999.
	Until time.Time
}

// PauseChange is what a pause, snooze or resume does to the recorded
// periods.
type PauseChange struct {
	// At is when the member asked.
	At time.Time
	// End lists the kinds whose periods still running at At (Until after
	// At) end at At.
	End []PauseKind
	// Start is recorded as a new period when its Kind is set.
	Start PausePeriod
}

// pauseStore is the part of Store that the history of pauses needs;
// MemberData returns the periods.
type pauseStore interface {
	// SetPause saves the member's settings as UpdateMember does and
	// applies ch to their pause periods, in one transaction, so that the
	// periods never disagree with the member's PausedUntil and
	// SnoozedUntil (ENOTFOUND when the member is unknown).
	SetPause(ctx context.Context, m Member, ch PauseChange) error
}

// pausesIn returns the periods that overlap [from, to], oldest first as
// stored.
func pausesIn(periods []PausePeriod, from, to time.Time) []PausePeriod {
	var out []PausePeriod
	for _, p := range periods {
		if p.Until.After(from) && p.From.Before(to) {
			out = append(out, p)
		}
	}
	return out
}
