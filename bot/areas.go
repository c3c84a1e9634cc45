package bot

import (
	"fmt"
	"strings"
)

// BodyArea is a body region a check-in, card or tape cycle can name.
type BodyArea struct {
	Name    string
	Aliases []string
}

// BodyAreas lists the known areas. Discord allows at most 25 choices for an
// option, so keep the list at or under that.
var bodyAreas = []BodyArea{
	{"neck", []string{"cervical"}},
	{"shoulder", []string{"shoulders", "rotator-cuff"}},
	{"upper-back", []string{"upperback", "thoracic", "mid-back"}},
	{"lower-back", []string{"lowerback", "back", "low-back", "lumbar"}},
	{"elbow", []string{"elbows", "tennis-elbow"}},
	{"wrist", []string{"wrists"}},
	{"hand", []string{"hands", "fingers", "thumb"}},
	{"hip", []string{"hips"}},
	{"glute", []string{"glutes", "buttock"}},
	{"groin", []string{"adductor", "adductors"}},
	{"thigh", []string{"quad", "quads", "quadriceps"}},
	{"hamstring", []string{"hamstrings", "hammy"}},
	{"knee", []string{"knees", "patella"}},
	{"calf", []string{"calves", "shin", "shins"}},
	{"ankle", []string{"ankles"}},
	{"foot", []string{"feet", "heel", "plantar"}},
	{"achilles", []string{"achilles-tendon"}},
	{"jaw", []string{"tmj"}},
	{"head", []string{"headache", "headaches"}},
	{"chest", []string{"ribs"}},
	{"arm", []string{"arms", "biceps", "triceps", "forearm"}},
	{"other", []string{"general", "whole-body"}},
}

// BodyAreas returns the known body areas.
func BodyAreas() []BodyArea { return append([]BodyArea(nil), bodyAreas...) }

// LookupArea returns the canonical area for a name or alias.
func LookupArea(s string) (string, bool) {
	for _, a := range bodyAreas {
		if a.Name == s {
			return a.Name, true
		}
		for _, al := range a.Aliases {
			if al == s {
				return a.Name, true
			}
		}
	}
	return "", false
}

// Sides a body area may carry. An area with a side ("left-knee") is its
// own series in history, charts and reports; "knee" alone is the area
// with no side said.
var sideWords = map[string]string{
	"left": "left", "l": "left", "lt": "left", "lft": "left",
	"right": "right", "r": "right", "rt": "right", "rght": "right",
	"both": "both", "bilateral": "both", "two": "both",
}

// unpaired areas have no left and right pair, so "both" adds nothing.
var unpairedAreas = map[string]bool{"neck": true, "upper-back": true, "lower-back": true, "head": true, "chest": true, "other": true}

// ParseArea reads a body area with an optional side, as people type it:
// "knee", "left knee", "L knee", "right-shoulder", "both knees", "lower
// back", "left lower back". It returns the stored form: the canonical
// area, prefixed with its side ("left-knee", "both-knee").
func ParseArea(s string) (string, error) {
	if area, ok := parseArea(s); ok {
		return area, nil
	}
	return "", unknownArea(s)
}

// parseArea is ParseArea without the error: the parser tries several
// runs of words as an area, and only the error it shows is worth
// building ("did you mean" compares the input with every area).
func parseArea(s string) (string, bool) {
	words := splitArea(s)
	if len(words) == 0 || len(words) > 4 {
		return "", false
	}
	side := ""
	if sd, ok := sideWords[words[0]]; ok && len(words) > 1 {
		side, words = sd, words[1:]
	} else if n := len(words); n > 1 && (words[n-1] == "side" || words[n-1] == "sides") {
		return "", false
	}
	area, ok := LookupArea(strings.Join(words, "-"))
	if !ok {
		// "knees" and "shoulders" are aliases; a plural of the canonical
		// name the alias list lacks still means the area.
		area, ok = LookupArea(strings.TrimSuffix(strings.Join(words, "-"), "s"))
	}
	if !ok {
		return "", false
	}
	if side == "" || side == "both" && unpairedAreas[area] || area == "other" {
		return area, true
	}
	return side + "-" + area, true
}

// splitArea splits an area as typed into lower-case words; hyphens
// separate words too.
func splitArea(s string) []string {
	return strings.Fields(strings.ToLower(strings.ReplaceAll(s, "-", " ")))
}

// unknownArea is ParseArea's error for s, with the areas it may have meant.
func unknownArea(s string) error {
	msg := fmt.Sprintf("%q is not a body area I know.", clip(s, 30))
	if near := closeMatches(strings.Join(splitArea(s), "-"), areaNames(), 2); len(near) > 0 {
		msg += " Did you mean " + codeList(near) + "?"
	} else {
		msg += " Try knee, lower-back, shoulder or ankle, with left or right if you like."
	}
	return Errorf(EINVALID, "%s", msg)
}

// BaseArea is the area without its side: "left-knee" -> "knee". Content
// (cards, programs, red-flag rules) speaks of areas without sides.
func BaseArea(area string) string {
	for _, side := range []string{"left-", "right-", "both-"} {
		if rest, ok := strings.CutPrefix(area, side); ok {
			if _, known := LookupArea(rest); known {
				return rest
			}
		}
	}
	return area
}

// AreaWords names a stored area for people: "left-knee" -> "left knee",
// "both-knee" -> "both knees".
func AreaWords(area string) string {
	if rest, ok := strings.CutPrefix(area, "both-"); ok && BaseArea(area) == rest {
		return "both " + PluralWord(strings.ReplaceAll(rest, "-", " "))
	}
	return strings.ReplaceAll(area, "-", " ")
}

func areaNames() []string {
	out := make([]string, len(bodyAreas))
	for i, a := range bodyAreas {
		out[i] = a.Name
	}
	return out
}
