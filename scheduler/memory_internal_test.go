package scheduler

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodePaces: whatever the state entry holds (written by an older
// version, edited by hand, cut short), reading it never panics, and what
// it keeps reads back the same once written again.
func FuzzDecodePaces(f *testing.F) {
	f.Add("slack\tT0\t280 0 300 1772433599000 1772433620000\t1772433600000\n")
	f.Add("discord\tG1\t50 12.5 60 0 0\t1\nslack\tT1\t1 2 3 4 5\t6")
	f.Add("slack\t\t1 2 3 4 5\t6\n\n\t\t\t\nnot a pace")
	f.Fuzz(func(t *testing.T, raw string) {
		got, _ := decodePaces(raw, time.Time{})
		again, err := decodePaces(encodePaces(got), time.Time{})
		if err != nil {
			t.Fatalf("reading back what was written: %v", err)
		}
		if diff := cmp.Diff(got, again, cmp.AllowUnexported(rememberedPace{}, sharedPace{})); diff != "" {
			t.Errorf("round trip (-first +again):\n%s", diff)
		}
	})
}
