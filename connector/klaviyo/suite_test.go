package klaviyo_test

import (
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
)

// The shared connector suite against the fake account. The suite reads
// without honouring back-offs, so the fake's limits are raised a
// hundredfold; the limits themselves are tested in ratelimit_test.go.
func TestConnectorSuite(t *testing.T) {
	t.Parallel()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 260, Lists: 23, Segments: 14, Campaigns: 9,
		Events: 700, Seed: 7, RateScale: 100})
	connectortest.Run(t, connectortest.Harness{
		New:        func() connector.Connector { return klaviyo.New() },
		Connection: func(testing.TB) connector.Connection { return srv.Connection() },
		BadCredentials: func(testing.TB) connector.Connection {
			c := srv.Connection()
			c.Credentials["api_key"] = "pk_refused"
			return c
		},
		Expected: func(_ testing.TB, stream string) int { return srv.Count(stream) },
		Mutate:   func(testing.TB) { srv.Mutate() },
		Faults: func(_ testing.TB, on bool) {
			srv.ClearFaults()
			if !on {
				return
			}
			for _, f := range []klaviyotest.Fault{
				{Kind: klaviyotest.Fault429, RetryAfter: time.Second}, {Kind: klaviyotest.Fault503},
				{Kind: klaviyotest.FaultTruncated}, {Kind: klaviyotest.Fault500},
			} {
				srv.Inject(f, 1)
			}
		},
		Features: connectortest.Features{
			Incremental: map[string]bool{klaviyo.StreamProfiles: true, klaviyo.StreamEvents: true},
			Faults:      true,
		},
	})
}
