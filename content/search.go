package content

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Search weights: an id or topic hit says more than a word in the body.
const (
	scoreExactID    = 100
	scoreExactTopic = 50
	scoreIDWord     = 20
	scoreTopicWord  = 15
	scoreTitleWord  = 12
	scoreTag        = 10
	scoreKeyword    = 8
	scorePrefix     = 5
	scoreBody       = 2
)

// Search implements bot.Library. Cards that match every search word come
// first; when none does, cards matching any word are returned. Ranking
// favours the id, then topic, title, tags, match keywords and body.
func (l *Library) Search(query string) []bot.Card {
	q := strings.ToLower(strings.TrimSpace(query))
	whole := strings.Join(strings.Fields(q), "-")
	terms := searchTerms(q)
	if whole == "" {
		return nil
	}
	type scored struct {
		c     *card
		score int
		all   bool
	}
	var found []scored
	anyAll := false
	for _, c := range l.cards {
		s := scored{c: c, all: len(terms) > 0}
		if c.ID == whole {
			s.score += scoreExactID
		}
		if c.Topic == whole {
			s.score += scoreExactTopic
		}
		for _, t := range terms {
			ts := c.termScore(t)
			s.score += ts
			s.all = s.all && ts > 0
		}
		if s.score > 0 {
			found = append(found, s)
			anyAll = anyAll || s.all
		}
	}
	if anyAll {
		found = slices.DeleteFunc(found, func(s scored) bool { return !s.all })
	}
	slices.SortStableFunc(found, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.c.Topic, b.c.Topic), cmp.Compare(a.c.Title, b.c.Title))
	})
	out := make([]bot.Card, len(found))
	for i, s := range found {
		out[i] = copyCard(s.c.Card)
	}
	return out
}

func (c *card) termScore(t string) int {
	score := 0
	score += wordsScore(t, splitWords(c.ID), scoreIDWord)
	score += wordsScore(t, splitWords(c.Topic), scoreTopicWord)
	score += wordsScore(t, splitWords(c.Title), scoreTitleWord)
	for _, tag := range c.tags {
		score += wordsScore(t, splitWords(tag), scoreTag)
	}
	for _, k := range c.keywords {
		for _, p := range k.words {
			if p.matches(t) {
				score += scoreKeyword
			}
		}
	}
	if slices.Contains(splitWords(c.Body), t) {
		score += scoreBody
	}
	return score
}

// wordsScore scores a term against words: full points for an equal word,
// a little for a prefix ("swell" finds "swelling").
func wordsScore(t string, words []string, full int) int {
	best := 0
	for _, w := range words {
		switch {
		case w == t:
			return full
		case len(t) >= 3 && strings.HasPrefix(w, t):
			best = scorePrefix
		}
	}
	return best
}

// searchTerms splits a query into words, dropping filler that would stop
// "how do I remove tape" from finding the removal card.
func searchTerms(q string) []string {
	var out []string
	for _, w := range splitWords(q) {
		if len(w) < 3 || isFiller(w) {
			continue
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return splitWords(q)
	}
	return out
}

func isFiller(w string) bool {
	switch w {
	case "the", "and", "for", "how", "what", "why", "when", "does", "can", "about", "with", "should", "from", "you", "your", "my", "is", "are", "do", "get", "any":
		return true
	}
	return false
}

func splitWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}
