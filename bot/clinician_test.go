package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// captureRenderer keeps the last report input instead of drawing it.
type captureRenderer struct{ report bot.ReportInput }

func (r *captureRenderer) HistoryChart(bot.ChartInput) (bot.File, error) { return bot.File{}, nil }
func (r *captureRenderer) TeamChart(bot.TeamChartInput) (bot.File, error) {
	return bot.File{}, nil
}
func (r *captureRenderer) ClinicianReport(in bot.ReportInput) (bot.File, error) {
	r.report = in
	return bot.File{Name: "r.pdf"}, nil
}

// TestReportCountsFromFirstUse: a member two weeks in who did their
// exercises every other day is at about 50%, not 25% of a 28-day window;
// the platform's display name names the report.
func TestReportCountsFromFirstUse(t *testing.T) {
	db := bottest.MustOpenStore(t)
	clock := bottest.NewClock(bottest.Start)
	rend := &captureRenderer{}
	coach := bot.NewCoach(bot.Config{Store: db, Clock: clock, DefaultTZ: "UTC", Renderer: rend})
	for d := range 14 {
		if d%2 == 0 {
			handle(t, coach, "/coach done")
		} else {
			handle(t, coach, "/pain 3 knee")
		}
		clock.Advance(24 * time.Hour)
	}
	req := bottest.Request("/coach report")
	req.UserName = "Sam Lee"
	reply := coach.Handle(context.Background(), req)
	in := rend.report
	if in.DaysCounted != 15 || in.DaysDone != 7 || in.Adherence != 46 {
		t.Errorf("counted %d, done %d, adherence %d%%; want 15, 7, 46%%", in.DaysCounted, in.DaysDone, in.Adherence)
	}
	if !strings.Contains(reply.Text, "exercises on 7 of 15 days since you started (46%)") {
		t.Errorf("reply = %q", reply.Text)
	}
	if in.Name != "Sam Lee" {
		t.Errorf("name = %q, want the platform's display name", in.Name)
	}
	if len(in.Areas) != 1 || in.Areas[0].Area != "knee" || in.Areas[0].Count != 7 {
		t.Errorf("areas = %+v", in.Areas)
	}
}
