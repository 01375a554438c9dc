package manager_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/limit"
)

func TestCheckCache(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := &scripted{checkErrs: []error{nil, nil, errVendor5xx, nil, fmt.Errorf("401: %w", connector.ErrAuth)}}
	m := manager.Wrap(s, clk.opts(manager.Options{CheckCacheTTL: time.Minute, MaxAttempts: 1}))
	ctx := context.Background()
	check := func(c connector.Connection) error { return m.Check(ctx, c) }
	steps := []struct {
		name  string
		do    func() error
		calls int
	}{
		{"miss", func() error { return check(conn("c1")) }, 1},
		{"hit", func() error { return check(conn("c1")) }, 1},
		{"other connection misses", func() error { return check(conn("c2")) }, 2},
		{"expired", func() error { clk.Advance(61 * time.Second); return nilIf(check(conn("c1")), errVendor5xx) }, 3},
		{"transient failure not cached", func() error { return check(conn("c1")) }, 4},
		{"new credentials miss", func() error {
			c := conn("c1")
			c.Credentials["token"] = "tok_other99"
			return nilIf(check(c), connector.ErrAuth)
		}, 5},
		{"refusal cached", func() error {
			c := conn("c1")
			c.Credentials["token"] = "tok_other99"
			return nilIf(check(c), connector.ErrAuth)
		}, 5},
		{"skip cache", func() error { return m.Check(manager.SkipCache(ctx), conn("c1")) }, 6},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		mustEqual(t, st.name+": vendor calls", s.checks(), st.calls)
	}
}

// nilIf returns nil when err is want, and a complaint otherwise.
func nilIf(err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	return fmt.Errorf("got %v, want %v", err, want)
}

func TestCheckCacheIsBounded(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := &scripted{}
	m := manager.Wrap(s, clk.opts(manager.Options{CheckCacheSize: 2}))
	for _, id := range []string{"a", "b", "c", "a"} {
		if err := m.Check(context.Background(), conn(id)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	// "a" was evicted by "c" as the entry closest to expiry.
	mustEqual(t, "vendor calls", s.checks(), 4)
}

func TestHealthTransitions(t *testing.T) {
	t.Parallel()
	clk := newClock()
	secret := goodToken
	s := &scripted{checkErrs: []error{
		nil,
		errVendor5xx,
		fmt.Errorf("vendor said 401 for token %s: %w", secret, connector.ErrAuth),
		nil,
		fmt.Errorf("vendor said 400 for %s: %w", secret, connector.ErrPermanent),
		errVendor5xx,
		errVendor5xx,
	}}
	var mu sync.Mutex
	var seen []manager.Health
	m := manager.Wrap(s, clk.opts(manager.Options{FailureThreshold: 2, MaxAttempts: 1, CheckCacheTTL: -1,
		OnHealthChange: func(id string, h manager.Health) {
			mu.Lock()
			defer mu.Unlock()
			if id == "c1" {
				seen = append(seen, h)
			}
		}}))
	for range 7 {
		_ = m.Check(context.Background(), conn("c1"))
	}
	var states []string
	for _, h := range seen {
		states = append(states, string(h.State))
		if strings.Contains(h.LastError, secret) {
			t.Errorf("last error %q holds the credential", h.LastError)
		}
	}
	want := "healthy degraded disconnected healthy degraded degraded failing"
	mustEqual(t, "states", strings.Join(states, " "), want)
	last := seen[len(seen)-1]
	if last.ConsecutiveFailures != 3 || last.NextRetryAt.IsZero() || !strings.Contains(last.LastError, "503") {
		t.Fatalf("last health = %+v", last)
	}
}

func TestSteadyRatePacesHTTPRequests(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	s := &scripted{check: func(ctx context.Context, c connector.Connection) error {
		for range 3 {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			resp, err := c.HTTP.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
		}
		return nil
	}}
	m := manager.Wrap(s, clk.opts(manager.Options{Limiter: limit.NewMemory(clk.Now), Rate: limit.Rate{Limit: 1, Period: 2 * time.Second, Burst: 1}}))
	if err := m.Check(context.Background(), conn("c1")); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if got := fmt.Sprint(clk.Sleeps()); got != "[2s 2s]" {
		t.Fatalf("sleeps = %s, want two 2s waits for three requests", got)
	}
}

func TestMetricsCountOutcomes(t *testing.T) {
	t.Parallel()
	clk := newClock()
	reg := prometheus.NewRegistry()
	s := &scripted{checkErrs: []error{errVendor5xx, nil}}
	m := manager.Wrap(s, clk.opts(manager.Options{Registerer: reg}))
	// A second platform's manager shares the registered counter.
	manager.Wrap(&scripted{}, clk.opts(manager.Options{Registerer: reg}))
	if err := m.Check(context.Background(), conn("c1")); err != nil {
		t.Fatal(err)
	}
	_ = m.Check(context.Background(), conn("c1"))
	got := map[string]float64{}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range mt.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[f.GetName()+" "+labels["platform"]+" "+labels["op"]+" "+labels["outcome"]] = mt.GetCounter().GetValue()
		}
	}
	want := map[string]float64{
		"omnify_connector_calls_total scripted check transient": 1,
		"omnify_connector_calls_total scripted check ok":        1,
		"omnify_connector_calls_total scripted check cached":    1,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("counters = %v, want %v", got, want)
	}
}
