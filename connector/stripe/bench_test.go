package stripe_test

import (
	"context"
	"testing"

	"github.com/omnify-cloud/omnify/connector/stripe"
	"github.com/omnify-cloud/omnify/connector/stripe/stripemock"
)

// BenchmarkFullReadFake measures mapping and paging throughput over loopback
// HTTP: 2,000 subscriptions, 20 pages per read.
func BenchmarkFullReadFake(b *testing.B) {
	f := stripemock.NewFake(b)
	if _, err := f.Seed(stripe.Subscriptions, 2000); err != nil {
		b.Fatal(err)
	}
	c := stripe.New()
	var n int
	for b.Loop() {
		rec := &recorder{}
		if err := c.Read(context.Background(), conn(f.URL, f.Key), stripe.Subscriptions, nil, rec); err != nil {
			b.Fatal(err)
		}
		n += len(rec.records)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
