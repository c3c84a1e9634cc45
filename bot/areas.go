package bot

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

func areaChoices() []Choice {
	out := make([]Choice, len(bodyAreas))
	for i, a := range bodyAreas {
		out[i] = Choice{Value: a.Name, Aliases: a.Aliases}
	}
	return out
}
