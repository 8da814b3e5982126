package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the service's Prometheus metrics, on a registry of its own
// (served at /metrics): requests and their latency by route pattern (never
// by path, which holds ids), assessments by bundle, version conflicts by
// route, and the outbox's deliveries.
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	assessments *prometheus.CounterVec
	conflicts   *prometheus.CounterVec
	delivered   prometheus.Counter
	failures    prometheus.Counter
	pending     prometheus.Gauge
	handler     http.Handler
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsr_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dsr_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		assessments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsr_assessments_total", Help: "Assessments made by POST /v1/assess, by policy bundle.",
		}, []string{"bundle"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsr_version_conflicts_total", Help: "Writes refused with 409 for a version conflict, by route pattern.",
		}, []string{"route"}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dsr_outbox_delivered_total", Help: "Domain events delivered to the webhook.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dsr_outbox_delivery_failures_total", Help: "Failed attempts to deliver a domain event (each retried).",
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dsr_outbox_pending", Help: "Domain events waiting for delivery.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.assessments, m.conflicts, m.delivered, m.failures, m.pending,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}
