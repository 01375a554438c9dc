package linkedin_test

import (
	"time"

	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/linkedin/linkedintest"
)

// The shared connector suite against the fake LinkedIn: two ad accounts,
// enough audiences to page, two months of delivery. (Cursor paging within
// an account is covered by TestFullStreamResumes.)
func TestConnectorSuite(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Seed: 3, Accounts: 2, Campaigns: 60, CampaignGroups: 3,
		CreativesPerCampaign: 2, Segments: 120, Days: 60})
	connectortest.Run(t, harness(srv))
}

func harness(srv *linkedintest.Server) connectortest.Harness {
	return connectortest.Harness{
		New:        func() connector.Connector { return linkedin.New(linkedin.WithClock(srv.Now)) },
		Connection: func(testing.TB) connector.Connection { return srv.Connection() },
		BadCredentials: func(testing.TB) connector.Connection {
			conn := srv.Connection()
			conn.Credentials["refresh_token"] = "AQXrevoked"
			return conn
		},
		Expected: func(_ testing.TB, stream string) int { return expected(srv, stream) },
		Mutate:   func(testing.TB) { srv.Mutate() },
		Faults: func(_ testing.TB, on bool) {
			srv.ClearFaults()
			if !on {
				return
			}
			for _, k := range []linkedintest.FaultKind{linkedintest.Fault429, linkedintest.Fault503,
				linkedintest.FaultTruncated, linkedintest.Fault500} {
				srv.Inject(k, 1)
			}
		},
		Features: connectortest.Features{
			Incremental: map[string]bool{linkedin.StreamAdAnalytics: true},
			Faults:      true,
		},
	}
}

// expected is the fake's record count of a stream.
func expected(srv *linkedintest.Server, stream string) int {
	n := srv.Counts()
	switch stream {
	case linkedin.StreamAdAccounts:
		return n.Accounts
	case linkedin.StreamCampaignGroups:
		return n.CampaignGroups
	case linkedin.StreamCampaigns:
		return n.Campaigns
	case linkedin.StreamCreatives:
		return n.Creatives
	case linkedin.StreamAudiences:
		return n.Segments
	case linkedin.StreamAdAnalytics:
		return srv.MetricRows(srv.Now().Truncate(24*time.Hour).AddDate(0, 0, -linkedin.BackfillDays))
	}
	return -1
}
