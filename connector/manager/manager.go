// Package manager owns the platform manager: the decorator every connector
// is wrapped in before the sync engine or the API calls it. For each
// connection it validates credentials and config against the connector's
// Spec, paces calls by the vendor's own back-off signals (and optionally a
// steady rate), retries transient failures with jittered exponential
// back-off, opens a circuit breaker after repeated failures, bounds calls
// with timeouts, caches Check results briefly and keeps the connection's
// health.
//
// A Read is retried by calling the connector again from the last state the
// caller's Emitter accepted as a checkpoint, so no record is lost; records
// emitted after that checkpoint are emitted again, which the sync engine's
// idempotent upserts absorb.
package manager

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/omnify-cloud/omnify/connector"
)

// Errors wrapped in the *connector.BackOffError the manager returns itself.
var (
	// ErrCircuitOpen: the connection's circuit is open after repeated
	// failures; the BackOffError's Wait is the rest of the cool-down.
	ErrCircuitOpen = errors.New("circuit open")
	// ErrRateLimited: the vendor asked for a wait longer than the call may
	// spend sleeping.
	ErrRateLimited = errors.New("rate limited by the platform")
	// ErrTimeout: a Check attempt took longer than CheckTimeout.
	ErrTimeout = errors.New("platform call timed out")
	// ErrIdle: a Read attempt emitted nothing for IdleTimeout.
	ErrIdle = errors.New("platform read stalled")
)

// Managed is a connector wrapped by the manager. It is a connector.Connector
// and adds per-connection Health.
type Managed struct {
	inner   connector.Connector
	opts    Options
	spec    connector.Spec
	schema  *schema
	specErr error
	streams map[string]bool
	cache   *checkCache
	metrics *metrics

	mu    sync.Mutex
	conns map[string]*connState
}

var _ connector.Connector = (*Managed)(nil)

// Wrap decorates c with the manager, tuned by opts (defaults applied).
func Wrap(c connector.Connector, opts Options) *Managed {
	opts = opts.WithDefaults()
	m := &Managed{inner: c, opts: opts, spec: c.Spec(), streams: map[string]bool{},
		conns: map[string]*connState{}, cache: newCheckCache(opts.CheckCacheSize)}
	m.schema, m.specErr = compile(m.spec)
	for _, s := range c.Streams() {
		m.streams[s.Name] = true
	}
	m.metrics = newMetrics(opts.Registerer)
	return m
}

// Unwrap returns the wrapped connector.
func (m *Managed) Unwrap() connector.Connector { return m.inner }

// Spec passes the connector's Spec through.
func (m *Managed) Spec() connector.Spec { return m.spec }

// Streams passes the connector's streams through.
func (m *Managed) Streams() []connector.Stream { return m.inner.Streams() }

// Actions passes the connector's actions through.
func (m *Managed) Actions() []connector.Action { return m.inner.Actions() }

// Health returns a connection's health; Unknown for a connection the
// manager has not called.
func (m *Managed) Health(connID string) Health {
	m.mu.Lock()
	st := m.conns[connID]
	m.mu.Unlock()
	if st == nil {
		return Health{State: Unknown}
	}
	return st.snapshot()
}

// Forget drops what the manager keeps about a connection (for a deleted
// connection, or after the user connects it again).
func (m *Managed) Forget(connID string) {
	m.mu.Lock()
	delete(m.conns, connID)
	m.mu.Unlock()
	m.cache.drop(connID)
}

type skipCacheKey struct{}

// SkipCache returns a context whose Check calls bypass the cache, for the
// user's explicit "test connection".
func SkipCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipCacheKey{}, true)
}

// Check validates the connection and checks it with the vendor, reusing a
// recent result for the same connection and credentials.
func (m *Managed) Check(ctx context.Context, c connector.Connection) error {
	if err := m.validate(c); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // a cached answer would hide the cancellation
	}
	key := credHash(c)
	id := connKey(c, key)
	if ctx.Value(skipCacheKey{}) == nil {
		if err, ok := m.cache.get(id, key, m.opts.Now()); ok {
			m.metrics.count(m.spec.Platform, "check", "cached")
			return err
		}
	}
	c = m.prepare(c, id)
	err := m.do(ctx, id, "check", func(ctx context.Context) (bool, error) {
		return false, m.checkOnce(ctx, c)
	})
	if m.opts.CheckCacheTTL > 0 && (err == nil || errors.Is(err, connector.ErrAuth)) {
		m.cache.put(id, key, err, m.opts.Now().Add(m.opts.CheckCacheTTL))
	}
	return err
}

func (m *Managed) checkOnce(ctx context.Context, c connector.Connection) error {
	cctx, cancel := context.WithTimeout(ctx, m.opts.CheckTimeout)
	defer cancel()
	err := m.inner.Check(cctx, c)
	if err != nil && cctx.Err() != nil && ctx.Err() == nil {
		return connector.BackOff(0, fmt.Sprintf("the platform did not answer within %s", m.opts.CheckTimeout), ErrTimeout)
	}
	return err
}

// validate checks the connection against the Spec.
func (m *Managed) validate(c connector.Connection) error {
	if m.specErr != nil {
		return fmt.Errorf("%s: %w: %w", m.spec.Platform, connector.ErrInvalidConfig, m.specErr)
	}
	if err := m.schema.validate(c.Credentials, c.Config); err != nil {
		return fmt.Errorf("%s: %w: %w", m.spec.Platform, connector.ErrInvalidConfig, err)
	}
	return nil
}

// connKey is the key of a connection's state. A connection being tried
// before it is saved has no ID; keying it by its credentials keeps one
// tenant's failing attempts from opening another's circuit.
func connKey(c connector.Connection, credHash string) string {
	if c.ID != "" {
		return c.ID
	}
	return "unsaved:" + credHash
}

// prepare gives the connector an HTTP client paced by the steady rate.
func (m *Managed) prepare(c connector.Connection, id string) connector.Connection {
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 60 * time.Second}
	}
	if m.opts.Limiter != nil {
		c.HTTP = m.paced(c.HTTP, "connector:"+m.spec.Platform+":"+id)
	}
	return c
}

// conn returns the connection's state, creating it on first use.
func (m *Managed) conn(connID string) *connState {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.conns[connID]
	if st == nil {
		st = &connState{health: Health{State: Unknown}}
		st.cb = gobreaker.NewCircuitBreaker[struct{}](m.breakerSettings(connID, st))
		m.conns[connID] = st
	}
	return st
}

// breakerSettings configures gobreaker for one connection. gobreaker reads
// the wall clock, so its own open period is set to the minimum and the
// cool-down is kept here on the injected clock: before it ends calls fail
// fast without reaching the breaker; after it, the breaker is half-open and
// lets exactly one probe through.
func (m *Managed) breakerSettings(connID string, st *connState) gobreaker.Settings {
	threshold := uint32(m.opts.FailureThreshold)
	return gobreaker.Settings{
		Name:        connID,
		MaxRequests: 1,
		Timeout:     time.Nanosecond,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= threshold },
		IsSuccessful: func(err error) bool {
			var p *progressed
			return err == nil || errors.As(err, &p)
		},
		IsExcluded: func(err error) bool { return err != nil && classify(err) != kindTransient },
		OnStateChange: func(_ string, _, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				st.opened(m.opts.Now().Add(m.opts.CoolDown))
			}
		},
	}
}

// notify reports a health change to the hook.
func (m *Managed) notify(connID string, h Health, changed bool) {
	if changed && m.opts.OnHealthChange != nil {
		m.opts.OnHealthChange(connID, h)
	}
}
