package manager_test

import (
	"context"
	"errors"
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
