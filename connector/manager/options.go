package manager

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/omnify-cloud/omnify/limit"
)

// Options tune one platform's manager. The zero value works: WithDefaults
// fills every unset field with the default its comment gives.
type Options struct {
	// FailureThreshold is how many consecutive transient failures of one
	// connection open its circuit. Default 5.
	FailureThreshold int
	// CoolDown is how long an open circuit fails calls fast before one probe
	// call may go through. Default 30s.
	CoolDown time.Duration

	// MaxAttempts bounds the attempts of one call (Check or Read) while it
	// makes no progress; a Read that saved a checkpoint since its last
	// failure starts counting again. Default 5.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the exponential back-off: before retry n
	// the manager sleeps a uniformly random time in [0, min(MaxDelay,
	// BaseDelay·2^(n-1))) ("full jitter"), but never less than the wait the
	// vendor asked for. Defaults 500ms and 30s.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxWait bounds the total time one call spends sleeping between
	// attempts. A vendor wait that does not fit is returned to the caller as
	// the *connector.BackOffError, so the sync job can be rescheduled instead
	// of holding a worker. Default 2m.
	MaxWait time.Duration

	// CheckTimeout bounds each Check attempt. Default 30s.
	CheckTimeout time.Duration
	// IdleTimeout cancels a Read attempt that emits no record, checkpoint
	// or total for this long; the attempt counts as a transient failure.
	// Time the caller's Emitter spends storing does not count. Default 5m.
	IdleTimeout time.Duration

	// CheckCacheTTL is how long a Check result (success or refused
	// credentials) is reused for the same connection and credentials.
	// Default 1m; negative disables the cache.
	CheckCacheTTL time.Duration
	// CheckCacheSize bounds the cached Check results. Default 1024.
	CheckCacheSize int

	// Limiter and Rate, when Limiter is set, pace every HTTP request a
	// connection's connector makes (key "connector:<platform>:<connection
	// ID>"), on top of the vendor's own back-off signals.
	Limiter limit.Limiter
	Rate    limit.Rate

	// OnHealthChange is called, synchronously and outside the manager's
	// locks, whenever a connection's health state or last error changes.
	OnHealthChange func(connID string, h Health)
	// Registerer, when set, receives the call counter
	// omnify_connector_calls_total{platform,op,outcome}.
	Registerer prometheus.Registerer

	// Now, Sleep and Rand are the clock, the sleeper and the jitter source;
	// tests replace them. Defaults: time.Now, a timer that stops on ctx,
	// math/rand/v2's Float64.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Rand  func() float64
}

// WithDefaults returns o with every unset field set to its default.
func (o Options) WithDefaults() Options {
	setInt(&o.FailureThreshold, 5)
	setInt(&o.MaxAttempts, 5)
	setInt(&o.CheckCacheSize, 1024)
	setDur(&o.CoolDown, 30*time.Second)
	setDur(&o.BaseDelay, 500*time.Millisecond)
	setDur(&o.MaxDelay, 30*time.Second)
	setDur(&o.MaxWait, 2*time.Minute)
	setDur(&o.CheckTimeout, 30*time.Second)
	setDur(&o.IdleTimeout, 5*time.Minute)
	if o.CheckCacheTTL == 0 {
		o.CheckCacheTTL = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return o
}

func setInt(p *int, def int) {
	if *p <= 0 {
		*p = def
	}
}

func setDur(p *time.Duration, def time.Duration) {
	if *p <= 0 {
		*p = def
	}
}

// sleep waits d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
