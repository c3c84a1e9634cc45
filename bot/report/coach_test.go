package report_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/report"
)

// recorder wraps the real renderer and keeps every team chart input.
type recorder struct {
	*report.Renderer
	mu   sync.Mutex
	team []bot.TeamChartInput
}

func (r *recorder) TeamChart(in bot.TeamChartInput) (bot.File, error) {
	r.mu.Lock()
	r.team = append(r.team, in)
	r.mu.Unlock()
	return r.Renderer.TeamChart(in)
}

func newCoach(t *testing.T, r bot.Renderer) (*bot.Coach, *bottest.Clock) {
	t.Helper()
	clock := bottest.NewClock(bottest.Start)
	return bot.NewCoach(bot.Config{Store: bottest.MustOpenStore(t), Clock: clock, Renderer: r, DefaultTZ: "UTC"}), clock
}

func TestCoachReportAndHistory(t *testing.T) {
	coach, clock := newCoach(t, report.New())
	ctx := context.Background()
	for i, text := range []string{"/pain 6 knee sore after stairs", "/pain 5 knee", "/coach done", "/coach tape on knee", "/pain 4 ankle Überlastung", "/pain 3 knee better today"} {
		if got := coach.Handle(ctx, bottest.Request(text)); got.Title == "" && got.Text == "" {
			t.Fatalf("%q: empty reply", text)
		}
		clock.Advance(time.Duration(10+i) * time.Hour)
	}

	rep := coach.Handle(ctx, bottest.Request("/coach report 28 Sam Lee"))
	if len(rep.Files) != 1 || rep.Files[0].ContentType != "application/pdf" {
		t.Fatalf("report reply files = %+v, text %q", fileTypes(rep.Files), rep.Text)
	}
	pdf := rep.Files[0].Data
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || pageCount(pdf) != 1 {
		t.Errorf("not a one-page PDF (%d pages)", pageCount(pdf))
	}
	mustContain(t, pdfText(t, pdf), "Patient: Sam Lee", "sore after stairs", "Überlastung", "better today", "ankle", "knee: on since", report.Footer)

	hist := coach.Handle(ctx, bottest.Request("/coach history"))
	if len(hist.Files) != 1 || hist.Files[0].ContentType != "image/png" {
		t.Fatalf("history reply files = %+v", fileTypes(hist.Files))
	}
	if b := decodePNG(t, hist.Files[0].Data).Bounds(); b.Dx() == 0 {
		t.Errorf("empty history image")
	}
}

func fileTypes(fs []bot.File) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name+" "+f.ContentType)
	}
	return out
}

// TestTeamChartOnlySeesTotals runs a wellness-mode team report and checks
// that the chart input has no place for anyone's own data and holds only
// the privacy policy's figures: ranges of people and rounded averages of
// completed weeks.
func TestTeamChartOnlySeesTotals(t *testing.T) {
	rec := &recorder{Renderer: report.New()}
	coach, clock := newCoach(t, rec)
	ctx := context.Background()
	req := func(user, text string, admin bool) bot.Reply {
		return coach.Handle(ctx, bot.Request{Platform: bot.Discord, Workspace: "G1", Channel: "C1", User: user, IsAdmin: admin, Text: text})
	}
	if got := req("boss", "/coach team mode wellness", true); !strings.Contains(got.Text, "wellness") {
		t.Fatalf("set mode: %q", got.Text)
	}
	for i := range 6 {
		user := fmt.Sprint("member", i)
		req(user, "/coach start yes", false)
		req(user, fmt.Sprintf("/pain %d knee private-note-%d", 2+i, i), false)
		clock.Advance(time.Hour)
	}
	if got := req("boss", "/coach team report 14", false); len(got.Files) != 0 {
		t.Fatalf("a chart of a week still running: %v", fileTypes(got.Files))
	}
	// The week is published at 12:00 UTC on the Monday after it.
	clock.Set(bottest.Start.AddDate(0, 0, 7).Add(3 * time.Hour))
	got := req("boss", "/coach team report 14", false)
	if len(got.Files) != 1 || got.Files[0].ContentType != "image/png" {
		t.Fatalf("team report files = %v; text %q", fileTypes(got.Files), got.Text)
	}
	decodePNG(t, got.Files[0].Data)

	// The input types carry totals only: a title and the scale, and per
	// week a start, a count, its label and a mean.
	assertFields(t, reflect.TypeFor[bot.TeamChartInput](), "Title", "Weeks", "ScoreLabel", "ScoreMin", "ScoreMax")
	assertFields(t, reflect.TypeFor[bot.TeamWeek](), "Start", "Participants", "AverageScore", "ParticipantsLabel")
	if len(rec.team) != 1 {
		t.Fatalf("team charts drawn = %d, want 1", len(rec.team))
	}
	in := rec.team[0]
	// Six people with scores 2..7: a range of 5-9 and (2+...+7)/6 = 4.5.
	week := bottest.Start.Truncate(24 * time.Hour)
	want := []bot.TeamWeek{
		{Start: week.AddDate(0, 0, -7), ParticipantsLabel: "<5"},
		{Start: week, Participants: 5, AverageScore: 4.5, ParticipantsLabel: "5-9"},
	}
	if !reflect.DeepEqual(in.Weeks, want) {
		t.Errorf("chart weeks = %+v, want %+v", in.Weeks, want)
	}
	dump := fmt.Sprintf("%+v", in)
	for _, secret := range []string{"member", "private-note", "boss"} {
		if strings.Contains(dump, secret) {
			t.Errorf("team chart input holds %q: %s", secret, dump)
		}
	}
}

func assertFields(t *testing.T, typ reflect.Type, want ...string) {
	t.Helper()
	var got []string
	for i := range typ.NumField() {
		got = append(got, typ.Field(i).Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s fields = %v, want %v: a new field may carry individual data", typ, got, want)
	}
}
