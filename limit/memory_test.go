package limit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/limit/limittest"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestMemoryConformance(t *testing.T) {
	limittest.Run(t, func(t *testing.T) limittest.Harness {
		clock := limittest.NewFakeClock(epoch)
		return limittest.Harness{Limiter: limit.NewMemory(clock.Now), Advance: clock.Advance}
	})
}

func TestMemoryEvictsIdleKeys(t *testing.T) {
	clock := limittest.NewFakeClock(epoch)
	m := limit.NewMemory(clock.Now)
	r := limit.Rate{Limit: 10, Period: time.Second}
	ctx := context.Background()
	for i := range 5000 {
		if _, err := m.Allow(ctx, fmt.Sprintf("k%d", i), r); err != nil {
			t.Fatal(err)
		}
		// Every key is idle again 100ms after its one request.
		clock.Advance(time.Millisecond)
	}
	if n := m.Len(); n > 2048 {
		t.Errorf("after 5000 keys idle for >100ms each, %d remembered; want ≤ 2048", n)
	}
	clock.Advance(time.Second)
	for i := range 2048 {
		if _, err := m.Allow(ctx, fmt.Sprintf("fresh%d", i), r); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Len(); n > 2048+1 {
		t.Errorf("after a full idle period, %d keys remembered; want only the fresh ones", n)
	}
}

func TestIPKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"203.0.113.9", "203.0.113.9"},
		{"::ffff:203.0.113.9", "203.0.113.9"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not-an-ip", "not-an-ip"},
	}
	for _, tc := range tests {
		if got := limit.IPKey(tc.in); got != tc.want {
			t.Errorf("IPKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func BenchmarkMemoryAllow(b *testing.B) {
	m := limit.NewMemory(nil)
	r := limit.PerSecond(1_000_000)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_, _ = m.Allow(ctx, fmt.Sprintf("k%d", i%1000), r)
			i++
		}
	})
}
