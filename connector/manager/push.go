package manager

import (
	"context"
	"errors"
	"fmt"

	"github.com/omnify-cloud/omnify/connector"
)

// ErrNoWriteBack: the platform's connector cannot push audiences (it does
// not implement connector.Pusher).
var ErrNoWriteBack = errors.New("the platform does not support pushing audiences")

// ErrBadPush: a push request the manager refuses before calling the
// platform (no destination, too many members).
var ErrBadPush = errors.New("invalid push request")

var _ connector.Pusher = (*Managed)(nil)

// CanPush reports whether the wrapped connector writes audiences back.
// Managed always has a Push method, so callers ask this instead of a type
// assertion.
func (m *Managed) CanPush() bool {
	_, ok := m.inner.(connector.Pusher)
	return ok
}

// Push validates the connection and the request, then pushes the batch
// under the connection's breaker and pacing, retrying transient failures
// with back-off like Check. The connector's Push is idempotent, so a whole
// batch is repeated after a transient failure. A vendor wait longer than
// MaxWait is returned as the *connector.BackOffError for the caller to
// schedule.
func (m *Managed) Push(ctx context.Context, c connector.Connection, req connector.PushRequest) (connector.PushResult, error) {
	p, ok := m.inner.(connector.Pusher)
	if !ok {
		return connector.PushResult{}, fmt.Errorf("%s: %w", m.spec.Platform, ErrNoWriteBack)
	}
	if err := m.validate(c); err != nil {
		return connector.PushResult{}, err
	}
	if err := checkPush(req); err != nil {
		return connector.PushResult{}, fmt.Errorf("%s push: %w", m.spec.Platform, err)
	}
	id := connKey(c, credHash(c))
	c = m.prepare(c, id)
	var res connector.PushResult
	err := m.do(ctx, id, "push", func(ctx context.Context) (bool, error) {
		var err error
		res, err = p.Push(ctx, c, req)
		return false, err
	})
	if err != nil {
		if errors.Is(err, connector.ErrAuth) {
			m.cache.drop(id)
		}
		return connector.PushResult{}, err
	}
	return res, nil
}

// checkPush refuses requests no vendor should see.
func checkPush(req connector.PushRequest) error {
	switch n := len(req.Add) + len(req.Remove); {
	case req.Destination == "":
		return fmt.Errorf("%w: no destination", ErrBadPush)
	case n > connector.MaxPushBatch:
		return fmt.Errorf("%w: %d members, at most %d per batch", ErrBadPush, n, connector.MaxPushBatch)
	}
	return nil
}
