package shopify_test

import (
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
)

// The shared connector suite, against the fake shop: full reads through
// bulk exports, then through pages.
func TestConnectorSuite(t *testing.T) {
	t.Parallel()
	srv := shopifytest.NewServer(t, shopifytest.Options{Customers: 120, Orders: 90, Products: 30, LongOrderEvery: 11, Seed: 12})
	connectortest.Run(t, harness(srv, true))
}

// The suite reads without honouring back-offs, so the paged run gets a
// bucket (Shopify Plus sized and more) that never asks it to pause.
func TestConnectorSuitePaged(t *testing.T) {
	t.Parallel()
	srv := shopifytest.NewServer(t, shopifytest.Options{Customers: 520, Orders: 90, Products: 30, LongOrderEvery: 11, Seed: 13,
		MaximumAvailable: 100000, RestoreRate: 10000})
	connectortest.Run(t, harness(srv, false))
}

func harness(srv *shopifytest.Server, bulk bool) connectortest.Harness {
	streams := []string{shopify.StreamCustomers, shopify.StreamOrders, shopify.StreamProducts}
	return connectortest.Harness{
		New: func() connector.Connector {
			c := shopify.New()
			c.BulkPollInterval = time.Millisecond
			c.BulkBackfill = bulk
			return c
		},
		Connection: func(testing.TB) connector.Connection { return srv.Connection() },
		BadCredentials: func(testing.TB) connector.Connection {
			conn := srv.Connection()
			conn.Credentials["access_token"] = "shpat_refused"
			return conn
		},
		Expected: func(_ testing.TB, stream string) int { return len(srv.Records(stream)) },
		Mutate: func(testing.TB) {
			for _, s := range streams {
				srv.Touch(s, 3)
				srv.Add(s, 2)
			}
		},
		Faults: func(_ testing.TB, on bool) {
			srv.ClearFaults()
			if !on {
				return
			}
			for _, f := range []shopifytest.Fault{
				{Kind: shopifytest.Fault429, RetryAfter: time.Second}, {Kind: shopifytest.Fault503},
				{Kind: shopifytest.FaultTruncated}, {Kind: shopifytest.Fault500}, {Kind: shopifytest.FaultMalformed},
			} {
				srv.Inject(f, 1)
			}
		},
		Features: connectortest.Features{
			Incremental: map[string]bool{shopify.StreamCustomers: true, shopify.StreamOrders: true, shopify.StreamProducts: true},
			Faults:      true,
		},
	}
}
