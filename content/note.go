package content

import (
	"fmt"
	"strings"
	"unicode"
)

// note is a check-in note as lowercase words, split into clauses. Negation
// never reaches across a clause, so "no swelling, but numb toes" still
// finds the numbness.
type note struct {
	clauses [][]string
}

// negationWindow is how many words before a keyword a "no" or "not" may
// stand and still negate it: "no numbness or tingling" negates both. It is
// short on purpose: a missed warning sign costs more than an extra caution.
const negationWindow = 3

// afterWindow is how many words after a keyword are searched for words
// like "gone" ("swelling has gone down").
const afterWindow = 3

func parseNote(s string) note {
	var n note
	var clause []string
	var word strings.Builder
	endWord := func() {
		w := strings.Trim(word.String(), "'")
		word.Reset()
		if w == "" {
			return
		}
		if breaksClause(w) {
			n.endClause(&clause)
			return
		}
		clause = append(clause, w)
	}
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '‘':
			word.WriteByte('\'')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(unicode.ToLower(r))
		case strings.ContainsRune(".,;:!?()[]\n\r", r):
			endWord()
			n.endClause(&clause)
		default:
			endWord()
		}
	}
	endWord()
	n.endClause(&clause)
	return n
}

func (n *note) endClause(clause *[]string) {
	if len(*clause) > 0 {
		n.clauses = append(n.clauses, *clause)
	}
	*clause = nil
}

// breaksClause reports words that end the reach of a negation: in "no
// pain but numb" or "no pain, just numb" the numbness is real.
func breaksClause(w string) bool {
	switch w {
	case "but", "however", "although", "though", "except", "yet", "just", "only", "still", "apart", "besides", "whereas":
		return true
	}
	return false
}

func isNegation(w string) bool {
	switch w {
	case "no", "not", "never", "without", "nor", "neither", "none", "zero",
		"isn't", "isnt", "aren't", "arent", "wasn't", "wasnt", "weren't", "werent",
		"don't", "dont", "doesn't", "doesnt", "didn't", "didnt",
		"haven't", "havent", "hasn't", "hasnt", "hadn't", "hadnt", "won't", "wont":
		return true
	}
	return false
}

// isResolved reports words that, after a symptom, say it went away.
func isResolved(w string) bool {
	switch w {
	case "gone", "resolved", "settled", "disappeared", "cleared", "free":
		return true
	}
	return false
}

// keyword is a compiled match keyword: one or more words, each matched
// exactly or, when written with a trailing "*", as a prefix ("numb*"
// matches "numb" and "numbness").
type keyword struct {
	text  string
	words []wordPattern
}

type wordPattern struct {
	word   string
	prefix bool
}

func (p wordPattern) matches(w string) bool {
	if p.prefix {
		return strings.HasPrefix(w, p.word)
	}
	return w == p.word
}

// compileKeyword checks and compiles a keyword as written in front matter.
func compileKeyword(s string) (keyword, error) {
	if s != strings.ToLower(s) {
		return keyword{}, fmt.Errorf("keyword %q must be lowercase", s)
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' })
	if len(fields) == 0 {
		return keyword{}, fmt.Errorf("empty keyword")
	}
	k := keyword{text: s}
	for _, f := range fields {
		p := wordPattern{word: f}
		if strings.HasSuffix(f, "*") {
			p = wordPattern{word: strings.TrimSuffix(f, "*"), prefix: true}
		}
		if p.word == "" || (len(fields) == 1 && len([]rune(p.word)) < 2) {
			return keyword{}, fmt.Errorf("keyword %q is too short: use at least 2 letters", s)
		}
		for _, r := range p.word {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' {
				return keyword{}, fmt.Errorf("keyword %q: use letters, digits, spaces and a trailing * only", s)
			}
		}
		if breaksClause(p.word) && !p.prefix {
			return keyword{}, fmt.Errorf("keyword %q: %q splits notes into clauses, so it can never match", s, p.word)
		}
		k.words = append(k.words, p)
	}
	return k, nil
}

// mention is what a note says about a list of keywords.
type mention int

const (
	notMentioned mention = iota
	// mentionedNegated: only negated, as in "no numbness".
	mentionedNegated
	mentioned
)

// find returns whether the note mentions any keyword, and the first
// un-negated mention as the words the member used.
func (n note) find(kws []keyword) (mention, string) {
	state := notMentioned
	for _, clause := range n.clauses {
		for i := range clause {
			for _, k := range kws {
				end, ok := k.matchAt(clause, i)
				if !ok {
					continue
				}
				if negated(clause, i, end) {
					state = mentionedNegated
					continue
				}
				return mentioned, strings.Join(clause[i:end], " ")
			}
		}
	}
	return state, ""
}

func (k keyword) matchAt(words []string, i int) (end int, ok bool) {
	if i+len(k.words) > len(words) {
		return 0, false
	}
	for j, p := range k.words {
		if !p.matches(words[i+j]) {
			return 0, false
		}
	}
	return i + len(k.words), true
}

// negated reports whether the words[start:end] mention is negated: a
// negation shortly before it ("not swollen"), or a word such as "gone"
// shortly after it that is not itself negated ("swelling has gone" but not
// "swelling has not gone").
func negated(words []string, start, end int) bool {
	for i := max(0, start-negationWindow); i < start; i++ {
		if isNegation(words[i]) {
			return true
		}
	}
	for i := end; i < min(len(words), end+afterWindow); i++ {
		if isNegation(words[i]) {
			return false
		}
		if isResolved(words[i]) {
			return true
		}
	}
	return false
}
