package hubspot_test

// Full sync of a 200,000-contact portal through the platform manager,
// paced at DefaultRate (100 requests per 10 s, Burst 1) while the fake
// enforces HubSpot's published Free/Starter private-app limit (100
// requests per rolling 10 s). 2,000 list pages of 100 contacts.
//
// Measured once on the 2-core build machine (go test -run '^$' -bench
// FullSync200k -benchtime 1x ./connector/hubspot/):
//
//	requests              2000 (1 per 100 contacts), 0 answered 429
//	limit-implied time    199.9 s (1,999 gaps of 100 ms at 100 req/10 s)
//	measured time         210.0 s (load average ~14 from other work)
//	measured/allowed rate 95.2 %

import (
	"context"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/limit"
)

func BenchmarkFullSync200kContacts(b *testing.B) {
	const contacts = 200000
	srv := hubspottest.NewServer(b, hubspottest.Options{Contacts: contacts, Seed: 9})
	m := manager.Wrap(hubspot.New(), manager.Options{Limiter: limit.NewMemory(nil), Rate: hubspot.DefaultRate,
		CheckCacheTTL: -1, MaxWait: time.Hour})
	rate := float64(hubspot.DefaultRate.Limit) / hubspot.DefaultRate.Period.Seconds()
	b.ResetTimer()
	for b.Loop() {
		before := srv.Stats()
		e := &counter{}
		start := time.Now()
		if err := m.Read(context.Background(), srv.Connection(), hubspot.StreamContacts, nil, e); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		after := srv.Stats()
		if e.n != contacts {
			b.Fatalf("%d contacts, want %d", e.n, contacts)
		}
		reqs := after.Requests - before.Requests
		// With Burst 1 the first request goes at once and each other one
		// waits its 1/rate.
		implied := time.Duration(float64(reqs-1) / rate * float64(time.Second))
		b.ReportMetric(took.Seconds(), "s/sync")
		b.ReportMetric(implied.Seconds(), "limit-implied-s")
		b.ReportMetric(float64(reqs), "requests")
		b.ReportMetric(float64(after.Throttled-before.Throttled), "429s")
		b.ReportMetric(float64(reqs)/took.Seconds()/rate*100, "%-of-allowed-rate")
	}
}
