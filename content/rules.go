package content

// RedFlagRule is a warning sign the guide watches for. Its Name is stable:
// it is stored with every red-flag event and counted in metrics, so renaming
// one breaks history and dashboards.
type RedFlagRule struct {
	Name string
	// Urgent rules call for urgent or emergency care, not a routine visit.
	Urgent bool
	// Summary says what the rule looks for.
	Summary string
}

// RedFlagRules lists every rule. A library must have at least one card per
// rule (the card that words the referral and says when it fires), so that
// no warning sign can ever go silent.
func RedFlagRules() []RedFlagRule {
	return []RedFlagRule{
		{Name: "rising-trend", Summary: "pain rising instead of improving over several check-ins"},
		{Name: "high-score", Summary: "a score of 8 or more"},
		{Name: "jump", Summary: "a jump of 3 or more points since the previous check-in"},
		{Name: "new-injury", Summary: "a new injury, a fall or sudden sharp pain"},
		{Name: "swelling-persists", Summary: "swelling or bruising that has not settled after a few days"},
		{Name: "neuro-urgent", Urgent: true, Summary: "numbness, tingling or weakness"},
		{Name: "bladder-bowel", Urgent: true, Summary: "changes in bladder or bowel control"},
		{Name: "fever", Urgent: true, Summary: "pain together with a fever"},
		{Name: "chest-pain", Urgent: true, Summary: "chest pain or trouble breathing"},
		{Name: "tape-skin", Summary: "itching, redness, a rash or blisters under tape"},
		{Name: "tape-contraindication", Summary: "very sensitive skin or circulation problems before taping"},
	}
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
