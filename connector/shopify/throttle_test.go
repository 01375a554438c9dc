package shopify_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
)

// An incremental sync paced by the cost bucket never gets throttled and
// still uses most of the rate Shopify allows.
func TestThrottlingUsesTheBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		stream        string
		max, restore  float64
		customers, or int
	}{
		{shopify.StreamCustomers, 1000, 50, 8000, 0},
		{shopify.StreamOrders, 1000, 50, 50, 1500},
		{shopify.StreamCustomers, 2000, 100, 8000, 0},
	} {
		srv, c, clk := newShop(t, shopifytest.Options{Customers: tc.customers, Orders: tc.or, LongOrderEvery: 50,
			MaximumAvailable: tc.max, RestoreRate: tc.restore, Seed: 8})
		c.BulkBackfill = false
		start := clk.Now()
		e := &collector{}
		res := drive(t, c, srv.Connection(), clk, tc.stream, json.RawMessage(`{}`), e)
		elapsed := clk.Now().Sub(start).Seconds()
		st := srv.Stats()
		if st.Throttled != 0 {
			t.Errorf("%s: %d THROTTLED answers", tc.stream, st.Throttled)
		}
		allowed := tc.max + tc.restore*elapsed
		use := st.PointsUsed / allowed
		t.Logf("%s (bucket %.0f, %.0f/s): %.0f points in %.1f s of fake time, %.0f%% of the allowed rate, %d pauses",
			tc.stream, tc.max, tc.restore, st.PointsUsed, elapsed, 100*use, len(res.backoffs))
		if use > 1.001 {
			t.Errorf("%s: the fake bucket let through more than its rate", tc.stream)
		}
		if use < 0.8 {
			t.Errorf("%s: used %.0f%% of the allowed points", tc.stream, 100*use)
		}
	}
}

// A connector that has not seen the bucket yet (a new process) gets a
// THROTTLED answer and backs off for the time the deficit takes to refill.
func TestThrottledAnswerBacksOffForTheDeficit(t *testing.T) {
	t.Parallel()
	srv, c, clk := newShop(t, shopifytest.Options{Customers: 1000, MaximumAvailable: 1000, RestoreRate: 50})
	c.BulkBackfill = false
	e := &collector{}
	if err := c.Read(context.Background(), srv.Connection(), shopify.StreamCustomers, json.RawMessage(`{}`), e); err == nil {
		t.Fatal("1000 customers read without pacing from a 1000-point bucket")
	}
	fresh := shopify.New()
	fresh.Now = clk.Now
	err := fresh.Read(context.Background(), srv.Connection(), shopify.StreamCustomers, e.last(), e)
	var bo *connector.BackOffError
	if !errors.As(err, &bo) || !strings.Contains(bo.Reason, "throttled") {
		t.Fatalf("fresh connector on an empty bucket: %v", err)
	}
	if srv.Stats().Throttled != 1 {
		t.Fatalf("%d THROTTLED answers", srv.Stats().Throttled)
	}
	// A page costs 502 points: the wait is the deficit over 50 points/s.
	if bo.Wait < 10*time.Millisecond || bo.Wait > 11*time.Second {
		t.Fatalf("wait %s", bo.Wait)
	}
	clk.Advance(bo.Wait)
	if err := fresh.Read(context.Background(), srv.Connection(), shopify.StreamCustomers, e.last(), e); err != nil {
		var again *connector.BackOffError
		if !errors.As(err, &again) || !strings.Contains(again.Reason, "cost budget") {
			t.Fatalf("after waiting the deficit: %v", err)
		}
	}
	if srv.Stats().Throttled != 1 {
		t.Fatalf("throttled again after waiting: %d", srv.Stats().Throttled)
	}
}
