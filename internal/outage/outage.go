// Package outage tracks whether a shared backend (Redis) is reachable, for
// the wrappers that fall back to in-process behaviour while it is not. It
// owns the back-off between retries, the one log line per outage and per
// recovery, and the omnify_redis_up gauge and fallback counters.
package outage

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Config describes one tracked component.
type Config struct {
	// Component labels the gauge and names the counter
	// (omnify_<component>_fallback_total), e.g. "limiter" or "cache".
	Component string
	// Logger receives one line when an outage starts and one when it ends;
	// nil uses slog.Default().
	Logger *slog.Logger
	// Registerer receives the metrics; nil registers nowhere.
	Registerer prometheus.Registerer
	// Backoff is the wait before the first retry; default 500ms. Each
	// failed retry doubles it up to MaxBackoff (default 10s).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Now defaults to time.Now.
	Now func() time.Time
}

// Tracker is the up/down state of one backend. The healthy path is one
// atomic load; while down, exactly one caller at a time is let through to
// probe the backend once the back-off has elapsed.
type Tracker struct {
	cfg      Config
	up       prometheus.Gauge
	fellBack prometheus.Counter

	down atomic.Bool

	mu      sync.Mutex
	probing bool
	since   time.Time
	retryAt time.Time
	backoff time.Duration
}

// New returns a tracker that starts healthy.
func New(cfg Config) *Tracker {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.Backoff {
		cfg.MaxBackoff = max(cfg.Backoff, 10*time.Second)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	upVec := register(cfg.Registerer, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "omnify_redis_up",
		Help: "1 while Redis answers the component's calls, 0 while it falls back to in-process behaviour.",
	}, []string{"component"}))
	counter := register(cfg.Registerer, prometheus.NewCounter(prometheus.CounterOpts{
		Name: "omnify_" + cfg.Component + "_fallback_total",
		Help: "Calls the " + cfg.Component + " served without Redis because Redis was unreachable.",
	}))
	t := &Tracker{cfg: cfg, up: upVec.WithLabelValues(cfg.Component), fellBack: counter}
	t.up.Set(1)
	return t
}

// register reuses a collector another tracker already registered, so the
// limiter and the cache share one omnify_redis_up family.
func register[C prometheus.Collector](r prometheus.Registerer, c C) C {
	if r == nil {
		return c
	}
	if err := r.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// Up reports whether the backend is considered reachable.
func (t *Tracker) Up() bool { return !t.down.Load() }

// Try reports whether the caller should call the backend now. While down it
// is true for one caller once the back-off has elapsed; that caller must
// report the outcome with Fail or Succeed.
func (t *Tracker) Try() bool {
	if !t.down.Load() {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.down.Load() {
		return true
	}
	if t.probing || t.cfg.Now().Before(t.retryAt) {
		return false
	}
	t.probing = true
	return true
}

// Fail records a backend error. The first one of an outage is logged and
// flips the gauge; a failed probe lengthens the back-off.
func (t *Tracker) Fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.cfg.Now()
	switch {
	case !t.down.Load():
		t.down.Store(true)
		t.since, t.backoff = now, t.cfg.Backoff
		t.up.Set(0)
		t.cfg.Logger.Error("redis unreachable; falling back to in-process behaviour",
			slog.String("component", t.cfg.Component), slog.Any("error", err))
	case t.probing:
		t.backoff = min(2*t.backoff, t.cfg.MaxBackoff)
	default:
		return // a call that was already in flight when the outage began
	}
	t.probing = false
	t.retryAt = now.Add(t.backoff)
}

// Succeed records a backend success. A successful probe ends the outage; it
// reports whether it did, so callers can repair what the outage skipped.
func (t *Tracker) Succeed() bool {
	if !t.down.Load() {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.probing {
		return false
	}
	t.probing = false
	t.down.Store(false)
	t.up.Set(1)
	t.cfg.Logger.Info("redis reachable again",
		slog.String("component", t.cfg.Component), slog.Duration("outage", t.cfg.Now().Sub(t.since)))
	return true
}

// FellBack counts one call served without the backend.
func (t *Tracker) FellBack() { t.fellBack.Inc() }

// Abandon gives up a probe whose outcome says nothing about the backend
// (the caller's context ended), letting the next caller probe instead.
func (t *Tracker) Abandon() {
	t.mu.Lock()
	t.probing = false
	t.mu.Unlock()
}
