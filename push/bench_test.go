package push_test

import (
	"fmt"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/push"
	"github.com/omnify-cloud/omnify/push/pushtest"
)

// BenchmarkPush measures a push of a 20,000-customer segment (two thirds
// with consent) on SQLite through the Recorder: the first push sends every
// consented member in batches of 10,000; the repeat finds nothing to send.
func BenchmarkPush(b *testing.B) {
	const n = 20_000
	for _, bc := range []struct {
		name  string
		again bool
	}{{"first", false}, {"unchanged", true}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				e := newEnv(b, push.Config{})
				ids := seedMany(b, e, n)
				pushtest.Run(b, e.db, e.org, map[string][]string{"seg-a": ids})
				if bc.again {
					result(b, e.runJob(b.Context(), e.start("VIP").ID))
				}
				b.StartTimer()
				res := result(b, e.runJob(b.Context(), e.start("VIP").ID))
				if !bc.again && res.Added != len(e.rec.AudienceIDs("VIP")) {
					b.Fatalf("added %d", res.Added)
				}
			}
			b.ReportMetric(float64(n), "customers/op")
		})
	}
}

// seedMany upserts n customers straight into the store, two in three with
// marketing consent.
func seedMany(b *testing.B, e *env, n int) []string {
	cs := make([]omnify.Customer, n)
	ids := make([]string, n)
	for i := range cs {
		consent := omnify.ConsentGranted
		if i%3 == 2 {
			consent = omnify.ConsentDenied
		}
		ids[i] = fmt.Sprintf("cus-%05d", i)
		cs[i] = omnify.Customer{ID: ids[i], Email: fmt.Sprintf("c%05d@example.com", i), Name: "Bench Customer",
			Consent: consent}
	}
	must(b, e.db.UpsertCustomers(b.Context(), e.org, cs), "upsert customers")
	return ids
}
