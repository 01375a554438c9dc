package manager

import (
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode"

	"github.com/sony/gobreaker/v2"

	"github.com/omnify-cloud/omnify/connector"
)

// State is a connection's health as the dashboard shows it.
type State string

// Health states.
const (
	// Unknown: the manager has not called the platform for this connection.
	Unknown State = "unknown"
	// Healthy: the last call succeeded.
	Healthy State = "healthy"
	// Degraded: recent calls failed transiently or the vendor asked to slow
	// down; calls still go through.
	Degraded State = "degraded"
	// Failing: the circuit is open; calls fail fast until NextRetryAt.
	Failing State = "failing"
	// Disconnected: the platform refused the credentials; the user must
	// connect again.
	Disconnected State = "disconnected"
)

// Health is one connection's health.
type Health struct {
	State State `json:"state"`
	// LastError says in plain words what went wrong last; it never holds
	// vendor payloads, URLs or credentials.
	LastError string `json:"last_error,omitempty"`
	// NextRetryAt is when a call will next be let through (the end of an
	// open circuit's cool-down or of the vendor's requested wait).
	NextRetryAt time.Time `json:"next_retry_at,omitzero"`
	// ConsecutiveFailures counts failed attempts since the last success.
	ConsecutiveFailures int `json:"consecutive_failures"`
}

// connState is what the manager keeps per connection.
type connState struct {
	cb *gobreaker.CircuitBreaker[struct{}]

	mu        sync.Mutex
	openUntil time.Time // circuit open (calls fail fast) until then
	notBefore time.Time // the vendor asked for no call before then
	health    Health
}

// kind is how the manager treats an attempt's outcome.
type kind int

const (
	kindOK        kind = iota
	kindTransient      // retried, counts toward opening the circuit
	kindAuth           // credentials refused: disconnected, not retried
	kindPermanent      // vendor error retrying cannot fix
	kindCaller         // the caller's input or storage failed: no health change
	kindCanceled       // the caller cancelled: no health change
)

var kindNames = [...]string{"ok", "transient", "auth", "permanent", "caller", "canceled"}

func (k kind) String() string { return kindNames[k] }

func classify(err error) kind {
	var be *connector.BackOffError
	var ee *emitError
	switch {
	case err == nil:
		return kindOK
	case errors.As(err, &ee):
		return kindCaller
	case errors.Is(err, connector.ErrAuth):
		return kindAuth
	case errors.Is(err, connector.ErrInvalidConfig), errors.Is(err, connector.ErrUnknownStream):
		return kindCaller
	case errors.As(err, &be):
		return kindTransient
	case isContextErr(err):
		return kindCanceled
	case isNetErr(err):
		return kindTransient
	}
	return kindPermanent
}

// observe folds one attempt's outcome into the connection's health and
// returns the new health when it changed in a way worth reporting.
func (st *connState) observe(now time.Time, err error, k kind) (Health, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	old := st.health
	h := &st.health
	switch k {
	case kindOK:
		*h = Health{State: Healthy}
		st.notBefore = time.Time{}
	case kindAuth:
		h.State, h.LastError, h.NextRetryAt = Disconnected, "the platform refused the credentials; connect it again", time.Time{}
		h.ConsecutiveFailures++
	case kindTransient:
		st.transient(now, err)
	case kindPermanent:
		h.State, h.LastError = Degraded, "the platform answered with an error that retrying cannot fix"
		h.ConsecutiveFailures++
	default:
		return old, false
	}
	return *h, h.State != old.State || h.LastError != old.LastError
}

// transient records a retryable failure; the caller holds st.mu.
func (st *connState) transient(now time.Time, err error) {
	h := &st.health
	h.ConsecutiveFailures++
	h.LastError = reason(err)
	var be *connector.BackOffError
	if errors.As(err, &be) && be.Wait > 0 && now.Add(be.Wait).After(st.notBefore) {
		st.notBefore = now.Add(be.Wait)
	}
	if now.Before(st.openUntil) {
		h.State, h.NextRetryAt = Failing, st.openUntil
		h.LastError = fmt.Sprintf("paused after %d failures in a row: %s", h.ConsecutiveFailures, h.LastError)
		return
	}
	h.State, h.NextRetryAt = Degraded, time.Time{}
	if now.Before(st.notBefore) {
		h.NextRetryAt = st.notBefore
	}
}

// maxReason bounds a vendor reason kept as LastError.
const maxReason = 200

// reason is a transient error in plain words.
func reason(err error) string {
	var be *connector.BackOffError
	if errors.As(err, &be) && be.Reason != "" {
		return plain(be.Reason)
	}
	if isNetErr(err) {
		return "the platform could not be reached"
	}
	return "the platform failed temporarily"
}

func (st *connState) snapshot() Health {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.health
}

// opened starts the cool-down of a circuit that just opened.
func (st *connState) opened(until time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.openUntil = until
}

// gates returns when the circuit closes and when the vendor allows calls.
func (st *connState) gates() (openUntil, notBefore time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.openUntil, st.notBefore
}

// plain keeps a connector's reason to one short line of printable text.
func plain(s string) string {
	out := make([]rune, 0, min(len(s), maxReason))
	for _, r := range s {
		if len(out) == maxReason {
			break
		}
		if !unicode.IsPrint(r) {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
