package middleware

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RequestMetrics records Prometheus request counts and latencies. Labels are
// bounded: route is the matched pattern, never the raw path ("other" when
// nothing matched), and unusual methods collapse to "OTHER".
type RequestMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// Metrics registers omnify_http_requests_total and
// omnify_http_request_duration_seconds with reg (nil means the default
// registerer), reusing collectors already registered there so that several
// servers may share one registry.
func Metrics(reg prometheus.Registerer) *RequestMetrics {
	if reg == nil {
		reg = prometheus.DefaultRegisterer
	}
	req := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "omnify_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "omnify_http_request_duration_seconds",
		Help:    "HTTP request latency, by route pattern and method.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method"})
	return &RequestMetrics{requests: register(reg, req), duration: register(reg, dur)}
}

// register returns the collector registered under c's name: c, or the one
// already there. A conflicting registration leaves c unregistered; it
// still counts but is not exported.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	return c
}

// Handler wraps next. A panic passing through is counted as a 500.
func (m *RequestMetrics) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, inf := withInfo(r)
		rec := newRecorder(w)
		done := false
		defer func() {
			status := rec.Status()
			if !done && !rec.wrote() {
				status = http.StatusInternalServerError
			}
			route := inf.routeOf(r)
			if route == "" {
				route = "other"
			}
			method := methodLabel(r.Method)
			m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(rec, r)
		done = true
	})
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
