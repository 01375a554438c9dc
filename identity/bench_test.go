package identity_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
)

// synthetic is n identities from three sources: people appear on one, two
// or three of them, sometimes with a different email case or only a phone
// in common.
type synthetic struct {
	email, phone []string
}

func makeSynthetic(n int, seed uint64) synthetic {
	rng := rand.New(rand.NewPCG(seed, 1))
	people := n * 3 / 5
	s := synthetic{email: make([]string, n), phone: make([]string, n)}
	for i := range n {
		p := rng.IntN(people)
		switch rng.IntN(10) {
		case 0: // phone only
			s.phone[i] = fmt.Sprintf("+1415%07d", p)
		case 1, 2: // both keys
			s.email[i] = fmt.Sprintf(" Person%d@Example.com", p)
			s.phone[i] = fmt.Sprintf("(415) %03d-%04d", p/10000%1000, p%10000)
		default:
			s.email[i] = fmt.Sprintf("person%d@example.com", p)
		}
	}
	return s
}

// BenchmarkResolve1M resolves 1,000,000 identities of three sources with
// normalised keys; the target is 30 s.
func BenchmarkResolve1M(b *testing.B) {
	const n = 1_000_000
	s := makeSynthetic(n, 7)
	for i := range n {
		s.email[i] = identity.NormalizeEmail(s.email[i])
		if s.phone[i] != "" && s.phone[i][0] == '(' {
			s.phone[i] = identity.NormalizePhone(s.phone[i], "US")
		}
	}
	b.ResetTimer()
	for b.Loop() {
		r := identity.NewResolver(n)
		for i := range n {
			r.Add(s.email[i], s.phone[i], "", "")
		}
		b.ReportMetric(float64(r.Count()), "customers")
	}
}

// BenchmarkResolve1MWithNormalisation includes normalising every email and
// phone number (E.164 through libphonenumber's rules).
func BenchmarkResolve1MWithNormalisation(b *testing.B) {
	const n = 1_000_000
	s := makeSynthetic(n, 7)
	b.ResetTimer()
	for b.Loop() {
		r := identity.NewResolver(n)
		for i := range n {
			r.Add(identity.NormalizeEmail(s.email[i]), identity.NormalizePhone(s.phone[i], "US"), "", "")
		}
		b.ReportMetric(float64(r.Count()), "customers")
	}
}

// BenchmarkSinkOrders stores orders of known customers in batches of 5,000
// into SQLite; the target is 20,000 orders a second.
func BenchmarkSinkOrders(b *testing.B) {
	db := mustStore(b)
	s := identity.NewSink(db, identity.Options{})
	ctx := b.Context()
	const customers, batch = 10_000, 5_000
	var cs []connector.Record
	for i := range customers {
		cs = append(cs, cust(fmt.Sprintf("c%d", i), fmt.Sprintf("p%d@example.com", i), "", "granted"))
	}
	must(b, s.Store(ctx, "org-a", "conn", "shopify", cs), "customers")
	placed := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	next := 0
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		recs := make([]connector.Record, batch)
		for i := range recs {
			recs[i] = order(fmt.Sprintf("o%d", next), fmt.Sprintf("c%d", next%customers), "", 1999, 0)
			recs[i].Order.PlacedAt = placed.Add(time.Duration(next) * time.Minute)
			next++
		}
		must(b, s.Store(ctx, "org-a", "conn", "shopify", recs), "orders")
	}
	b.ReportMetric(float64(next)/time.Since(start).Seconds(), "orders/s")
}

// BenchmarkSinkNewCustomers stores batches of 5,000 customers never seen
// before, each batch resolved against everything stored so far.
func BenchmarkSinkNewCustomers(b *testing.B) {
	db := mustStore(b)
	s := identity.NewSink(db, identity.Options{})
	ctx := b.Context()
	next := 0
	start := time.Now()
	for b.Loop() {
		recs := make([]connector.Record, 5000)
		for i := range recs {
			recs[i] = cust(fmt.Sprintf("c%d", next), fmt.Sprintf("p%d@example.com", next/2), "", "granted")
			next++
		}
		must(b, s.Store(ctx, "org-a", "conn", "stripe", recs), "customers")
	}
	b.ReportMetric(float64(next)/time.Since(start).Seconds(), "customers/s")
}
