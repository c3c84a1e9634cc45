package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// undoWindow bounds how far back `undo` reaches: it is for a slip made
// just now, and stepping back through weeks of history one tap at a time
// would more likely destroy something meant than fix a mistake.
const undoWindow = 7 * 24 * time.Hour

// EntryKind names a kind of entry a member logs, which undo can remove.
type EntryKind string

// Entry kinds.
const (
	EntryCheckIn    EntryKind = "checkin"
	EntryCompletion EntryKind = "completion"
	// EntryTapeOn is a tape application: undoing it deletes the cycle
	// and its reminders, and puts back a cycle on the same area it ended.
	EntryTapeOn EntryKind = "tape_on"
	// EntryTapeOff is a removal: undoing it puts the tape back on.
	EntryTapeOff   EntryKind = "tape_off"
	EntryReadiness EntryKind = "readiness"
	EntryLoad      EntryKind = "load"
	EntryBreak     EntryKind = "movement_break"
)

// Entry is what Store.UndoLast removed. Only the field of its Kind is set.
type Entry struct {
	Kind EntryKind
	// At is when the entry was made.
	At         time.Time
	CheckIn    CheckIn
	Completion Completion
	// Tape is the cycle deleted (EntryTapeOn) or the cycles put back on
	// (EntryTapeOff).
	Tape      []TapeCycle
	Readiness Readiness
	Load      SessionLoad
	Break     MovementBreak
	// RedFlags counts the warnings recorded with a removed check-in,
	// removed with it (their staff alerts not yet sent are cancelled).
	RedFlags int
	// Reopened holds, for EntryTapeOn, the cycles the application had
	// ended that are worn again.
	Reopened []TapeCycle
}

// undoStore is the part of Store that undo needs.
type undoStore interface {
	// UndoLast removes the member's newest entry made at or after since
	// (check-in, completion, tape application or removal, readiness,
	// session load or movement break) in one transaction and returns it; false when there is
	// none. now decides which tape reminders are still worth restoring.
	UndoLast(ctx context.Context, key MemberKey, since, now time.Time) (Entry, bool, error)
}

func (c *Coach) undo(ctx context.Context, call *Call) (Reply, error) {
	e, ok, err := c.store.UndoLast(ctx, call.Member.Key, call.Now.Add(-undoWindow), call.Now)
	if err != nil {
		return Reply{}, fmt.Errorf("undo: %w", err)
	}
	if !ok {
		return Reply{Text: "There is nothing of the last 7 days to undo. `/coach history` shows what you logged."}, nil
	}
	if e.Kind == EntryTapeOn || e.Kind == EntryTapeOff {
		c.scheduleChanged()
	}
	text := "Removed " + describeEntry(e, call.Now, call.Loc()) + "."
	switch e.Kind {
	case EntryCheckIn:
		if e.RedFlags > 0 {
			text += " The " + Noun(e.RedFlags, "warning") + " it raised " + Noun(e.RedFlags, "was") + " removed with it."
		}
	case EntryTapeOff:
		text = "Undone: your tape " + describeEntry(e, call.Now, call.Loc()) + " is back on."
	case EntryTapeOn:
		if len(e.Reopened) > 0 {
			text += " The tape it replaced is on again."
		}
	}
	return Reply{
		Text:    text,
		Buttons: []Button{{Label: "Undo the one before", Command: "coach undo"}},
		Footer:  "Undo reaches back 7 days, one entry at a time.",
	}, nil
}

// describeEntry names an entry for the member, with its local time.
func describeEntry(e Entry, now time.Time, loc *time.Location) string {
	when := entryTime(e.At, now, loc)
	switch e.Kind {
	case EntryCheckIn:
		s := fmt.Sprintf("your check-in of **%d/10**", e.CheckIn.Score)
		if e.CheckIn.Area != "" {
			s += " for your " + areaWords(e.CheckIn.Area)
		}
		if e.CheckIn.Note != "" {
			s += fmt.Sprintf(" (%q)", clip(e.CheckIn.Note, 40))
		}
		return s + " " + when
	case EntryCompletion:
		what := "today's exercises"
		if e.Completion.Exercise != "" {
			what = "**" + e.Completion.Exercise + "**"
		}
		return what + " marked done " + when
	case EntryTapeOn:
		return "the tape you put on your " + tapeAreas(e.Tape) + " " + when
	case EntryTapeOff:
		return "on your " + tapeAreas(e.Tape) + " (taken off " + when + ")"
	case EntryReadiness:
		return fmt.Sprintf("your readiness check-in (%d/25) %s", e.Readiness.Total(), when)
	case EntryLoad:
		return fmt.Sprintf("your session of %d minutes at effort %d %s", e.Load.Minutes, e.Load.RPE, when)
	case EntryBreak:
		return "your movement break " + when
	}
	return "your last entry " + when
}

func tapeAreas(cycles []TapeCycle) string {
	var areas []string
	for _, tc := range cycles {
		areas = append(areas, areaWords(tc.Area))
	}
	if len(areas) == 0 {
		return "skin"
	}
	return JoinList(areas)
}

// entryTime says when in words a member recognises: "at 14:05 today".
func entryTime(at, now time.Time, loc *time.Location) string {
	local := at.In(loc)
	day := LocalDay(at, loc)
	switch day {
	case LocalDay(now, loc):
		return "at " + local.Format("15:04") + " today"
	case LocalDay(now.In(loc).AddDate(0, 0, -1), loc):
		return "at " + local.Format("15:04") + " yesterday"
	}
	return "on " + strings.TrimSpace(local.Format("Mon 2 Jan at 15:04"))
}

// undoOrder breaks ties between entries made at the same instant. A tape
// put on where one was worn ends the old cycle at that very moment, so
// the application must win over the removal it caused.
var undoOrder = []EntryKind{EntryTapeOn, EntryCheckIn, EntryCompletion, EntryLoad, EntryReadiness, EntryTapeOff}

// Newest returns the entry undo removes of the candidates (one per kind, at
// least one): the latest, ties broken by undoOrder. Stores share it, so
// they cannot disagree.
func Newest(cands []Entry) Entry {
	best := cands[0]
	rank := func(k EntryKind) int { return slices.Index(undoOrder, k) }
	for _, e := range cands[1:] {
		if e.At.After(best.At) || (e.At.Equal(best.At) && rank(e.Kind) < rank(best.Kind)) {
			best = e
		}
	}
	return best
}
