package triage

// This file decides, for each phrase found, whether the member is saying
// it happens to them now. It follows the NegEx and ConText algorithms
// (Chapman et al. 2001; Harkema et al. 2009): trigger words open a scope
// that runs forward (or, for a few, backward) until a terminating word, a
// new clause or the end of the sentence; phrases inside the scope are
// negated, historical, about someone else or hypothetical.

// status is what the context says about one mention.
type status uint8

const (
	affirmed status = iota
	negated
	historical
	otherPerson
	hypothetical
)

// mention is one lexicon phrase found in a sentence.
type mention struct {
	class      class
	sentence   int
	start, end int
	words      string
	status     status
}

// preWindow is how many words after a negation trigger it still reaches:
// NegEx uses five; six covers "no numbness or tingling in either leg".
const preWindow = 6

// postBackWindow is how far back a trailing trigger ("gone", "fine")
// reaches over filler words and other findings.
const postBackWindow = 5

// context triggers, as patterns.
var (
	preNegation = []string{
		"no", "not", "never", "without", "nor", "neither", "none", "nothing", "zero", "denies",
		"free of", "absence of", "no sign of|no signs of", "lack of", "nil",
	}
	// pseudoNegation looks like a negation but negates nothing that
	// follows: "no better, numbness down my leg" still reports numbness.
	pseudoNegation = []string{
		"no better", "not better", "not any better", "not much better", "not getting better", "no worse",
		"not too bad", "not so bad", "not bad", "not great", "not good", "not brilliant", "not ideal",
		"not sure", "no idea", "not only", "no change", "no improvement", "not improving", "not improved",
		"not going away", "not gone", "not go away", "not settling", "not settled", "not easing", "not eased",
		"not helping", "not helped", "nothing helps", "nothing helped", "nothing eases", "nothing comes",
		"no let up", "no relief", "not stopping", "not stopped", "no end", "not normal", "no doubt",
		"can not stop", "not right", "no way", "no matter", "not a lot", "not much", "not long", "no longer able",
		"not sleeping", "no sleep", "not able", "not resolved", "not fine", "not ok", "not okay",
	}
	// postNegation follows what it negates: "swelling going down",
	// "bladder fine", "numbness has gone".
	postNegation = []string{
		"fine", "ok", "okay", "normal", "settled", "gone", "resolved", "improving", "improved", "better",
		"easing", "eased", "cleared", "clear", "disappeared", "subsided", "subsiding", "calmed",
		"going down", "gone down", "went down", "coming down", "come down", "settling", "all good", "good",
		"no problem|problems|issue|issues", "back to normal", "under control", "stopped", "went away", "gone away",
		"a thing of the past", "sorted", "healed", "healing well", "behaving", "ruled out", "dried up", "dried", "fading", "went after|went within|went when|went once|went as soon|went off", "went ~ after|later|mins|minutes",
	}
	// terminators end any scope.
	terminators = []string{
		"but", "however", "though", "although", "yet", "except", "apart from", "aside from", "still",
		"whereas", "which", "because", "just", "only", "now", "since", "then", "until", "today", "tonight", "this morning",
	}
	history = []string{
		"years|year|months|month|decades|ages ~ ago", "years|decades ~ back", "a while back", "long time ago",
		"last year", "in the past", "as a ~ kid|child|teenager|teen|baby|boy|girl", "when i was ~ a kid|young|little|younger|small|pregnant|at school|in school", "history of",
		"used to", "previous", "previously", "in . 19*|20*", "back in", "old ~ injury|break|fracture|dvt|clot|operation|scar|problem", "hx", "childhood", "years before", "last week|last month|last year", "turned out to be",
		"had one before", "once before",
	}
	otherPeople = []string{
		"physio|doctor|gp|nurse|surgeon|coach|trainer|consultant ~ say|says|said|thinks|reckons|told|mentioned|explained|reckon",

		"my|our|dads|moms|wifes|husbands . son|daughter|wife|husband|mom|dad|mother|father|partner|friend|brother|sister|kid|kids|child|baby|boyfriend|girlfriend|colleague|teammate|mate|nan|gran|grandma|grandad|grandpa|granny|neighbour|neighbor|uncle|aunt|auntie|cousin|flatmate|roommate",
		"he|she|they . has|have|had|is|was|got|gets|felt|feels|nearly", "hes|shes|theyve|theyre", "someone", "somebody", "dads|moms|wifes|husbands|sons|daughters|mates|friends|partners|brothers|sisters|hubbys|wifeys", "hubby|wifey|missus|bf|gf|fiance|fiancee|hubby . has|had|got|is|was|nearly|just|fainted", "son|daughter|wife|husband|partner|kid|kids|friend|brother|sister|nan|grandma|grandad|boyfriend|girlfriend|mate . has|had|got|is|was|nearly|just|keeps", "the dog|the cat|the horse|my dog|my cat . is|has|was|keeps|got|seems", "his paw|her paw",
		"a friend", "a teammate", "a mate", "a colleague", "runs in the family", "hereditary",
	}
	hypotheticalTriggers = []string{
		"what if", "if i . get|got|ever|start|notice|feel|have", "if it . gets|turns|becomes|starts|is|was",
		"if there is|if there was", "should i worry", "should i be worried", "could it be", "could be",
		"might be", "worried it", "worried about", "worried that", "scared it", "scared of",
		"afraid it", "afraid of", "in case", "is it normal", "how do i know", "how would i know",
		"look out for|watch out for|watch for", "signs of", "what are the signs", "what does", "what do i do if", "what to do if",
		"told to watch", "told to look", "keep an eye out", "just checking", "is it a", "could this be",
		"would it be", "wondering if", "i wonder if", "can you get", "does it mean", "is that a sign",
		"possible", "possibly", "chance of", "risk of", "to rule out", "ruling out",
		"leaflet|leaflets|booklet|website|google|article|the nhs site . says|said|mentions|mentioned|talks about|lists",
		"i read|reading about|read about|i read that", "what does ~ mean",
	}
	// longStanding makes a whole sentence history: "tiny leak when i
	// sneeze, been like that since my second baby, nothing new".
	longStanding = []string{
		"been like that|been like this ~ for years|for ages|for months|since childhood|since i was|since my", "nothing new", "for years", "always been|always had",
		"same as ever|same as always", "since ~ baby|pregnancy|childbirth|kids", "years now", "as always",
	}
	// exertion explains breathlessness, weakness and heavy legs as the
	// normal price of training.
	exertion = []string{
		"after|from|during ~ run|runs|running|jog|jogging|sprint|sprints|sprinting|training|session|workout|gym|game|match|race|swim|ride|cycle|class|hiit|spin|circuit|circuits|intervals|drills|practice|hike|cardio|leg day|football|rugby|netball|parkrun|squats|lifting|lift|set|sets|climb",
		"sprints", "sprinting", "leg day", "worked hard", "good burn", "the burn", "gym", "workout",
		"training", "after running", "after exercise", "after exercising", "after the exercises",
		"after my exercises", "doms", "pushing hard", "hard session", "tough session", "normal for me",
		"thats normal", "that is normal", "expected", "as usual", "spin bike", "on the bike", "cycling", "running", "during exercise", "that is the point", "swimming",
	}
)

// contextLexicon holds the compiled trigger lists.
type contextLexicon struct {
	pre, pseudo, post, term, hist, longStanding, other, hypo, exert *patternSet
}

// patternSet is a list of patterns indexed by the word they start with,
// so a note word is only tried against patterns that can match there.
type patternSet struct {
	all     []pattern
	byFirst map[string][]int
	// byLetter holds patterns starting with a prefix word, by its first
	// letter.
	byLetter [256][]int
}

func compileAll(src []string) *patternSet {
	ps := &patternSet{byFirst: map[string][]int{}}
	for i, s := range src {
		p := compilePattern(s)
		ps.all = append(ps.all, p)
		seen := map[string]bool{}
		for _, ph := range p.segs[0].alts {
			w := ph[0]
			switch {
			case w.prefix:
				ps.byLetter[w.text[0]] = append(ps.byLetter[w.text[0]], i)
			case !seen[w.text]:
				seen[w.text] = true
				ps.byFirst[w.text] = append(ps.byFirst[w.text], i)
			}
		}
	}
	return ps
}

// longestAt returns the end of the longest pattern matching at words[i],
// or -1.
func (ps *patternSet) longestAt(words []string, i int) int {
	best := -1
	w := words[i]
	for _, k := range ps.byFirst[w] {
		if e := ps.all[k].matchAt(words, i); e > best {
			best = e
		}
	}
	if w != "" {
		for _, k := range ps.byLetter[w[0]] {
			if e := ps.all[k].matchAt(words, i); e > best {
				best = e
			}
		}
	}
	return best
}

func newContextLexicon() *contextLexicon {
	return &contextLexicon{
		pre: compileAll(preNegation), pseudo: compileAll(pseudoNegation), post: compileAll(postNegation),
		term: compileAll(terminators), hist: compileAll(history), longStanding: compileAll(longStanding), other: compileAll(otherPeople),
		hypo: compileAll(hypotheticalTriggers), exert: compileAll(exertion),
	}
}

// span is a matched trigger.
type span struct{ start, end int }

func findAll(ps *patternSet, words []string, covered []bool) []span {
	var out []span
	for i := 0; i < len(words); i++ {
		if covered != nil && covered[i] {
			continue
		}
		if best := ps.longestAt(words, i); best > i {
			out = append(out, span{i, best})
		}
	}
	return out
}

// clauseStart reports whether a new clause starts at words[i]: after a
// comma or "and", a subject or a time word shows the list is over.
func clauseStart(words []string, i int) bool {
	if i >= len(words) {
		return false
	}
	switch words[i] {
	case "i", "my", "it", "its", "the", "now", "today", "tonight", "then", "this", "that", "there",
		"yesterday", "feels", "feel", "got", "getting", "have", "has", "had", "she", "he", "they",
		"we", "am", "is", "was", "keep", "keeps", "also", "plus", "started", "starting", "woke":
		return true
	}
	return false
}

// listSegment reports whether the words after a comma at i are a short
// list item ("no numbness, tingling or weakness") rather than a clause.
func listSegment(words []string, i int) bool {
	n := 0
	for j := i + 1; j < len(words); j++ {
		switch words[j] {
		case comma:
			return n <= 2
		case "or", "and", "nor":
			return n <= 2 && !clauseStart(words, j+1)
		}
		if n == 0 && clauseStart(words, j) {
			return false
		}
		n++
	}
	return n <= 2
}

// assignStatus marks each mention of one sentence.
func (cl *contextLexicon) assignStatus(words []string, ms []*mention) {
	covered := make([]bool, len(words))
	inMention := make([]bool, len(words))
	for _, m := range ms {
		for i := m.start; i < m.end; i++ {
			covered[i] = true
			inMention[i] = true
		}
	}
	for _, p := range findAll(cl.pseudo, words, nil) {
		for i := p.start; i < p.end; i++ {
			covered[i] = true
		}
	}
	term := make([]bool, len(words))
	for _, t := range findAll(cl.term, words, covered) {
		term[t.start] = true
	}
	// A scope runs forward from a trigger to a terminator, a new clause
	// or the window's end.
	scopeEnd := func(from, window int) int {
		end := len(words)
		if window > 0 {
			end = min(end, from+window)
		}
		for j := from; j < end; j++ {
			if term[j] {
				return j
			}
			if words[j] == comma && !listSegment(words, j) {
				return j
			}
			if (words[j] == "and" || words[j] == "or") && clauseStart(words, j+1) {
				return j
			}
		}
		return end
	}
	mark := func(triggers []span, st status, window int) {
		for _, t := range triggers {
			end := scopeEnd(t.end, window)
			for _, m := range ms {
				if m.status == affirmed && m.start >= t.start && m.start < end && !(m.start == t.start && m.end == t.end) {
					m.status = st
				}
			}
		}
	}
	mark(findAll(cl.pre, words, covered), negated, preWindow)
	for _, t := range findAll(cl.post, words, covered) {
		if t.end < len(words) && words[t.end] == "?" {
			continue // "..., ok?" asks; it does not say all is well
		}
		cl.markBackward(words, ms, t.start, inMention)
	}
	// History and other people colour a whole clause, before or after
	// the trigger: "had a dvt years ago", "fainted as a teenager".
	clauseMark := func(triggers []span, st status) {
		for _, t := range triggers {
			lo, hi := clauseBounds(words, t.start, term)
			for _, m := range ms {
				if m.status == affirmed && m.start >= lo && m.start < hi && (m.end <= t.start || m.start >= t.end) {
					m.status = st
				}
			}
		}
	}
	clauseMark(findAll(cl.hist, words, covered), historical)
	if len(findAll(cl.longStanding, words, covered)) > 0 || question(words) {
		st := historical
		if question(words) {
			st = hypothetical
		}
		for _, m := range ms {
			if m.status == affirmed {
				m.status = st
			}
		}
	}
	mark(findAll(cl.other, words, covered), otherPerson, 0)
	mark(findAll(cl.hypo, words, covered), hypothetical, 0)
}

// markBackward negates the mentions just before a trailing trigger,
// walking back over filler words and further mentions ("numbness and
// tingling have gone").
func (cl *contextLexicon) markBackward(words []string, ms []*mention, at int, inMention []bool) {
	negate := func(j int) {
		for _, m := range ms {
			if m.start <= j && j < m.end && m.status == affirmed {
				m.status = negated
			}
		}
	}
	if at > 0 && words[at-1] == comma && !comparative[words[at]] {
		// A clause that opens with the trigger ("..., went as soon as i
		// stood up", "..., fine after a sit down") speaks of the clause
		// before it.
		for j := at - 2; j >= 0 && words[j] != comma; j-- {
			negate(j)
		}
		return
	}
	steps := 0
	for j := at - 1; j >= 0 && steps < postBackWindow; j-- {
		w := words[j]
		if w == comma {
			return
		}
		if inMention[j] {
			negate(j)
			continue
		}
		if !fillers[w] && !bodyWord[w] {
			return
		}
		steps++
	}
}

// clauseBounds returns the clause around position i.
func clauseBounds(words []string, i int, term []bool) (int, int) {
	lo := i
	for lo > 0 && words[lo-1] != comma && !term[lo-1] {
		lo--
	}
	hi := i
	for hi < len(words) && words[hi] != comma && !(hi > i && term[hi]) {
		hi++
	}
	return lo, hi
}

// comparative triggers say a symptom eased, not that it went: "worse at
// night, better once I'm up" still reports night pain, so they never
// reach back into the clause before.
var comparative = map[string]bool{"better": true, "improving": true, "improved": true, "easing": true, "eased": true, "good": true}

// bodyWord lists body parts a trailing trigger may reach over: "bladder
// and bowels fine", "swelling in my calf going down".
var bodyWord = map[string]bool{
	"in": true, "on": true, "around": true, "under": true,
	"leg": true, "legs": true, "calf": true, "calves": true, "knee": true, "ankle": true, "foot": true,
	"feet": true, "toes": true, "hand": true, "hands": true, "arm": true, "arms": true, "fingers": true,
	"chest": true, "back": true, "bruise": true, "bruising": true, "area": true, "joint": true, "neck": true, "skin": true, "wound": true, "scar": true, "side": true,
}

// within reports whether any pattern occurs in the sentence.
func within(ps *patternSet, words []string) bool {
	return len(findAll(ps, words, nil)) > 0
}

// question reports a sentence that asks in general ("would chest pain
// mean i should stop?", "can neck exercises cause a stroke?") rather than
// reporting: it ends with a question mark and opens with a question word.
func question(words []string) bool {
	if len(words) < 2 || words[len(words)-1] != "?" {
		return false
	}
	switch words[0] {
	case "would", "can", "could", "does", "do", "what", "how", "why", "will", "should", "whats", "are":
		return words[0] != "should" || words[1] != "i" || len(words) > 2 && words[2] != "go"
	}
	return false
}
