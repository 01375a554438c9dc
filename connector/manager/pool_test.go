package manager_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
)

func TestPoolSharesOneManagerPerPlatform(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := &scripted{check: func(context.Context, connector.Connection) error { return errVendor5xx }}
	var platforms []string
	pool := manager.NewPool(func(platform string) manager.Options {
		platforms = append(platforms, platform)
		return clk.opts(manager.Options{FailureThreshold: 2, MaxAttempts: 1, CheckCacheTTL: -1})
	})
	// Each use wraps again, as the sync engine does; the breaker must
	// still see both failures.
	for range 2 {
		_ = pool.Wrap(s).Check(context.Background(), conn("c1"))
	}
	if err := pool.Wrap(s).Check(context.Background(), conn("c1")); !errors.Is(err, manager.ErrCircuitOpen) {
		t.Fatalf("third Check = %v, want an open circuit", err)
	}
	mustEqual(t, "managers made", len(platforms), 1)
	mustEqual(t, "health", pool.Health("scripted", "c1").State, manager.Failing)
	mustEqual(t, "unknown platform", pool.Health("nope", "c1").State, manager.Unknown)
}

func TestForgetClearsAConnection(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := &scripted{checkErrs: []error{errVendor5xx}}
	m := manager.Wrap(s, clk.opts(manager.Options{FailureThreshold: 1, MaxAttempts: 1}))
	_ = m.Check(context.Background(), conn("c1"))
	mustEqual(t, "state", m.Health("c1").State, manager.Failing)
	m.Forget("c1")
	mustEqual(t, "state after Forget", m.Health("c1").State, manager.Unknown)
	if err := m.Check(context.Background(), conn("c1")); err != nil {
		t.Fatalf("Check after Forget: %v", err)
	}
}

func TestLastErrorIsOneShortLine(t *testing.T) {
	t.Parallel()
	clk := newClock()
	long := "line one\nline two " + strings.Repeat("x", 500)
	s := &scripted{checkErrs: []error{connector.BackOff(0, long, nil)}}
	m := manager.Wrap(s, clk.opts(manager.Options{MaxAttempts: 1}))
	_ = m.Check(context.Background(), conn("c1"))
	got := m.Health("c1").LastError
	if strings.ContainsAny(got, "\n\r") || len([]rune(got)) != 200 || !strings.HasPrefix(got, "line one line two") {
		t.Fatalf("LastError = %q", got)
	}
}
