package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/omnify-cloud/omnify/internal/redistest"
	"github.com/omnify-cloud/omnify/limit"
)

func TestRedisURLValidation(t *testing.T) {
	tests := []struct {
		url     string
		wantErr bool
	}{
		{"", false},
		{"redis://127.0.0.1:6379/0", false},
		{"rediss://:secret@redis.internal:6380/2", false},
		{"http://127.0.0.1:6379", true},
		{"redis://127.0.0.1:6379/notadb", true},
	}
	for _, tc := range tests {
		err := validateRedisURL(tc.url)
		if (err != nil) != tc.wantErr {
			t.Errorf("validateRedisURL(%q) = %v, want error %v", tc.url, err, tc.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "OMNIFY_REDIS_URL") {
			t.Errorf("error %q does not name OMNIFY_REDIS_URL", err)
		}
	}
}

// TestAPILimiterServesWithRedisDown points the API's limiter at a closed
// port: requests are still limited, by the in-process fallback.
func TestAPILimiterServesWithRedisDown(t *testing.T) {
	reg := prometheus.NewRegistry()
	l, err := apiLimiter("redis://127.0.0.1:1/0", slog.New(slog.DiscardHandler), reg)
	if err != nil {
		t.Fatal(err)
	}
	r := limit.Rate{Limit: 2, Period: time.Hour}
	var allowed int
	for range 3 {
		d, err := l.Allow(context.Background(), "ip:203.0.113.9", r)
		if err != nil {
			t.Fatalf("Allow with Redis down: %v", err)
		}
		if d.Allowed {
			allowed++
		}
	}
	if allowed != 2 {
		t.Errorf("%d of 3 requests allowed at 2/hour with Redis down, want 2", allowed)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var up float64 = -1
	for _, mf := range mfs {
		if mf.GetName() == "omnify_redis_up" {
			up = mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	if up != 0 {
		t.Errorf("omnify_redis_up = %v with Redis unreachable, want 0", up)
	}
}

// TestIntegrationRedisReplicasShareBudgets builds the limiter of two API
// replicas from one OMNIFY_REDIS_URL: a budget spent on one is spent on both.
func TestIntegrationRedisReplicasShareBudgets(t *testing.T) {
	url := redistest.URL(t)
	log := slog.New(slog.DiscardHandler)
	a, err := apiLimiter(url, log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	b, err := apiLimiter(url, log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	_, _ = rand.Read(buf)
	key := "omnifytest:" + hex.EncodeToString(buf)
	ctx := context.Background()
	t.Cleanup(func() { _ = a.Reset(ctx, key) })
	r := limit.Rate{Limit: 2, Period: time.Hour}
	for i, l := range []limit.Limiter{a, b, a, b} {
		d, err := l.Allow(ctx, key, r)
		if err != nil {
			t.Fatal(err)
		}
		if want := i < 2; d.Allowed != want {
			t.Errorf("request %d (replica %c): allowed = %v, want %v", i+1, "abab"[i], d.Allowed, want)
		}
	}
}
