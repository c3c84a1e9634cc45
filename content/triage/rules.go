package triage

import (
	"slices"
	"strings"
)

// rules applies every concept rule to the facts of one input.
func rules(t *Triager, f *facts, add func(concept string, level Level, matched []string, reason string)) {
	in := f.in
	tapeContext := in.TapeWorn || len(f.affirmed(cTapeWord)) > 0

	// Cauda equina: bladder or bowel control, or numbness in the saddle.
	if ws := f.words(cBladder); len(ws) > 0 && !woundLeak(f) {
		add("cauda-equina", Emergency, ws, reasonf("you mention %s: a change in bladder or bowel control with back trouble needs checking at once", quote(ws)))
	} else if ws := f.words(cBladderWord); len(ws) > 0 {
		add("cauda-equina", Emergency, ws, reasonf("you mention your %s: any change in bladder or bowel control needs checking at once", quote(ws)))
	}
	if ws, ok := f.together(cNumb, cSaddle); ok {
		add("cauda-equina", Emergency, ws, reasonf("you mention %s: numbness around the saddle area needs checking at once", quote(ws)))
	}

	// Heart and lungs.
	chest := f.has(cChest)
	if ws, ok := f.together(cChest, cChestSym); ok && !(f.has(cChestMSK) && !f.has(cSweaty) && !f.has(cRadiate) && len(f.affirmed(cBreathless)) == 0) {
		add("cardiac", Emergency, ws, reasonf("you mention %s: chest pain, pressure or tightness needs checking at once", quote(ws)))
	} else if chest && in.Area == "chest" && len(f.mentions) == 0 && in.HasScore && in.Score >= 1 && noteEmpty(f) {
		add("cardiac", Urgent, []string{"chest"}, "you checked in with chest pain and no note: chest pain needs a doctor to rule out the heart")
	}
	if ws, ok := f.together(cRadiate); ok && (chest || f.has(cSweaty) || f.has(cChestSym) && f.has(cExertional)) {
		add("cardiac", Emergency, ws, reasonf("you mention %s: pain spreading to the arm or jaw needs checking at once", quote(ws)))
	}
	if ws, ok := f.together(cChestSym, cSweaty); ok && slices.Contains([]string{"chest", "arm", "jaw", "shoulder", "neck", "upper-back"}, in.Area) {
		add("cardiac", Emergency, ws, reasonf("you mention %s: pain with sweating or sickness needs checking at once in case it is your heart", quote(ws)))
	}
	if ws, ok := f.together(cChest, cSweaty); ok {
		add("cardiac", Emergency, ws, reasonf("you mention %s: chest symptoms with sweating or sickness need checking at once", quote(ws)))
	}
	if slices.Contains([]string{"jaw", "arm", "chest", "neck", "shoulder", "upper-back"}, in.Area) || chest {
		if ws, ok := f.together(cExertional); ok && exertionalPattern(f) {
			add("cardiac", Emergency, ws, reasonf("you mention %s: pain that comes on with effort and eases with rest can come from the heart", quote(ws)))
		}
	}
	clotSigns, clotWords := legClot(f)
	breathless := f.affirmed(cBreathless)
	if len(breathless) > 0 || (chest && f.has(cChestSym)) || f.has(cCoughBlood) {
		if clotSigns || (f.has(cClotWord) && f.has(cLeg)) {
			add("clot-lung", Emergency, append(clotWords, f.words(cBreathless)...), "a swollen or painful leg with breathlessness or chest pain can mean a clot has moved to the lungs")
		}
	}
	if len(breathless) > 0 {
		ws := f.words(cBreathless)
		exerted := f.exerted(breathless)
		switch {
		case f.has(cRest) || f.has(cChest) || f.has(cPalpitations) || f.has(cFaint) || f.has(cNearFaint) && !exerted:
			add("breathing", Emergency, ws, reasonf("you mention %s: being short of breath at rest needs help at once", quote(ws)))
		case in.RecentSurgery || f.has(cRisk):
			add("clot-lung", Emergency, ws, reasonf("you mention %s after an operation or long journey: breathlessness then can mean a clot", quote(ws)))
		case !exerted && !clotSigns:
			add("breathing", Urgent, ws, reasonf("you mention %s: new breathlessness needs a doctor today", quote(ws)))
		}
	}
	if ws := f.words(cCoughBlood); len(ws) > 0 {
		add("breathing", Emergency, ws, reasonf("you mention %s: coughing up blood needs help at once", quote(ws)))
	}

	// Brain and nerves.
	if ws, ok := f.together(cWeak, cSudden); ok {
		add("stroke", Emergency, ws, reasonf("you mention %s: weakness that comes on suddenly can be a stroke", quote(ws)))
	}
	if ws := f.words(cStroke); len(ws) > 0 {
		add("stroke", Emergency, ws, reasonf("you mention %s: face, arm or speech changes can be a stroke", quote(ws)))
	} else if ws := f.happeningToSomeoneNow(cStroke); len(ws) > 0 {
		// A carer writing about the person they look after: a stroke now
		// needs the emergency number whoever it is happening to.
		add("stroke", Emergency, ws, reasonf("you mention %s happening suddenly: call for them now", quote(ws)))
	}
	if ws, ok := f.together(cHeadWord, cSudden); ok {
		add("headache-sudden", Emergency, ws, reasonf("you mention %s: a sudden, severe headache needs help at once", quote(ws)))
	}
	if ws := f.words(cFaint); len(ws) > 0 {
		add("fainting", Emergency, ws, reasonf("you mention %s: fainting needs checking at once", quote(ws)))
	} else if ws := f.words(cNearFaint); len(ws) > 0 {
		switch {
		case f.has(cPalpitations) || f.has(cChest) || len(breathless) > 0:
			add("fainting", Emergency, append(ws, f.words(cPalpitations)...), reasonf("you mention %s: feeling faint with a racing heart or chest symptoms needs help at once", quote(ws)))
		case f.has(cHeadRush):
			// A head rush on standing that passes is not a warning sign.
		case f.has(cNeckManip) || in.Area == "neck" && f.has(cDizzy):
			add("neck-artery", Emergency, ws, reasonf("you mention %s after neck treatment or with neck pain: dizziness then needs checking at once", quote(ws)))
		case f.has(cPalpitations):
		default:
			if !f.exerted(f.affirmed(cNearFaint)) {
				add("fainting", Urgent, ws, reasonf("you mention %s: feeling faint or dizzy needs a doctor today", quote(ws)))
			}
		}
	}
	if ws := f.words(cPalpitations); len(ws) > 0 && !f.exerted(f.affirmed(cPalpitations)) {
		add("fainting", Soon, ws, reasonf("you mention %s: a racing or irregular heart that keeps coming back should be checked", quote(ws)))
	}
	if ws := f.words(cVision); len(ws) > 0 {
		add("neck-artery", Emergency, ws, reasonf("you mention %s: sudden changes in vision need checking at once", quote(ws)))
	}
	if ws, ok := f.together(cWeak, cNeckManip); ok {
		add("neck-artery", Emergency, ws, reasonf("you mention %s: dizziness or falling after neck treatment needs checking at once", quote(ws)))
	}
	if ws, ok := f.together(cDizzy, cNeckManip); ok {
		add("neck-artery", Emergency, ws, reasonf("you mention %s: dizziness after neck treatment needs checking at once", quote(ws)))
	}

	numb, weak := f.affirmed(cNumb), f.affirmed(cWeak)
	if len(numb)+len(weak) > 0 {
		ws := append(f.words(cNumb), f.words(cWeak)...)
		exerted := len(numb) == 0 && f.exerted(weak) || f.has(cTransient) && !f.has(cSpreading)
		switch {
		case tapeContext && len(numb) > 0 && (f.has(cExtremity) || in.TapeWorn):
			add("tape-circulation", Urgent, ws, reasonf("you mention %s with tape on: take the tape off now", quote(ws)))
		case !exerted:
			add("neuro", Urgent, ws, reasonf("you mention %s: new numbness, tingling or weakness needs checking today", quote(ws)))
		}
	}
	if tapeContext {
		if ws, ok := f.together(cColdColor, cExtremity); ok {
			add("tape-circulation", Urgent, ws, reasonf("you mention %s with tape on: take the tape off now", quote(ws)))
		} else if ws := f.words(cColdColor); len(ws) > 0 && in.TapeWorn {
			add("tape-circulation", Urgent, ws, reasonf("you mention %s with tape on: take the tape off now", quote(ws)))
		}
	}

	// Clots, infection, fractures.
	if clotSigns {
		add("dvt", Urgent, clotWords, reasonf("you mention %s: a swollen, warm or tender calf can be a clot", quote(clotWords)))
	}
	fever := f.words(cFever)
	if t, ok := feverTemperature(f.sentences); ok && mentionsTemperature(f.sentences) && !f.temperatureNegated() {
		fever = append(fever, t)
	}
	woundBad := woundProblem(f)
	hotJoint := f.has(cHot) && (f.has(cSwell) || f.has(cRed))
	switch {
	case len(woundBad) > 0:
		add("infection", Urgent, woundBad, reasonf("you mention %s: a wound that oozes, smells or spreads redness needs checking today", quote(woundBad)))
	case len(fever) > 0 && (hotJoint || f.has(cSwell) || f.has(cRed) || f.has(cHot) || in.RecentSurgery || f.has(cWound) || f.has(cRisk)):
		add("infection", Urgent, append(fever, f.words(cHot)...), reasonf("you mention %s: a fever with a hot, swollen joint or a healing wound needs checking today", quote(fever)))
	case len(fever) > 0:
		add("fever", Soon, fever, reasonf("you mention %s: rest from exercise and talk to a doctor if it does not settle", quote(fever)))
	case hotJoint && in.RecentSurgery:
		add("infection", Urgent, f.words(cHot), "a hot, swollen joint after an operation needs checking today")
	}
	if ws := f.words(cCantBear); len(ws) > 0 {
		add("fracture", Urgent, ws, reasonf("you mention %s: not being able to bear weight needs an X-ray today", quote(ws)))
	}
	if ws := f.words(cDeform); len(ws) > 0 {
		add("fracture", Urgent, ws, reasonf("you mention %s: a joint or bone that looks out of shape needs checking today", quote(ws)))
	}
	if ws := f.words(cCrack); len(ws) > 0 && (f.has(cFall) || f.has(cPain) || f.has(cSwell) || in.HasScore && in.Score >= 4) {
		add("fracture", Urgent, ws, reasonf("you mention %s: a crack or snap with pain needs checking today", quote(ws)))
	}

	// Soon.
	if ws := f.words(cPop); len(ws) > 0 {
		if f.has(cSwell) {
			add("pop-swelling", Soon, append(ws, f.words(cSwell)...), reasonf("you mention %s: a pop with swelling straight after can mean a ligament or tendon injury", quote(ws)))
		} else {
			add("new-injury", Soon, ws, reasonf("you mention %s: a pop during activity is worth a check", quote(ws)))
		}
	}
	if ws := f.words(cLocked); len(ws) > 0 {
		add("locked-joint", Soon, ws, reasonf("you mention %s: a joint that locks or will not straighten needs a check", quote(ws)))
	}
	if ws := f.words(cFall); len(ws) > 0 {
		add("new-injury", Soon, ws, reasonf("you mention %s: a new injury or fall is worth a check before you carry on", quote(ws)))
	}
	if ws := f.words(cNight); len(ws) > 0 && (f.has(cPain) || f.has(cNoEase) || in.HasScore && in.Score > 0 || wakes(ws)) {
		add("night-pain", Soon, append(ws, f.words(cNoEase)...), reasonf("you mention %s: pain that wakes you at night should be checked", quote(ws)))
	}
	if ws := f.words(cWeightLoss); len(ws) > 0 && !f.has(cIntentional) {
		add("weight-loss", Soon, ws, reasonf("you mention %s: weight loss you did not plan should be checked", quote(ws)))
	}
	if ms := f.any(cCancer, true); len(ms) > 0 {
		add("cancer-history", Soon, mentionWords(ms), reasonf("you mention %s: new pain with a history of cancer should be checked", quote(mentionWords(ms))))
	}
	if tapeContext {
		skin := f.words(cTapeSkin)
		if len(skin) > 0 && (in.TapeWorn || !f.asked(cTapingIntent)) {
			add("tape-skin", Soon, skin, reasonf("you mention %s under the tape: take it off and let the skin settle", quote(skin)))
		}
	}
	if in.Taping || f.asked(cTapingIntent) || (tapeContext && !in.TapeWorn) {
		if ms := f.any(cContra, true); len(ms) > 0 {
			add("tape-contraindication", Soon, mentionWords(ms), reasonf("you mention %s: ask your physio before using tape", quote(mentionWords(ms))))
		}
	}
	if in.HasScore && in.Score >= 8 {
		add("high-score", Soon, []string{reasonf("%d/10", in.Score)}, reasonf("a score of %d out of 10", in.Score))
	}
	if n, ok := rising(in); ok {
		add("rising-trend", Soon, nil, n)
	}
	if ws := persistentSwelling(t, f); len(ws) > 0 {
		add("swelling-persists", Soon, ws, reasonf("your notes have mentioned %s for several days: swelling or bruising that does not settle should be checked", quote(ws)))
	}
}

// asked reports a mention of c that is not negated: questions count
// ("can i tape it?" is about to tape).
func (f *facts) asked(c class) bool {
	for _, m := range f.mentions {
		if m.class == c && m.status != negated {
			return true
		}
	}
	return false
}

// happeningToSomeoneNow returns the words of mentions of c about another
// person in a sentence that says it came on suddenly.
func (f *facts) happeningToSomeoneNow(c class) []string {
	var out []string
	for _, m := range f.mentions {
		if m.class == c && m.status == otherPerson && sentenceHasAny(f, m.sentence, cSudden) {
			out = append(out, m.words)
		}
	}
	return out
}

func sentenceHasAny(f *facts, si int, c class) bool {
	for _, m := range f.mentions {
		if m.class == c && m.sentence == si && m.status != negated {
			return true
		}
	}
	return false
}

func noteEmpty(f *facts) bool { return len(f.sentences) == 0 }

func mentionWords(ms []*mention) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.words
	}
	return out
}

// exerted reports whether a sentence holding one of the mentions also
// says it came with training ("breathless after sprints").
func (f *facts) exerted(ms []*mention) bool {
	if len(ms) == 0 {
		return false
	}
	for _, m := range ms {
		if !within(exertionPatterns, f.sentences[m.sentence]) {
			return false
		}
	}
	return true
}

var exertionPatterns = compileAll(exertion)

// exertionalPattern: pain that comes on with effort and eases with rest.
func exertionalPattern(f *facts) bool {
	n := 0
	for _, m := range f.affirmed(cExertional) {
		if m.words != "" {
			n++
		}
	}
	return n >= 2
}

// legClot reports calf or leg swelling, warmth, redness or tenderness that
// may be a deep vein thrombosis: swelling, warmth or redness of the leg on
// their own, or tenderness and pain with a risk factor.
func legClot(f *facts) (bool, []string) {
	if f.has(cClotWord) && !f.exerted(f.affirmed(cClotWord)) {
		return true, f.words(cClotWord)
	}
	for _, sign := range []class{cSwell, cHot, cRed} {
		if ws, ok := f.together(cLeg, sign); ok && legIsCalf(f) {
			return true, ws
		}
	}
	if ws, ok := f.together(cLeg, cTender); ok && (f.in.RecentSurgery || f.has(cRisk)) && legIsCalf(f) {
		return true, ws
	}
	return false, nil
}

// legIsCalf keeps the clot rule to the lower leg: a swollen ankle after a
// sprain is a sprain.
func legIsCalf(f *facts) bool {
	if f.in.Area == "calf" {
		return true
	}
	for _, m := range f.affirmed(cLeg) {
		switch m.words {
		case "ankle", "ankles", "thigh":
			continue
		}
		return true
	}
	return f.in.Area == "achilles"
}

// woundLeak reports "leaking" about a wound, not the bladder.
func woundLeak(f *facts) bool {
	for _, m := range f.affirmed(cBladder) {
		leak := strings.HasPrefix(m.words, "leak") || strings.HasPrefix(m.words, "dribbl")
		if !leak || !sentenceHas(f, m.sentence, cWound) {
			return false
		}
	}
	return true
}

func sentenceHas(f *facts, si int, c class) bool {
	for _, m := range f.mentions {
		if m.class == c && m.sentence == si && m.status == affirmed {
			return true
		}
	}
	return false
}

// woundProblem returns words of a wound that oozes, smells or spreads.
func woundProblem(f *facts) []string {
	var out []string
	for _, m := range f.affirmed(cWoundBad) {
		if sentenceHas(f, m.sentence, cWound) || f.in.RecentSurgery && strongWoundWord(m.words) {
			out = append(out, m.words)
		}
	}
	if ws, ok := f.together(cWound, cRed); ok && f.has(cSwell) {
		out = append(out, ws...)
	}
	return out
}

// temperatureNegated: "temp normal", "no temperature".
func (f *facts) temperatureNegated() bool {
	for _, m := range f.mentions {
		if m.class == cFever && m.status != affirmed {
			return true
		}
	}
	return false
}

// rising reports pain rising over check-ins: three rises in a row, a jump
// of three points since the last one, or a week's trend up by two points.
func rising(in Input) (string, bool) {
	if !in.HasScore || len(in.Previous) == 0 {
		return "", false
	}
	prev := in.Previous[len(in.Previous)-1]
	if in.Score-prev >= 3 {
		return reasonf("your pain jumped from %d to %d since your last check-in", prev, in.Score), true
	}
	series := append(slices.Clone(in.Previous), in.Score)
	rises, start := 0, in.Score
	for i := len(series) - 1; i > 0 && series[i] > series[i-1]; i-- {
		rises++
		start = series[i-1]
	}
	if rises >= 3 {
		return reasonf("your pain has risen on %d check-ins in a row, from %d to %d", rises, start, in.Score), true
	}
	if in.WorseningBy >= 2 {
		return reasonf("your pain has gone up by about %d points over the last week", in.WorseningBy), true // WorseningBy >= 2: always plural
	}
	return "", false
}

// persistentSwelling: swelling or bruising now and in a note three or
// more days ago, with no note in between saying it had gone.
func persistentSwelling(t *Triager, f *facts) []string {
	now := append(f.words(cSwell), f.words(cBruise)...)
	if len(now) == 0 {
		return nil
	}
	for _, e := range f.in.EarlierNotes {
		_, ms := t.read(e.Note)
		for _, m := range ms {
			if m.class != cSwell && m.class != cBruise {
				continue
			}
			if m.status == negated {
				return nil
			}
			if m.status == affirmed && e.DaysAgo >= 3 {
				return now
			}
		}
	}
	return nil
}

// strongWoundWord: words that speak of a wound even when the note does
// not say "wound" ("oozing since the op").
func strongWoundWord(w string) bool {
	for _, p := range []string{"ooz", "weep", "pus", "discharg", "smell", "stink", "gunk", "seep"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// wakes reports night words that say the pain wakes the member.
func wakes(ws []string) bool {
	for _, w := range ws {
		if strings.HasPrefix(w, "wak") || strings.HasPrefix(w, "wok") || strings.HasPrefix(w, "keeps") {
			return true
		}
	}
	return false
}
