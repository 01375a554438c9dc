// Package rediscache is the cache.Cache backend shared by every replica:
// values live in Redis under a key prefix and expire by Redis's own TTLs.
package rediscache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/omnify-cloud/omnify/cache"
)

// DefaultPrefix namespaces the cache's keys.
const DefaultPrefix = "omnify:cache:"

// Options configures a Cache.
type Options struct {
	// Prefix is put before every key; default DefaultPrefix.
	Prefix string
}

// Cache is a cache.Cache in Redis.
type Cache struct {
	client redis.UniversalClient
	prefix string
}

var (
	_ cache.Cache   = (*Cache)(nil)
	_ cache.Clearer = (*Cache)(nil)
)

// New returns a Cache using client.
func New(client redis.UniversalClient, opts Options) *Cache {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	return &Cache{client: client, prefix: opts.Prefix}
}

// Get implements cache.Cache.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("cache get %q: %w", key, err)
	}
	val, err := c.client.Get(ctx, c.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache get %q: redis: %w", key, err)
	}
	if val == nil {
		val = []byte{}
	}
	return val, true, nil
}

// Set implements cache.Cache.
func (c *Cache) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache set %q: %w", key, err)
	}
	if ttl <= 0 {
		return fmt.Errorf("cache set %q: %w", key, cache.ErrBadTTL)
	}
	if err := c.client.Set(ctx, c.prefix+key, val, ttl).Err(); err != nil {
		return fmt.Errorf("cache set %q: redis: %w", key, err)
	}
	return nil
}

// Delete implements cache.Cache.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache delete %q: %w", key, err)
	}
	if err := c.client.Del(ctx, c.prefix+key).Err(); err != nil {
		return fmt.Errorf("cache delete %q: redis: %w", key, err)
	}
	return nil
}

// Clear implements cache.Clearer: it unlinks every key under the prefix,
// scanning in batches so Redis is never blocked for long. On a cluster
// every master is scanned, since each holds its own share of the keys.
func (c *Cache) Clear(ctx context.Context) error {
	var err error
	if cluster, ok := c.client.(*redis.ClusterClient); ok {
		err = cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return c.clearNode(ctx, node)
		})
	} else {
		err = c.clearNode(ctx, c.client)
	}
	if err != nil {
		return fmt.Errorf("cache clear: redis: %w", err)
	}
	return nil
}

func (c *Cache) clearNode(ctx context.Context, node redis.Cmdable) error {
	iter := node.Scan(ctx, 0, escapeGlob(c.prefix)+"*", 500).Iterator()
	batch := make([]string, 0, 500)
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) < cap(batch) {
			continue
		}
		if err := unlink(ctx, node, batch); err != nil {
			return err
		}
		batch = batch[:0]
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return unlink(ctx, node, batch)
}

// unlink deletes keys one command each: on a cluster a multi-key UNLINK
// would span hash slots.
func unlink(ctx context.Context, node redis.Cmdable, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := node.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Unlink(ctx, k)
		}
		return nil
	})
	return err
}

// escapeGlob quotes the characters SCAN MATCH treats as patterns.
func escapeGlob(s string) string {
	out := make([]byte, 0, len(s))
	for i := range len(s) {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
