package bot

import (
	"slices"
	"strings"
)

// typoReach is how many edits a word of n letters may be off and still
// count as a typo of another: none for short words, where every word is
// near every other, more for long ones.
func typoReach(n int) int {
	switch {
	case n < 3:
		return 0
	case n <= 4:
		return 1
	case n <= 8:
		return 2
	}
	return 3
}

// closeMatches returns up to n candidates that s could be a typo or a
// beginning of, closest first: those s begins (at least 3 letters), then
// by edit distance. Candidates are compared in lower case.
func closeMatches(s string, candidates []string, n int) []string {
	s = strings.ToLower(s)
	type scored struct {
		c     string
		score int
	}
	var found []scored
	for _, c := range candidates {
		lc := strings.ToLower(c)
		switch {
		case lc == s:
			found = append(found, scored{c, 0})
		case len(s) >= 3 && strings.HasPrefix(lc, s):
			found = append(found, scored{c, 1})
		default:
			reach := typoReach(min(len([]rune(s)), len([]rune(lc))))
			if d := editDistance(s, lc); d <= reach {
				found = append(found, scored{c, 1 + 2*d})
			}
		}
	}
	slices.SortStableFunc(found, func(a, b scored) int { return a.score - b.score })
	var out []string
	for _, f := range found {
		if !slices.Contains(out, f.c) && len(out) < n {
			out = append(out, f.c)
		}
	}
	return out
}
