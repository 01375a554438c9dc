package shopify_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
)

type countingEmitter struct{ n int }

func (c *countingEmitter) Record(context.Context, connector.Record) error    { c.n++; return nil }
func (c *countingEmitter) Checkpoint(context.Context, json.RawMessage) error { return nil }
func (c *countingEmitter) Total(int64)                                       {}

// BenchmarkBulkBackfill100kOrders syncs a 100,000-order shop through the
// bulk path: export, download and parse of the JSONL, mapping. Run with
// go test -bench BulkBackfill -benchtime 1x ./connector/shopify/
func BenchmarkBulkBackfill100kOrders(b *testing.B) {
	srv := shopifytest.NewServer(b, shopifytest.Options{Customers: 20000, Orders: 100000, Products: 500, Seed: 1})
	c := shopify.New()
	c.BulkPollInterval = 10 * time.Millisecond
	b.ResetTimer()
	for b.Loop() {
		e := &countingEmitter{}
		start := time.Now()
		if err := c.Read(context.Background(), srv.Connection(), shopify.StreamOrders, nil, e); err != nil {
			b.Fatal(err)
		}
		if e.n != 100000 {
			b.Fatalf("%d orders", e.n)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/sync")
	}
}
