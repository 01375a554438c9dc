package sqlite_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

const benchOrders = 100_000

func benchOrderBatch(round int) []omnify.Order {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	os := make([]omnify.Order, benchOrders)
	for i := range os {
		os[i] = omnify.Order{
			ID: fmt.Sprintf("ord-%d-%07d", round, i), CustomerID: fmt.Sprintf("cust-%05d", i%20_000),
			Platform: "shopify", ExternalID: fmt.Sprintf("#%d", i), PlacedAt: base.Add(time.Duration(i) * time.Minute),
			AmountMinor: int64(1000 + i%5000), Currency: "EUR",
		}
	}
	return os
}

func benchDB(b *testing.B) *sqlite.DB {
	b.Helper()
	d := MustOpen(b)
	if err := d.CreateOrg(b.Context(), &omnify.Org{ID: "org-1", Name: "Bench"}); err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkUpsertOrders measures bulk ingest: "insert" writes 100k new
// orders per op, "update" rewrites the same 100k.
func BenchmarkUpsertOrders(b *testing.B) {
	for _, mode := range []string{"insert", "update"} {
		b.Run(mode, func(b *testing.B) {
			d := benchDB(b)
			batches := map[int][]omnify.Order{}
			round := 0
			for b.Loop() {
				b.StopTimer()
				if mode == "insert" {
					round++
				}
				if batches[round] == nil {
					batches = map[int][]omnify.Order{round: benchOrderBatch(round)}
				}
				b.StartTimer()
				if err := d.UpsertOrders(b.Context(), "org-1", batches[round]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchOrders*b.N)/b.Elapsed().Seconds(), "orders/s")
		})
	}
}

// BenchmarkScanOrders measures streaming 100k orders back.
func BenchmarkScanOrders(b *testing.B) {
	d := benchDB(b)
	if err := d.UpsertOrders(b.Context(), "org-1", benchOrderBatch(0)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n := 0
		if err := d.ScanOrders(b.Context(), "org-1", func(omnify.Order) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != benchOrders {
			b.Fatalf("scanned %d orders", n)
		}
	}
	b.ReportMetric(float64(benchOrders*b.N)/b.Elapsed().Seconds(), "orders/s")
}

// BenchmarkUpsertCustomers measures writing 100k customers per op.
func BenchmarkUpsertCustomers(b *testing.B) {
	d := benchDB(b)
	cs := make([]omnify.Customer, benchOrders)
	for i := range cs {
		cs[i] = omnify.Customer{
			ID: fmt.Sprintf("cust-%07d", i), Email: fmt.Sprintf("c%d@example.com", i), Name: "Customer",
			Consent: omnify.ConsentGranted, Platforms: []string{"shopify", "klaviyo"},
		}
	}
	for b.Loop() {
		if err := d.UpsertCustomers(b.Context(), "org-1", cs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(cs)*b.N)/b.Elapsed().Seconds(), "customers/s")
}

// BenchmarkClaimJob measures the embedded queue: enqueue, claim, complete.
func BenchmarkClaimJob(b *testing.B) {
	d := benchDB(b)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		if _, err := d.EnqueueJob(b.Context(), &omnify.Job{OrgID: "org-1", Kind: "sync", RunAt: now}); err != nil {
			b.Fatal(err)
		}
		j, err := d.ClaimJob(b.Context(), []string{"sync"}, "w", now, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.CompleteJob(b.Context(), j.ID, nil, now); err != nil {
			b.Fatal(err)
		}
	}
}
