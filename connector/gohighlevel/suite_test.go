package gohighlevel_test

import (
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
)

// The shared connector suite against the fake location. The suite reads
// without honouring back-offs, so the fake's burst limit is raised out of
// its way; the rate-limit tests and the benchmark use the real one.
func TestConnectorSuite(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 430, Opportunities: 250, Campaigns: 7, Workflows: 5,
		Seed: 3, Burst: 1 << 20})
	connectortest.Run(t, connectortest.Harness{
		New:        func() connector.Connector { return gohighlevel.New() },
		Connection: func(testing.TB) connector.Connection { return srv.Connection() },
		BadCredentials: func(testing.TB) connector.Connection {
			conn := srv.Connection()
			conn.Credentials["access_token"] = "pit-refused"
			return conn
		},
		Expected: func(_ testing.TB, stream string) int { return srv.Len(stream) },
		Mutate:   func(testing.TB) { srv.Mutate(5, 3) },
		Faults: func(_ testing.TB, on bool) {
			srv.ClearFaults()
			if !on {
				return
			}
			for _, f := range []gohighleveltest.Fault{
				{Kind: gohighleveltest.Fault429, RetryAfter: time.Second}, {Kind: gohighleveltest.Fault500},
				{Kind: gohighleveltest.FaultTruncated}, {Kind: gohighleveltest.Fault502},
			} {
				srv.Inject(f, 1)
			}
		},
		Features: connectortest.Features{
			Incremental: map[string]bool{gohighlevel.StreamContacts: true},
			Faults:      true,
		},
	})
}
