// Package cache owns OmniFy's byte cache: the Cache interface the API read
// caches and the connector metadata cache use, the bounded in-process Memory
// backend, key namespacing, and the Fallback wrapper that bypasses a shared
// backend (Redis) while it is unreachable. Backends must pass the
// conformance suite in cache/cachetest.
package cache

import (
	"context"
	"errors"
	"time"
)

// Cache holds byte values under string keys for at most their TTL. A cache
// is an optimisation: callers must work unchanged when every Get misses.
//
// Errors: a TTL ≤ 0 is ErrBadTTL; a cancelled context returns its error;
// shared backends return errors when their server is unreachable.
type Cache interface {
	// Get returns key's value and true, or false when it is absent or
	// expired. The returned slice is the caller's to keep and modify.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores a copy of val under key for ttl.
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// Delete removes key; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrBadTTL is returned by Set for a TTL that is not positive: every cached
// value must expire so a missed invalidation heals by itself.
var ErrBadTTL = errors.New("cache: ttl must be positive")

// WithPrefix returns a view of c whose keys are prefix+key, so users of one
// backend (API read caches, connector metadata) never collide.
func WithPrefix(c Cache, prefix string) Cache { return prefixed{c: c, prefix: prefix} }

type prefixed struct {
	c      Cache
	prefix string
}

func (p prefixed) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return p.c.Get(ctx, p.prefix+key)
}

func (p prefixed) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return p.c.Set(ctx, p.prefix+key, val, ttl)
}

func (p prefixed) Delete(ctx context.Context, key string) error {
	return p.c.Delete(ctx, p.prefix+key)
}
