package hubspot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
)

func indent(t *testing.T, raw []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		t.Fatalf("not JSON: %s", raw)
	}
	return append(out.Bytes(), '\n')
}

// The fake answers the connector's list requests in HubSpot's shape; the
// golden pages are the vendor payloads the mapping test reads.
func TestGoldenVendorPayloads(t *testing.T) {
	clk := newClock()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 4, Companies: 2, Deals: 2, Seed: 1, Now: clk.Now})
	for _, tc := range []struct{ typ, props string }{
		{"contacts", "email,firstname,lastname,phone,lifecyclestage,hs_email_optout,hs_legal_basis,createdate,lastmodifieddate"},
		{"companies", "name,domain,industry,createdate,hs_lastmodifieddate"},
		{"deals", "dealname,amount,dealstage,pipeline,closedate,createdate,hs_lastmodifieddate"},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/crm/v3/objects/"+tc.typ+"?limit=100&archived=false&properties="+tc.props, nil)
		req.Header.Set("Authorization", "Bearer "+srv.Options().Token)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		connectortest.Golden(t, tc.typ+"_page.json", indent(t, body))
	}
}

// stubPortal answers every list request with a recorded page.
func stubPortal(t *testing.T, page string) connector.Connection {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/crm/v3/objects/") || r.Method != http.MethodGet {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
			return
		}
		http.ServeFile(w, r, filepath.Join("testdata", page))
	}))
	t.Cleanup(s.Close)
	return connector.Connection{Credentials: map[string]string{"access_token": "x"}, HTTP: s.Client(), BaseURL: s.URL}
}

// Vendor payload → records. contacts_consent_page.json is written by hand
// with every consent case: opted out (even with a legal basis) is denied,
// a legal basis alone is granted, HubSpot's default optout "false" or
// nothing is unknown; emails are trimmed and lower-cased; epoch-ms dates
// are read too.
func TestGoldenMapping(t *testing.T) {
	for _, tc := range []struct{ stream, page, want string }{
		{hubspot.StreamContacts, "contacts_page.json", "contacts_records.json"},
		{hubspot.StreamContacts, "contacts_consent_page.json", "contacts_consent_records.json"},
		{hubspot.StreamCompanies, "companies_page.json", "companies_records.json"},
		{hubspot.StreamDeals, "deals_page.json", "deals_records.json"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			c := hubspot.New(hubspot.WithClock(func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }))
			e := &collector{}
			if err := c.Read(context.Background(), stubPortal(t, tc.page), tc.stream, nil, e); err != nil {
				t.Fatal(err)
			}
			out, err := json.MarshalIndent(e.records, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			connectortest.Golden(t, tc.want, append(out, '\n'))
			connectortest.Golden(t, strings.TrimSuffix(tc.want, ".json")+"_state.json", indent(t, e.last()))
		})
	}
}
