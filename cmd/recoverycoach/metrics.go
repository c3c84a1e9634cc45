package main

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/recoverycoach/recoverycoach/bot"
)

// metrics holds every Prometheus series the bot exports. Labels name
// commands, platforms, kinds, areas, rules and routes, never a user.
type metrics struct {
	registry    *prometheus.Registry
	commands    *prometheus.CounterVec
	checkIns    *prometheus.CounterVec
	redFlags    *prometheus.CounterVec
	nudges      *prometheus.CounterVec
	sendLatency *prometheus.HistogramVec
	rateLimited *prometheus.CounterVec
	reconnects  *prometheus.CounterVec
	httpLatency *prometheus.HistogramVec
}

// outboxCounter reports outbox rows by status at scrape time.
type outboxCounter interface {
	OutboxStats(ctx context.Context) (map[bot.OutboxStatus]int, error)
}

// watchOutbox reports the outbox's rows by status at each scrape.
func (m *metrics) watchOutbox(outbox outboxCounter) {
	m.registry.MustRegister(outboxCollector{
		desc:   prometheus.NewDesc("coach_outbox_rows", "Outbox rows by status.", []string{"status"}, nil),
		outbox: outbox,
	})
}

// watchLeader reports, at each scrape, whether this instance runs the
// reminder triggers (always, with SQLite; the leader, with PostgreSQL).
func (m *metrics) watchLeader(leading func() bool) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "coach_leader", Help: "1 while this instance runs the reminder triggers.",
	}, func() float64 {
		if leading() {
			return 1
		}
		return 0
	}))
}

// watchStorage reports, at each scrape, whether writes still reach the
// database, so an alert can fire where nothing polls /readyz.
func (m *metrics) watchStorage(ok func() bool) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "coach_storage_ok", Help: "1 while the database file is in place and a small write succeeds.",
	}, func() float64 {
		if ok() {
			return 1
		}
		return 0
	}))
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coach_commands_total", Help: "Commands handled, by command and outcome (ok or an error code).",
		}, []string{"command", "outcome"}),
		checkIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coach_checkins_total", Help: "Pain check-ins recorded, by body area.",
		}, []string{"area"}),
		redFlags: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coach_red_flags_total", Help: "Red flags raised, by rule.",
		}, []string{"rule"}),
		nudges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coach_nudges_total", Help: "Outbox rows finished, by platform, kind and result (sent, skipped, failed).",
		}, []string{"platform", "kind", "result"}),
		sendLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "coach_send_duration_seconds", Help: "Time to deliver one nudge to the platform.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 12),
		}, []string{"platform"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coach_rate_limited_total", Help: "429 answers from a platform.",
		}, []string{"platform"}),
		reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coach_reconnects_total", Help: "Socket Mode and gateway reconnects.",
		}, []string{"platform"}),
		httpLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "coach_http_request_duration_seconds", Help: "HTTP requests by route and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
	}
	m.registry.MustRegister(m.commands, m.checkIns, m.redFlags, m.nudges, m.sendLatency, m.rateLimited, m.reconnects, m.httpLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// CommandHandled implements bot.Observer.
func (m *metrics) CommandHandled(command, outcome string) {
	m.commands.WithLabelValues(command, outcome).Inc()
}

// CheckInRecorded implements bot.Observer.
func (m *metrics) CheckInRecorded(area string) {
	if area == "" {
		area = "unspecified"
	}
	m.checkIns.WithLabelValues(area).Inc()
}

// RedFlagRaised implements bot.Observer.
func (m *metrics) RedFlagRaised(rule string) { m.redFlags.WithLabelValues(rule).Inc() }

// NudgeSent implements scheduler.Observer.
func (m *metrics) NudgeSent(p bot.Platform, kind bot.NudgeKind, latency time.Duration) {
	m.nudges.WithLabelValues(string(p), string(kind), "sent").Inc()
	m.sendLatency.WithLabelValues(string(p)).Observe(latency.Seconds())
}

// NudgeSkipped implements scheduler.Observer.
func (m *metrics) NudgeSkipped(p bot.Platform, kind bot.NudgeKind, _ string) {
	m.nudges.WithLabelValues(string(p), string(kind), "skipped").Inc()
}

// NudgeFailed implements scheduler.Observer.
func (m *metrics) NudgeFailed(p bot.Platform, kind bot.NudgeKind) {
	m.nudges.WithLabelValues(string(p), string(kind), "failed").Inc()
}

// RateLimited implements scheduler.Observer.
func (m *metrics) RateLimited(p bot.Platform) { m.rateLimited.WithLabelValues(string(p)).Inc() }

// Reconnected counts a Socket Mode or gateway reconnect.
func (m *metrics) Reconnected(p bot.Platform) { m.reconnects.WithLabelValues(string(p)).Inc() }

// handler serves /metrics.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// instrument records the duration of every request by the mux route that
// served it, so unknown paths collapse into one "unmatched" series.
func (m *metrics) instrument(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		start := time.Now()
		mux.ServeHTTP(rec, r)
		m.httpLatency.WithLabelValues(route, strconv.Itoa(rec.code)).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type outboxCollector struct {
	desc   *prometheus.Desc
	outbox outboxCounter
}

func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.outbox.OutboxStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, st := range []bot.OutboxStatus{bot.OutboxPending, bot.OutboxSent, bot.OutboxSkipped, bot.OutboxFailed} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(stats[st]), string(st))
	}
}
