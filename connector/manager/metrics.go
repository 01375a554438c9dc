package manager

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts attempts by platform, operation and outcome.
type metrics struct {
	calls *prometheus.CounterVec
}

// newMetrics registers the counter, sharing it when another platform's
// manager registered it first; nil (counting nothing) without a Registerer.
func newMetrics(r prometheus.Registerer) *metrics {
	if r == nil {
		return nil
	}
	calls := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "omnify_connector_calls_total",
		Help: "Connector call attempts by platform, operation and outcome.",
	}, []string{"platform", "op", "outcome"})
	if err := r.Register(calls); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil
		}
		existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
		if !ok {
			return nil
		}
		calls = existing
	}
	return &metrics{calls: calls}
}

func (m *metrics) count(platform, op, outcome string) {
	if m == nil {
		return
	}
	m.calls.WithLabelValues(platform, op, outcome).Inc()
}
