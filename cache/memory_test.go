package cache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/cache"
	"github.com/omnify-cloud/omnify/cache/cachetest"
	"github.com/omnify-cloud/omnify/limit/limittest"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestMemoryConformance(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) cachetest.Harness {
		clock := limittest.NewFakeClock(epoch)
		return cachetest.Harness{Cache: cache.NewMemory(cache.MemoryOptions{Now: clock.Now}), Advance: clock.Advance}
	})
}

func TestMemoryEvictsLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	// Each entry is 2 bytes of key and 8 of value: 10 bytes, 5 fit.
	m := cache.NewMemory(cache.MemoryOptions{MaxBytes: 50})
	val := []byte("12345678")
	for i := range 5 {
		if err := m.Set(ctx, fmt.Sprintf("k%d", i), val, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := m.Get(ctx, "k0"); !ok { // k0 becomes most recent; k1 is next out
		t.Fatal("k0 missing before the cache was full")
	}
	if err := m.Set(ctx, "k5", val, time.Minute); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		want bool
	}{{"k0", true}, {"k1", false}, {"k2", true}, {"k5", true}}
	for _, tc := range tests {
		if _, ok, _ := m.Get(ctx, tc.key); ok != tc.want {
			t.Errorf("Get(%s) hit = %v, want %v", tc.key, ok, tc.want)
		}
	}
	if m.Bytes() > 50 || m.Len() != 5 {
		t.Errorf("holds %d entries in %d bytes; want 5 in ≤ 50", m.Len(), m.Bytes())
	}
	if err := m.Set(ctx, "huge", make([]byte, 100), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := m.Get(ctx, "huge"); ok || m.Len() != 5 {
		t.Errorf("a value larger than the cache was stored or evicted others (len %d)", m.Len())
	}
}
