package redislimit_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/omnify-cloud/omnify/internal/outage"
	"github.com/omnify-cloud/omnify/internal/redistest"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/limit/limittest"
	"github.com/omnify-cloud/omnify/limit/redislimit"
)

// epoch has a non-zero nanosecond part so the script's seconds/nanoseconds
// split is exercised.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 999_999_937, time.UTC)

func TestIntegrationRedisConformance(t *testing.T) {
	c := redistest.Client(t)
	limittest.Run(t, func(t *testing.T) limittest.Harness {
		clock := limittest.NewFakeClock(epoch)
		l := redislimit.New(c, redislimit.Options{Prefix: redistest.Prefix(t, c), Now: clock.Now})
		return limittest.Harness{Limiter: l, Advance: clock.Advance}
	})
}

func TestIntegrationRedisPipelinedConformance(t *testing.T) {
	c := redistest.Client(t)
	limittest.Run(t, func(t *testing.T) limittest.Harness {
		clock := limittest.NewFakeClock(epoch)
		l := redislimit.New(c, redislimit.Options{Prefix: redistest.Prefix(t, c), Now: clock.Now, Pipelines: 2})
		t.Cleanup(func() { l.Close() })
		return limittest.Harness{Limiter: l, Advance: clock.Advance}
	})
}

func TestIntegrationRedisFallbackConformance(t *testing.T) {
	c := redistest.Client(t)
	limittest.Run(t, func(t *testing.T) limittest.Harness {
		clock := limittest.NewFakeClock(epoch)
		primary := redislimit.New(c, redislimit.Options{Prefix: redistest.Prefix(t, c), Now: clock.Now})
		f := limit.NewFallback(primary, limit.NewMemory(clock.Now), outage.Config{Now: clock.Now})
		return limittest.Harness{Limiter: f, Advance: clock.Advance}
	})
}

// TestIntegrationRedisMatchesMemory replays one request pattern against both
// backends and requires identical decisions, field by field.
func TestIntegrationRedisMatchesMemory(t *testing.T) {
	c := redistest.Client(t)
	rates := []limit.Rate{
		{Limit: 3, Period: time.Second},
		{Limit: 7, Period: time.Second, Burst: 2},
		{Limit: 1200, Period: time.Minute, Burst: 300},
		{Limit: 5, Period: 15 * time.Minute},
	}
	for _, r := range rates {
		t.Run(fmt.Sprintf("%d per %s burst %d", r.Limit, r.Period, r.Burst), func(t *testing.T) {
			clock := limittest.NewFakeClock(epoch)
			mem := limit.NewMemory(clock.Now)
			red := redislimit.New(c, redislimit.Options{Prefix: redistest.Prefix(t, c), Now: clock.Now})
			ctx := context.Background()
			step := r.Interval()/3 + 7*time.Nanosecond
			for i := range 200 {
				op := limit.Limiter.Allow
				if i%5 == 4 {
					op = limit.Limiter.Peek
				}
				want, err1 := op(mem, ctx, "k", r)
				got, err2 := op(red, ctx, "k", r)
				if err1 != nil || err2 != nil {
					t.Fatalf("step %d: errors %v, %v", i, err1, err2)
				}
				if got != want {
					t.Fatalf("step %d: redis %+v, memory %+v", i, got, want)
				}
				if i%3 == 0 {
					clock.Advance(step)
				}
			}
		})
	}
}

func TestIntegrationRedisKeysExpireAtFullRefill(t *testing.T) {
	c := redistest.Client(t)
	prefix := redistest.Prefix(t, c)
	l := redislimit.New(c, redislimit.Options{Prefix: prefix})
	r := limit.Rate{Limit: 10, Period: time.Second, Burst: 5}
	for range 3 {
		if _, err := l.Allow(context.Background(), "k", r); err != nil {
			t.Fatal(err)
		}
	}
	ttl, err := c.PTTL(context.Background(), prefix+"k").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 200*time.Millisecond || ttl > 300*time.Millisecond {
		t.Errorf("TTL after 3 requests at 100ms each = %v, want in (200ms, 300ms]", ttl)
	}
}

// TestIntegrationRedisCorruptValue: a value the limiter did not write reads
// as an unknown key, not as an error that would look like an outage.
func TestIntegrationRedisCorruptValue(t *testing.T) {
	c := redistest.Client(t)
	prefix := redistest.Prefix(t, c)
	ctx := context.Background()
	l := redislimit.New(c, redislimit.Options{Prefix: prefix})
	r := limit.Rate{Limit: 2, Period: time.Hour}
	for _, bad := range []string{"garbage", "12", ""} {
		if err := c.Set(ctx, prefix+"k", bad, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		mustDecide(t, l, "k", r, true, true, false)
	}
}

// TestIntegrationRedisOutage stops a private Redis under a Fallback and
// requires that limits keep being enforced per process, that the gauge and
// counter say so, and that the shared limiter is used again once Redis is
// back.
func TestIntegrationRedisOutage(t *testing.T) {
	srv := redistest.StartServer(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1,
		DialTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	reg := prometheus.NewRegistry()
	// Pipelined, so the restarted server's empty script cache (NOSCRIPT)
	// is met inside a pipeline.
	rl := redislimit.New(c, redislimit.Options{Pipelines: 2})
	t.Cleanup(func() { rl.Close() })
	f := limit.NewFallback(rl, limit.NewMemory(nil), outage.Config{
		Registerer: reg, Backoff: 50 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	ctx := context.Background()
	r := limit.Rate{Limit: 3, Period: time.Hour}
	up := func() float64 { return metric(t, reg, "omnify_redis_up") }

	mustDecide(t, f, "shared", r, true, true, true, false)
	if up() != 1 || !f.Up() {
		t.Fatalf("gauge = %v with Redis up, want 1", up())
	}

	srv.Stop()
	// The in-process secondary knows nothing of "shared" and starts afresh.
	mustDecide(t, f, "shared", r, true, true, true, false)
	if up() != 0 || f.Up() {
		t.Fatalf("gauge = %v with Redis stopped, want 0", up())
	}
	if n := metric(t, reg, "omnify_limiter_fallback_total"); n < 4 {
		t.Errorf("omnify_limiter_fallback_total = %v after 4 calls during the outage, want ≥ 4", n)
	}

	srv.Start() // empty: a fresh server has no state
	deadline := time.Now().Add(5 * time.Second)
	for !f.Up() {
		if time.Now().After(deadline) {
			t.Fatal("fallback did not return to Redis within 5s of it restarting")
		}
		if _, err := f.Allow(ctx, "probe", r); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if up() != 1 {
		t.Fatalf("gauge = %v after recovery, want 1", up())
	}
	mustDecide(t, f, "shared", r, true, true, true, false)
	if n, err := c.Exists(ctx, redislimit.DefaultPrefix+"shared").Result(); err != nil || n != 1 {
		t.Errorf("key in restarted Redis: exists = %d, %v; want the limiter to write there again", n, err)
	}
}

func mustDecide(t *testing.T, l limit.Limiter, key string, r limit.Rate, want ...bool) {
	t.Helper()
	for i, w := range want {
		d, err := l.Allow(context.Background(), key, r)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		if d.Allowed != w {
			t.Fatalf("request %d: allowed = %v, want %v (%+v)", i+1, d.Allowed, w, d)
		}
	}
}

// metric reads one family from the registry the way /metrics would.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			m := mf.GetMetric()[0]
			return m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

func BenchmarkIntegrationRedisAllow(b *testing.B) {
	c := redistest.Client(b)
	l := redislimit.New(c, redislimit.Options{Prefix: redistest.Prefix(b, c)})
	benchAllow(b, l)
}

func BenchmarkIntegrationRedisPipelinedAllow(b *testing.B) {
	c := redistest.Client(b)
	l := redislimit.New(c, redislimit.Options{Prefix: redistest.Prefix(b, c), Pipelines: 4})
	b.Cleanup(func() { l.Close() })
	benchAllow(b, l)
}

func BenchmarkIntegrationRedisFallbackAllow(b *testing.B) {
	c := redistest.Client(b)
	l := redislimit.New(c, redislimit.Options{Prefix: redistest.Prefix(b, c)})
	benchAllow(b, limit.NewFallback(l, limit.NewMemory(nil), outage.Config{}))
}

func BenchmarkMemoryAllow(b *testing.B) { benchAllow(b, limit.NewMemory(nil)) }

// BenchmarkFallbackDownAllow is the outage path: Redis unreachable, every
// call served by the in-process limiter without waiting on the network.
func BenchmarkFallbackDownAllow(b *testing.B) {
	redis.SetLogger(quiet{}) // every run's first call reports a failed dial
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	b.Cleanup(func() { c.Close() })
	l := redislimit.New(c, redislimit.Options{})
	benchAllow(b, limit.NewFallback(l, limit.NewMemory(nil), outage.Config{
		Backoff: time.Hour, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}))
}

func benchAllow(b *testing.B, l limit.Limiter) {
	r := limit.PerSecond(1_000_000)
	ctx := context.Background()
	// Many callers at once, as an API replica under load has.
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := l.Allow(ctx, fmt.Sprintf("k%d", i%1000), r); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// TestIntegrationRedisCloseReleasesCallers: after Close, a pipelined
// limiter answers with an error instead of leaving callers waiting.
func TestIntegrationRedisCloseReleasesCallers(t *testing.T) {
	c := redistest.Client(t)
	l := redislimit.New(c, redislimit.Options{Prefix: redistest.Prefix(t, c), Pipelines: 1})
	if _, err := l.Allow(context.Background(), "k", limit.PerSecond(10)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	done := make(chan error, 1)
	go func() {
		_, err := l.Allow(context.Background(), "k", limit.PerSecond(10))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Allow after Close succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Allow after Close still waiting after 5s")
	}
}
