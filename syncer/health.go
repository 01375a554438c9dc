package syncer

import (
	"context"
	"errors"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
)

// failingAfter is how many failed attempts in a row turn a degraded
// connection into a failing one.
const failingAfter = 3

// internalError marks a failure of OmniFy's own storage rather than the
// platform's, which leaves the connection's health alone.
type internalError struct{ err error }

func (e internalError) Error() string { return e.err.Error() }
func (e internalError) Unwrap() error { return e.err }

func internal(err error) error {
	if err == nil {
		return nil
	}
	return internalError{err}
}

// permanentError marks a failure retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return permanentError{err} }

// recordFailure updates the connection's health from a failed attempt and
// reports whether retrying is pointless. Failures of OmniFy's own storage
// leave the health alone: the platform is not at fault.
func (s *Syncer) recordFailure(ctx context.Context, conn *omnify.Connection, err error, creds map[string]string) bool {
	var pe permanentError
	isPermanent := errors.As(err, &pe)
	var ie internalError
	if errors.As(err, &ie) {
		return isPermanent
	}
	now := s.now()
	switch {
	case errors.Is(err, connector.ErrAuth):
		conn.Health, conn.NextRetryAt = omnify.HealthDisconnected, time.Time{}
		conn.LastError = "The platform refused the credentials. Give the connection new credentials to resume syncing."
		isPermanent = true
	case errors.Is(err, connector.ErrPermanent), errors.Is(err, connector.ErrInvalidConfig),
		errors.Is(err, connector.ErrUnknownStream), isPermanent:
		conn.Failures++
		conn.Health, conn.NextRetryAt = omnify.HealthFailing, time.Time{}
		conn.LastError = failureMessage(err, creds)
		isPermanent = true
	default:
		conn.Failures++
		conn.Health = omnify.HealthDegraded
		if conn.Failures >= failingAfter {
			conn.Health = omnify.HealthFailing
		}
		conn.LastError = failureMessage(err, creds)
		conn.NextRetryAt = now.Add(s.retryWait(err, conn.Failures))
	}
	conn.UpdatedAt = now
	s.saveHealth(ctx, conn)
	return isPermanent
}

// retryWait is the platform's own wait when it asked for one, else the
// job runner's growing delay.
func (s *Syncer) retryWait(err error, failures int) time.Duration {
	var bo *connector.BackOffError
	if errors.As(err, &bo) && bo.Wait > 0 {
		return max(bo.Wait, s.cfg.RetryDelay(failures))
	}
	return s.cfg.RetryDelay(failures)
}

// recordSuccess marks the connection healthy and synced now.
func (s *Syncer) recordSuccess(ctx context.Context, conn *omnify.Connection) {
	now := s.now()
	conn.Health, conn.LastError, conn.Failures = omnify.HealthHealthy, "", 0
	conn.NextRetryAt, conn.LastSyncAt, conn.UpdatedAt = time.Time{}, now, now
	s.saveHealth(ctx, conn)
}

func (s *Syncer) saveHealth(ctx context.Context, conn *omnify.Connection) {
	if err := s.cfg.Store.SetConnectionHealth(context.WithoutCancel(ctx), conn); err != nil && !errors.Is(err, omnify.ErrNotFound) {
		s.cfg.Logger.Error("save connection health", "connection_id", conn.ID, "err", err)
	}
}

// failureMessage says in plain words why an attempt failed, without
// credential values.
func failureMessage(err error, creds map[string]string) string {
	var ie internalError
	switch {
	case errors.Is(err, connector.ErrAuth):
		return "The platform refused the credentials. Give the connection new credentials to resume syncing."
	case errors.As(err, &ie):
		return "An internal error stopped the sync; the server log has the details."
	}
	return plainError(err, creds)
}
