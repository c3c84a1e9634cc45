package content_test

import (
	"strings"
	"testing"
)

// TestMovementBreakProgram checks the program posted to group channels a
// few moves at a time: enough short moves to rotate, each once a day, with
// the stop rule and the optional, seated wording in the summary.
func TestMovementBreakProgram(t *testing.T) {
	p, ok := mustLibrary(t).Program("movement-break")
	if !ok {
		t.Fatal("program movement-break is missing")
	}
	if p.Title != "Movement break" {
		t.Errorf("title = %q", p.Title)
	}
	if n := len(p.Exercises); n < 10 || n > 12 {
		t.Errorf("%d moves, want 10 to 12 so that any 4 rotate by day", n)
	}
	for _, e := range p.Exercises {
		if e.PerDay != 1 {
			t.Errorf("move %s: per_day = %d, want 1", e.ID, e.PerDay)
		}
		if e.Sets != 1 {
			t.Errorf("move %s: sets = %d, want 1 to keep it under a minute", e.ID, e.Sets)
		}
	}
	summary := strings.ToLower(p.Summary)
	for _, want := range []string{"optional", "sitting", "stop any move that hurts sharply", "tingling", "numbness", "dizziness", "clinician"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary does not say %q: %s", want, p.Summary)
		}
	}
	if len(p.StopRules) == 0 {
		t.Error("no stop_rules")
	}
	for _, area := range []string{"neck", "shoulder", "wrist", "hip", "lower-back", "calf"} {
		found := false
		for _, a := range p.Areas {
			found = found || a == area
		}
		if !found {
			t.Errorf("areas %v do not include %s", p.Areas, area)
		}
	}
}
