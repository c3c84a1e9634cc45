package main

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// dispatchCollector reports the dispatcher's pacing per platform at each
// scrape. Workspaces are summed, not labelled: there may be thousands.
type dispatchCollector struct {
	stats                               func() []scheduler.KeyStats
	rate, lowered, held, flying, queued *prometheus.Desc
}

func (c dispatchCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.rate, c.lowered, c.held, c.flying, c.queued} {
		ch <- d
	}
}

func (c dispatchCollector) Collect(ch chan<- prometheus.Metric) {
	type sums struct{ rate, lowered, held, flying, queued float64 }
	per := map[bot.Platform]*sums{}
	for _, k := range c.stats() {
		s := per[k.Platform]
		if s == nil {
			s = &sums{}
			per[k.Platform] = s
		}
		if k.InFlight > 0 || k.Queued > 0 {
			s.rate += k.Rate
		}
		if k.Rate < k.Ceiling {
			s.lowered++
		}
		if k.Held {
			s.held++
		}
		s.flying += float64(k.InFlight)
		s.queued += float64(k.Queued)
	}
	for p, s := range per {
		ch <- prometheus.MustNewConstMetric(c.rate, prometheus.GaugeValue, s.rate, string(p))
		ch <- prometheus.MustNewConstMetric(c.lowered, prometheus.GaugeValue, s.lowered, string(p))
		ch <- prometheus.MustNewConstMetric(c.held, prometheus.GaugeValue, s.held, string(p))
		ch <- prometheus.MustNewConstMetric(c.flying, prometheus.GaugeValue, s.flying, string(p))
		ch <- prometheus.MustNewConstMetric(c.queued, prometheus.GaugeValue, s.queued, string(p))
	}
}

// reconciled counts how rows left half-sent were settled; registered once
// per metrics, on first use.
var reconciledVecs sync.Map // *metrics -> *prometheus.CounterVec

// watchDispatcher exports the dispatcher's pacing and reconciliations.
func (m *metrics) watchDispatcher(stats func() []scheduler.KeyStats) {
	label := []string{"platform"}
	m.registry.MustRegister(dispatchCollector{
		stats:   stats,
		rate:    prometheus.NewDesc("coach_dispatch_rate", "Current pace (messages per second) summed over the workspaces with sends waiting or in flight.", label, nil),
		lowered: prometheus.NewDesc("coach_dispatch_lowered_workspaces", "Workspaces paced below COACH_*_RPS after 429s.", label, nil),
		held:    prometheus.NewDesc("coach_dispatch_held_workspaces", "Workspaces held until a shared 429's Retry-After.", label, nil),
		flying:  prometheus.NewDesc("coach_dispatch_in_flight", "Sends in flight.", label, nil),
		queued:  prometheus.NewDesc("coach_dispatch_waiting", "Claimed rows waiting for a send slot or the pace.", label, nil),
	})
	m.reconciledVec()
}

func (m *metrics) reconciledVec() *prometheus.CounterVec {
	if v, ok := reconciledVecs.Load(m); ok {
		return v.(*prometheus.CounterVec)
	}
	v := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coach_outbox_reconciled_total",
		Help: "Rows left half-sent by a crash, by how they were settled: found (already delivered), absent (sent now), nonce (sent again, the platform drops a repeat), unverified (the platform could not tell; sent again).",
	}, []string{"platform", "outcome"})
	if actual, loaded := reconciledVecs.LoadOrStore(m, v); loaded {
		return actual.(*prometheus.CounterVec)
	}
	m.registry.MustRegister(v)
	return v
}

// Reconciled implements scheduler.ReconcileObserver.
func (m *metrics) Reconciled(p bot.Platform, outcome string) {
	m.reconciledVec().WithLabelValues(string(p), outcome).Inc()
}
