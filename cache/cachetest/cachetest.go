// Package cachetest is the conformance suite every cache.Cache backend runs,
// so the in-process and shared caches behave alike.
package cachetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/cache"
)

// Harness is one fresh, empty cache under test. Advance moves the cache's
// clock forward: an injected clock for in-process backends, a sleep for
// backends that keep time on a server.
type Harness struct {
	Cache   cache.Cache
	Advance func(d time.Duration)
}

// Run runs the suite; newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness, key string)
	}{
		{"MissOnAbsent", testMiss},
		{"SetThenGet", testSetGet},
		{"Overwrite", testOverwrite},
		{"Expiry", testExpiry},
		{"OverwriteRenewsTTL", testOverwriteTTL},
		{"Delete", testDelete},
		{"BinaryValues", testBinary},
		{"EmptyValue", testEmpty},
		{"LargeValue", testLarge},
		{"ValuesAreCopies", testCopies},
		{"PrefixesIsolate", testPrefixes},
		{"BadTTL", testBadTTL},
		{"CancelledContext", testCancelled},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newHarness(t), uniqueKey(t))
		})
	}
}

// uniqueKey keeps runs against a shared server from seeing each other.
func uniqueKey(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random key: %v", err)
	}
	return "cachetest:" + hex.EncodeToString(b)
}

var ctx = context.Background()

func set(t *testing.T, c cache.Cache, key string, val []byte, ttl time.Duration) {
	t.Helper()
	if err := c.Set(ctx, key, val, ttl); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, c cache.Cache, key string, want []byte) {
	t.Helper()
	got, ok, err := c.Get(ctx, key)
	if err != nil || !ok {
		t.Fatalf("Get(%q) = ok %v, err %v; want a hit", key, ok, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %d bytes %.40q, want %d bytes %.40q", key, len(got), got, len(want), want)
	}
}

func mustMiss(t *testing.T, c cache.Cache, key string) {
	t.Helper()
	got, ok, err := c.Get(ctx, key)
	if err != nil || ok || got != nil {
		t.Fatalf("Get(%q) = %q, %v, %v; want a miss", key, got, ok, err)
	}
}

func testMiss(t *testing.T, h Harness, key string) { mustMiss(t, h.Cache, key) }

func testSetGet(t *testing.T, h Harness, key string) {
	set(t, h.Cache, key, []byte("v1"), time.Minute)
	mustGet(t, h.Cache, key, []byte("v1"))
	mustGet(t, h.Cache, key, []byte("v1"))
}

func testOverwrite(t *testing.T, h Harness, key string) {
	set(t, h.Cache, key, []byte("old"), time.Minute)
	set(t, h.Cache, key, []byte("new value"), time.Minute)
	mustGet(t, h.Cache, key, []byte("new value"))
}

func testExpiry(t *testing.T, h Harness, key string) {
	set(t, h.Cache, key, []byte("short"), 200*time.Millisecond)
	set(t, h.Cache, key+":long", []byte("long"), time.Minute)
	h.Advance(100 * time.Millisecond)
	mustGet(t, h.Cache, key, []byte("short"))
	h.Advance(150 * time.Millisecond)
	mustMiss(t, h.Cache, key)
	mustGet(t, h.Cache, key+":long", []byte("long"))
}

func testOverwriteTTL(t *testing.T, h Harness, key string) {
	set(t, h.Cache, key, []byte("a"), 200*time.Millisecond)
	set(t, h.Cache, key, []byte("b"), time.Minute)
	h.Advance(250 * time.Millisecond)
	mustGet(t, h.Cache, key, []byte("b"))
}

func testDelete(t *testing.T, h Harness, key string) {
	set(t, h.Cache, key, []byte("v"), time.Minute)
	set(t, h.Cache, key+":other", []byte("w"), time.Minute)
	for range 2 { // deleting an absent key is fine
		if err := h.Cache.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	mustMiss(t, h.Cache, key)
	mustGet(t, h.Cache, key+":other", []byte("w"))
}

func testBinary(t *testing.T, h Harness, key string) {
	val := make([]byte, 256)
	for i := range val {
		val[i] = byte(i)
	}
	binKey := key + ":\x00\xff é/ *?"
	set(t, h.Cache, binKey, val, time.Minute)
	mustGet(t, h.Cache, binKey, val)
}

func testEmpty(t *testing.T, h Harness, key string) {
	set(t, h.Cache, key, []byte{}, time.Minute)
	got, ok, err := h.Cache.Get(ctx, key)
	if err != nil || !ok || len(got) != 0 {
		t.Fatalf("Get of empty value = %q, %v, %v; want an empty hit", got, ok, err)
	}
}

func testLarge(t *testing.T, h Harness, key string) {
	val := make([]byte, 4<<20)
	if _, err := rand.Read(val); err != nil {
		t.Fatal(err)
	}
	set(t, h.Cache, key, val, time.Minute)
	mustGet(t, h.Cache, key, val)
}

func testCopies(t *testing.T, h Harness, key string) {
	val := []byte("original")
	set(t, h.Cache, key, val, time.Minute)
	copy(val, "XXXXXXXX")
	got, _, _ := h.Cache.Get(ctx, key)
	if len(got) > 0 {
		got[0] = 'Y'
	}
	mustGet(t, h.Cache, key, []byte("original"))
}

func testPrefixes(t *testing.T, h Harness, key string) {
	a, b := cache.WithPrefix(h.Cache, "a:"), cache.WithPrefix(h.Cache, "b:")
	set(t, a, key, []byte("from a"), time.Minute)
	mustMiss(t, b, key)
	mustMiss(t, h.Cache, key)
	mustGet(t, h.Cache, "a:"+key, []byte("from a"))
	set(t, b, key, []byte("from b"), time.Minute)
	if err := a.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	mustGet(t, b, key, []byte("from b"))
}

func testBadTTL(t *testing.T, h Harness, key string) {
	for _, ttl := range []time.Duration{0, -time.Second} {
		if err := h.Cache.Set(ctx, key, []byte("v"), ttl); !errors.Is(err, cache.ErrBadTTL) {
			t.Errorf("Set with ttl %v: err = %v, want ErrBadTTL", ttl, err)
		}
	}
	mustMiss(t, h.Cache, key)
}

func testCancelled(t *testing.T, h Harness, key string) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := h.Cache.Get(c, key); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with cancelled context: err = %v, want context.Canceled", err)
	}
	if err := h.Cache.Set(c, key, []byte("v"), time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Set with cancelled context: err = %v, want context.Canceled", err)
	}
	if err := h.Cache.Delete(c, key); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with cancelled context: err = %v, want context.Canceled", err)
	}
}

// testConcurrent has writers and readers share keys; every hit must be a
// value some writer stored whole.
func testConcurrent(t *testing.T, h Harness, key string) {
	const workers, rounds = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				k := fmt.Sprintf("%s:%d", key, i%5)
				val := bytes.Repeat([]byte{byte('a' + w)}, 64+w)
				if err := h.Cache.Set(ctx, k, val, time.Minute); err != nil {
					t.Errorf("Set: %v", err)
					return
				}
				got, ok, err := h.Cache.Get(ctx, k)
				if err != nil {
					t.Errorf("Get: %v", err)
					return
				}
				if ok && (len(got) < 64 || len(got) != 64+int(got[0]-'a') ||
					!bytes.Equal(got, bytes.Repeat(got[:1], len(got)))) {
					t.Errorf("Get(%q) returned a torn value of %d bytes", k, len(got))
					return
				}
				if i%7 == 0 {
					if err := h.Cache.Delete(ctx, k); err != nil {
						t.Errorf("Delete: %v", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
