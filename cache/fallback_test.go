package cache_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/cache"
	"github.com/omnify-cloud/omnify/cache/cachetest"
	"github.com/omnify-cloud/omnify/internal/outage"
	"github.com/omnify-cloud/omnify/limit/limittest"
)

// flaky is a primary that can be taken down and records Clear calls.
type flaky struct {
	*cache.Memory
	mu      sync.Mutex
	down    bool
	cleared int
}

var errDown = errors.New("dial tcp 127.0.0.1:6379: connection refused")

func (f *flaky) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

func (f *flaky) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errDown
	}
	return nil
}

func (f *flaky) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := f.err(); err != nil {
		return nil, false, err
	}
	return f.Memory.Get(ctx, key)
}

func (f *flaky) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Memory.Set(ctx, key, val, ttl)
}

func (f *flaky) Delete(ctx context.Context, key string) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Memory.Delete(ctx, key)
}

// Clear drops everything, as the Redis backend drops its prefix.
func (f *flaky) Clear(context.Context) error {
	if err := f.err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.cleared++
	f.mu.Unlock()
	return f.Memory.Delete(context.Background(), "k") // the only key these tests write
}

func TestFallbackConformanceWhilePrimaryUp(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cachetest.Harness {
		clock := limittest.NewFakeClock(epoch)
		primary := &flaky{Memory: cache.NewMemory(cache.MemoryOptions{Now: clock.Now})}
		return cachetest.Harness{Cache: cache.NewFallback(primary, outage.Config{Now: clock.Now}), Advance: clock.Advance}
	})
}

func TestFallbackBypassesAndRecovers(t *testing.T) {
	ctx := context.Background()
	clock := limittest.NewFakeClock(epoch)
	primary := &flaky{Memory: cache.NewMemory(cache.MemoryOptions{})}
	f := cache.NewFallback(primary, outage.Config{
		Now: clock.Now, Backoff: time.Second, Logger: slog.New(slog.DiscardHandler),
	})
	tests := []struct {
		name       string
		missedDel  bool
		wantClears int
	}{
		{"outage with only reads", false, 0},
		{"outage that skipped a delete", true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := primary.cleared
			if err := f.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
			primary.setDown(true)
			if _, ok, err := f.Get(ctx, "k"); ok || err != nil {
				t.Fatalf("Get during outage = %v, %v; want a silent miss", ok, err)
			}
			if tc.missedDel {
				if err := f.Delete(ctx, "k"); err != nil {
					t.Fatalf("Delete during outage: %v", err)
				}
			}
			primary.setDown(false)
			if _, ok, _ := f.Get(ctx, "k"); ok || f.Up() {
				t.Fatal("primary used again before the back-off elapsed")
			}
			clock.Advance(time.Second)
			if _, ok, _ := f.Get(ctx, "k"); ok {
				t.Error("the probe's own read was trusted")
			}
			if !f.Up() {
				t.Fatal("not recovered after a successful probe")
			}
			if got := primary.cleared - before; got != tc.wantClears {
				t.Errorf("primary cleared %d times on recovery, want %d", got, tc.wantClears)
			}
			_, ok, _ := f.Get(ctx, "k")
			if ok == tc.missedDel {
				t.Errorf("after recovery hit = %v; a missed delete must clear, reads alone must not", ok)
			}
		})
	}
}
