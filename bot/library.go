package bot

import (
	"strconv"
	"strings"
	"time"
)

// Card is one piece of guidance from the content library.
type Card struct {
	ID    string
	Title string
	Topic string
	Areas []string
	// Body is Markdown in the Reply subset.
	Body string
}

// Exercise is one item of a program.
type Exercise struct {
	ID          string
	Name        string
	Sets        int
	Reps        int
	HoldSeconds int
	PerDay      int
	HowTo       string
	// Link is an optional https link to a picture or video of the
	// exercise, from a clinician's program.
	Link string
	// Progression says how to make the exercise harder once it is easy.
	Progression string
}

// Dose renders the prescription, such as "3 x 10" or "3 x 30 s hold, 2x a day".
func (e Exercise) Dose() string {
	s := ""
	switch {
	case e.Reps > 0 && e.HoldSeconds > 0:
		s = strconv.Itoa(e.Sets) + " x " + strconv.Itoa(e.Reps) + " (hold " + strconv.Itoa(e.HoldSeconds) + " s)"
	case e.Reps > 0:
		s = strconv.Itoa(e.Sets) + " x " + strconv.Itoa(e.Reps)
	case e.HoldSeconds > 0:
		s = strconv.Itoa(e.Sets) + " x " + strconv.Itoa(e.HoldSeconds) + " s hold"
	}
	if e.PerDay > 1 {
		s += ", " + strconv.Itoa(e.PerDay) + "x a day"
	}
	return s
}

// Program is a starter exercise program.
type Program struct {
	ID        string
	Title     string
	Summary   string
	Areas     []string
	Exercises []Exercise
	// StopRules are the signs to stop at and call the clinician, and
	// Progressions the program's steps up, each one line.
	StopRules    []string
	Progressions []string
	// Code is the program code a clinician's program was loaded with;
	// empty for the library's own programs.
	Code string
}

// Urgency is how soon a red flag needs a clinician.
type Urgency int

// Urgencies, from least to most pressing.
const (
	UrgencyNone Urgency = iota
	// UrgencySoon: within a few days.
	UrgencySoon
	// UrgencyUrgent: the same day.
	UrgencyUrgent
	// UrgencyEmergency: now, by calling the emergency number.
	UrgencyEmergency
)

// String returns the urgency's stable name.
func (u Urgency) String() string {
	switch u {
	case UrgencySoon:
		return "soon"
	case UrgencyUrgent:
		return "urgent"
	case UrgencyEmergency:
		return "emergency"
	}
	return "none"
}

// RedFlag is a warning sign found in a check-in or a message. Red flags
// always win over other guidance and are recorded for the team features.
type RedFlag struct {
	// Rule is the stable name of what was found, such as "cauda-equina".
	Rule    string
	Urgency Urgency
	// Matched holds the member's words that raised it.
	Matched []string
	// Reason says in one line why.
	Reason string
}

// RedFlagEvent is a red flag as stored.
type RedFlagEvent struct {
	ID        int64
	Member    MemberKey
	Rule      string
	Area      string
	CheckInID int64
	At        time.Time
	// Title names the rule for people ("possible clot in the leg"); it is
	// filled in for display and not stored.
	Title string
}

// GuidanceInput is what the guide sees after a check-in.
type GuidanceInput struct {
	CheckIn CheckIn
	// Recent holds the member's check-ins of the last 30 days, oldest first,
	// including CheckIn.
	Recent []CheckIn
	// Tape holds the tape cycles currently worn.
	Tape []TapeCycle
	Now  time.Time
	// Zone is the member's IANA zone and EmergencyNumber the workspace's
	// own number, if set: emergency replies name the number to call.
	Zone            string
	EmergencyNumber string
}

// CheckInRecord is everything one check-in command writes.
type CheckInRecord struct {
	CheckIn CheckIn
	Flags   []FlagRecord
	// DuplicateWithin is how recent an identical check-in must be to
	// count as a repeat of this one (a double tap, a retried request).
	DuplicateWithin time.Duration
	// Replaces, when set, is the member's check-in this one corrects
	// (/pain edit): it is deleted with its red flags, and their staff
	// alerts not yet sent are cancelled, in the same transaction.
	Replaces int64
}

// FlagRecord is a red flag to record with its check-in, and the staff
// alert to enqueue for it, if any.
type FlagRecord struct {
	Event RedFlagEvent
	// Alert, when set, is enqueued with Ref set to the stored event's id
	// and the id appended to its DedupeKey ("staff_alert:" + id).
	Alert *OutboxItem
}

// RecordedCheckIn is what RecordCheckIn stored.
type RecordedCheckIn struct {
	CheckIn  CheckIn
	RedFlags []RedFlagEvent
	// Duplicate: an identical recent check-in was found; CheckIn is that
	// one and nothing new was written.
	Duplicate bool
}

// DisplayName is the rule's title when known, else its name in words.
func (e RedFlagEvent) DisplayName() string {
	if e.Title != "" {
		return e.Title
	}
	return strings.ReplaceAll(e.Rule, "-", " ")
}

// TriageInput is a message that is not a command, to screen for red
// flags ("my chest feels tight").
type TriageInput struct {
	Text            string
	Zone            string
	EmergencyNumber string
	TapeWorn        bool
}

// Triage is red flags found in a message, and the reply that words them.
type Triage struct {
	RedFlags []RedFlag
	// Text words the most pressing findings first.
	Text string
}

// Guidance is the advice given after a check-in.
type Guidance struct {
	Text string
	// Reason explains the choice, such as "your pain has risen on 3
	// check-ins in a row".
	Reason   string
	RedFlags []RedFlag
	CardIDs  []string
}

// Library is the content the Coach draws on; package content implements it.
type Library interface {
	// Advise picks guidance for a check-in, red flags first.
	Advise(in GuidanceInput) Guidance
	// Triage screens a message that is not a command for red flags.
	Triage(in TriageInput) Triage
	// RedFlagTitle names a red-flag rule in words for people (staff
	// alerts, reports): "possible clot in the leg (DVT)".
	RedFlagTitle(rule string) string
	// Cards returns every card, ordered by topic and title.
	Cards() []Card
	// Card returns the card with the id.
	Card(id string) (Card, bool)
	// Search returns the cards matching a topic or keyword, best first.
	Search(query string) []Card
	// Programs returns every exercise program.
	Programs() []Program
	// Program returns the program with the id.
	Program(id string) (Program, bool)
}
