package mongo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// BenchmarkUpsertOrders measures a sync-sized batch of new orders, then the
// same batch again (every record an update).
func BenchmarkUpsertOrders(b *testing.B) {
	const n = 1000
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; b.Loop(); i++ {
		s := benchStore(b, i)
		os := make([]omnify.Order, n)
		for j := range os {
			os[j] = omnify.Order{ID: fmt.Sprintf("o-%05d", j), CustomerID: fmt.Sprintf("c-%03d", j%100),
				Platform: "shopify", ExternalID: fmt.Sprint(j), PlacedAt: base.Add(time.Duration(j) * time.Minute),
				AmountMinor: int64(j), Currency: "EUR"}
		}
		for range 2 {
			if err := s.UpsertOrders(b.Context(), "org-1", os); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkClaimJob measures enqueue, claim and complete of one job.
func BenchmarkClaimJob(b *testing.B) {
	s := benchStore(b, 0)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; b.Loop(); i++ {
		if _, err := s.EnqueueJob(b.Context(), &omnify.Job{OrgID: "org-1", Kind: "k", CreatedAt: now}); err != nil {
			b.Fatal(err)
		}
		j, err := s.ClaimJob(b.Context(), nil, "w", now, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.CompleteJob(b.Context(), j.ID, nil, now); err != nil {
			b.Fatal(err)
		}
	}
}

func benchStore(b *testing.B, i int) store.Store {
	b.Helper()
	db := openDB(b, ferretURI, fmt.Sprintf("omnify_bench_%d_%d", time.Now().UnixNano()%1e9, i))
	b.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = db.Close()
	})
	return db
}
