package manager_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
)

var errVendor5xx = connector.BackOff(0, "the platform answered 503", nil)

func TestBreakerOpensHalfOpensAndCloses(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var mu sync.Mutex
	failing := true
	s := &scripted{check: func(context.Context, connector.Connection) error {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return errVendor5xx
		}
		return nil
	}}
	m := manager.Wrap(s, clk.opts(manager.Options{FailureThreshold: 3, MaxAttempts: 1, CoolDown: 30 * time.Second, CheckCacheTTL: -1}))
	ctx := context.Background()
	for range 3 {
		if err := m.Check(ctx, conn("c1")); !errors.Is(err, errVendor5xx) {
			t.Fatalf("Check = %v, want the vendor's error", err)
		}
	}
	mustEqual(t, "state after 3 failures", m.Health("c1").State, manager.Failing)
	mustEqual(t, "next retry", m.Health("c1").NextRetryAt, clk.Now().Add(30*time.Second))

	assertOpen(t, m.Check(ctx, conn("c1")), 30*time.Second)
	clk.Advance(10 * time.Second)
	assertOpen(t, m.Check(ctx, conn("c1")), 20*time.Second)
	mustEqual(t, "vendor calls while open", s.checks(), 3)
	mustEqual(t, "another connection is not affected", m.Check(ctx, conn("c2")), errVendor5xx)

	clk.Advance(21 * time.Second) // half-open: one probe, which fails
	if err := m.Check(ctx, conn("c1")); !errors.Is(err, errVendor5xx) {
		t.Fatalf("probe = %v, want the vendor's error", err)
	}
	mustEqual(t, "vendor calls after probe", s.checks(), 5)
	assertOpen(t, m.Check(ctx, conn("c1")), 30*time.Second)

	mu.Lock()
	failing = false
	mu.Unlock()
	clk.Advance(31 * time.Second)
	for range 2 {
		if err := m.Check(ctx, conn("c1")); err != nil {
			t.Fatalf("Check after recovery: %v", err)
		}
	}
	h := m.Health("c1")
	if h.State != manager.Healthy || h.ConsecutiveFailures != 0 || h.LastError != "" {
		t.Fatalf("health after recovery = %+v", h)
	}
}

func assertOpen(t *testing.T, err error, wait time.Duration) {
	t.Helper()
	var be *connector.BackOffError
	if !errors.As(err, &be) || !errors.Is(err, manager.ErrCircuitOpen) {
		t.Fatalf("err = %v, want an open-circuit back-off", err)
	}
	mustEqual(t, "open wait", be.Wait, wait)
	if !strings.Contains(be.Reason, "circuit open") {
		t.Fatalf("reason %q does not say the circuit is open", be.Reason)
	}
}

func TestBreakerIgnoresRefusedCredentialsAndCancellation(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := &scripted{check: func(ctx context.Context, _ connector.Connection) error {
		if ctx.Err() != nil {
			return fmt.Errorf("vendor: %w", ctx.Err())
		}
		return fmt.Errorf("vendor said 401: %w", connector.ErrAuth)
	}}
	m := manager.Wrap(s, clk.opts(manager.Options{FailureThreshold: 2, MaxAttempts: 3, CheckCacheTTL: -1}))
	for range 5 {
		if err := m.Check(context.Background(), conn("c1")); !errors.Is(err, connector.ErrAuth) {
			t.Fatalf("Check = %v, want ErrAuth", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 3 {
		if err := m.Check(ctx, conn("c1")); !errors.Is(err, context.Canceled) {
			t.Fatalf("Check = %v, want context.Canceled", err)
		}
	}
	mustEqual(t, "vendor calls (no retries of refused credentials, none once cancelled)", s.checks(), 5)
	mustEqual(t, "state", m.Health("c1").State, manager.Disconnected)
	mustEqual(t, "sleeps", len(clk.Sleeps()), 0)
}

func TestVendorWaitIsHonoured(t *testing.T) {
	t.Parallel()
	clk := newClock()
	throttled := connector.BackOff(7*time.Second, "Shopify throttled the query", nil)
	s := &scripted{checkErrs: []error{throttled, nil, throttled}}
	m := manager.Wrap(s, clk.opts(manager.Options{MaxAttempts: 3, BaseDelay: time.Second, CheckCacheTTL: -1}))
	if err := m.Check(context.Background(), conn("c1")); err != nil {
		t.Fatalf("Check: %v", err)
	}
	sleeps := clk.Sleeps()
	if len(sleeps) != 1 || sleeps[0] != 7*time.Second {
		t.Fatalf("sleeps = %v, want exactly the vendor's 7s (jitter is shorter)", sleeps)
	}

	// A later call that is throttled and out of attempts leaves the wait
	// for the next call of the same connection.
	one := manager.Wrap(s, clk.opts(manager.Options{MaxAttempts: 1, CheckCacheTTL: -1}))
	if err := one.Check(context.Background(), conn("c1")); !errors.Is(err, throttled) {
		t.Fatalf("Check = %v, want the throttle", err)
	}
	h := one.Health("c1")
	if h.State != manager.Degraded || !h.NextRetryAt.Equal(clk.Now().Add(7*time.Second)) || h.LastError != "Shopify throttled the query" {
		t.Fatalf("health = %+v", h)
	}
	clk.Advance(2 * time.Second)
	if err := one.Check(context.Background(), conn("c1")); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if got := clk.Sleeps(); got[len(got)-1] != 5*time.Second {
		t.Fatalf("sleeps = %v, want the remaining 5s before the next call", got)
	}
}

func TestVendorWaitBeyondBudgetIsReturned(t *testing.T) {
	t.Parallel()
	clk := newClock()
	daily := connector.BackOff(3*time.Hour, "daily quota used", nil)
	s := &scripted{checkErrs: []error{daily}}
	m := manager.Wrap(s, clk.opts(manager.Options{MaxWait: time.Minute, CheckCacheTTL: -1}))
	var be *connector.BackOffError
	if err := m.Check(context.Background(), conn("c1")); !errors.As(err, &be) || be.Wait != 3*time.Hour {
		t.Fatalf("Check = %v, want the vendor's 3h back-off returned", err)
	}
	err := m.Check(context.Background(), conn("c1"))
	if !errors.Is(err, manager.ErrRateLimited) || !errors.As(err, &be) || be.Wait != 3*time.Hour {
		t.Fatalf("second Check = %v, want a rate-limited back-off without calling", err)
	}
	mustEqual(t, "vendor calls", s.checks(), 1)
	mustEqual(t, "sleeps", len(clk.Sleeps()), 0)
}

func TestRetriesUseBoundedFullJitter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rand    float64
		maxWait time.Duration
		sleeps  []time.Duration
	}{
		{"high draws grow to the cap", 0.75, time.Hour,
			[]time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 3 * time.Second}},
		{"low draws", 0.1, time.Hour,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}},
		{"total wait bounded", 0.75, 2 * time.Second, []time.Duration{750 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := &scripted{check: func(context.Context, connector.Connection) error { return errVendor5xx }}
			m := manager.Wrap(s, clk.opts(manager.Options{MaxAttempts: 5, BaseDelay: time.Second, MaxDelay: 4 * time.Second,
				MaxWait: tt.maxWait, FailureThreshold: 100, CheckCacheTTL: -1, Rand: func() float64 { return tt.rand }}))
			if err := m.Check(context.Background(), conn("c1")); !errors.Is(err, errVendor5xx) {
				t.Fatalf("Check = %v", err)
			}
			got := clk.Sleeps()
			if fmt.Sprint(got) != fmt.Sprint(tt.sleeps) {
				t.Fatalf("sleeps = %v, want %v", got, tt.sleeps)
			}
			mustEqual(t, "attempts", s.checks(), len(tt.sleeps)+1)
			mustEqual(t, "failures", m.Health("c1").ConsecutiveFailures, len(tt.sleeps)+1)
		})
	}
}

func TestCancelStopsBackOffPromptly(t *testing.T) {
	t.Parallel()
	s := &scripted{check: func(context.Context, connector.Connection) error { return errVendor5xx }}
	m := manager.Wrap(s, manager.Options{BaseDelay: time.Hour, MaxDelay: time.Hour, MaxWait: 10 * time.Hour, CheckCacheTTL: -1,
		Rand: func() float64 { return 0.9 }})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	err := m.Check(ctx, conn("c1"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Check = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Check returned %s after the cancel", d)
	}
}

func TestCheckTimeout(t *testing.T) {
	t.Parallel()
	s := &scripted{check: func(ctx context.Context, _ connector.Connection) error {
		<-ctx.Done()
		return fmt.Errorf("vendor: %w", ctx.Err())
	}}
	m := manager.Wrap(s, manager.Options{CheckTimeout: 20 * time.Millisecond, MaxAttempts: 2, BaseDelay: time.Millisecond, CheckCacheTTL: -1})
	err := m.Check(context.Background(), conn("c1"))
	var be *connector.BackOffError
	if !errors.Is(err, manager.ErrTimeout) || !errors.As(err, &be) {
		t.Fatalf("Check = %v, want a timeout back-off", err)
	}
	mustEqual(t, "attempts", s.checks(), 2)
	mustEqual(t, "state", m.Health("c1").State, manager.Degraded)
}

func TestCallStopsWhenItsFailureOpensTheCircuit(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := &scripted{check: func(context.Context, connector.Connection) error { return errVendor5xx }}
	m := manager.Wrap(s, clk.opts(manager.Options{FailureThreshold: 2, MaxAttempts: 5, CoolDown: time.Minute, CheckCacheTTL: -1}))
	assertOpen(t, m.Check(context.Background(), conn("c1")), time.Minute)
	mustEqual(t, "attempts", s.checks(), 2)
	mustEqual(t, "sleeps", len(clk.Sleeps()), 1)
	mustEqual(t, "state", m.Health("c1").State, manager.Failing)
}

func TestHalfOpenLetsOneProbeThrough(t *testing.T) {
	t.Parallel()
	clk := newClock()
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	var mu sync.Mutex
	probing := false
	s := &scripted{check: func(context.Context, connector.Connection) error {
		mu.Lock()
		p := probing
		mu.Unlock()
		if !p {
			return errVendor5xx
		}
		entered <- struct{}{}
		<-release
		return nil
	}}
	m := manager.Wrap(s, clk.opts(manager.Options{FailureThreshold: 1, MaxAttempts: 1, CoolDown: time.Minute, CheckCacheTTL: -1}))
	_ = m.Check(context.Background(), conn("c1"))
	mu.Lock()
	probing = true
	mu.Unlock()
	clk.Advance(time.Minute)
	probe := make(chan error, 1)
	go func() { probe <- m.Check(context.Background(), conn("c1")) }()
	<-entered
	err := m.Check(context.Background(), conn("c1"))
	if !errors.Is(err, manager.ErrCircuitOpen) {
		t.Fatalf("Check during the probe = %v, want a fast open-circuit failure", err)
	}
	close(release)
	if err := <-probe; err != nil {
		t.Fatalf("probe: %v", err)
	}
	mustEqual(t, "state after the probe", m.Health("c1").State, manager.Healthy)
	mustEqual(t, "vendor calls", s.checks(), 2)
}

func TestUnsavedConnectionsDoNotShareACircuit(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := &scripted{check: func(_ context.Context, c connector.Connection) error {
		if c.Credentials["token"] == goodToken {
			return errVendor5xx
		}
		return nil
	}}
	m := manager.Wrap(s, clk.opts(manager.Options{FailureThreshold: 1, MaxAttempts: 1, CheckCacheTTL: -1}))
	_ = m.Check(context.Background(), conn(""))
	assertOpen(t, m.Check(context.Background(), conn("")), 30*time.Second)
	other := conn("")
	other.Credentials["token"] = "tok_another1"
	if err := m.Check(context.Background(), other); err != nil {
		t.Fatalf("another unsaved connection: %v", err)
	}
}
