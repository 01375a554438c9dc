package cache

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/omnify-cloud/omnify/internal/outage"
)

// Clearer is a shared backend that can drop every value it holds.
type Clearer interface {
	Clear(ctx context.Context) error
}

// Fallback bypasses a shared primary cache (Redis) while it is unreachable:
// every Get misses and writes are skipped, so the API keeps serving from
// its source of truth. It retries the primary after a back-off and uses it
// again by itself once it answers. An invalidation skipped during the
// outage could leave a stale value in the primary, so when one was skipped
// and the primary is a Clearer, it is cleared before being trusted again.
type Fallback struct {
	primary Cache
	state   *outage.Tracker
	// dirty records that a write or delete was skipped during an outage.
	dirty atomic.Bool
}

var _ Cache = (*Fallback)(nil)

// NewFallback wraps primary; cfg.Component defaults to "cache".
func NewFallback(primary Cache, cfg outage.Config) *Fallback {
	if cfg.Component == "" {
		cfg.Component = "cache"
	}
	return &Fallback{primary: primary, state: outage.New(cfg)}
}

// Up reports whether the primary is currently in use.
func (f *Fallback) Up() bool { return f.state.Up() }

// Get implements Cache; it misses while the primary is unreachable.
func (f *Fallback) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("cache get %q: %w", key, err)
	}
	if !f.state.Try() {
		f.state.FellBack()
		return nil, false, nil
	}
	wasUp := f.state.Up()
	val, ok, err := f.primary.Get(ctx, key)
	if err := f.settle(ctx, err, false); err != nil {
		return nil, false, err
	}
	if !wasUp {
		// Read before a clear may have dropped it: not to be trusted.
		return nil, false, nil
	}
	return val, ok && f.state.Up(), nil
}

// Set implements Cache; it is skipped while the primary is unreachable.
func (f *Fallback) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache set %q: %w", key, err)
	}
	if ttl <= 0 {
		return fmt.Errorf("cache set %q: %w", key, ErrBadTTL)
	}
	if !f.state.Try() {
		f.skip()
		return nil
	}
	return f.settle(ctx, f.primary.Set(ctx, key, val, ttl), true)
}

// Delete implements Cache; while the primary is unreachable the deletion is
// remembered as a reason to clear the primary when it returns.
func (f *Fallback) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache delete %q: %w", key, err)
	}
	if !f.state.Try() {
		f.skip()
		return nil
	}
	return f.settle(ctx, f.primary.Delete(ctx, key), true)
}

func (f *Fallback) skip() {
	f.dirty.Store(true)
	f.state.FellBack()
}

// settle reports the primary's outcome to the tracker. Only the caller's
// own cancellation is returned; backend errors become a bypass.
func (f *Fallback) settle(ctx context.Context, err error, write bool) error {
	switch {
	case err != nil && ctx.Err() != nil:
		f.state.Abandon()
		return fmt.Errorf("cache: %w", ctx.Err())
	case err != nil:
		f.state.Fail(err)
		if write {
			f.dirty.Store(true)
		}
		f.state.FellBack()
		return nil
	case f.state.Up():
		return nil
	}
	if err := f.repair(ctx); err != nil {
		f.state.Fail(err)
		return nil
	}
	f.state.Succeed()
	return nil
}

// repair clears the primary when the outage skipped a write or delete.
func (f *Fallback) repair(ctx context.Context) error {
	if !f.dirty.Load() {
		return nil
	}
	c, ok := f.primary.(Clearer)
	if !ok {
		return nil
	}
	if err := c.Clear(ctx); err != nil {
		return fmt.Errorf("clear after outage: %w", err)
	}
	f.dirty.Store(false)
	return nil
}
