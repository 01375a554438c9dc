package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/omnify-cloud/omnify/internal/outage"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/limit/redislimit"
)

// validateRedisURL checks OMNIFY_REDIS_URL; empty means no Redis.
func validateRedisURL(raw string) error {
	if raw == "" {
		return nil
	}
	if _, err := redis.ParseURL(raw); err != nil {
		return fmt.Errorf("OMNIFY_REDIS_URL (--redis-url): %w", err)
	}
	return nil
}

// newRedisClient connects lazily: a Redis that is down at start-up is
// handled like one that goes down later.
func newRedisClient(raw string) (*redis.Client, error) {
	opts, err := redis.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("OMNIFY_REDIS_URL (--redis-url): %w", err)
	}
	// Every API request waits on Redis for its rate limits, so an
	// unresponsive server must be given up on quickly (the URL's
	// dial_timeout / read_timeout parameters still win).
	if opts.DialTimeout == 0 {
		opts.DialTimeout = time.Second
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = 500 * time.Millisecond
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = 500 * time.Millisecond
	}
	// Retrying a refused connection only delays the fallback, which is
	// the retry policy that matters here.
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1
	}
	opts.DialerRetries = 1
	return redis.NewClient(opts), nil
}

// apiLimiter is the limiter behind per-IP, per-organisation and login
// limits: in-process, or shared in Redis with the in-process limiter
// standing in while Redis is unreachable. The Redis client and the
// limiter's pipelines live as long as the process.
func apiLimiter(redisURL string, log *slog.Logger, reg prometheus.Registerer) (limit.Limiter, error) {
	mem := limit.NewMemory(time.Now)
	if redisURL == "" {
		return mem, nil
	}
	client, err := newRedisClient(redisURL)
	if err != nil {
		return nil, err
	}
	redis.SetLogger(redisLog{log})
	// Pipelining keeps a busy replica at 70-80% of its in-process
	// throughput on a small machine instead of about 60% (bench/redislimit).
	shared := redislimit.New(client, redislimit.Options{Pipelines: 4})
	return limit.NewFallback(shared, mem,
		outage.Config{Logger: log, Registerer: reg}), nil
}

// redisLog takes the Redis client's own messages (failed dials, mostly) off
// stderr and into the structured log at debug level: the fallback already
// logs each outage once.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(format, v...), slog.String("component", "redis"))
}
