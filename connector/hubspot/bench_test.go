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
//
// Incremental sync of 20,000 changed contacts by search (-bench
// IncrementalSearch): 101 searches of 200 paced by the manager, 20 of
// them answered 429 by search's 5-a-second limit and waited out (500 ms
// each); 20.4 s measured against 19.2 s the limit implies: 99.0 % of the
// search rate. 20,020 records: a resumed read re-reads the objects at its
// checkpoint's millisecond.

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

// Incremental sync of 20,000 changed contacts through the search endpoint
// and the manager, paced at DefaultRate while the fake enforces search's
// own limit of 5 requests per second: search's 429s come back as
// back-offs the manager waits out.
func BenchmarkIncrementalSearch20kContacts(b *testing.B) {
	const contacts = 20000
	srv := hubspottest.NewServer(b, hubspottest.Options{Contacts: contacts, Seed: 10})
	m := manager.Wrap(hubspot.New(), manager.Options{Limiter: limit.NewMemory(nil), Rate: hubspot.DefaultRate,
		CheckCacheTTL: -1, MaxWait: time.Hour, MaxAttempts: 1000})
	for b.Loop() {
		before := srv.Stats()
		e := &counter{}
		start := time.Now()
		if err := m.Read(context.Background(), srv.Connection(), hubspot.StreamContacts, []byte(`{"since":1}`), e); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		after := srv.Stats()
		searches := after.Searches - before.Searches
		ok := searches - (after.Throttled - before.Throttled)
		// The search limit allows 5 a second, a burst of 5 at once.
		implied := time.Duration(float64(ok-hubspottest.DefaultSearchPerSecond) / hubspottest.DefaultSearchPerSecond * float64(time.Second))
		b.ReportMetric(took.Seconds(), "s/sync")
		b.ReportMetric(implied.Seconds(), "limit-implied-s")
		b.ReportMetric(float64(ok), "searches")
		b.ReportMetric(float64(after.Throttled-before.Throttled), "429s")
		b.ReportMetric(float64(e.n), "records")
		b.ReportMetric(float64(ok)/took.Seconds()/hubspottest.DefaultSearchPerSecond*100, "%-of-search-rate")
	}
}
