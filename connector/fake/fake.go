// Package fake is a deterministic in-memory shop behind the connector
// protocol: customers and orders generated from a seed, read in pages with
// a checkpoint after each page, incrementally on (updated_at, id). Tests of
// the sync engine, the API and benchmarks use it; hooks let a test make a
// page fail, throttle or crash at a chosen record.
package fake

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Platform is the fake connector's platform name.
const Platform = "fake"

// Stream names.
const (
	StreamCustomers = "customers"
	StreamOrders    = "orders"
)

// Token is the access token Check accepts unless Source.Token says
// otherwise.
const Token = "tok_fakeshop0001"

// Source is the fake shop. Its exported hooks may be set before a read.
type Source struct {
	// Platform overrides the platform name (default "fake"), so a test can
	// register several fake sources.
	Platform string
	// Token is the access token Check and Read accept.
	Token string
	// PageSize is the number of records per page; default 250.
	PageSize int
	// BeforePage, when set, runs before each page is read; an error it
	// returns is what Read returns (e.g. a *connector.BackOffError).
	BeforePage func(stream string, page int) error
	// OnRecord, when set, runs before each record is emitted with the count
	// of records emitted by this source so far; a test panics or cancels
	// here to crash a sync mid-batch.
	OnRecord func(stream string, n int64)

	mu      sync.Mutex
	recs    map[string][]connector.Record // each sorted by (UpdatedAt, ExternalID)
	emitted int64
	lastURL string
	rng     *rand.Rand
	clock   time.Time
}

var _ connector.Connector = (*Source)(nil)

// New returns a shop with the given numbers of customers and orders.
func New(seed uint64, customers, orders int) *Source {
	s := &Source{Token: Token, PageSize: 250, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		clock: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), recs: map[string][]connector.Record{}}
	for i := range customers {
		s.recs[StreamCustomers] = append(s.recs[StreamCustomers], s.customer(i))
	}
	for i := range orders {
		s.recs[StreamOrders] = append(s.recs[StreamOrders], s.order(i, customers))
	}
	for _, rs := range s.recs {
		sortRecords(rs)
	}
	return s
}

// tick returns the shop's next timestamp; timestamps repeat now and then
// so the cursor's ID tie-break matters.
func (s *Source) tick() time.Time {
	if s.rng.IntN(4) != 0 {
		s.clock = s.clock.Add(time.Duration(1+s.rng.IntN(3600)) * time.Second)
	}
	return s.clock
}

func (s *Source) customer(i int) connector.Record {
	at := s.tick()
	consent := []string{"granted", "denied", "unknown"}[s.rng.IntN(3)]
	return connector.Record{Stream: StreamCustomers, ExternalID: fmt.Sprintf("c%06d", i), UpdatedAt: at,
		Customer: &connector.Customer{Email: fmt.Sprintf("customer%d@example.com", i), FirstName: "Customer",
			LastName: fmt.Sprint(i), Consent: consent, CreatedAt: at}}
}

func (s *Source) order(i, customers int) connector.Record {
	at := s.tick()
	cust := s.rng.IntN(max(customers, 1))
	return connector.Record{Stream: StreamOrders, ExternalID: fmt.Sprintf("o%07d", i), UpdatedAt: at,
		Order: &connector.Order{CustomerExternalID: fmt.Sprintf("c%06d", cust),
			Email: fmt.Sprintf("customer%d@example.com", cust), PlacedAt: at, Currency: "USD",
			TotalMinor: int64(500 + s.rng.IntN(50000)), Status: "paid"}}
}

func sortRecords(rs []connector.Record) {
	sort.Slice(rs, func(i, j int) bool { return less(rs[i].UpdatedAt, rs[i].ExternalID, rs[j].UpdatedAt, rs[j].ExternalID) })
}

func less(t1 time.Time, id1 string, t2 time.Time, id2 string) bool {
	if !t1.Equal(t2) {
		return t1.Before(t2)
	}
	return id1 < id2
}

// Update changes n orders picked by the seed: a new total, a refund and a
// later updated_at, as a shop does when orders are edited. It returns their
// IDs.
func (s *Source) Update(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.recs[StreamOrders]
	var ids []string
	for range min(n, len(rs)) {
		i := s.rng.IntN(len(rs))
		o := *rs[i].Order
		o.TotalMinor += 100
		o.RefundedMinor += 100
		// Strictly later than every record so far, as an edit is.
		s.clock = s.clock.Add(time.Second)
		rs[i].Order, rs[i].UpdatedAt = &o, s.clock
		ids = append(ids, rs[i].ExternalID)
	}
	sortRecords(rs)
	return ids
}

// Records returns a copy of a stream's records, sorted by cursor.
func (s *Source) Records(stream string) []connector.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]connector.Record(nil), s.recs[stream]...)
}

// Emitted is the number of records Read has emitted so far.
func (s *Source) Emitted() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emitted
}

// LastBaseURL is the BaseURL of the last Check or Read.
func (s *Source) LastBaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastURL
}
