package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// days builds consecutive daily entries from 2026-03-01 with the given totals
// spread evenly (each item total/5, remainder on the first items).
func days(totals ...int) []bot.Readiness {
	var out []bot.Readiness
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, t := range totals {
		r := bot.Readiness{Day: start.AddDate(0, 0, i).Format("2006-01-02")}
		for j := range 5 {
			r.Items[j] = t / 5
			if j < t%5 {
				r.Items[j]++
			}
		}
		out = append(out, r)
	}
	return out
}

func TestReadinessDrift(t *testing.T) {
	item := func(day string, v ...int) bot.Readiness {
		r := bot.Readiness{Day: day}
		copy(r.Items[:], v)
		return r
	}
	tests := []struct {
		name    string
		history []bot.Readiness
		today   bot.Readiness
		want    string
	}{
		{"no history", nil, days(10)[0], ""},
		{"short history has no baseline", days(20, 20, 20), item("2026-03-04", 1, 1, 1, 1, 1), ""},
		{"big drop under a steady baseline", days(20, 21, 19, 20, 22, 20, 21, 20), item("2026-03-09", 3, 3, 3, 3, 3), "well under your usual"},
		{"small wobble is fine", days(20, 21, 19, 20, 22, 20, 21, 20), item("2026-03-09", 4, 4, 4, 4, 3), ""},
		{"constant answers: zero variance needs a 2-point drop", days(20, 20, 20, 20, 20, 20, 20), item("2026-03-08", 4, 4, 4, 4, 3), ""},
		{"constant answers: a real drop still counts", days(20, 20, 20, 20, 20, 20, 20), item("2026-03-08", 4, 4, 3, 3, 3), "well under"},
		{"one item falling three days running",
			[]bot.Readiness{item("2026-03-01", 4, 5, 4, 4, 4), item("2026-03-02", 4, 4, 4, 4, 4)}, item("2026-03-03", 4, 3, 4, 4, 4), "sleep score has dropped three days running"},
		{"a missing day breaks the run",
			[]bot.Readiness{item("2026-03-01", 4, 5, 4, 4, 4), item("2026-03-02", 4, 4, 4, 4, 4)}, item("2026-03-04", 4, 3, 4, 4, 4), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bot.ReadinessDrift(tt.history, tt.today)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("drift = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadMetrics(t *testing.T) {
	now := time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)
	session := func(daysAgo, rpe, minutes int) bot.SessionLoad {
		return bot.SessionLoad{RPE: rpe, Minutes: minutes, At: now.Add(-time.Duration(daysAgo)*24*time.Hour - time.Hour)}
	}
	t.Run("no chronic history yet", func(t *testing.T) {
		m := bot.LoadMetricsOf([]bot.SessionLoad{session(1, 5, 60), session(3, 6, 60)}, now)
		if m.ACWROK || m.Week != 660 || !strings.Contains(m.Sentence(), "after 3 weeks") {
			t.Errorf("metrics = %+v", m)
		}
	})
	t.Run("steady four weeks", func(t *testing.T) {
		var loads []bot.SessionLoad
		for d := 0; d < 28; d += 2 {
			loads = append(loads, session(d, 5, 60))
		}
		m := bot.LoadMetricsOf(loads, now)
		if !m.ACWROK || m.ACWR < 0.9 || m.ACWR > 1.2 {
			t.Errorf("steady ACWR = %+v", m)
		}
	})
	t.Run("spike this week", func(t *testing.T) {
		loads := []bot.SessionLoad{session(27, 4, 30), session(20, 4, 30), session(14, 4, 30)}
		for d := range 6 {
			loads = append(loads, session(d, 8, 90))
		}
		if m := bot.LoadMetricsOf(loads, now); !m.ACWROK || m.ACWR <= 1.5 {
			t.Errorf("spike ACWR = %+v", m)
		}
	})
	t.Run("identical daily load has no monotony value", func(t *testing.T) {
		var loads []bot.SessionLoad
		for d := range 7 {
			loads = append(loads, session(d, 5, 60))
		}
		if m := bot.LoadMetricsOf(loads, now); m.MonotonyOK {
			t.Errorf("monotony with zero deviation = %+v", m)
		}
	})
}

func TestReadinessFormAndLoad(t *testing.T) {
	coach, db, clock := bottest.NewCoach(t, nil)
	reply := handle(t, coach, "/coach readiness")
	if reply.Title != "Readiness 1/5" || len(reply.Buttons) != 5 || reply.Buttons[3].Command != "coach readiness 4" {
		t.Fatalf("first question = %+v", reply)
	}
	for step := 2; step <= 5; step++ {
		reply = handle(t, coach, reply.Buttons[3].Command)
		if step < 5 && reply.Title != fmt.Sprintf("Readiness %d/5", step) {
			t.Fatalf("step %d = %+v", step, reply)
		}
	}
	if reply = handle(t, coach, reply.Buttons[3].Command); !strings.Contains(reply.Text, "**20/25**") {
		t.Fatalf("final = %q", reply.Text)
	}
	handle(t, coach, "/coach readiness 1 2 3 4 5") // same day: replaces
	got, _ := db.ReadinessSince(context.Background(), alice(), "")
	if len(got) != 1 || got[0].Total() != 15 {
		t.Fatalf("stored readiness = %+v", got)
	}
	if reply := handle(t, coach, "/coach readiness 4 6 2 4 5"); !strings.Contains(reply.Text, "from 1 to 5") {
		t.Fatalf("bad item reply = %q", reply.Text)
	}
	clock.Advance(time.Hour)
	if reply := handle(t, coach, "/coach load 7 60 team practice"); !strings.Contains(reply.Text, "**420** load") {
		t.Fatalf("load reply = %q", reply.Text)
	}
}

func TestTeamReadinessPrivacy(t *testing.T) {
	for _, mode := range []string{"team", "wellness"} {
		t.Run(mode, func(t *testing.T) {
			coach, _, clock := bottest.NewCoach(t, nil)
			coach.Handle(context.Background(), teamReq("boss", "/coach team mode "+mode, true))
			for i := range 7 {
				user := fmt.Sprint("p", i)
				if i < 2 {
					coach.Handle(context.Background(), teamReq(user, "/coach start yes", false))
				}
				if i != 1 {
					coach.Handle(context.Background(), teamReq(user, "/coach readiness 4 4 4 4 4", false))
				}
				clock.Advance(time.Minute)
			}
			today := coach.Handle(context.Background(), teamReq("boss", "/coach team readiness", false)).Text
			afterWeekCloses(clock)
			closed := coach.Handle(context.Background(), teamReq("boss", "/coach team readiness", false)).Text
			if mode == "wellness" {
				if strings.Contains(today+closed, "<@p") || !strings.Contains(today, "fewer than 5 people answered") ||
					!strings.Contains(closed, "average readiness 20.0/25 (5-9 people answered); fatigue 4.0, sleep 4.0") {
					t.Fatalf("wellness view:\n%s\nafter the week closed:\n%s", today, closed)
				}
				return
			}
			for _, want := range []string{"<@p0>: 20/25", "Not answered yet: <@p1>", "fewer than 5 people answered"} {
				if !strings.Contains(today, want) {
					t.Errorf("team view lacks %q:\n%s", want, today)
				}
			}
			// p2..p6 keep their answers private: five people, shown as a
			// group once their week is complete.
			if !strings.Contains(closed, "average readiness 20.0/25 (5-9 people answered)") {
				t.Errorf("team view of the completed week:\n%s", closed)
			}
			if strings.Contains(today+closed, "<@p2>") {
				t.Errorf("team view names a member who did not share:\n%s\n%s", today, closed)
			}
		})
	}
}

// chartRecorder is a bot.Renderer that records team charts.
type chartRecorder struct{ team []bot.TeamChartInput }

func (r *chartRecorder) HistoryChart(bot.ChartInput) (bot.File, error) {
	return bot.File{Name: "h.png"}, nil
}
func (r *chartRecorder) ClinicianReport(bot.ReportInput) (bot.File, error) {
	return bot.File{Name: "r.pdf"}, nil
}
func (r *chartRecorder) TeamChart(in bot.TeamChartInput) (bot.File, error) {
	r.team = append(r.team, in)
	return bot.File{Name: "team.png", ContentType: "image/png"}, nil
}

// TestTeamReadinessChartOnlyForLargeEnoughGroups checks the chart covers
// the same completed weeks as the text and draws only published figures.
func TestTeamReadinessChartOnlyForLargeEnoughGroups(t *testing.T) {
	for _, tt := range []struct {
		answered  int
		days      string
		wantChart bool
		wantWeeks int
	}{{4, "", false, 0}, {6, "", true, 1}, {6, " 8", true, 2}, {6, " 28", true, 4}} {
		rec := &chartRecorder{}
		clock := bottest.NewClock(bottest.Start)
		coach := bot.NewCoach(bot.Config{Store: bottest.MustOpenStore(t), Clock: clock, Renderer: rec})
		coach.Handle(context.Background(), teamReq("boss", "/coach team mode wellness", true))
		for i := range tt.answered {
			coach.Handle(context.Background(), teamReq(fmt.Sprint("m", i), "/coach readiness 4 4 3 4 5", false))
		}
		if got := coach.Handle(context.Background(), teamReq("boss", "/coach team readiness"+tt.days, false)); len(got.Files) != 0 {
			t.Fatalf("%d answered: a chart before the week is complete", tt.answered)
		}
		afterWeekCloses(clock)
		got := coach.Handle(context.Background(), teamReq("boss", "/coach team readiness"+tt.days, false))
		if (len(got.Files) == 1) != tt.wantChart || len(rec.team) != len(got.Files) {
			t.Fatalf("%d answered: files %v, charts %d", tt.answered, got.Files, len(rec.team))
		}
		if tt.wantChart {
			in := rec.team[0]
			last := in.Weeks[len(in.Weeks)-1]
			if in.ScoreLabel != "Average readiness" || in.ScoreMax != 25 || len(in.Weeks) != tt.wantWeeks ||
				last != (bot.TeamWeek{Start: bottest.Start.Truncate(24 * time.Hour), Participants: 5, AverageScore: 20, ParticipantsLabel: "5-9"}) {
				t.Errorf("chart input = %+v", in)
			}
			for _, w := range in.Weeks[:len(in.Weeks)-1] {
				if w != (bot.TeamWeek{Start: w.Start, ParticipantsLabel: "<5"}) {
					t.Errorf("empty week drawn as %+v", w)
				}
			}
		}
	}
}
