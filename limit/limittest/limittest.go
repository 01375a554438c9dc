// Package limittest is the conformance suite every limit.Limiter backend
// runs, so the in-process and shared backends decide alike.
package limittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/limit"
)

// Harness is one fresh limiter under test. Advance moves the limiter's clock
// forward: an injected clock for in-process backends, a sleep for backends
// that keep time on a server.
type Harness struct {
	Limiter limit.Limiter
	Advance func(d time.Duration)
}

// FakeClock is a settable clock for backends that take a now func.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFakeClock returns a clock stopped at start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{t: start} }

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Run runs the suite; newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness, key string)
	}{
		{"BurstThenDeny", testBurstThenDeny},
		{"RecoversAfterRetryAfter", testRecovers},
		{"FullRefillAfterPeriod", testFullRefill},
		{"DeniedDoesNotSpend", testDeniedDoesNotSpend},
		{"BurstDefaultsToLimit", testBurstDefault},
		{"ResetAfter", testResetAfter},
		{"PeekSpendsNothing", testPeek},
		{"Reset", testReset},
		{"KeysIndependent", testKeysIndependent},
		{"InvalidRate", testInvalidRate},
		{"CancelledContext", testCancelled},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tc.fn(t, h, uniqueKey(t))
		})
	}
}

// uniqueKey keeps runs against a shared server from seeing each other.
func uniqueKey(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random key: %v", err)
	}
	return "limittest:" + t.Name() + ":" + hex.EncodeToString(b)
}

// tenPerSecond refills one request every 100ms and allows 5 at once.
var tenPerSecond = limit.Rate{Limit: 10, Period: time.Second, Burst: 5}

func allow(t *testing.T, l limit.Limiter, key string, r limit.Rate) limit.Decision {
	t.Helper()
	d, err := l.Allow(context.Background(), key, r)
	if err != nil {
		t.Fatalf("Allow(%q): %v", key, err)
	}
	return d
}

func mustAllow(t *testing.T, l limit.Limiter, key string, r limit.Rate, want int) {
	t.Helper()
	for i := range want {
		if d := allow(t, l, key, r); !d.Allowed {
			t.Fatalf("request %d of %d denied: %+v", i+1, want, d)
		}
	}
	if d := allow(t, l, key, r); d.Allowed {
		t.Fatalf("request %d allowed, want denied after %d: %+v", want+1, want, d)
	}
}

func testBurstThenDeny(t *testing.T, h Harness, key string) {
	for i := range 5 {
		d := allow(t, h.Limiter, key, tenPerSecond)
		if !d.Allowed || d.Remaining != 4-i || d.Limit != 10 || d.RetryAfter != 0 {
			t.Fatalf("request %d: got %+v, want allowed with %d remaining", i+1, d, 4-i)
		}
	}
	d := allow(t, h.Limiter, key, tenPerSecond)
	if d.Allowed || d.Remaining != 0 {
		t.Fatalf("6th request: got %+v, want denied", d)
	}
	if d.RetryAfter <= 0 || d.RetryAfter > 100*time.Millisecond {
		t.Errorf("RetryAfter = %v, want in (0, 100ms]", d.RetryAfter)
	}
	if d.ResetAfter <= 400*time.Millisecond || d.ResetAfter > 500*time.Millisecond {
		t.Errorf("ResetAfter = %v, want in (400ms, 500ms]", d.ResetAfter)
	}
}

func testRecovers(t *testing.T, h Harness, key string) {
	for range 5 {
		allow(t, h.Limiter, key, tenPerSecond)
	}
	d := allow(t, h.Limiter, key, tenPerSecond)
	if d.Allowed {
		t.Fatalf("6th request allowed: %+v", d)
	}
	h.Advance(d.RetryAfter)
	mustAllow(t, h.Limiter, key, tenPerSecond, 1)
}

func testFullRefill(t *testing.T, h Harness, key string) {
	mustAllow(t, h.Limiter, key, tenPerSecond, 5)
	h.Advance(time.Second)
	mustAllow(t, h.Limiter, key, tenPerSecond, 5)
}

func testDeniedDoesNotSpend(t *testing.T, h Harness, key string) {
	mustAllow(t, h.Limiter, key, tenPerSecond, 5)
	for range 10 {
		allow(t, h.Limiter, key, tenPerSecond)
	}
	h.Advance(200 * time.Millisecond)
	mustAllow(t, h.Limiter, key, tenPerSecond, 2)
}

func testBurstDefault(t *testing.T, h Harness, key string) {
	mustAllow(t, h.Limiter, key, limit.Rate{Limit: 3, Period: time.Hour}, 3)
}

func testResetAfter(t *testing.T, h Harness, key string) {
	allow(t, h.Limiter, key, tenPerSecond)
	d := allow(t, h.Limiter, key, tenPerSecond)
	if d.ResetAfter <= 100*time.Millisecond || d.ResetAfter > 200*time.Millisecond {
		t.Errorf("ResetAfter after 2 requests = %v, want in (100ms, 200ms]", d.ResetAfter)
	}
}

func testPeek(t *testing.T, h Harness, key string) {
	r := limit.Rate{Limit: 2, Period: time.Hour}
	for range 3 {
		d, err := h.Limiter.Peek(context.Background(), key, r)
		if err != nil || !d.Allowed || d.Remaining != 2 {
			t.Fatalf("Peek on fresh key = %+v, %v; want allowed with 2 remaining", d, err)
		}
	}
	mustAllow(t, h.Limiter, key, r, 2)
	d, err := h.Limiter.Peek(context.Background(), key, r)
	if err != nil || d.Allowed || d.RetryAfter <= 0 {
		t.Fatalf("Peek on spent key = %+v, %v; want denied with RetryAfter > 0", d, err)
	}
}

func testReset(t *testing.T, h Harness, key string) {
	r := limit.Rate{Limit: 2, Period: time.Hour}
	mustAllow(t, h.Limiter, key, r, 2)
	if err := h.Limiter.Reset(context.Background(), key); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	mustAllow(t, h.Limiter, key, r, 2)
}

func testKeysIndependent(t *testing.T, h Harness, key string) {
	r := limit.Rate{Limit: 2, Period: time.Hour}
	mustAllow(t, h.Limiter, key+":a", r, 2)
	mustAllow(t, h.Limiter, key+":b", r, 2)
}

func testInvalidRate(t *testing.T, h Harness, key string) {
	for _, r := range []limit.Rate{{}, {Limit: -1, Period: time.Second}, {Limit: 5}} {
		if _, err := h.Limiter.Allow(context.Background(), key, r); !errors.Is(err, limit.ErrBadRate) {
			t.Errorf("Allow with %+v: err = %v, want ErrBadRate", r, err)
		}
	}
}

func testCancelled(t *testing.T, h Harness, key string) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Limiter.Allow(ctx, key, tenPerSecond); !errors.Is(err, context.Canceled) {
		t.Errorf("Allow with cancelled context: err = %v, want context.Canceled", err)
	}
}

func testConcurrent(t *testing.T, h Harness, key string) {
	const workers, each, burst = 20, 10, 50
	r := limit.Rate{Limit: burst, Period: time.Hour}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				d, err := h.Limiter.Allow(context.Background(), key, r)
				if err != nil {
					t.Errorf("Allow: %v", err)
					return
				}
				if d.Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != burst {
		t.Errorf("%d concurrent requests: %d allowed, want exactly %d", workers*each, got, burst)
	}
}
