package rediscache_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/omnify-cloud/omnify/cache"
	"github.com/omnify-cloud/omnify/cache/cachetest"
	"github.com/omnify-cloud/omnify/cache/rediscache"
	"github.com/omnify-cloud/omnify/internal/outage"
	"github.com/omnify-cloud/omnify/internal/redistest"
)

func TestIntegrationRedisConformance(t *testing.T) {
	c := redistest.Client(t)
	cachetest.Run(t, func(t *testing.T) cachetest.Harness {
		rc := rediscache.New(c, rediscache.Options{Prefix: redistest.Prefix(t, c)})
		return cachetest.Harness{Cache: rc, Advance: time.Sleep}
	})
}

func TestIntegrationRedisFallbackConformance(t *testing.T) {
	c := redistest.Client(t)
	cachetest.Run(t, func(t *testing.T) cachetest.Harness {
		rc := rediscache.New(c, rediscache.Options{Prefix: redistest.Prefix(t, c)})
		return cachetest.Harness{Cache: cache.NewFallback(rc, outage.Config{}), Advance: time.Sleep}
	})
}

func TestIntegrationRedisClearStaysInPrefix(t *testing.T) {
	c := redistest.Client(t)
	ctx := context.Background()
	p := redistest.Prefix(t, c)
	// A prefix with glob characters must not match its neighbours.
	mine := rediscache.New(c, rediscache.Options{Prefix: p + "a*:"})
	other := rediscache.New(c, rediscache.Options{Prefix: p + "ab:"})
	for _, rc := range []*rediscache.Cache{mine, other} {
		for _, k := range []string{"x", "y"} {
			if err := rc.Set(ctx, k, []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
	}
	// More than one SCAN batch.
	for i := range 1201 {
		if err := mine.Set(ctx, fmt.Sprintf("bulk%d", i), []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := mine.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Keys(ctx, p+"a\\*:*").Result(); err != nil || len(n) != 0 {
		t.Errorf("%d keys left under the cleared prefix (%v)", len(n), err)
	}
	for _, k := range []string{"x", "y"} {
		if _, ok, _ := mine.Get(ctx, k); ok {
			t.Errorf("%s survived Clear", k)
		}
		if _, ok, _ := other.Get(ctx, k); !ok {
			t.Errorf("Clear removed %s from another prefix", k)
		}
	}
}

// TestIntegrationRedisOutage stops a private Redis under a Fallback: reads
// miss and writes are skipped without errors, the gauge says so, a delete
// missed during the outage clears the restarted server's stale values, and
// the cache is used again without a restart.
func TestIntegrationRedisOutage(t *testing.T) {
	srv := redistest.StartServer(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1,
		DialTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	reg := prometheus.NewRegistry()
	f := cache.NewFallback(rediscache.New(c, rediscache.Options{}), outage.Config{
		Registerer: reg, Backoff: 50 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	ctx := context.Background()
	mustSet := func(k, v string) {
		t.Helper()
		if err := f.Set(ctx, k, []byte(v), time.Minute); err != nil {
			t.Fatalf("Set(%s): %v", k, err)
		}
	}
	hit := func(k string) bool {
		t.Helper()
		_, ok, err := f.Get(ctx, k)
		if err != nil {
			t.Fatalf("Get(%s): %v", k, err)
		}
		return ok
	}

	mustSet("report", "v1")
	if !hit("report") || metric(t, reg, "omnify_redis_up") != 1 {
		t.Fatal("cache not serving with Redis up")
	}

	srv.Stop()
	mustSet("report", "v2")
	if hit("report") {
		t.Error("hit while Redis is stopped")
	}
	if err := f.Delete(ctx, "report"); err != nil {
		t.Errorf("Delete during outage: %v", err)
	}
	if metric(t, reg, "omnify_redis_up") != 0 || f.Up() {
		t.Error("gauge still reports Redis up during the outage")
	}
	if n := metric(t, reg, "omnify_cache_fallback_total"); n < 3 {
		t.Errorf("omnify_cache_fallback_total = %v after 3 calls during the outage", n)
	}

	srv.Start()
	// A value another replica would have invalidated during the outage.
	if err := c.Set(ctx, rediscache.DefaultPrefix+"stale", "old", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !f.Up() {
		if time.Now().After(deadline) {
			t.Fatal("fallback did not return to Redis within 5s of it restarting")
		}
		hit("probe")
		time.Sleep(20 * time.Millisecond)
	}
	if hit("stale") {
		t.Error("value written before a missed delete survived recovery")
	}
	mustSet("report", "v3")
	if !hit("report") || metric(t, reg, "omnify_redis_up") != 1 {
		t.Error("cache not serving again after Redis returned")
	}
}

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

func BenchmarkIntegrationRedisGet(b *testing.B) {
	c := redistest.Client(b)
	benchGet(b, rediscache.New(c, rediscache.Options{Prefix: redistest.Prefix(b, c)}))
}

func BenchmarkMemoryGet(b *testing.B) { benchGet(b, cache.NewMemory(cache.MemoryOptions{})) }

// benchGet reads 1 KiB values of 1,000 keys from many callers at once.
func benchGet(b *testing.B, c cache.Cache) {
	ctx := context.Background()
	val := make([]byte, 1024)
	for i := range 1000 {
		if err := c.Set(ctx, fmt.Sprintf("k%d", i), val, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, err := c.Get(ctx, fmt.Sprintf("k%d", i%1000)); err != nil || !ok {
				b.Errorf("Get: %v, hit %v", err, ok)
				return
			}
			i++
		}
	})
}
