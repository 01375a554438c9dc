package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestHealthHandlerRoutes(t *testing.T) {
	down := errors.New("store closed")
	tests := []struct {
		name     string
		ready    error
		path     string
		want     int
		contains string
	}{
		{"live", nil, "/health", http.StatusOK, `"status":"ok"`},
		{"live while a dependency is down", down, "/health", http.StatusOK, `"status":"ok"`},
		{"ready", nil, "/health/ready", http.StatusOK, `"status":"ok"`},
		{"not ready", down, "/health/ready", http.StatusServiceUnavailable, "store closed"},
		{"metrics", nil, "/metrics", http.StatusOK, "go_goroutines"},
		{"unknown", nil, "/v1/me", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := healthHandler(func(context.Context) error { return tc.ready })
			srv := newTestServer(t, h)
			resp, err := http.Get(srv + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.want {
				t.Fatalf("GET %s = %d, want %d: %s", tc.path, resp.StatusCode, tc.want, b)
			}
			if !strings.Contains(string(b), tc.contains) {
				t.Errorf("GET %s body %q lacks %q", tc.path, b, tc.contains)
			}
		})
	}
}

// TestHealthFlagsServeUntilCancelled checks the worker's listener end to
// end: the healthcheck command passes against it, and it stops with ctx.
func TestHealthFlagsServeUntilCancelled(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	f := HealthFlags{HealthAddr: addr}
	if err := f.start(ctx, slog.New(slog.DiscardHandler), func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := (&HealthcheckCmd{Addr: addr, Timeout: time.Second}).Run(); err != nil {
		t.Fatalf("healthcheck against the worker's listener: %v", err)
	}
	cancel()
	deadline := time.Now().Add(3 * time.Second)
	for (&HealthcheckCmd{Addr: addr, Timeout: 200 * time.Millisecond}).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatal("health listener still answers after its context ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHealthFlagsOffAndInvalid(t *testing.T) {
	ok := func(context.Context) error { return nil }
	log := slog.New(slog.DiscardHandler)
	if err := (&HealthFlags{}).start(t.Context(), log, ok); err != nil {
		t.Errorf("empty address: %v, want nothing served and no error", err)
	}
	err := (&HealthFlags{HealthAddr: "8080"}).start(t.Context(), log, ok)
	if err == nil || !strings.Contains(err.Error(), "OMNIFY_HEALTH_ADDR") {
		t.Errorf("invalid address: %v, want an error naming OMNIFY_HEALTH_ADDR", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := (&HealthFlags{HealthAddr: ln.Addr().String()}).start(t.Context(), log, ok); err == nil {
		t.Error("taken port: no error")
	}
}

func newTestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
