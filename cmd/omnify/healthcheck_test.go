package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHealthURL(t *testing.T) {
	tests := []struct {
		addr, want string
		wantErr    bool
	}{
		{"127.0.0.1:8080", "http://127.0.0.1:8080/health", false},
		{":8080", "http://127.0.0.1:8080/health", false},
		{"0.0.0.0:9000", "http://127.0.0.1:9000/health", false},
		{"[::]:8080", "http://127.0.0.1:8080/health", false},
		{"[::1]:8080", "http://[::1]:8080/health", false},
		{"api.internal:8080", "http://api.internal:8080/health", false},
		{"8080", "", true},
	}
	for _, tc := range tests {
		got, err := healthURL(tc.addr)
		if (err != nil) != tc.wantErr {
			t.Errorf("healthURL(%q) error = %v, want error %v", tc.addr, err, tc.wantErr)
			continue
		}
		if got != tc.want {
			t.Errorf("healthURL(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

func TestHealthcheckExitsByStatus(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		wantErr bool
	}{
		{"healthy", http.StatusOK, false},
		{"failing", http.StatusServiceUnavailable, true},
		{"wrong path", http.StatusNotFound, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var path string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				path = r.URL.Path
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			cmd := &HealthcheckCmd{Addr: strings.TrimPrefix(srv.URL, "http://"), Timeout: time.Second}
			err := cmd.Run()
			if (err != nil) != tc.wantErr {
				t.Fatalf("Run() = %v, want error %v", err, tc.wantErr)
			}
			if path != "/health" {
				t.Errorf("probed %q, want /health", path)
			}
		})
	}
}

// TestHealthcheckPrefersTheHealthAddress: a worker container sets only
// OMNIFY_HEALTH_ADDR, and an inherited OMNIFY_ADDR must not win over it.
func TestHealthcheckPrefersTheHealthAddress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedAddr := strings.TrimPrefix(closed.URL, "http://")
	closed.Close()
	cmd := &HealthcheckCmd{Addr: closedAddr, HealthAddr: strings.TrimPrefix(srv.URL, "http://"), Timeout: time.Second}
	if err := cmd.Run(); err != nil {
		t.Fatalf("Run() = %v, want the health address probed", err)
	}
}

func TestHealthcheckFailsWithNothingListening(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	if err := (&HealthcheckCmd{Addr: addr, Timeout: time.Second}).Run(); err == nil {
		t.Fatal("Run() succeeded with no server listening")
	}
}

func TestHealthcheckTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	err := (&HealthcheckCmd{Addr: strings.TrimPrefix(srv.URL, "http://"), Timeout: 100 * time.Millisecond}).Run()
	if err == nil {
		t.Fatal("Run() succeeded against a server that never answers")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run() took %v, want about the 100ms timeout", d)
	}
}
