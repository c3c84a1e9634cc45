package report_test

import (
	"testing"

	"github.com/recoverycoach/recoverycoach/bot/report"
)

// The benchmarks use realistic(90): two check-ins a day over two areas,
// 60 exercise days, two tape cycles and three red flags.

func BenchmarkHistoryChart90d(b *testing.B) {
	r := report.New()
	in := realistic(90).ChartInput
	for b.Loop() {
		if _, err := r.HistoryChart(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClinicianReport90d(b *testing.B) {
	r := report.New()
	in := realistic(90)
	for b.Loop() {
		if _, err := r.ClinicianReport(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTeamChart13w(b *testing.B) {
	r := report.New()
	in := teamFixture()
	for b.Loop() {
		if _, err := r.TeamChart(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		report.New()
	}
}
