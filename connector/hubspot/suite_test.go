package hubspot_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
)

// streamType maps a stream to the fake's object type.
var streamType = map[string]string{
	hubspot.StreamContacts: hubspottest.Contacts, hubspot.StreamCompanies: hubspottest.Companies, hubspot.StreamDeals: hubspottest.Deals,
}

// The shared connector suite against the fake portal. The suite reads
// without honouring back-offs, so the portal's limits are raised far above
// HubSpot's; the limit tests and the benchmark use the published ones.
func TestConnectorSuite(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 530, Companies: 120, Deals: 90, Seed: 3,
		IntervalMax: 1000000, SearchPerSecond: 1000000})
	connectortest.Run(t, harness(srv, func(testing.TB) connector.Connection { return srv.Connection() }))
}

// The suite once more over OAuth, starting from an expired access token:
// every read refreshes it first.
func TestConnectorSuiteOAuth(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 150, Companies: 20, Deals: 20, Seed: 4,
		IntervalMax: 1000000, SearchPerSecond: 1000000})
	connectortest.Run(t, harness(srv, func(testing.TB) connector.Connection { return oauthConn(srv, true) }))
}

func oauthConn(srv *hubspottest.Server, expired bool) connector.Connection {
	conn := srv.Connection()
	conn.Credentials = srv.OAuthCredentials(expired)
	return conn
}

func harness(srv *hubspottest.Server, conn func(testing.TB) connector.Connection) connectortest.Harness {
	all := map[string]bool{hubspot.StreamContacts: true, hubspot.StreamCompanies: true, hubspot.StreamDeals: true}
	return connectortest.Harness{
		New:        func() connector.Connector { return hubspot.New() },
		Connection: conn,
		BadCredentials: func(t testing.TB) connector.Connection {
			c := conn(t)
			c.Credentials["access_token"] = "pat-na1-refused"
			delete(c.Credentials, "refresh_token")
			return c
		},
		Expected: func(_ testing.TB, stream string) int { return srv.Len(streamType[stream]) },
		Mutate:   func(testing.TB) { srv.Mutate() },
		Faults: func(_ testing.TB, on bool) {
			srv.ClearFaults()
			if !on {
				return
			}
			for _, f := range []hubspottest.Fault{
				{Kind: hubspottest.Fault429, RetryAfter: 1}, {Kind: hubspottest.Fault503}, {Kind: hubspottest.FaultTruncated},
				{Kind: hubspottest.Fault500}, {Kind: hubspottest.Fault502}, {Kind: hubspottest.FaultMalformed}, {Kind: hubspottest.Fault429},
			} {
				srv.Inject(f, 1)
			}
		},
		// Full reads walk the list by ID, not by modification time.
		Features: connectortest.Features{Incremental: all, FullReadByPosition: all, Faults: true},
	}
}
