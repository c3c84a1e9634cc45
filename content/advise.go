package content

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/content/triage"
)

// Windows the guide looks at.
const (
	trendWindow = 7 * 24 * time.Hour
	// persistLookback bounds how far back a symptom may have first been
	// noted for "not settled after a few days".
	persistLookback = 21 * 24 * time.Hour
	defaultTapeDays = 5
	// maxFullRedFlags is how many red flags are worded in full; further
	// ones are named, so a reply stays readable but nothing goes unsaid.
	maxFullRedFlags = 2
	day             = 24 * time.Hour
)

// condition is one test of a match alternative. It returns the reason to
// show when it holds; an empty reason means "holds, nothing worth saying".
type condition func(s *situation) (reason string, ok bool)

// alternative is one entry of a card's match list: all conditions must hold.
type alternative []condition

// situation is everything the rules look at for one check-in, computed once.
type situation struct {
	now   time.Time
	score int
	area  string
	// series holds the check-ins for the same area, oldest first, ending
	// with the current one.
	series []bot.CheckIn
	// notes are the series' notes, parsed on first use (nil until then):
	// most check-ins need only the current one, and parsing a month of
	// notes was a fifth of a check-in's CPU.
	notes []*note
	trend bot.Trend
	// rising counts the consecutive increases ending at this check-in.
	rising int
	// jump is the change since the previous check-in; hasPrev says whether
	// there was one.
	jump           int
	hasPrev        bool
	daysSinceFirst int
	tapeWorn       bool
	tapeDays       int
	tapeOverdue    bool
}

func newSituation(in bot.GuidanceInput) *situation {
	cur := in.CheckIn
	now := in.Now
	if now.IsZero() {
		now = cur.At
	}
	s := &situation{now: now, score: cur.Score, area: cur.Area}
	for _, ci := range in.Recent {
		if ci.Area != cur.Area || sameCheckIn(ci, cur) || ci.At.After(cur.At) {
			continue
		}
		s.series = append(s.series, ci)
	}
	slices.SortStableFunc(s.series, func(a, b bot.CheckIn) int { return a.At.Compare(b.At) })
	s.series = append(s.series, cur)
	s.notes = make([]*note, len(s.series))
	n := len(s.series)
	for i := n - 1; i > 0 && s.series[i].Score > s.series[i-1].Score; i-- {
		s.rising++
	}
	if n > 1 {
		s.hasPrev = true
		s.jump = cur.Score - s.series[n-2].Score
	}
	s.daysSinceFirst = int(now.Sub(s.series[0].At) / day)
	var week []bot.CheckIn
	for _, ci := range s.series {
		if now.Sub(ci.At) <= trendWindow {
			week = append(week, ci)
		}
	}
	s.trend = bot.TrendOf(week)
	for _, tc := range in.Tape {
		if !tc.Worn() {
			continue
		}
		s.tapeWorn = true
		s.tapeDays = max(s.tapeDays, int(now.Sub(tc.AppliedAt)/day))
		planned := tc.Days
		if planned <= 0 {
			planned = defaultTapeDays
		}
		if !now.Before(tc.AppliedAt.Add(time.Duration(planned) * day)) {
			s.tapeOverdue = true
		}
	}
	return s
}

func sameCheckIn(a, b bot.CheckIn) bool {
	if a.ID != 0 || b.ID != 0 {
		return a.ID == b.ID
	}
	return a.At.Equal(b.At) && a.Score == b.Score && a.Note == b.Note
}

func (s *situation) current() note { return s.note(len(s.series) - 1) }

// note returns the parsed note of check-in i of the series.
func (s *situation) note(i int) note {
	if s.notes[i] == nil {
		n := parseNote(s.series[i].Note)
		s.notes[i] = &n
	}
	return *s.notes[i]
}

// hit is a card whose rules matched, with the reasons why.
type hit struct {
	card    *card
	reasons []string
	// specificity counts the conditions that matched; more specific cards
	// win ties of priority.
	specificity int
}

// Advise implements bot.Library. Triage decides red flags: every finding
// is returned, the most pressing worded first. Otherwise the single
// best-matching card is chosen by priority, then by how many conditions
// matched, then by id, so the same history always gives the same advice.
func (l *Library) Advise(in bot.GuidanceInput) bot.Guidance {
	if findings := l.triager.Assess(triageInput(in)); len(findings) > 0 {
		return l.findingGuidance(findings, emergencyNumber(in.EmergencyNumber, in.Zone))
	}
	s := newSituation(in)
	var best *hit
	for _, c := range l.cards {
		if c.redFlag != "" {
			continue
		}
		h, ok := c.evaluate(s)
		if !ok {
			continue
		}
		if best == nil || better(h, *best) {
			best = &h
		}
	}
	if best == nil {
		return bot.Guidance{}
	}
	return bot.Guidance{
		Text:    cardTip(best.card),
		Reason:  strings.Join(best.reasons, " and "),
		CardIDs: []string{best.card.ID},
	}
}

// Triage implements bot.Library for messages that are not commands.
func (l *Library) Triage(in bot.TriageInput) bot.Triage {
	findings := l.triager.Assess(triage.Input{Note: in.Text, TapeWorn: in.TapeWorn})
	if len(findings) == 0 {
		return bot.Triage{}
	}
	g := l.findingGuidance(findings, emergencyNumber(in.EmergencyNumber, in.Zone))
	return bot.Triage{RedFlags: g.RedFlags, Text: g.Text}
}

// RedFlagTitle implements bot.Library.
func (l *Library) RedFlagTitle(rule string) string {
	if c, ok := triage.ConceptByName(rule); ok {
		return c.Title
	}
	return strings.ReplaceAll(rule, "-", " ")
}

// emergencyNumber is the workspace's own number, else the one of the
// member's zone, else "" ("your local emergency number").
func emergencyNumber(own, zone string) string {
	if own != "" {
		return own
	}
	return triage.EmergencyNumber(zone)
}

// triageInput turns a check-in and its history into triage's input.
func triageInput(in bot.GuidanceInput) triage.Input {
	cur := in.CheckIn
	now := in.Now
	if now.IsZero() {
		now = cur.At
	}
	// Red-flag rules speak of areas without sides ("calf", not "left-calf").
	t := triage.Input{Score: cur.Score, HasScore: true, Area: bot.BaseArea(cur.Area), Note: cur.Note}
	var earlier []bot.CheckIn
	for _, ci := range in.Recent {
		if ci.Area != cur.Area || sameCheckIn(ci, cur) || ci.At.After(cur.At) {
			continue
		}
		earlier = append(earlier, ci)
	}
	slices.SortStableFunc(earlier, func(a, b bot.CheckIn) int { return a.At.Compare(b.At) })
	week := []bot.CheckIn{cur}
	for _, ci := range earlier {
		if now.Sub(ci.At) <= trendWindow {
			t.Previous = append(t.Previous, ci.Score)
			week = append(week, ci)
		}
	}
	for i := len(earlier) - 1; i >= 0 && len(t.EarlierNotes) < maxEarlierNotes; i-- {
		if ci := earlier[i]; ci.Note != "" && now.Sub(ci.At) <= persistLookback {
			t.EarlierNotes = append(t.EarlierNotes, triage.EarlierNote{DaysAgo: int(now.Sub(ci.At) / day), Note: ci.Note})
		}
	}
	slices.SortStableFunc(week, func(a, b bot.CheckIn) int { return a.At.Compare(b.At) })
	if trend := bot.TrendOf(week); trend.Direction == bot.TrendWorsening {
		t.WorseningBy = int(math.Round(trend.Change))
	}
	for _, tc := range in.Tape {
		if tc.Worn() {
			t.TapeWorn = true
		}
	}
	return t
}

// maxEarlierNotes bounds the work of reading history for one check-in.
const maxEarlierNotes = 20

// findingGuidance words triage findings: the most pressing in full, then
// the rest by name, each with the card that explains it.
func (l *Library) findingGuidance(findings []triage.Finding, number string) bot.Guidance {
	var g bot.Guidance
	var texts, also, reasons []string
	for _, f := range findings {
		g.RedFlags = append(g.RedFlags, bot.RedFlag{Rule: f.Concept, Urgency: bot.Urgency(f.Level), Matched: f.Matched, Reason: f.Reason})
		card := l.cardFor(f.Concept)
		if card != nil && !slices.Contains(g.CardIDs, card.ID) {
			g.CardIDs = append(g.CardIDs, card.ID)
		}
		more, ref := "", ""
		if card != nil {
			more = fmt.Sprintf(" More: `/coach learn %s`", card.ID)
			ref = fmt.Sprintf(" (`/coach learn %s`)", card.ID)
		}
		// Only the most pressing level is worded in full: after "call
		// 999 now", a same-day line would only blur the message.
		if len(texts) < maxFullRedFlags && f.Level == findings[0].Level {
			texts = append(texts, triage.Advice(f, number)+more)
		} else {
			also = append(also, fmt.Sprintf("**%s**%s", l.RedFlagTitle(f.Concept), ref))
		}
		reasons = append(reasons, f.Reason)
	}
	if len(also) > 0 {
		texts = append(texts, "Also mention to them: "+strings.Join(also, "; ")+".")
	}
	g.Text = strings.Join(texts, "\n\n")
	g.Reason = strings.Join(reasons, "; ")
	return g
}

// cardFor returns the card that explains a red-flag rule: the one that
// names it with the highest priority, else the general red-flags card.
func (l *Library) cardFor(rule string) *card {
	var best *card
	for _, c := range l.cards {
		if c.redFlag == rule && (best == nil || c.priority > best.priority) {
			best = c
		}
	}
	if best == nil {
		best = l.byID[generalRedFlagCard]
	}
	return best
}

func better(a, b hit) bool {
	if a.card.priority != b.card.priority {
		return a.card.priority > b.card.priority
	}
	if a.specificity != b.specificity {
		return a.specificity > b.specificity
	}
	return a.card.ID < b.card.ID
}

func cardTip(c *card) string {
	return fmt.Sprintf("**%s**: %s More: `/coach learn %s`", c.Title, c.tip, c.ID)
}

// evaluate tries the card's alternatives in the order written; the first
// that holds gives the reasons, so authors put the clearest one first.
func (c *card) evaluate(s *situation) (hit, bool) {
	if len(c.match) == 0 {
		return hit{}, false
	}
	var areaReason string
	if !c.anyArea {
		if !slices.Contains(c.Areas, s.area) {
			return hit{}, false
		}
		areaReason = "you checked in for your " + strings.ReplaceAll(s.area, "-", " ")
	}
	best, found := hit{}, false
	for _, alt := range c.match {
		if best, found = alt.evaluate(c, s); found {
			break
		}
	}
	if !found {
		return hit{}, false
	}
	if areaReason != "" {
		best.specificity++
		best.reasons = append(best.reasons, areaReason)
	}
	return best, true
}

func (alt alternative) evaluate(c *card, s *situation) (hit, bool) {
	h := hit{card: c}
	for _, cond := range alt {
		reason, holds := cond(s)
		if !holds {
			return hit{}, false
		}
		h.specificity++
		if reason != "" {
			h.reasons = append(h.reasons, reason)
		}
	}
	return h, true
}

// compileMatch validates one match alternative and turns it into conditions.
func compileMatch(p *problems, m matchMeta, line func(path ...any) int) alternative {
	var alt alternative
	if m.Score != nil {
		lo, hi := checkRange(p, "score", m.Score, 0, 10, line("score"))
		alt = append(alt, func(s *situation) (string, bool) {
			return scoreReason(lo, hi, m.Score), s.score >= lo && s.score <= hi
		})
	}
	if m.Jump != 0 {
		if m.Jump < 1 || m.Jump > 10 {
			p.add(line("jump"), "jump must be 1 to 10 points")
		}
		alt = append(alt, func(s *situation) (string, bool) {
			return fmt.Sprintf("a jump of %s since your last check-in", bot.Plural(s.jump, "point")), s.hasPrev && s.jump >= m.Jump
		})
	}
	if m.Rising != 0 {
		if m.Rising < 1 || m.Rising > 10 {
			p.add(line("rising"), "rising must be 1 to 10 check-ins")
		}
		alt = append(alt, func(s *situation) (string, bool) {
			return fmt.Sprintf("your pain has risen on %s in a row", bot.Plural(s.rising, "check-in")), s.rising >= m.Rising
		})
	}
	if m.Trend != "" {
		dir := bot.TrendDirection(m.Trend)
		switch dir {
		case bot.TrendImproving, bot.TrendStable, bot.TrendWorsening:
		default:
			p.add(line("trend"), "trend %q must be improving, stable or worsening", m.Trend)
		}
		if m.TrendPoints < 0 || m.TrendPoints > 10 {
			p.add(line("trend_points"), "trend_points must be 0 to 10")
		}
		alt = append(alt, func(s *situation) (string, bool) {
			if s.trend.Direction != dir || math.Abs(s.trend.Change) < m.TrendPoints {
				return "", false
			}
			return trendReason(s.trend), true
		})
	} else if m.TrendPoints != 0 {
		p.add(line("trend_points"), "trend_points needs a trend")
	}
	if m.MinCheckIns != 0 {
		if m.MinCheckIns < 1 {
			p.add(line("min_checkins"), "min_checkins must be 1 or more")
		}
		alt = append(alt, func(s *situation) (string, bool) { return "", len(s.series) >= m.MinCheckIns })
	}
	if m.DaysSinceFirst != nil {
		lo, hi := checkRange(p, "days_since_first", m.DaysSinceFirst, 0, 365, line("days_since_first"))
		alt = append(alt, func(s *situation) (string, bool) {
			reason := fmt.Sprintf("you first reported this %s ago", bot.Plural(s.daysSinceFirst, "day"))
			if s.daysSinceFirst < 1 {
				reason = "this is one of your first check-ins"
			}
			return reason, s.daysSinceFirst >= lo && s.daysSinceFirst <= hi
		})
	}
	kws := compileKeywords(p, m.Keywords, func(i int) int { return line("keywords", i) })
	andKws := compileKeywords(p, m.AndKeywords, func(i int) int { return line("and_keywords", i) })
	switch {
	case len(m.Keywords) > 0:
		if m.PersistsDays < 0 || m.PersistsDays > 21 {
			p.add(line("persists_days"), "persists_days must be 1 to 21")
		}
		alt = append(alt, keywordCondition(kws, andKws, m.PersistsDays))
	case len(m.AndKeywords) > 0:
		p.add(line("and_keywords"), "and_keywords needs keywords")
	case m.PersistsDays != 0:
		p.add(line("persists_days"), "persists_days needs keywords")
	}
	if m.Tape != nil {
		want := *m.Tape
		alt = append(alt, func(s *situation) (string, bool) {
			if want {
				return "you are wearing tape", s.tapeWorn
			}
			return "", !s.tapeWorn
		})
	}
	if m.TapeDays != nil {
		lo, hi := checkRange(p, "tape_days", m.TapeDays, 0, 30, line("tape_days"))
		alt = append(alt, func(s *situation) (string, bool) {
			reason := fmt.Sprintf("your tape has been on for %s", bot.Plural(s.tapeDays, "day"))
			if s.tapeDays < 1 {
				reason = "your tape went on within the last day"
			}
			return reason, s.tapeWorn && s.tapeDays >= lo && s.tapeDays <= hi
		})
	}
	if m.TapeOverdue {
		alt = append(alt, func(s *situation) (string, bool) {
			return fmt.Sprintf("your tape has been on for %s, past its planned wear", bot.Plural(s.tapeDays, "day")), s.tapeOverdue
		})
	}
	if len(alt) == 0 {
		p.add(line(), "match entry has no conditions; it would match every check-in")
	}
	return alt
}

func checkRange(p *problems, name string, r *rangeMeta, lo, hi, line int) (int, int) {
	from, to := lo, hi
	if r.Min != nil {
		from = *r.Min
	}
	if r.Max != nil {
		to = *r.Max
	}
	switch {
	case r.Min == nil && r.Max == nil:
		p.add(line, "%s needs min, max or both", name)
	case from < lo || to > hi || from > to:
		p.add(line, "%s must be a range within %d to %d with min <= max", name, lo, hi)
	}
	return from, to
}

func scoreReason(lo, hi int, r *rangeMeta) string {
	switch {
	case r.Max == nil:
		return fmt.Sprintf("a score of %d or more", lo)
	case r.Min == nil:
		return fmt.Sprintf("a score of %d or less", hi)
	case lo == hi:
		return fmt.Sprintf("a score of %d", lo)
	}
	return fmt.Sprintf("a score between %d and %d", lo, hi)
}

func trendReason(t bot.Trend) string {
	switch t.Direction {
	case bot.TrendImproving:
		return fmt.Sprintf("your pain has come down by about %.0f points over the last 7 days", -t.Change)
	case bot.TrendWorsening:
		return fmt.Sprintf("your pain has gone up by about %.0f points over the last 7 days", t.Change)
	}
	return "your pain has been steady over the last 7 days"
}

func compileKeywords(p *problems, words []string, line func(int) int) []keyword {
	var out []keyword
	for i, w := range words {
		k, err := compileKeyword(w)
		if err != nil {
			p.add(line(i), "%v", err)
			continue
		}
		out = append(out, k)
	}
	return out
}

// keywordCondition holds when the current note mentions a keyword (not
// negated), and also one of andKws when given. With persistDays it also
// needs the symptom to have been noted, without an "all gone" in between,
// at least that many days before.
func keywordCondition(kws, andKws []keyword, persistDays int) condition {
	return func(s *situation) (string, bool) {
		m, word := s.current().find(kws)
		if m != mentioned {
			return "", false
		}
		reason := fmt.Sprintf("your note mentions %q", word)
		if len(andKws) > 0 {
			m2, word2 := s.current().find(andKws)
			if m2 != mentioned {
				return "", false
			}
			reason += fmt.Sprintf(" and %q", word2)
		}
		if persistDays > 0 {
			days, ok := s.persistedDays(kws)
			if !ok || days < persistDays {
				return "", false
			}
			reason = fmt.Sprintf("your notes have mentioned %q for %s", word, bot.Plural(days, "day"))
		}
		return reason, true
	}
}

// persistedDays walks back through earlier notes for the same area and
// returns how many days ago the symptom was first noted in the current
// run. A note that negates it ("swelling gone") ends the run.
func (s *situation) persistedDays(kws []keyword) (int, bool) {
	cur := s.series[len(s.series)-1]
	first := time.Time{}
	for i := len(s.series) - 2; i >= 0; i-- {
		ci := s.series[i]
		if cur.At.Sub(ci.At) > persistLookback {
			break
		}
		m, _ := s.note(i).find(kws)
		if m == mentionedNegated {
			break
		}
		if m == mentioned {
			first = ci.At
		}
	}
	if first.IsZero() {
		return 0, false
	}
	return int(cur.At.Sub(first) / day), true
}
