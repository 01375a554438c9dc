package stripe_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/stripe"
	"github.com/omnify-cloud/omnify/connector/stripe/stripemock"
)

func TestConnectorSuite(t *testing.T) {
	f := stripemock.NewFake(t)
	all := []string{stripe.Customers, stripe.Charges, stripe.Invoices, stripe.Subscriptions}
	seeded := map[string][]string{}
	for _, s := range all {
		// Created with events, so the stream has an event cursor; the
		// seeded ones predate it.
		if _, err := f.Create(s); err != nil {
			t.Fatal(err)
		}
		seeded[s] = mustSeed(t, f, s, 130)
	}
	incremental := map[string]bool{}
	for _, s := range all {
		incremental[s] = true
	}
	connectortest.Run(t, connectortest.Harness{
		New:            func() connector.Connector { return stripe.New() },
		Connection:     func(testing.TB) connector.Connection { return conn(f.URL, f.Key) },
		BadCredentials: func(testing.TB) connector.Connection { return conn(f.URL, "sk_test_refused") },
		Expected:       func(_ testing.TB, stream string) int { return f.Len(stream) },
		Mutate: func(t testing.TB) {
			for _, s := range all {
				if _, err := f.Create(s); err != nil {
					t.Fatal(err)
				}
				err := f.Update(s, seeded[s][7], func(o map[string]any) { o["metadata"] = map[string]any{"tier": "gold"} })
				if err != nil {
					t.Fatal(err)
				}
			}
		},
		Faults: func(_ testing.TB, on bool) {
			if !on {
				f.ClearFaults()
				return
			}
			f.Inject(
				stripemock.Fault{Status: 429, RetryAfter: "1"},
				stripemock.Fault{Status: 503},
				stripemock.Fault{Malformed: true},
				stripemock.Fault{Status: 429, RateLimitedReason: "global-concurrency"},
				stripemock.Fault{Status: 502, Body: "<html>Bad Gateway</html>"},
			)
		},
		// Full reads resume from a position in Stripe's newest-first lists.
		Features: connectortest.Features{Incremental: incremental, FullReadByPosition: incremental, Faults: true},
	})
}
