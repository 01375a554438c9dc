package triplewhale_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/triplewhale"
	"github.com/omnify-cloud/omnify/connector/triplewhale/triplewhaletest"
)

// The shared connector suite against the fake shop, reading 40 days. The
// suite reads without honouring back-offs, so the fake's limit is raised
// out of its way; TestErrors covers the 429s.
func TestConnectorSuite(t *testing.T) {
	t.Parallel()
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 4, Limit: 1 << 20})
	start := srv.Today().AddDate(0, 0, -39)
	connectortest.Run(t, connectortest.Harness{
		New:        func() connector.Connector { return newConnector(srv) },
		Connection: func(testing.TB) connector.Connection { return srv.Connection(start) },
		BadCredentials: func(testing.TB) connector.Connection {
			conn := srv.Connection(start)
			conn.Credentials["api_key"] = "refused"
			return conn
		},
		Expected: func(testing.TB, string) int {
			days := int(srv.Today().Sub(start).Hours()/24) + 1
			return days*len(srv.Channels()) + days + len(srv.Channels())
		},
		Mutate: func(testing.TB) { srv.Mutate(2) },
		Faults: func(_ testing.TB, on bool) {
			srv.ClearFaults()
			if on {
				srv.Inject(triplewhaletest.Fault429, triplewhaletest.Fault500, triplewhaletest.FaultTruncated, triplewhaletest.Fault503)
			}
		},
		Features: connectortest.Features{Incremental: map[string]bool{triplewhale.StreamDailyMetrics: true}, Faults: true},
	})
}
