// Package redislimit is the limit.Limiter backend shared by every API
// replica: each key's GCRA state lives in Redis and one Lua script reads and
// updates it atomically, so replicas decide together what Memory decides
// alone. The caller supplies the time, which keeps replicas' decisions
// consistent with the in-process backend and lets tests drive a fake clock.
package redislimit

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/omnify-cloud/omnify/limit"
)

// DefaultPrefix namespaces the limiter's keys.
const DefaultPrefix = "omnify:rl:"

//go:embed gcra.lua
var gcraSource string

// gcraScript is loaded once per server and run by its SHA thereafter;
// go-redis resends the source when a server answers NOSCRIPT.
var gcraScript = redis.NewScript(gcraSource)

// Options configures a Limiter.
type Options struct {
	// Prefix is put before every key; default DefaultPrefix.
	Prefix string
	// Now defaults to time.Now. Replicas' clocks must agree to within the
	// precision the limits need (NTP is plenty for per-minute rates).
	Now func() time.Time
	// Pipelines, when positive, is how many pipelines may be in flight at
	// once: decisions that arrive while they are busy are sent together
	// in the next one. Zero sends each decision on its own. Close stops
	// the pipelines.
	Pipelines int
}

// Limiter is a limit.Limiter keeping state in Redis. Keys expire once their
// budget has fully refilled, so Redis holds only active keys.
type Limiter struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
	pipe   *pipeliner
}

var _ limit.Limiter = (*Limiter)(nil)

// New returns a Limiter using client.
func New(client redis.UniversalClient, opts Options) *Limiter {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	l := &Limiter{client: client, prefix: opts.Prefix, now: opts.Now}
	if opts.Pipelines > 0 {
		l.pipe = newPipeliner(client, opts.Pipelines)
	}
	return l
}

// Close stops the limiter's pipelines; it does not close the client.
func (l *Limiter) Close() error {
	if l.pipe != nil {
		l.pipe.close()
	}
	return nil
}

// Allow implements limit.Limiter.
func (l *Limiter) Allow(ctx context.Context, key string, r limit.Rate) (limit.Decision, error) {
	return l.decide(ctx, key, r, 1)
}

// Peek implements limit.Limiter.
func (l *Limiter) Peek(ctx context.Context, key string, r limit.Rate) (limit.Decision, error) {
	return l.decide(ctx, key, r, 0)
}

// Reset implements limit.Limiter.
func (l *Limiter) Reset(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("limit reset: %w", err)
	}
	if err := l.client.Del(ctx, l.prefix+key).Err(); err != nil {
		return fmt.Errorf("limit reset %q: redis: %w", key, err)
	}
	return nil
}

func (l *Limiter) decide(ctx context.Context, key string, r limit.Rate, cost int) (limit.Decision, error) {
	if err := ctx.Err(); err != nil {
		return limit.Decision{}, fmt.Errorf("limit %q: %w", key, err)
	}
	if err := r.Validate(); err != nil {
		return limit.Decision{}, err
	}
	// Wall time only: the monotonic reading means nothing to other replicas.
	now := time.Unix(0, l.now().UnixNano())
	step := time.Duration(max(cost, 1)) * r.Interval()
	burst := time.Duration(r.EffectiveBurst()) * r.Interval()
	spend := "0"
	if cost > 0 {
		spend = "1"
	}
	res, err := l.run(ctx, l.prefix+key, []any{now.Unix(), now.Nanosecond(), int64(step), int64(burst), spend})
	if err != nil {
		return limit.Decision{}, fmt.Errorf("limit %q: redis: %w", key, err)
	}
	tat, err := parseResult(res)
	if err != nil {
		return limit.Decision{}, fmt.Errorf("limit %q: %w", key, err)
	}
	// The script decided on exactly these inputs, so the shared GCRA step
	// reproduces its answer and fills in the rest of the decision.
	d, _ := limit.Decide(now, tat, r, cost)
	return d, nil
}

func (l *Limiter) run(ctx context.Context, key string, args []any) ([]any, error) {
	if l.pipe != nil {
		return l.pipe.run(ctx, key, args)
	}
	return gcraScript.Run(ctx, l.client, []string{key}, args...).Slice()
}

// parseResult reads the TAT the script saw before deciding.
func parseResult(res []any) (time.Time, error) {
	if len(res) != 2 {
		return time.Time{}, fmt.Errorf("redis script returned %d values, want 2", len(res))
	}
	raw, _ := res[1].(string)
	if raw == "" {
		return time.Time{}, nil
	}
	ns, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || len(raw) < 10 {
		// The script read such a value as an unknown key, and so must
		// we; the key is rewritten once it is spent from.
		return time.Time{}, nil
	}
	return time.Unix(0, ns), nil
}
