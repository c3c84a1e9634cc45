package content

import "github.com/recoverycoach/recoverycoach/content/triage"

// RedFlagRule is a warning sign the guide watches for: one triage concept.
// Its Name is stable: it is stored with every red-flag event and counted
// in metrics, so renaming one breaks history and dashboards.
type RedFlagRule struct {
	Name string
	// Urgent rules call for same-day or emergency care, not a routine
	// visit.
	Urgent bool
	// Summary says what the rule looks for.
	Summary string
}

// RedFlagRules lists every rule, most pressing first. Package triage
// decides when each applies; a card names the rule it explains with
// red_flag, and rules without a card of their own point at the general
// red-flags card.
func RedFlagRules() []RedFlagRule {
	var out []RedFlagRule
	for _, c := range triage.Concepts() {
		out = append(out, RedFlagRule{Name: c.Name, Urgent: c.Level >= triage.Urgent, Summary: c.Title})
	}
	return out
}

// redFlagRule returns the rule with the name.
func redFlagRule(name string) (RedFlagRule, bool) {
	for _, r := range RedFlagRules() {
		if r.Name == name {
			return r, true
		}
	}
	return RedFlagRule{}, false
}

// generalRedFlagCard explains every warning sign in one place; rules
// without a card of their own link to it.
const generalRedFlagCard = "red-flags"
