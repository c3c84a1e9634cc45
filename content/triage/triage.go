// Package triage decides which check-ins need a clinician, and how soon.
//
// It reads a pain check-in (score, body area, note, recent scores, tape
// state, what the member told us) or any free text, and returns findings:
// a concept such as "cauda-equina" or "dvt", a level (emergency, urgent,
// soon), the words that matched and a one-line reason. Text is normalised
// first (case, contractions, shorthand, British spelling, one-letter
// typos), then every phrase found is put in context in the manner of NegEx
// and ConText: negated ("no numbness"), resolved ("swelling going down"),
// historical ("had a DVT years ago"), about someone else ("my son has a
// fever") or hypothetical ("what if it's a clot?"). Concept rules then
// combine what is left with the score, area and history.
//
// The package uses only the standard library and keeps no state beyond
// its compiled lexicon, so one Triager serves every goroutine.
package triage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Level is how soon a finding needs a clinician.
type Level int

// Levels, from least to most pressing.
const (
	None Level = iota
	// Soon: within a few days, at the next appointment or a call.
	Soon
	// Urgent: the same day.
	Urgent
	// Emergency: now, by calling the emergency number.
	Emergency
)

// String returns the level's stable name.
func (l Level) String() string {
	switch l {
	case Soon:
		return "soon"
	case Urgent:
		return "urgent"
	case Emergency:
		return "emergency"
	}
	return "none"
}

// ParseLevel reads a level's name.
func ParseLevel(s string) (Level, bool) {
	for l := None; l <= Emergency; l++ {
		if l.String() == s {
			return l, true
		}
	}
	return None, false
}

// Input is one thing to triage: a check-in, or a line of free text.
type Input struct {
	// Score is the pain score 0-10; HasScore is false for free text.
	Score    int
	HasScore bool
	// Area is the body area the member chose; it counts as text, so area
	// "chest" with the note "tight" is chest tightness.
	Area string
	Note string
	// Previous holds earlier scores for the same area, oldest first.
	Previous []int
	// WorseningBy is how many points the week's trend has risen, as the
	// caller's trend line measures it; 0 when not worsening.
	WorseningBy int
	// EarlierNotes holds notes of the last few weeks for the same area,
	// newest first, with their age in days, for symptoms that persist.
	EarlierNotes []EarlierNote
	// TapeWorn: kinesiology tape is on now. Taping: about to put it on.
	TapeWorn, Taping bool
	// RecentSurgery: the member told us of an operation in recent weeks.
	RecentSurgery bool
}

// EarlierNote is a previous note and how many days ago it was written.
type EarlierNote struct {
	DaysAgo int
	Note    string
}

// Finding is one reason to see a clinician.
type Finding struct {
	// Concept is a stable name, stored with red-flag events and counted
	// in metrics; see Concepts.
	Concept string
	Level   Level
	// Matched lists the member's words that led to the finding.
	Matched []string
	// Reason says in one line why, for the reply's footer and reports.
	Reason string
}

// Triager holds the compiled lexicon.
type Triager struct {
	lex *lexicon
	ctx *contextLexicon
}

// New compiles the lexicon.
func New() *Triager {
	t := &Triager{lex: newLexicon(phrases), ctx: newContextLexicon()}
	for _, ps := range []*patternSet{t.ctx.pre, t.ctx.pseudo, t.ctx.post, t.ctx.term, t.ctx.hist, t.ctx.longStanding, t.ctx.other, t.ctx.hypo, t.ctx.exert} {
		t.lex.know(ps.all)
	}
	return t
}

// facts are the mentions of one input, by class and status.
type facts struct {
	mentions  []*mention
	sentences [][]string
	// areaClasses are classes the chosen area stands for in every
	// sentence.
	areaClasses map[class]bool
	in          Input
}

func (t *Triager) read(text string) ([][]string, []*mention) {
	sents := sentences(text)
	var all []*mention
	for si, words := range sents {
		for i, w := range words {
			if w != comma {
				words[i] = t.lex.correct(w)
			}
		}
		var ms []*mention
		for i := range words {
			try := func(cp classPattern) {
				if end := cp.matchAt(words, i); end > i {
					ms = append(ms, &mention{class: cp.class, sentence: si, start: i, end: end, words: strings.Join(words[i:end], " ")})
				}
			}
			for _, cp := range t.lex.byFirst[words[i]] {
				try(cp)
			}
			if words[i] != "" {
				for _, cp := range t.lex.loose[words[i][0]] {
					try(cp)
				}
			}
		}
		ms = dropVetoed(ms)
		t.ctx.assignStatus(words, ms)
		all = append(all, ms...)
	}
	return sents, all
}

// dropVetoed removes mentions that overlap a veto phrase, and the vetoes.
func dropVetoed(ms []*mention) []*mention {
	var vetoes []*mention
	for _, m := range ms {
		if m.class == cVeto {
			vetoes = append(vetoes, m)
		}
	}
	if len(vetoes) == 0 {
		return ms
	}
	out := ms[:0]
	for _, m := range ms {
		if m.class == cVeto {
			continue
		}
		hidden := false
		for _, v := range vetoes {
			if m.start < v.end && v.start < m.end {
				hidden = true
				break
			}
		}
		if !hidden {
			out = append(out, m)
		}
	}
	return out
}

// areaStandsFor maps a chosen area to what it says on its own.
var areaStandsFor = map[string][]class{
	"chest":      {cChest},
	"calf":       {cLeg},
	"achilles":   {cLeg},
	"head":       {cHeadWord},
	"groin":      {cSaddle},
	"glute":      {cSaddle},
	"lower-back": {},
}

// affirmed returns the mentions of c that the member says happen now.
func (f *facts) affirmed(c class) []*mention {
	var out []*mention
	for _, m := range f.mentions {
		if m.class == c && m.status == affirmed {
			out = append(out, m)
		}
	}
	return out
}

// has reports an affirmed mention of c, or the area standing for it.
func (f *facts) has(c class) bool {
	return f.areaClasses[c] || len(f.affirmed(c)) > 0
}

// any returns the affirmed mentions of c and, with history, the
// historical ones too.
func (f *facts) any(c class, withHistory bool) []*mention {
	var out []*mention
	for _, m := range f.mentions {
		if m.class == c && (m.status == affirmed || withHistory && m.status == historical) {
			out = append(out, m)
		}
	}
	return out
}

// together returns the words of the first sentence where every class is
// affirmed (the area counts in every sentence), and whether there is one.
func (f *facts) together(cs ...class) ([]string, bool) {
	for si := range f.sentences {
		var words []string
		ok := true
		for _, c := range cs {
			found := false
			for _, m := range f.mentions {
				if m.class == c && m.sentence == si && m.status == affirmed {
					words = append(words, m.words)
					found = true
					break
				}
			}
			if !found && f.areaClasses[c] {
				found = true
			}
			if !found {
				ok = false
				break
			}
		}
		if ok && len(words) > 0 {
			return words, true
		}
	}
	return nil, false
}

// words returns the words of the affirmed mentions of c.
func (f *facts) words(c class) []string {
	var out []string
	for _, m := range f.affirmed(c) {
		out = append(out, m.words)
	}
	return out
}

// Assess triages one input and returns its findings, most pressing
// first; an empty result means nothing needs a clinician. It never
// panics, and its work is bounded by the note's length cap.
func (t *Triager) Assess(in Input) []Finding {
	f := &facts{in: in, areaClasses: map[class]bool{}}
	for _, c := range areaStandsFor[in.Area] {
		f.areaClasses[c] = true
	}
	f.sentences, f.mentions = t.read(in.Note)
	var out []Finding
	add := func(concept string, level Level, matched []string, reason string) {
		for i := range out {
			if out[i].Concept == concept {
				if level > out[i].Level {
					out[i] = Finding{Concept: concept, Level: level, Matched: matched, Reason: reason}
				}
				return
			}
		}
		out = append(out, Finding{Concept: concept, Level: level, Matched: dedupe(matched), Reason: reason})
	}
	rules(t, f, add)
	slices.SortStableFunc(out, func(a, b Finding) int {
		if a.Level != b.Level {
			return int(b.Level - a.Level)
		}
		return conceptOrder(a.Concept) - conceptOrder(b.Concept)
	})
	return out
}

// dedupe drops empty and repeated words, and words inside longer ones
// ("slurred" beside "speech is slurred").
func dedupe(ws []string) []string {
	var out []string
	for _, w := range ws {
		if w == "" || slices.Contains(out, w) {
			continue
		}
		inside := false
		for _, o := range ws {
			if o != w && strings.Contains(o, w) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, w)
		}
	}
	return out
}

// quote renders matched words for a reason line.
func quote(ws []string) string {
	ws = dedupe(ws)
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = strconv.Quote(w)
	}
	return strings.Join(q, " and ")
}

// feverTemperature reports a written temperature of a fever: 37.8 to 43
// degrees Celsius or 100 to 110 Fahrenheit.
func feverTemperature(sents [][]string) (string, bool) {
	for _, words := range sents {
		for _, w := range words {
			num := strings.TrimRight(w, "cf")
			v, err := strconv.ParseFloat(num, 64)
			if err != nil || num == "" {
				continue
			}
			if (v >= 37.8 && v <= 43) || (v >= 100.0 && v <= 110 && strings.Contains(num, ".")) {
				return w, true
			}
		}
	}
	return "", false
}

// mentionsTemperature reports a temperature word, which a bare number
// needs to count as a fever ("38.5" alone could be anything).
func mentionsTemperature(sents [][]string) bool {
	for _, words := range sents {
		for _, w := range words {
			switch w {
			case "temp", "temperature", "thermometer", "degrees", "fever", "feverish", "c", "f", "celsius", "fahrenheit":
				return true
			}
			if strings.HasSuffix(w, "c") || strings.HasSuffix(w, "f") {
				if _, err := strconv.ParseFloat(w[:len(w)-1], 64); err == nil {
					return true
				}
			}
		}
	}
	return false
}

func reasonf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
