package triage

import (
	"strings"
)

// A pattern is a phrase written as segments. Inside a segment, "|"
// separates alternatives and each alternative is one or more words
// ("can not|unable to"); a word ending in "*" matches any word with that
// start ("numb*" matches numbness). Segments are joined by " ~ ", which
// skips up to four words within the clause ("pins and needles ~ foot"),
// or by " . ", which joins them directly ("wet|peed . myself|pants").
type pattern struct {
	text string
	segs []segment
}

type segment struct {
	alts []phrase
	// gapBefore: up to maxGap words may come between this segment and
	// the previous one.
	gapBefore bool
}

// phrase is one alternative: words in a row.
type phrase []word

type word struct {
	text   string
	prefix bool
}

func (w word) matches(s string) bool {
	if w.prefix {
		return strings.HasPrefix(s, w.text)
	}
	return s == w.text
}

func compilePattern(s string) pattern {
	p := pattern{text: s}
	for i, gapPart := range strings.Split(s, " ~ ") {
		for j, part := range strings.Split(gapPart, " . ") {
			seg := segment{gapBefore: i > 0 && j == 0}
			for _, a := range strings.Split(part, "|") {
				var ph phrase
				for _, f := range strings.Fields(a) {
					if strings.HasSuffix(f, "*") {
						ph = append(ph, word{text: strings.TrimSuffix(f, "*"), prefix: true})
					} else {
						ph = append(ph, word{text: f})
					}
				}
				if len(ph) > 0 {
					seg.alts = append(seg.alts, ph)
				}
			}
			p.segs = append(p.segs, seg)
		}
	}
	return p
}

// maxGap is how many words a " ~ " may skip.
const maxGap = 4

// matchAt returns the end (exclusive) of the pattern matched at words[i:],
// or -1. A gap never skips a comma: it does not join two clauses.
func (p pattern) matchAt(words []string, i int) int {
	return matchSegs(p.segs, words, i, true)
}

func matchSegs(segs []segment, words []string, i int, first bool) int {
	if len(segs) == 0 {
		return i
	}
	s := segs[0]
	maxSkip := 0
	if s.gapBefore && !first {
		maxSkip = maxGap
	}
	for skip := 0; skip <= maxSkip && i+skip <= len(words); skip++ {
		if skip > 0 && !skippable(words[i+skip-1]) {
			break
		}
		at := i + skip
		for _, ph := range s.alts {
			if end, ok := ph.matchAt(words, at); ok {
				if e := matchSegs(segs[1:], words, end, false); e >= 0 {
					return e
				}
			}
		}
	}
	return -1
}

// skippable reports whether a gap may pass over a word: never a comma
// (two clauses) nor a negation ("face is not droopy").
func skippable(w string) bool {
	switch w {
	case comma, "?", "not", "no", "never", "nothing", "without":
		return false
	}
	return true
}

func (ph phrase) matchAt(words []string, i int) (int, bool) {
	if i+len(ph) > len(words) {
		return 0, false
	}
	for j, w := range ph {
		if !w.matches(words[i+j]) {
			return 0, false
		}
	}
	return i + len(ph), true
}

// lexicon is every phrase the triage knows, by class, compiled once.
type lexicon struct {
	// byFirst indexes patterns by the literal words their first required
	// slot accepts; prefixed and optional first slots go to loose.
	byFirst map[string][]classPattern
	// loose holds them by the first letter of the prefix they start with.
	loose [256][]classPattern
	// vocab holds the literal words of five letters or more, and the
	// prefixes of five letters or more, for typo correction.
	vocab map[string]bool
	// known words are never corrected: the context triggers ("month"
	// must not become "mouth").
	known    map[string]bool
	prefixes []string
	byLen    map[int][]string
}

type classPattern struct {
	class class
	pattern
}

func newLexicon(src map[class][]string) *lexicon {
	lx := &lexicon{byFirst: map[string][]classPattern{}, vocab: map[string]bool{}, known: map[string]bool{}, byLen: map[int][]string{}}
	for c, phrases := range src {
		for _, ph := range phrases {
			p := compilePattern(ph)
			cp := classPattern{class: c, pattern: p}
			literal := true
			for _, ph := range p.segs[0].alts {
				if ph[0].prefix {
					literal = false
				}
			}
			if literal {
				for _, ph := range p.segs[0].alts {
					lx.byFirst[ph[0].text] = append(lx.byFirst[ph[0].text], cp)
				}
			} else {
				seen := [256]bool{}
				for _, ph := range p.segs[0].alts {
					if b := ph[0].text[0]; !seen[b] {
						seen[b] = true
						lx.loose[b] = append(lx.loose[b], cp)
					}
				}
			}
			for _, seg := range p.segs {
				for _, ph := range seg.alts {
					for _, w := range ph {
						if len(w.text) < 5 {
							continue
						}
						if w.prefix {
							lx.prefixes = append(lx.prefixes, w.text)
						} else if !lx.vocab[w.text] {
							lx.vocab[w.text] = true
							lx.byLen[len(w.text)] = append(lx.byLen[len(w.text)], w.text)
						}
					}
				}
			}
		}
	}
	return lx
}

// know adds the words of the patterns to the words never corrected.
func (lx *lexicon) know(ps []pattern) {
	for _, p := range ps {
		for _, seg := range p.segs {
			for _, ph := range seg.alts {
				for _, w := range ph {
					if !w.prefix {
						lx.known[w.text] = true
					}
				}
			}
		}
	}
}

// correct returns the lexicon word w is a one-edit typo of, or w itself.
// Only words of five letters or more are corrected, the first letter must
// agree (people rarely mistype it), and ordinary English words that sit
// one edit from a symptom ("fewer" and "fever") are left alone.
func (lx *lexicon) correct(w string) string {
	if len(w) < 5 || lx.vocab[w] || lx.known[w] || protected[w] || !isAlpha(w) {
		return w
	}
	for _, p := range lx.prefixes {
		if strings.HasPrefix(w, p) {
			return w
		}
	}
	for n := len(w) - 1; n <= len(w)+1; n++ {
		for _, v := range lx.byLen[n] {
			if v[0] == w[0] && oneEdit(w, v) && !inflection(w, v) {
				return v
			}
		}
	}
	for _, p := range lx.prefixes {
		if p[0] != w[0] {
			continue
		}
		for n := len(p) - 1; n <= len(p)+1; n++ {
			if n <= len(w) && n >= 4 && oneEdit(w[:n], p) {
				return p + w[n:]
			}
		}
	}
	return w
}

// inflection reports whether two words differ only by an ending such as
// "feel" and "feels" or "notice" and "noticed": different words, not a
// typo.
func inflection(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b) != len(a)+1 || !strings.HasPrefix(b, a) {
		return false
	}
	return strings.ContainsRune("sdryen", rune(b[len(b)-1]))
}

func isAlpha(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// oneEdit reports whether a and b differ by exactly one insertion,
// deletion, substitution or swap of neighbouring letters.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		diff := -1
		for i := 0; i < la; i++ {
			if a[i] != b[i] {
				if diff >= 0 {
					// A second difference is only allowed as a swap.
					return i == diff+1 && a[diff] == b[i] && a[i] == b[diff] && a[i+1:] == b[i+1:]
				}
				diff = i
			}
		}
		return true
	case la == lb+1:
		return deletion(a, b)
	case lb == la+1:
		return deletion(b, a)
	}
	return false
}

// deletion reports whether removing one letter from long gives short.
func deletion(long, short string) bool {
	i := 0
	for i < len(short) && long[i] == short[i] {
		i++
	}
	return long[i+1:] == short[i:]
}

// protected are ordinary words one edit away from a lexicon word.
var protected = map[string]bool{
	"fewer": true, "tomorrow": true, "seats": true, "seat": true, "myself": true, "settled": true, "sneeze": true, "never": true, "lever": true, "clever": true,
	"sweet": true, "chess": true, "cheat": true,
	"blond": true, "blonde": true, "flood": true, "bloody": true, "brood": true,
	"paint": true, "saint": true, "point": true, "joint": true,
	"weird": true, "wired": true, "weigh": true, "weight": true, "eight": true,
	"dwelling": true, "spelling": true,
	"calm": true, "calls": true, "track": true,
	"strike": true, "strode": true, "stoke": true,
	"socked": true, "rocked": true, "looked": true, "licked": true, "lacked": true,
	"bluster": true, "sister": true, "plaster": true,
	"sharp": true, "shape": true, "share": true, "shore": true,
	"tough": true, "rough": true, "dough": true, "couch": true, "caught": true,
	"bowl": true, "bowls": true, "towel": true, "vowel": true, "bowed": true,
	"dumb": true, "thumb": true, "crumb": true,
	"single": true, "jingle": true, "mingle": true, "tinkle": true,
	"walking": true, "waking": true, "talking": true, "taking": true, "making": true, "baking": true,
	"shaking": true, "slurping": true, "during": true, "curing": true, "luring": true,
	"fallen": true, "failed": true, "filled": true, "felled": true, "pulled": true,
	"vision": true, "version": true, "mission": true, "session": true, "sessions": true,
	"running": true, "burning": true, "turning": true, "learning": true, "morning": true, "warning": true,
	"where": true, "there": true, "three": true, "these": true, "those": true, "their": true,
	"better": true, "bitter": true, "butter": true, "letter": true, "setter": true, "sitter": true,
	"cramp": true, "clamp": true, "champ": true, "chimp": true, "tramp": true, "trump": true,
	"sweaty": true, "weeks": true, "sleeping": true, "keeping": true,
	"beeping": true, "peeping": true, "sweeping": true,
	"house": true, "horse": true, "hours": true, "hoarse": true, "mouse": true,
	"stairs": true, "stars": true, "stares": true, "chairs": true, "chair": true, "cheers": true,
	"blast": true, "beast": true, "boast": true, "least": true, "feast": true, "breast": true,
	"painting": true, "pointing": true, "printing": true, "planting": true,
	"drops": true, "drool": true, "troop": true, "group": true,
	"speed": true, "spend": true, "spell": true, "speak": true, "speech's": true,
	"blurred": true, "slurp": true, "slipped": true, "slurry": true,
	"blurry": true, "flurry": true, "hurry": true, "worry": true, "sorry": true,
	"dancer": true, "lancer": true, "answer": true, "canter": true,
	"cheap": true, "cheek": true, "check": true, "chews": true,
	"humor": true, "rumor": true, "tumble": true, "tummy": true,
	"gland": true, "glands": true, "grand": true, "bland": true, "brand": true, "stand": true, "stands": true,
	"hotter": true, "potter": true, "hitter": true, "water": true, "later": true, "latter": true,
	"fright": true, "fight": true, "light": true, "might": true, "right": true, "tight": true, "sight": true,
	"leaning": true, "reaking": true, "peaking": true, "speaking": true, "breaking": true,
	"would": true, "round": true, "sound": true, "found": true, "bound": true, "mound": true, "wounded": true,
	"spells": true, "shells": true, "smalls": true, "small": true,
	"readiness": true, "reddish": true, "rested": true,
	"relapsed": true, "elapsed": true,
	"tinder": true, "render": true, "sender": true, "fender": true, "lender": true,
}
