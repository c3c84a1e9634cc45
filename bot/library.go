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
