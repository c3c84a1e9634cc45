package content_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/content"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func mustLibrary(tb testing.TB) *content.Library {
	tb.Helper()
	lib, err := content.Default()
	if err != nil {
		tb.Fatalf("load embedded library: %v", err)
	}
	return lib
}

// ci is a check-in on day d (from t0) for the knee.
type ci struct {
	day   float64
	score int
	note  string
	area  string
}

// history turns check-ins, oldest first, into a GuidanceInput for the last.
func history(cs ...ci) bot.GuidanceInput {
	var recent []bot.CheckIn
	for i, c := range cs {
		area := c.area
		if area == "" {
			area = "knee"
		}
		recent = append(recent, bot.CheckIn{
			ID:     int64(i + 1),
			Member: bot.MemberKey{Platform: bot.Console, Workspace: "local", User: "alice"},
			Score:  c.score, Area: area, Note: c.note,
			At: t0.Add(time.Duration(c.day * float64(24*time.Hour))),
		})
	}
	cur := recent[len(recent)-1]
	return bot.GuidanceInput{CheckIn: cur, Recent: recent, Now: cur.At}
}

// scores is a daily series of knee check-ins without notes.
func scores(s ...int) []ci {
	out := make([]ci, len(s))
	for i, v := range s {
		out[i] = ci{day: float64(i), score: v}
	}
	return out
}

func withTape(in bot.GuidanceInput, appliedAgo time.Duration, days int) bot.GuidanceInput {
	in.Tape = []bot.TapeCycle{{ID: 1, Member: in.CheckIn.Member, Area: "knee", Days: days, AppliedAt: in.Now.Add(-appliedAgo)}}
	return in
}

func TestAdvise(t *testing.T) {
	lib := mustLibrary(t)
	tests := []struct {
		name       string
		in         bot.GuidanceInput
		wantRules  []string
		wantCard   string
		wantReason string
	}{
		{name: "first check-in", in: history(ci{score: 3}), wantCard: "checkins", wantReason: "one of your first check-ins"},
		{name: "improving", in: history(scores(7, 6, 5, 4, 3)...), wantCard: "good-progress", wantReason: "come down by about 4 points"},
		{name: "flat", in: history(scores(4, 4, 4, 4, 4)...), wantCard: "plateau", wantReason: "steady over the last 7 days"},
		{name: "flat low", in: history(scores(1, 1, 1, 1, 1)...), wantCard: "keep-moving", wantReason: "a score of 3 or less"},
		{name: "moderate", in: history(scores(5, 4, 5)...), wantCard: "pacing", wantReason: "a score between 4 and 7"},
		{name: "risen three times in a row", in: history(scores(2, 3, 4, 5)...), wantRules: []string{"rising-trend"}, wantReason: "your pain has risen on 3 check-ins in a row"},
		{name: "worsening with dips", in: history(scores(3, 5, 4, 6, 5, 7)...), wantRules: []string{"rising-trend"}, wantReason: "gone up by about 3 points"},
		{name: "two rises are not yet a trend", in: history(scores(4, 3, 4, 5)...), wantCard: "pacing"},
		{name: "spike", in: history(scores(3, 3, 7)...), wantRules: []string{"rising-trend"}, wantReason: "your pain jumped from 3 to 7"},
		{name: "high score and jump", in: history(scores(5, 9)...), wantRules: []string{"high-score", "rising-trend"}, wantReason: "a score of 9 out of 10"},
		{name: "high score alone", in: history(ci{score: 8}), wantRules: []string{"high-score"}},
		{name: "other areas do not make a jump", in: history(ci{day: 0, score: 1, area: "lower-back"}, ci{day: 1, score: 6}), wantCard: "checkins"},
		{name: "area card", in: history(ci{day: 0, score: 3, area: "lower-back"}, ci{day: 1, score: 4, area: "lower-back"}), wantCard: "low-back", wantReason: "you checked in for your lower back"},
		{name: "numbness is urgent", in: history(ci{score: 4, note: "toes feel NUMB since lunch"}), wantRules: []string{"neuro"}, wantReason: `you mention "numb"`},
		{name: "pins and needles", in: history(ci{score: 3, note: "pins and needles down my leg"}), wantRules: []string{"neuro"}},
		{name: "urgent first", in: history(ci{score: 9, note: "weak and tingly"}), wantRules: []string{"neuro", "high-score"}},
		{name: "no numbness", in: history(ci{score: 3, note: "no numbness or tingling today"}), wantCard: "checkins"},
		{name: "not numb", in: history(ci{score: 3, note: "Not numb anymore"}), wantCard: "checkins"},
		{name: "negation stops at but", in: history(ci{score: 3, note: "no pain but my foot is numb"}), wantRules: []string{"neuro"}},
		{name: "negation stops at just", in: history(ci{score: 3, note: "no swelling, just numb"}), wantRules: []string{"neuro"}},
		{name: "not swollen", in: history(ci{score: 3, note: "not swollen at all"}), wantCard: "checkins"},
		{name: "swelling gone", in: history(ci{score: 3, note: "the swelling has gone down"}), wantCard: "checkins"},
		{name: "swelling not gone", in: history(ci{score: 3, note: "swelling has not gone"}), wantCard: "swelling"},
		{name: "new swelling", in: history(ci{score: 3, note: "a bit SWOLLEN after practice"}), wantCard: "swelling", wantReason: `"swollen"`},
		{name: "swelling persists", in: history(ci{day: 0, score: 4, note: "swollen"}, ci{day: 2, score: 4}, ci{day: 4, score: 4, note: "still swollen"}), wantRules: []string{"swelling-persists"}, wantReason: `your notes have mentioned "swollen" for several days`},
		{name: "bruising persists", in: history(ci{day: 0, score: 3, note: "big bruise"}, ci{day: 3, score: 3, note: "still bruised"}), wantRules: []string{"swelling-persists"}},
		{name: "swelling settled in between", in: history(ci{day: 0, score: 4, note: "swollen"}, ci{day: 2, score: 3, note: "no swelling now"}, ci{day: 4, score: 3, note: "swollen again"}), wantCard: "swelling"},
		{name: "swelling for two days only", in: history(ci{day: 0, score: 4, note: "swollen"}, ci{day: 2, score: 3, note: "swollen"}), wantCard: "swelling"},
		{name: "tape and rash", in: withTape(history(ci{score: 3, note: "itchy rash at the edges"}), 30*time.Hour, 5), wantRules: []string{"tape-skin"}, wantReason: "under the tape"},
		{name: "rash without tape", in: history(ci{score: 3, note: "itchy rash"}), wantCard: "checkins"},
		{name: "rash mentions tape", in: history(ci{score: 3, note: "red skin under the KT tape"}), wantRules: []string{"tape-skin"}, wantReason: `"red skin"`},
		{name: "tape and no itch", in: withTape(history(ci{score: 2, note: "no itching"}), 48*time.Hour, 5), wantCard: "tape-wear", wantReason: "you are wearing tape"},
		{name: "tape first day", in: withTape(history(ci{score: 2}), 2*time.Hour, 5), wantCard: "tape-skin-check", wantReason: "within the last day"},
		{name: "tape overdue", in: withTape(history(ci{score: 2}), 6*24*time.Hour, 5), wantCard: "tape-remove", wantReason: "past its planned wear"},
		{name: "sensitive skin", in: history(ci{score: 2, note: "before taping: I have very sensitive skin"}), wantRules: []string{"tape-contraindication"}},
		{name: "circulation", in: history(ci{score: 2, note: "can i tape it? poor circulation in my feet"}), wantRules: []string{"tape-contraindication"}},
		{name: "new injury", in: history(ci{score: 5, note: "I fell on the stairs"}), wantRules: []string{"new-injury"}},
		{name: "sudden sharp pain", in: history(ci{score: 5, note: "Sudden sharp pain when turning"}), wantRules: []string{"new-injury"}},
		{name: "fell asleep is no fall", in: history(ci{score: 3, note: "fell asleep on the sofa"}), wantCard: "checkins"},
		{name: "no new injury", in: history(ci{score: 3, note: "no new injury"}), wantCard: "checkins"},
		{name: "bladder", in: history(ci{score: 6, note: "trouble controlling my bladder"}), wantRules: []string{"cauda-equina"}},
		{name: "fever", in: history(ci{score: 5, note: "feverish and achy"}), wantRules: []string{"fever"}},
		{name: "chest pain", in: history(ci{score: 5, note: "chest pain when walking"}), wantRules: []string{"cardiac"}},
		{name: "keyword card", in: history(ci{score: 3, note: "slept badly"}), wantCard: "sleep", wantReason: `"slept"`},
		{name: "keyword beats trend", in: history(ci{day: 0, score: 6}, ci{day: 1, score: 5}, ci{day: 2, score: 4, note: "stiff this morning"}), wantCard: "stiffness"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := lib.Advise(tt.in)
			var rules []string
			for _, rf := range g.RedFlags {
				rules = append(rules, rf.Rule)
			}
			if !slices.Equal(rules, tt.wantRules) {
				t.Fatalf("red flags = %v, want %v (text %q, reason %q)", rules, tt.wantRules, g.Text, g.Reason)
			}
			if tt.wantCard != "" && (len(g.CardIDs) != 1 || g.CardIDs[0] != tt.wantCard) {
				t.Errorf("cards = %v, want [%s] (reason %q)", g.CardIDs, tt.wantCard, g.Reason)
			}
			if !strings.Contains(g.Reason, tt.wantReason) {
				t.Errorf("reason = %q, want it to contain %q", g.Reason, tt.wantReason)
			}
			if g.Text == "" || g.Reason == "" {
				t.Errorf("guidance without text or reason: %+v", g)
			}
			if again := lib.Advise(tt.in); !slices.Equal(again.CardIDs, g.CardIDs) || again.Text != g.Text || again.Reason != g.Reason {
				t.Errorf("advice is not deterministic: %+v then %+v", g, again)
			}
		})
	}
}

// redFlagCases returns one check-in history per red-flag rule.
func redFlagCases() map[string]bot.GuidanceInput {
	return map[string]bot.GuidanceInput{
		"cauda-equina":          history(ci{score: 6, note: "back bad and I wet myself"}),
		"cardiac":               history(ci{score: 5, note: "chest feels tight and heavy"}),
		"breathing":             history(ci{score: 2, note: "so breathless just sitting on the sofa"}),
		"clot-lung":             history(ci{score: 5, note: "calf swollen and now short of breath"}),
		"stroke":                history(ci{score: 3, note: "face drooping and speech slurred"}),
		"headache-sudden":       history(ci{score: 9, note: "sudden worst ever headache"}),
		"fainting":              history(ci{score: 3, note: "passed out in the kitchen"}),
		"neck-artery":           history(ci{score: 3, note: "seeing double since this morning"}),
		"dvt":                   history(ci{score: 5, note: "calf hot and swollen"}),
		"infection":             history(ci{score: 5, note: "wound oozing and smells"}),
		"neuro":                 history(ci{score: 3, note: "leg feels weak"}),
		"fracture":              history(ci{score: 7, note: "can't put any weight on it"}),
		"tape-circulation":      withTape(history(ci{score: 2, note: "toes cold and blue"}), 24*time.Hour, 5),
		"pop-swelling":          history(ci{score: 5, note: "felt a pop and it swelled up"}),
		"locked-joint":          history(ci{score: 4, note: "knee locked this morning"}),
		"new-injury":            history(ci{score: 4, note: "twisted it playing"}),
		"night-pain":            history(ci{score: 4, note: "wakes me up at night, no position helps"}),
		"weight-loss":           history(ci{score: 3, note: "lost weight without trying"}),
		"cancer-history":        history(ci{score: 3, note: "had breast cancer a few years ago"}),
		"tape-skin":             withTape(history(ci{score: 2, note: "blisters"}), 24*time.Hour, 5),
		"tape-contraindication": history(ci{score: 2, note: "can i tape it? allergic to plasters"}),
		"fever":                 history(ci{score: 4, note: "running a high temperature"}),
		"high-score":            history(ci{score: 10}),
		"rising-trend":          history(scores(1, 2, 3, 4)...),
		"swelling-persists":     history(ci{day: 0, score: 3, note: "puffy"}, ci{day: 5, score: 3, note: "puffy"}),
	}
}

func TestEveryRedFlagRefers(t *testing.T) {
	lib := mustLibrary(t)
	cases := redFlagCases()
	for _, rule := range content.RedFlagRules() {
		t.Run(rule.Name, func(t *testing.T) {
			in, ok := cases[rule.Name]
			if !ok {
				t.Fatalf("no test case for rule %q", rule.Name)
			}
			g := lib.Advise(in)
			var got *bot.RedFlag
			for i := range g.RedFlags {
				if g.RedFlags[i].Rule == rule.Name {
					got = &g.RedFlags[i]
				}
			}
			if got == nil {
				t.Fatalf("red flags = %+v, want %q", g.RedFlags, rule.Name)
			}
			if urgent := got.Urgency >= bot.UrgencyUrgent; urgent != rule.Urgent {
				t.Errorf("urgency = %v, want urgent %v", got.Urgency, rule.Urgent)
			}
			if !strings.HasPrefix(g.Text, "**") {
				t.Errorf("the finding does not lead the reply: %q", g.Text)
			}
			if !strings.Contains(g.Text, "`/coach learn ") {
				t.Errorf("no card to learn more: %q", g.Text)
			}
			if got.Reason == "" || g.Reason == "" {
				t.Error("red flag without a reason")
			}
		})
	}
}

func TestAdviseWithoutRecent(t *testing.T) {
	lib := mustLibrary(t)
	cur := bot.CheckIn{Score: 9, Area: "knee", At: t0}
	g := lib.Advise(bot.GuidanceInput{CheckIn: cur})
	if len(g.RedFlags) != 1 || g.RedFlags[0].Rule != "high-score" {
		t.Fatalf("red flags = %+v, want high-score", g.RedFlags)
	}
}

func BenchmarkAdvise(b *testing.B) {
	lib := mustLibrary(b)
	var cs []ci
	for i := range 30 {
		cs = append(cs, ci{day: float64(i), score: 3 + i%4, note: "stiff after a long day at the desk, no swelling"})
	}
	in := history(cs...)
	for b.Loop() {
		lib.Advise(in)
	}
}

func TestAdviseManyRedFlagsStayReadable(t *testing.T) {
	lib := mustLibrary(t)
	g := lib.Advise(history(ci{day: 0, score: 4}, ci{day: 1, score: 9, note: "numb foot"}))
	var rules []string
	for _, rf := range g.RedFlags {
		rules = append(rules, rf.Rule)
	}
	if want := []string{"neuro", "high-score", "rising-trend"}; !slices.Equal(rules, want) {
		t.Fatalf("rules = %v, want %v", rules, want)
	}
	if !strings.HasPrefix(g.Text, "**Get checked today.**") {
		t.Errorf("urgent flag is not first: %q", g.Text)
	}
	if !strings.Contains(g.Text, "Also mention to them: **a score of 8 or more** (`/coach learn high-score`); **pain rising over several check-ins** (`/coach learn ") {
		t.Errorf("third flag is not named: %q", g.Text)
	}
	if g.Reason != `you mention "numb": new numbness, tingling or weakness needs checking today; a score of 9 out of 10; your pain jumped from 4 to 9 since your last check-in` {
		t.Errorf("reason = %q", g.Reason)
	}
}
