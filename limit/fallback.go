package limit

import (
	"context"
	"fmt"

	"github.com/omnify-cloud/omnify/internal/outage"
)

// Fallback is a Limiter that uses a shared primary (Redis) and, while the
// primary is unreachable, a per-process secondary (Memory): the API keeps
// enforcing limits per replica instead of failing open or closed. It retries
// the primary after a back-off and switches back by itself when it answers.
type Fallback struct {
	primary, secondary Limiter
	state              *outage.Tracker
}

var _ Limiter = (*Fallback)(nil)

// NewFallback returns a Fallback over primary and secondary; cfg.Component
// defaults to "limiter".
func NewFallback(primary, secondary Limiter, cfg outage.Config) *Fallback {
	if cfg.Component == "" {
		cfg.Component = "limiter"
	}
	return &Fallback{primary: primary, secondary: secondary, state: outage.New(cfg)}
}

// Up reports whether the primary is currently in use.
func (f *Fallback) Up() bool { return f.state.Up() }

// Allow implements Limiter.
func (f *Fallback) Allow(ctx context.Context, key string, r Rate) (Decision, error) {
	return f.decide(ctx, key, r, Limiter.Allow)
}

// Peek implements Limiter.
func (f *Fallback) Peek(ctx context.Context, key string, r Rate) (Decision, error) {
	return f.decide(ctx, key, r, Limiter.Peek)
}

// Reset implements Limiter. It resets both backends, so a key cleared during
// an outage is not still spent in the secondary when the outage ends.
func (f *Fallback) Reset(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("limit reset: %w", err)
	}
	if err := f.secondary.Reset(ctx, key); err != nil {
		return err
	}
	if !f.state.Try() {
		f.state.FellBack()
		return nil
	}
	err := f.primary.Reset(ctx, key)
	f.report(ctx, err)
	return nil
}

type decideFunc func(Limiter, context.Context, string, Rate) (Decision, error)

func (f *Fallback) decide(ctx context.Context, key string, r Rate, fn decideFunc) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("limit %q: %w", key, err)
	}
	if err := r.Validate(); err != nil {
		return Decision{}, err
	}
	if f.state.Try() {
		d, err := fn(f.primary, ctx, key, r)
		if f.report(ctx, err) {
			return d, nil
		}
		if ctx.Err() != nil {
			return Decision{}, fmt.Errorf("limit %q: %w", key, ctx.Err())
		}
	}
	f.state.FellBack()
	return fn(f.secondary, ctx, key, r)
}

// report tells the tracker how the primary fared and reports whether its
// answer can be used.
func (f *Fallback) report(ctx context.Context, err error) bool {
	switch {
	case err == nil:
		f.state.Succeed()
		return true
	case ctx.Err() != nil:
		f.state.Abandon()
	default:
		f.state.Fail(err)
	}
	return false
}
