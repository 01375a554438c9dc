package shopify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
)

func TestBulkBackfillOf20000Orders(t *testing.T) {
	t.Parallel()
	srv, c, clk := newShop(t, shopifytest.Options{Customers: 500, Orders: 20000, Products: 100, LongOrderEvery: 97, Seed: 21})
	e := &collector{}
	start := time.Now()
	drive(t, c, srv.Connection(), clk, shopify.StreamOrders, nil, e)
	t.Logf("bulk read of 20,000 orders: %s", time.Since(start))
	got := emitted(t, e.records)
	if len(got) != 20000 || shopifytest.Checksum(got) != srv.Checksum(shopify.StreamOrders) {
		t.Fatalf("bulk read: %d orders, checksum match %v", len(got), shopifytest.Checksum(got) == srv.Checksum(shopify.StreamOrders))
	}
	if e.total != 20000 {
		t.Errorf("total %d, want 20000", e.total)
	}
	lines := 0
	for _, r := range e.records {
		var sum int64
		for _, l := range r.Order.Lines {
			sum += l.Quantity * l.PriceMinor
		}
		if sum-r.Order.DiscountMinor != r.Order.TotalMinor {
			t.Fatalf("order %s: lines do not add up to the total", r.ExternalID)
		}
		lines += len(r.Order.Lines)
	}
	if lines < 20000 {
		t.Fatalf("%d line items for 20,000 orders", lines)
	}
	if len(e.checkpoints) != 1 {
		t.Fatalf("%d checkpoints, want one at the end", len(e.checkpoints))
	}
	st := e.states(t)[0]
	if !st.Since.Equal(clk.Now().Truncate(time.Second)) || st.UpdatedAt.IsZero() || st.Cursor != "" {
		t.Fatalf("state after bulk %+v, want since = export start %s", st, clk.Now())
	}

	// The next read is incremental and picks up what changed since.
	clk.Advance(time.Minute)
	touched := srv.Touch(shopify.StreamOrders, 4)
	inc := &collector{}
	drive(t, c, srv.Connection(), clk, shopify.StreamOrders, e.last(), inc)
	ids := emitted(t, inc.records)
	if len(ids) != len(touched) {
		t.Fatalf("incremental after bulk: %d records, want the %d touched", len(ids), len(touched))
	}
	for _, id := range touched {
		if _, ok := ids[id]; !ok {
			t.Errorf("touched order %s missing", id)
		}
	}
}

func TestBulkStreams(t *testing.T) {
	t.Parallel()
	srv, c, clk := newShop(t, shopifytest.Options{Customers: 300, Products: 40, Seed: 2})
	for _, stream := range []string{shopify.StreamCustomers, shopify.StreamProducts, shopify.StreamOrders} {
		e := &collector{}
		drive(t, c, srv.Connection(), clk, stream, nil, e)
		got := emitted(t, e.records)
		if shopifytest.Checksum(got) != srv.Checksum(stream) {
			t.Fatalf("%s: bulk read %d records, shop has %d", stream, len(got), len(srv.Records(stream)))
		}
		if len(e.checkpoints) != 1 {
			t.Fatalf("%s: %d checkpoints", stream, len(e.checkpoints))
		}
	}
	consents := map[string]int{}
	e := &collector{}
	drive(t, c, srv.Connection(), clk, shopify.StreamCustomers, nil, e)
	for _, r := range e.records {
		consents[r.Customer.Consent]++
	}
	if consents["granted"] == 0 || consents["denied"] == 0 || consents["unknown"] == 0 || len(consents) != 3 {
		t.Fatalf("consent values %v", consents)
	}
}

// An interrupted bulk read leaves the export running at Shopify; the next
// read adopts it instead of failing with "already in progress" or starting
// a second one.
func TestBulkAdoptsRunningExport(t *testing.T) {
	t.Parallel()
	srv, c, clk := newShop(t, shopifytest.Options{Customers: 120, BulkPolls: 40, Seed: 4})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.Stats().Requests < 4 { // look-up, run, two polls
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if err := c.Read(ctx, srv.Connection(), shopify.StreamCustomers, nil, &collector{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted bulk read: %v", err)
	}
	// Another stream's export cannot start while this one runs.
	var bo *connector.BackOffError
	if err := c.Read(context.Background(), srv.Connection(), shopify.StreamProducts, nil, &collector{}); !errors.As(err, &bo) {
		t.Fatalf("export of another stream during a running one: %v, want back-off", err)
	}
	// A restarted process resumes polling the same export.
	c2 := shopify.New()
	c2.Now, c2.BulkPollInterval = clk.Now, time.Millisecond
	e := &collector{}
	if err := c2.Read(context.Background(), srv.Connection(), shopify.StreamCustomers, nil, e); err != nil {
		t.Fatalf("second read: %v", err)
	}
	if got := emitted(t, e.records); shopifytest.Checksum(got) != srv.Checksum(shopify.StreamCustomers) {
		t.Fatalf("adopted export emitted %d of 120 customers", len(got))
	}
	if runs := srv.Stats().BulkRuns; runs != 1 {
		t.Fatalf("%d bulk exports started, want 1", runs)
	}
}
