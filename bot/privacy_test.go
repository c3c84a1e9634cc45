package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

func TestGroupPolicyCount(t *testing.T) {
	tests := []struct {
		min, n    int
		band      string
		floor     int
		wantShown bool
	}{
		{5, 0, "fewer than 5", 0, false},
		{5, 4, "fewer than 5", 0, false},
		{5, 5, "5-9", 5, true},
		{5, 9, "5-9", 5, true},
		{5, 10, "10-19", 10, true},
		{5, 19, "10-19", 10, true},
		{5, 20, "20-49", 20, true},
		{5, 49, "20-49", 20, true},
		{5, 50, "50-99", 50, true},
		{5, 150, "100-199", 100, true},
		{5, 250, "200-499", 200, true},
		{5, 700, "500-999", 500, true},
		{3, 3, "3-4", 3, true},
		{3, 5, "5-9", 5, true},
		{7, 6, "fewer than 7", 0, false},
		{7, 8, "7-9", 7, true},
		{12, 12, "12-19", 12, true},
		{20, 25, "20-49", 20, true},
	}
	for _, tt := range tests {
		band, floor, shown := bot.GroupPolicy{MinSize: tt.min}.Count(tt.n)
		if band != tt.band || floor != tt.floor || shown != tt.wantShown {
			t.Errorf("min %d, %d people = %q, %d, %v; want %q, %d, %v", tt.min, tt.n, band, floor, shown, tt.band, tt.floor, tt.wantShown)
		}
	}
}

func TestReportWeeksAreCompleteEverywhere(t *testing.T) {
	monday := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		now  time.Time
		days int
		want []time.Time
	}{
		// The week of Mar 2 still runs in UTC-12 until Monday 12:00 UTC.
		{monday.Add(11*time.Hour + 59*time.Minute), 7, []time.Time{monday.AddDate(0, 0, -14)}},
		{monday.Add(12 * time.Hour), 7, []time.Time{monday.AddDate(0, 0, -7)}},
		{monday.Add(12 * time.Hour), 1, []time.Time{monday.AddDate(0, 0, -7)}},
		{monday.AddDate(0, 0, 6).Add(23 * time.Hour), 8, []time.Time{monday.AddDate(0, 0, -14), monday.AddDate(0, 0, -7)}},
		{monday.Add(13 * time.Hour).In(time.FixedZone("UTC+14", 14*3600)), 14, []time.Time{monday.AddDate(0, 0, -14), monday.AddDate(0, 0, -7)}},
	}
	for _, tt := range tests {
		if got := bot.ReportWeeks(tt.now, tt.days); !slices.EqualFunc(got, tt.want, time.Time.Equal) {
			t.Errorf("ReportWeeks(%s, %d) = %v, want %v", tt.now, tt.days, got, tt.want)
		}
	}
}

// TestPainWeeksRoundsAndWithholds checks the figures themselves: averages
// of member means rounded to half points, each cell gated on its own
// members, and breakdowns whole or not at all.
func TestPainWeeksRoundsAndWithholds(t *testing.T) {
	week := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	member := func(user string, checkIns ...bot.CheckIn) bot.MemberData {
		return bot.MemberData{Member: bot.Member{Key: bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: user}}, CheckIns: checkIns}
	}
	ci := func(score int, area string, hours int) bot.CheckIn {
		return bot.CheckIn{Score: score, Area: area, At: week.Add(time.Duration(hours) * time.Hour)}
	}
	var group []bot.MemberData
	for i := range 5 {
		group = append(group, member(fmt.Sprint("k", i), ci(3, "knee", i)))
	}
	// One member checks in often and high: counted once, as their mean.
	group = append(group, member("often", ci(9, "knee", 10), ci(9, "knee", 11), ci(9, "knee", 12), ci(9, "knee", 13)))
	p := bot.GroupPolicy{MinSize: 5}
	got := p.PainWeeks(group, []time.Time{week})[0]
	// (5*3 + 9) / 6 = 4.0; by check-in it would have been 51/9 = 5.67.
	if want := (bot.Figure{Shown: true, People: "5-9", Floor: 5, Average: 4}); got.Pain != want {
		t.Errorf("pain = %+v, want %+v", got.Pain, want)
	}
	if len(got.Areas) != 1 || got.Areas[0].Name != "knee" || got.Areas[0].Figure != got.Pain {
		t.Errorf("areas = %+v", got.Areas)
	}
	if got.Ranges != nil || got.Exercise.Shown {
		t.Errorf("ranges %+v and exercise %+v should be withheld", got.Ranges, got.Exercise)
	}
	// One more member alone on the back withholds the whole area breakdown.
	group = append(group, member("back", ci(7, "back", 20)))
	got = p.PainWeeks(group, []time.Time{week})[0]
	if got.Areas != nil || !got.Pain.Shown || got.Pain.Average != 4.5 {
		t.Errorf("with one member alone in an area: %+v", got)
	}
}

// privacyWorld is a wellness-mode workspace whose staff member "boss"
// asks questions and receives the weekly digest; every member's data goes
// through the real commands and a real SQLite store.
type privacyWorld struct {
	t     *testing.T
	coach *bot.Coach
	db    *sqlite.DB
	clock *bottest.Clock
	rec   *chartRecorder
}

func newPrivacyWorld(t *testing.T) *privacyWorld {
	w := &privacyWorld{t: t, db: bottest.MustOpenStore(t), clock: bottest.NewClock(bottest.Start), rec: &chartRecorder{}}
	w.coach = bot.NewCoach(bot.Config{Store: w.db, Clock: w.clock, Renderer: w.rec, DefaultTZ: "UTC"})
	w.do("boss", "/coach team mode wellness")
	w.do("boss", "/coach team digest on mon 13:00")
	return w
}

func (w *privacyWorld) do(user, text string) bot.Reply {
	return w.coach.Handle(context.Background(), teamReq(user, text, user == "boss"))
}

// ask returns everything staff learn from the commands and from the
// digest due now: each reply's text and the data of each chart drawn.
func (w *privacyWorld) ask(cmds ...string) []string {
	w.t.Helper()
	var out []string
	for _, cmd := range cmds {
		w.rec.team = nil
		r := w.do("boss", cmd)
		out = append(out, fmt.Sprintf("%s\n%s\ncharts %+v", cmd, r.PlainText(), w.rec.team))
	}
	boss := bot.MemberKey{Platform: bot.Discord, Workspace: "G1", User: "boss"}
	subs, err := w.db.Subscriptions(context.Background(), boss)
	if err != nil || len(subs) != 1 {
		w.t.Fatalf("digest subscription: %v, %v", subs, err)
	}
	d, err := w.coach.Nudge(context.Background(), bot.OutboxItem{Member: boss, Kind: bot.NudgeDigest, Ref: subs[0].ID, NotBefore: w.clock.Now()})
	if err != nil || !d.Send {
		w.t.Fatalf("digest: %+v, %v", d, err)
	}
	return append(out, "digest\n"+d.Reply.PlainText())
}

// checkIn logs a pain score (and area) for user, a minute later than the
// last thing anyone did.
func (w *privacyWorld) checkIn(user string, score int, area string) {
	w.t.Helper()
	if r := w.do(user, fmt.Sprintf("/pain %d %s", score, area)); !strings.Contains(r.PlainText(), fmt.Sprint(score)) {
		w.t.Fatalf("%s /pain %d: %q", user, score, r.PlainText())
	}
	w.clock.Advance(time.Minute)
}

// lineOf returns the line of text holding the week's row.
func lineOf(text, week string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if strings.Contains(line, week) {
			return line
		}
	}
	return ""
}

// TestDifferencingRecoversNoIndividual plays a staff member who tries to
// work out one member's ("target") value by comparing answers: asked
// before and after the target's check-in, over windows of 7 and 8 days,
// across areas and across ranges of scores. Each case runs twice, with
// the target's value differing, and everyone else's data the same (and
// every figure the policy legitimately publishes, such as a week's mean
// of member means, kept equal). Staff see everything: the replies' text,
// every chart's data and the weekly digest. When the two runs' transcripts
// are identical, no combination of those answers can tell the target's
// value, whatever the attacker subtracts from what. The control case
// checks the harness does tell values apart when a figure depends on one.
func TestDifferencingRecoversNoIndividual(t *testing.T) {
	others := func(w *privacyWorld, n int, score int, area string) {
		for i := range n {
			w.checkIn(fmt.Sprint("o", i), score, area)
		}
	}
	tests := []struct {
		name string
		// secrets are the target's two values; run plays one world.
		secrets [2]int
		run     func(w *privacyWorld, secret int) [][]string
		// stable: every round of questions must get the same answers.
		stable bool
		// distinguishable marks the control case.
		distinguishable bool
	}{
		{
			name:    "over time: asking before and after the target's check-in",
			secrets: [2]int{1, 5},
			stable:  true,
			run: func(w *privacyWorld, secret int) [][]string {
				for i := range 5 {
					w.checkIn(fmt.Sprint("o", i), 4, "knee")
					w.do(fmt.Sprint("o", i), "/coach readiness 3 3 3 3 3")
				}
				afterWeekCloses(w.clock)
				others(w, 5, 4, "knee")
				q := []string{"/coach team report", "/coach team report 8", "/coach team readiness 7", "/coach team readiness 14"}
				before := w.ask(q...)
				// Average 4.0 over 5 people; the target's score would move
				// it to 3.5 or 4.8, and a "7-10" count from 0 to 1.
				w.checkIn("target", 2*secret-1, "knee")
				w.do("target", fmt.Sprintf("/coach readiness %d %d %d %d %d", secret, secret, secret, secret, secret))
				w.clock.Advance(time.Hour)
				after := w.ask(q...)
				w.clock.Advance(3 * 24 * time.Hour)
				later := w.ask(q...)
				// Once the target's week is complete it is shown, and the
				// week shown before is unchanged.
				week := lineOf(before[0], "Week of Mar 2")
				afterWeekCloses(w.clock)
				if again := w.ask("/coach team report 14")[0]; week == "" || lineOf(again, "Week of Mar 2") != week {
					w.t.Errorf("the week of Mar 2 changed after it was shown: %q, then\n%s", week, again)
				}
				return [][]string{before, after, later}
			},
		},
		{
			name:    "over windows: 7 and 8 days, the target alone in the week before",
			secrets: [2]int{1, 9},
			run: func(w *privacyWorld, secret int) [][]string {
				w.clock.Set(bottest.Start.AddDate(0, 0, -5))
				w.checkIn("target", secret, "back")
				w.do("target", fmt.Sprintf("/coach readiness %d %d %d %d %d", 1+secret/2, 1+secret/2, 1+secret/2, 1+secret/2, 1+secret/2))
				w.do("target", "/coach done")
				w.clock.Set(bottest.Start)
				for i := range 5 {
					w.checkIn(fmt.Sprint("o", i), 4, "knee")
					w.do(fmt.Sprint("o", i), "/coach readiness 3 3 3 3 3")
					w.do(fmt.Sprint("o", i), "/coach done")
				}
				afterWeekCloses(w.clock)
				got := w.ask("/coach team report 7", "/coach team report 8", "/coach team report 14",
					"/coach team readiness 7", "/coach team readiness 8")
				if seven, eight := lineOf(got[0], "Week of Mar 2"), lineOf(got[1], "Week of Mar 2"); seven == "" || seven != eight {
					w.t.Errorf("7 and 8 days show the same week differently: %q, %q", seven, eight)
				}
				return [][]string{got}
			},
		},
		{
			name: "over areas: the target alone in one area",
			// The target's knee, back, knee scores are 2, 8, 5 or 8, 2, 5:
			// the same mean and latest score, but a different knee and back.
			secrets: [2]int{2, 8},
			run: func(w *privacyWorld, secret int) [][]string {
				others(w, 5, 4, "knee")
				w.checkIn("target", secret, "knee")
				w.checkIn("target", 10-secret, "back")
				w.checkIn("target", 5, "knee")
				afterWeekCloses(w.clock)
				got := w.ask("/coach team report", "/coach team report 8")
				if !strings.Contains(got[0], "By area: not shown") {
					w.t.Errorf("area breakdown with one member alone in an area:\n%s", got[0])
				}
				return [][]string{got}
			},
		},
		{
			name: "over ranges: the target alone in a range of scores",
			// Scores 2 then 8, or 8 then 2: the same mean, but the latest
			// score in 7-10 or 0-3, where everyone else is.
			secrets: [2]int{2, 8},
			run: func(w *privacyWorld, secret int) [][]string {
				others(w, 5, 2, "knee")
				w.checkIn("target", secret, "knee")
				w.checkIn("target", 10-secret, "knee")
				afterWeekCloses(w.clock)
				got := w.ask("/coach team report", "/coach team report 8")
				if !strings.Contains(got[0], "Latest score: not shown") {
					w.t.Errorf("range breakdown with a range under the minimum:\n%s", got[0])
				}
				return [][]string{got}
			},
		},
		{
			name:    "over ranges: all ranges shown, the target moving between two",
			secrets: [2]int{2, 8},
			run: func(w *privacyWorld, secret int) [][]string {
				for i, score := range []int{2, 5, 8} {
					for j := range 5 {
						w.checkIn(fmt.Sprint("o", i, j), score, "knee")
					}
				}
				w.checkIn("target", secret, "knee")
				w.checkIn("target", 10-secret, "knee")
				afterWeekCloses(w.clock)
				got := w.ask("/coach team report")
				if !strings.Contains(got[0], "Latest score: 0-3: 5-9 people; 4-6: 5-9 people; 7-10: 5-9 people") {
					w.t.Errorf("ranges of 5 or more should show, as ranges:\n%s", got[0])
				}
				return [][]string{got}
			},
		},
		{
			name: "rounding: the target one of six in a shown week, a point apart",
			// (5*2 + 4) / 6 = 2.33 and (5*2 + 5) / 6 = 2.5 both show as 2.5.
			secrets: [2]int{4, 5},
			run: func(w *privacyWorld, secret int) [][]string {
				others(w, 5, 2, "knee")
				w.checkIn("target", secret, "knee")
				afterWeekCloses(w.clock)
				return [][]string{w.ask("/coach team report")}
			},
		},
		{
			name:            "control: the target is one of five in a shown week",
			secrets:         [2]int{1, 9},
			distinguishable: true,
			run: func(w *privacyWorld, secret int) [][]string {
				others(w, 4, 4, "knee")
				w.checkIn("target", secret, "knee")
				afterWeekCloses(w.clock)
				return [][]string{w.ask("/coach team report")}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var worlds [2][][]string
			for i, secret := range tt.secrets {
				worlds[i] = tt.run(newPrivacyWorld(t), secret)
			}
			same := slices.EqualFunc(worlds[0], worlds[1], slices.Equal)
			if tt.distinguishable {
				if same {
					t.Fatalf("the harness cannot tell a shown figure apart:\n%s", strings.Join(worlds[0][0], "\n"))
				}
				return
			}
			for r := range worlds[0] {
				for q := range worlds[0][r] {
					if a, b := worlds[0][r][q], worlds[1][r][q]; a != b {
						t.Errorf("round %d: the answer depends on the target's value (%d or %d):\n%s\n---\n%s", r, tt.secrets[0], tt.secrets[1], a, b)
					}
				}
			}
			if !same {
				return
			}
			for r := range worlds[0] {
				if tt.stable && !slices.Equal(worlds[0][r], worlds[0][0]) {
					t.Errorf("round %d differs from round 0: asking again tells something new:\n%s\n---\n%s",
						r, strings.Join(worlds[0][0], "\n"), strings.Join(worlds[0][r], "\n"))
				}
			}
		})
	}
}
