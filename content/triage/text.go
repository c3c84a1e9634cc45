package triage

import (
	"strings"
	"unicode"
)

// comma stands for a comma inside a sentence. It is kept as a token
// because it matters to negation scope: "no numbness, tingling or
// weakness" continues a list, "no pain, numbness down my leg" starts a
// new clause.
const comma = ","

// maxNoteRunes bounds the work done on one note. A check-in note longer
// than this is pasted text, not a note; the start carries the message.
const maxNoteRunes = 4000

// sentences splits text into sentences of normalised tokens. A sentence
// ends at . ! ? ; a newline or a dash between spaces; a decimal point
// between digits ("38.5") does not end one.
func sentences(text string) [][]string {
	var out [][]string
	var cur []string
	var word strings.Builder
	flushWord := func() {
		if word.Len() == 0 {
			return
		}
		cur = appendNormalised(cur, word.String())
		word.Reset()
	}
	flushSentence := func() {
		flushWord()
		for len(cur) > 0 && cur[len(cur)-1] == comma {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur = nil
	}
	runes := []rune(text)
	if len(runes) > maxNoteRunes {
		runes = runes[:maxNoteRunes]
	}
	for i, r := range runes {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’' || r == '‘' || r == '`':
			// Dropped, so "can't" and "cant" are one word.
		case r == '.' && i > 0 && i+1 < len(runes) && unicode.IsDigit(runes[i-1]) && unicode.IsDigit(runes[i+1]):
			word.WriteRune('.')
		case r == '&' || r == '+':
			flushWord()
			cur = append(cur, "and")
		case r == '/' && i > 0 && i+1 < len(runes) && unicode.IsDigit(runes[i-1]) && unicode.IsDigit(runes[i+1]):
			word.WriteRune('/')
		case r == '?':
			flushWord()
			if len(cur) > 0 {
				cur = append(cur, "?")
			}
			flushSentence()
		case r == '.' || r == '!' || r == ';' || r == '\n' || r == '\r' || r == '…':
			flushSentence()
		case r == '-' || r == '–' || r == '—':
			// A dash between spaces separates thoughts; inside a word
			// ("pins-and-needles", "left-sided") it joins them.
			spaced := i > 0 && i+1 < len(runes) && unicode.IsSpace(runes[i-1]) && unicode.IsSpace(runes[i+1])
			if spaced {
				flushSentence()
			} else {
				flushWord()
			}
		case r == ',' || r == ':' || r == '(' || r == ')':
			flushWord()
			if len(cur) > 0 && cur[len(cur)-1] != comma {
				cur = append(cur, comma)
			}
		default:
			flushWord()
		}
	}
	flushSentence()
	return out
}

// appendNormalised appends one written word as one or more tokens:
// contractions are expanded so that negation sees "not" however it was
// typed, shorthand and British spellings become one canonical form.
func appendNormalised(dst []string, w string) []string {
	if exp, ok := expansions[w]; ok {
		return append(dst, exp...)
	}
	if strings.HasSuffix(w, "nt") && len(w) > 3 {
		// didnt, couldnt, shouldnt, wouldnt, doesnt, arent, hasnt...
		if stem, ok := ntStems[w[:len(w)-2]]; ok {
			return append(dst, stem, "not")
		}
	}
	if c, ok := spellings[w]; ok {
		w = c
	}
	return append(dst, w)
}

// expansions maps shorthand and contractions (with the apostrophe
// already dropped) to the words they stand for.
var expansions = map[string][]string{
	"cant": {"can", "not"}, "cannot": {"can", "not"}, "cnt": {"can", "not"},
	"wont": {"will", "not"}, "aint": {"is", "not"}, "dont": {"do", "not"}, "dnt": {"do", "not"},
	"im": {"i", "am"}, "ive": {"i", "have"}, "id": {"i", "had"}, "ill": {"i", "will"},
	"n": {"and"}, "nd": {"and"}, "w": {"with"}, "wo": {"without"}, "b4": {"before"},
	"thats": {"that", "is"}, "whats": {"what", "is"}, "theres": {"there", "is"},
	"u": {"you"}, "ur": {"your"}, "r": {"are"}, "pls": {"please"}, "coz": {"because"}, "cos": {"because"},
	"bc": {"because"}, "cuz": {"because"}, "tho": {"though"}, "thru": {"through"},
	"abt": {"about"}, "bcos": {"because"}, "becuase": {"because"},
	"yday": {"yesterday"}, "yest": {"yesterday"}, "2day": {"today"}, "tmrw": {"tomorrow"},
	"rn": {"right", "now"}, "idk": {"i", "do", "not", "know"}, "sob": {"short", "of", "breath"},
	"yrs": {"years"}, "yr": {"year"}, "wks": {"weeks"}, "wk": {"week"}, "mths": {"months"}, "mnths": {"months"},
	"mos": {"months"}, "ooze": {"oozing"}, "oozes": {"oozing"}, "oozed": {"oozing"},
}

// ntStems are the words that take "n't".
var ntStems = map[string]string{
	"did": "did", "does": "does", "do": "do", "could": "could", "should": "should", "would": "would",
	"is": "is", "are": "are", "was": "was", "were": "were", "has": "has", "have": "have", "had": "had",
	"must": "must", "need": "need", "might": "might",
}

// spellings folds British spellings and common variants into one form so
// the lexicon lists each word once.
var spellings = map[string]string{
	"oedema": "edema", "oedematous": "edema", "diarrhoea": "diarrhea", "haemorrhage": "hemorrhage",
	"colour": "color", "coloured": "colored", "discoloured": "discolored", "grey": "gray",
	"anaesthetic": "anesthetic", "orthopaedic": "orthopedic", "paediatric": "pediatric",
	"tumour": "tumor", "tumours": "tumors", "leukaemia": "leukemia", "haemoptysis": "hemoptysis",
	"foetal": "fetal", "faeces": "feces", "faecal": "fecal", "oestrogen": "estrogen",
	"mum": "mom", "mums": "moms", "mummy": "mom", "mam": "mom", "ma": "mom",
	"tingly": "tingling", "tingles": "tingling", "tingle": "tingling", "tingled": "tingling",
	"numbed": "numb", "numbish": "numb",
	"swolen": "swollen", "swolled": "swollen", "swelled": "swollen",
	"toilet": "toilet", "loo": "toilet", "lav": "toilet", "bathroom": "toilet", "restroom": "toilet",

	"physiotherapist": "physio", "pt": "physio", "therapist": "physio",
	"ambo":  "ambulance",
	"calfs": "calves", "calve": "calf", "ticker": "heart",
	"op": "operation", "surgery": "operation", "surgeries": "operation", "operated": "operation",
	"tkr": "replacement", "thr": "replacement",
	"bum": "buttock", "butt": "buttock", "bottom": "buttock", "backside": "buttock", "arse": "buttock",
	"ass": "buttock", "buttocks": "buttock", "bums": "buttock", "glutes": "buttock",
	"crotch": "groin", "genitals": "groin", "privates": "groin", "perineum": "groin", "genital": "groin",
	"vagina": "groin", "penis": "groin", "testicles": "groin",
}

// fillers carry no meaning for matching but may be skipped inside a
// phrase ("pins and needles in my foot").
var fillers = map[string]bool{
	"a": true, "an": true, "the": true, "my": true, "me": true, "it": true, "its": true,
	"is": true, "are": true, "was": true, "were": true, "has": true, "have": true, "had": true,
	"been": true, "be": true, "got": true, "all": true, "now": true, "really": true,
	"very": true, "so": true, "quite": true, "bit": true, "little": true, "kind": true, "of": true,
	"sort": true, "abit": true, "pretty": true, "totally": true, "completely": true, "fully": true,
	"mostly": true, "much": true, "feels": true, "feel": true, "felt": true, "looks": true,
	"seems": true, "both": true, "that": true, "this": true, "just": true, "and": true, "or": true,
	"keeps": true, "kept": true, "keep": true, "again": true, "too": true,
	"lot": true, "lots": true, "super": true, "proper": true, "well": true, "properly": true,
}
