package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/limit"
)

func TestPaceVendor(t *testing.T) {
	rates := map[string]limit.Rate{"paced": limit.PerSecond(5)}
	lim := limit.NewMemory(time.Now)
	tests := []struct {
		name     string
		platform string
		lim      limit.Limiter
		paced    bool
	}{
		{"platform with a rate", "paced", lim, true},
		{"platform without a rate", "other", lim, false},
		{"no limiter", "paced", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := paceVendor(manager.Options{}, rates, tt.platform, tt.lim)
			if (got.Limiter != nil) != tt.paced || (tt.paced && got.Rate != rates[tt.platform]) {
				t.Fatalf("options %+v, paced %v", got, tt.paced)
			}
		})
	}
	for platform, r := range vendorRates {
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", platform, err)
		}
	}
}

// TestIntegrationVendorBudgetShared runs one connection's calls through
// two managers with limiters of their own on one Redis, as two worker
// processes would: together they stay within the connection's one budget.
func TestIntegrationVendorBudgetShared(t *testing.T) {
	url := os.Getenv("OMNIFY_TEST_REDIS_URL")
	if url == "" {
		t.Skip("OMNIFY_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)")
	}
	const calls = 30
	rate := limit.Rate{Limit: 10, Period: time.Second, Burst: 5}
	vendor := &countingVendor{}
	srv := httptest.NewServer(vendor)
	t.Cleanup(srv.Close)
	rates := map[string]limit.Rate{"pinger": rate}
	conn := connector.Connection{ID: fmt.Sprintf("conn-%d", time.Now().UnixNano()), OrgID: "org-1",
		Credentials: map[string]string{}, Config: map[string]string{}, BaseURL: srv.URL}

	var wg sync.WaitGroup
	start := time.Now()
	for p := range 2 {
		lim, err := apiLimiter(url, slog.New(slog.DiscardHandler), nil)
		if err != nil {
			t.Fatal(err)
		}
		m := manager.Wrap(pinger{}, paceVendor(manager.Options{CheckCacheTTL: -1}, rates, "pinger", lim))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls / 2 {
				if err := m.Check(context.Background(), conn); err != nil {
					t.Errorf("process %d call %d: %v", p, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	at := vendor.times()
	if len(at) != calls {
		t.Fatalf("vendor saw %d calls, want %d", len(at), calls)
	}
	// In any stretch of time the vendor sees at most the burst plus what
	// the rate refills (one extra for the edges of the window).
	per := rate.Period / time.Duration(rate.Limit)
	for i := range at {
		for j := i; j < len(at); j++ {
			if allowed := rate.Burst + int(at[j].Sub(at[i])/per) + 1; j-i+1 > allowed {
				t.Fatalf("%d calls within %s, the budget allows %d", j-i+1, at[j].Sub(at[i]), allowed)
			}
		}
	}
	// Each process alone would have been allowed its burst plus the rate:
	// together they must take what one budget takes.
	least := time.Duration(calls-rate.Burst-1) * per
	t.Logf("%d calls from two processes took %s (one budget needs at least %s)", calls, elapsed.Round(time.Millisecond), least)
	if elapsed < least {
		t.Fatalf("%d calls took %s, one shared budget needs at least %s", calls, elapsed, least)
	}
}

// pinger is a connector whose Check makes one request to its base URL.
type pinger struct{}

func (pinger) Spec() connector.Spec {
	return connector.Spec{Platform: "pinger", DisplayName: "Pinger",
		Credentials: map[string]any{"type": "object"}, Config: map[string]any{"type": "object"}}
}

func (pinger) Check(ctx context.Context, c connector.Connection) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL, nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func (pinger) Streams() []connector.Stream { return nil }

func (pinger) Read(context.Context, connector.Connection, string, json.RawMessage, connector.Emitter) error {
	return nil
}

func (pinger) Actions() []connector.Action { return nil }

// countingVendor records when each request arrived.
type countingVendor struct {
	mu sync.Mutex
	at []time.Time
}

func (v *countingVendor) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	v.mu.Lock()
	v.at = append(v.at, time.Now())
	v.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (v *countingVendor) times() []time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := append([]time.Time(nil), v.at...)
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}
