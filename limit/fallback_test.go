package limit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/omnify-cloud/omnify/internal/outage"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/limit/limittest"
)

// flaky is a primary that can be taken down; it counts the calls it sees.
type flaky struct {
	limit.Limiter
	mu    sync.Mutex
	down  bool
	calls int
}

var errDown = errors.New("dial tcp 127.0.0.1:6379: connection refused")

func (f *flaky) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

func (f *flaky) fail() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return errDown
	}
	return nil
}

func (f *flaky) Allow(ctx context.Context, key string, r limit.Rate) (limit.Decision, error) {
	if err := f.fail(); err != nil {
		return limit.Decision{}, err
	}
	return f.Limiter.Allow(ctx, key, r)
}

func (f *flaky) Peek(ctx context.Context, key string, r limit.Rate) (limit.Decision, error) {
	if err := f.fail(); err != nil {
		return limit.Decision{}, err
	}
	return f.Limiter.Peek(ctx, key, r)
}

func (f *flaky) Reset(ctx context.Context, key string) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Limiter.Reset(ctx, key)
}

func (f *flaky) callCount() int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }

func TestFallbackConformance(t *testing.T) {
	for _, down := range []bool{false, true} {
		name := map[bool]string{false: "PrimaryUp", true: "PrimaryDown"}[down]
		t.Run(name, func(t *testing.T) {
			limittest.Run(t, func(t *testing.T) limittest.Harness {
				clock := limittest.NewFakeClock(epoch)
				primary := &flaky{Limiter: limit.NewMemory(clock.Now), down: down}
				f := limit.NewFallback(primary, limit.NewMemory(clock.Now), outage.Config{
					Now: clock.Now, Backoff: time.Hour, Logger: discard(),
				})
				return limittest.Harness{Limiter: f, Advance: clock.Advance}
			})
		})
	}
}

type fixture struct {
	clock   *limittest.FakeClock
	primary *flaky
	f       *limit.Fallback
	reg     *prometheus.Registry
	logs    *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := limittest.NewFakeClock(epoch)
	fx := &fixture{clock: clock, primary: &flaky{Limiter: limit.NewMemory(clock.Now)},
		reg: prometheus.NewRegistry(), logs: &bytes.Buffer{}}
	fx.f = limit.NewFallback(fx.primary, limit.NewMemory(clock.Now), outage.Config{
		Registerer: fx.reg, Now: clock.Now, Backoff: time.Second, MaxBackoff: 4 * time.Second,
		Logger: slog.New(slog.NewTextHandler(fx.logs, nil)),
	})
	return fx
}

func (fx *fixture) allow(t *testing.T, n int) {
	t.Helper()
	for range n {
		if _, err := fx.f.Allow(context.Background(), "k", limit.PerSecond(1000)); err != nil {
			t.Fatalf("Allow: %v", err)
		}
	}
}

func (fx *fixture) gauge(t *testing.T) string {
	t.Helper()
	mfs, err := fx.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "omnify_redis_up" && len(mf.GetMetric()) == 1 {
			m := mf.GetMetric()[0]
			return m.GetLabel()[0].GetValue() + "=" + map[float64]string{0: "0", 1: "1"}[m.GetGauge().GetValue()]
		}
	}
	t.Fatal("omnify_redis_up: want exactly one series")
	return ""
}

func (fx *fixture) fallbacks(t *testing.T) int {
	t.Helper()
	mfs, err := fx.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "omnify_limiter_fallback_total" {
			return int(mf.GetMetric()[0].GetCounter().GetValue())
		}
	}
	t.Fatal("omnify_limiter_fallback_total not registered")
	return 0
}

func TestFallbackOutageAndRecovery(t *testing.T) {
	fx := newFixture(t)
	fx.allow(t, 3)
	if g := fx.gauge(t); g != "limiter=1" {
		t.Fatalf("gauge while up = %s", g)
	}

	fx.primary.setDown(true)
	fx.allow(t, 10)
	if g := fx.gauge(t); g != "limiter=0" {
		t.Errorf("gauge during outage = %s, want limiter=0", g)
	}
	if got := fx.fallbacks(t); got != 10 {
		t.Errorf("fallback_total = %d after 10 calls during the outage, want 10", got)
	}
	if calls := fx.primary.callCount(); calls != 4 {
		t.Errorf("primary called %d times; want 3 before the outage and 1 that found it down", calls)
	}
	if n := strings.Count(fx.logs.String(), "redis unreachable"); n != 1 {
		t.Errorf("outage logged %d times, want once:\n%s", n, fx.logs)
	}

	// Failed probes double the back-off: 1s, then 2s, then 4s (the cap).
	for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		before := fx.primary.callCount()
		fx.clock.Advance(wait - time.Millisecond)
		fx.allow(t, 5)
		if fx.primary.callCount() != before {
			t.Fatalf("primary retried before its %v back-off elapsed", wait)
		}
		fx.clock.Advance(time.Millisecond)
		fx.allow(t, 5)
		if got := fx.primary.callCount() - before; got != 1 {
			t.Fatalf("after %v back-off the primary was probed %d times, want 1", wait, got)
		}
	}

	fx.primary.setDown(false)
	fx.clock.Advance(4 * time.Second)
	fx.allow(t, 1)
	if g := fx.gauge(t); g != "limiter=1" {
		t.Errorf("gauge after recovery = %s, want limiter=1", g)
	}
	before := fx.primary.callCount()
	fx.allow(t, 5)
	if got := fx.primary.callCount() - before; got != 5 {
		t.Errorf("after recovery the primary served %d of 5 calls", got)
	}
	if n := strings.Count(fx.logs.String(), "redis reachable again"); n != 1 {
		t.Errorf("recovery logged %d times, want once:\n%s", n, fx.logs)
	}
	if n := strings.Count(fx.logs.String(), "redis unreachable"); n != 1 {
		t.Errorf("failed probes logged again: %d outage lines, want 1", n)
	}
}

func TestFallbackCallerCancelIsNotAnOutage(t *testing.T) {
	fx := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fx.f.Allow(ctx, "k", limit.PerSecond(1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Allow with cancelled context: %v", err)
	}
	if !fx.f.Up() || fx.gauge(t) != "limiter=1" {
		t.Error("a cancelled caller marked the primary down")
	}
}

func TestFallbackResetClearsBothBackends(t *testing.T) {
	fx := newFixture(t)
	r := limit.Rate{Limit: 1, Period: time.Hour}
	ctx := context.Background()
	fx.primary.setDown(true)
	if d, _ := fx.f.Allow(ctx, "k", r); !d.Allowed {
		t.Fatal("first request denied")
	}
	fx.primary.setDown(false)
	fx.clock.Advance(time.Second)
	if err := fx.f.Reset(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	fx.primary.setDown(true)
	fx.clock.Advance(time.Second)
	if d, _ := fx.f.Allow(ctx, "k", r); !d.Allowed {
		t.Error("key reset while Redis was up is still spent in the in-process limiter")
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
