package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
)

// addHubSpotContacts creates contacts in the fake portal through HubSpot's
// own batch create, as a form or another app would.
func addHubSpotContacts(t *testing.T, fake *hubspottest.Server, props ...map[string]string) {
	t.Helper()
	inputs := make([]map[string]any, len(props))
	for i, p := range props {
		inputs[i] = map[string]any{"properties": p}
	}
	b, _ := json.Marshal(map[string]any{"inputs": inputs})
	req, _ := http.NewRequest(http.MethodPost, fake.URL+"/crm/v3/objects/contacts/batch/create", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+fake.Options().Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := fake.Client().Do(req)
	if err != nil {
		t.Fatalf("create HubSpot contacts: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("create HubSpot contacts: status %d: %s", resp.StatusCode, body)
	}
}

// firstWithConsent returns the first customer with the consent.
func firstWithConsent(t *testing.T, cs []api.CustomerItem, consent string) api.CustomerItem {
	t.Helper()
	i := slices.IndexFunc(cs, func(c api.CustomerItem) bool { return c.Consent == consent && c.Email != "" })
	if i < 0 {
		t.Fatalf("no synced customer with consent %s to build on", consent)
	}
	return cs[i]
}

// TestPlatformsCrossPlatformIdentity syncs Klaviyo, then adds two of its
// profiles' people to HubSpot with the opposite consent and syncs HubSpot:
// each person is one customer seen on both platforms, and a denial on
// either platform wins over a grant on the other.
func TestPlatformsCrossPlatformIdentity(t *testing.T) {
	t.Parallel()
	kl := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 30, Seed: 11})
	hs := hubspottest.NewServer(t, hubspottest.Options{Contacts: 5, Seed: 11})
	s := startServe(t, ConnectorFlags{KlaviyoBaseURL: kl.URL, HubSpotBaseURL: hs.URL})
	u := s.register(t, "owner@identity.example.com", "Identity Org")

	klConn := s.connect(t, u, connector.Klaviyo, map[string]any{"api_key": klaviyotest.Key}, nil, nil)
	s.syncAndWait(t, u, klConn.ID)
	klaviyoCustomers := s.customers(t, u, url.Values{"platform": {connector.Klaviyo}})
	grantedInKlaviyo := firstWithConsent(t, klaviyoCustomers, "granted")
	deniedInKlaviyo := firstWithConsent(t, klaviyoCustomers, "denied")

	addHubSpotContacts(t, hs,
		map[string]string{"email": grantedInKlaviyo.Email, "firstname": "Opted", "hs_email_optout": "true"},
		map[string]string{"email": deniedInKlaviyo.Email, "firstname": "Lawful", "hs_legal_basis": "Freely given consent from contact"})
	hsConn := s.connect(t, u, connector.HubSpot, map[string]any{"access_token": hs.Options().Token}, nil, nil)
	s.syncAndWait(t, u, hsConn.ID)

	for _, tc := range []struct {
		name             string
		before           api.CustomerItem
		hubspot, klaviyo string // each source's own consent
	}{
		{"granted in Klaviyo, opted out in HubSpot", grantedInKlaviyo, "denied", "granted"},
		{"unsubscribed in Klaviyo, legal basis in HubSpot", deniedInKlaviyo, "granted", "denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.customers(t, u, url.Values{"email": {tc.before.Email}})
			if len(got) != 1 {
				t.Fatalf("%d customers with email %s, want one: %+v", len(got), tc.before.Email, got)
			}
			c := got[0]
			if c.ID != tc.before.ID || c.Consent != "denied" ||
				!slices.Contains(c.Platforms, connector.HubSpot) || !slices.Contains(c.Platforms, connector.Klaviyo) {
				t.Fatalf("customer %+v, want %s on both platforms with consent denied", c, tc.before.ID)
			}
			var detail api.CustomerDetail
			s.must(t, http.StatusOK, http.MethodGet, "/v1/customers/"+c.ID, u.Token, nil, &detail)
			own := map[string]string{}
			for _, id := range detail.Identities {
				own[id.Platform] = id.Consent
			}
			if own[connector.HubSpot] != tc.hubspot || own[connector.Klaviyo] != tc.klaviyo {
				t.Fatalf("identities' own consent %v, want hubspot %s and klaviyo %s", own, tc.hubspot, tc.klaviyo)
			}
		})
	}
	if n := len(s.customers(t, u, url.Values{"platform": {connector.Klaviyo}})); n != len(klaviyoCustomers) {
		t.Errorf("Klaviyo customers went from %d to %d after the HubSpot sync", len(klaviyoCustomers), n)
	}
}

// TestPlatformsTenantIsolation connects the same vendor accounts in two
// orgs: neither sees the other's connections, syncs, jobs, customers,
// campaigns or audit log, and each gets its own copy of the data.
func TestPlatformsTenantIsolation(t *testing.T) {
	t.Parallel()
	hs := hubspottest.NewServer(t, hubspottest.Options{Contacts: 12, Seed: 5})
	var flags ConnectorFlags
	tw := startTripleWhale(t, &flags)
	flags.HubSpotBaseURL = hs.URL
	s := startServe(t, flags)
	a := s.register(t, "ana@first.example.com", "First Org")
	b := s.register(t, "ben@second.example.com", "Second Org")

	hsCreds := map[string]any{"access_token": hs.Options().Token}
	aHub := s.connect(t, a, connector.HubSpot, hsCreds, nil, nil)
	aRun := s.syncAndWait(t, a, aHub.ID)
	aTW := s.connect(t, a, connector.TripleWhale, tw.creds, tw.config, nil)
	s.syncAndWait(t, a, aTW.ID)
	aCustomers := s.customers(t, a, nil)
	aChannels := s.channels(t, a)
	if len(aCustomers) != hs.Len(hubspottest.Contacts) || len(aChannels) == 0 {
		t.Fatalf("first org: %d customers, %d channels", len(aCustomers), len(aChannels))
	}

	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/v1/connections/" + aHub.ID},
		{http.MethodPatch, "/v1/connections/" + aHub.ID},
		{http.MethodPost, "/v1/connections/" + aHub.ID + "/sync"},
		{http.MethodGet, "/v1/connections/" + aHub.ID + "/syncs"},
		{http.MethodDelete, "/v1/connections/" + aTW.ID},
		{http.MethodGet, "/v1/jobs/" + aRun.JobID},
		{http.MethodGet, "/v1/customers/" + aCustomers[0].ID},
		{http.MethodGet, "/v1/orgs/" + a.OrgID + "/audit"},
	} {
		var body any
		if tc.method == http.MethodPatch || tc.method == http.MethodPost {
			body = map[string]any{"name": "taken over"}
			if tc.method == http.MethodPost {
				body = map[string]any{}
			}
		}
		if r := s.do(t, tc.method, tc.path, b.Token, body); r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
			t.Errorf("second org %s %s: status %d: %s", tc.method, tc.path, r.Status, r.Body)
		}
	}
	var conns struct {
		Items []api.ConnectionItem `json:"items"`
	}
	s.must(t, http.StatusOK, http.MethodGet, "/v1/connections", b.Token, nil, &conns)
	if len(conns.Items) != 0 || len(s.customers(t, b, nil)) != 0 || len(s.channels(t, b)) != 0 {
		t.Fatalf("second org sees %d connections, %d customers, %d channels of the first",
			len(conns.Items), len(s.customers(t, b, nil)), len(s.channels(t, b)))
	}

	// The same portal connected in the second org lands in that org only.
	bHub := s.connect(t, b, connector.HubSpot, hsCreds, nil, nil)
	s.syncAndWait(t, b, bHub.ID)
	bCustomers := s.customers(t, b, nil)
	if len(bCustomers) != len(aCustomers) || len(s.customers(t, a, nil)) != len(aCustomers) {
		t.Fatalf("after the second org's sync: first %d, second %d customers, want %d each",
			len(s.customers(t, a, nil)), len(bCustomers), len(aCustomers))
	}
	for _, c := range bCustomers {
		if slices.ContainsFunc(aCustomers, func(o api.CustomerItem) bool { return o.ID == c.ID }) {
			t.Fatalf("customer %s is shared by both orgs", c.ID)
		}
	}
	s.must(t, http.StatusOK, http.MethodGet, "/v1/connections", a.Token, nil, &conns)
	if len(conns.Items) != 2 {
		t.Fatalf("first org has %d connections after the second's connect, want 2", len(conns.Items))
	}
}
