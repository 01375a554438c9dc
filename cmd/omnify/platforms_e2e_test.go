package main

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
	"github.com/omnify-cloud/omnify/connector/linkedin/linkedintest"
	"github.com/omnify-cloud/omnify/connector/triplewhale"
	"github.com/omnify-cloud/omnify/connector/triplewhale/triplewhaletest"
)

// platformCase is one platform as a user connects it: a fake vendor, the
// flag pointing OmniFy at it, credentials it accepts and refuses, and what
// a sync must land.
type platformCase struct {
	platform string
	// start starts the fake, sets its base URL in flags and returns what
	// the user enters and the check of what landed.
	start func(t *testing.T, flags *ConnectorFlags) platformFake
}

type platformFake struct {
	creds, config map[string]any
	// wrong are credentials of the right shape the vendor refuses;
	// wrongField the field the refusal names.
	wrong      map[string]any
	wrongField string
	landed     func(t *testing.T, s *e2eServer, u e2eUser)
}

func platformCases() []platformCase {
	return []platformCase{
		{connector.HubSpot, startHubSpot},
		{connector.Klaviyo, startKlaviyo},
		{connector.GoHighLevel, startGoHighLevel},
		{connector.LinkedInAds, startLinkedIn},
		{connector.TripleWhale, startTripleWhale},
	}
}

func startHubSpot(t *testing.T, flags *ConnectorFlags) platformFake {
	fake := hubspottest.NewServer(t, hubspottest.Options{Contacts: 24, Companies: 3, Deals: 3, Seed: 7})
	flags.HubSpotBaseURL = fake.URL
	return platformFake{
		creds:      map[string]any{"access_token": fake.Options().Token},
		wrong:      map[string]any{"access_token": "pat-na1-not-this-one"},
		wrongField: "body.credentials",
		landed:     contactsLanded(connector.HubSpot, func() int { return fake.Len(hubspottest.Contacts) }),
	}
}

func startKlaviyo(t *testing.T, flags *ConnectorFlags) platformFake {
	fake := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 22, Lists: 1, Segments: 1, Campaigns: 2, Events: 8, Seed: 7})
	flags.KlaviyoBaseURL = fake.URL
	return platformFake{
		creds:      map[string]any{"api_key": klaviyotest.Key},
		wrong:      map[string]any{"api_key": "pk_notthekeyofthisaccount"},
		wrongField: "body.credentials",
		landed:     contactsLanded(connector.Klaviyo, func() int { return fake.Count("profiles") }),
	}
}

func startGoHighLevel(t *testing.T, flags *ConnectorFlags) platformFake {
	fake := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 18, Opportunities: 3, Campaigns: 1, Workflows: 1, Seed: 7})
	flags.GoHighLevelBaseURL = fake.URL
	creds := fake.Connection().Credentials
	return platformFake{
		creds:      map[string]any{"location_id": creds["location_id"], "access_token": creds["access_token"]},
		wrong:      map[string]any{"location_id": creds["location_id"], "access_token": "pit-not-this-one"},
		wrongField: "body.credentials",
		landed:     contactsLanded(connector.GoHighLevel, func() int { return len(fake.Contacts()) }),
	}
}

func startLinkedIn(t *testing.T, flags *ConnectorFlags) platformFake {
	fake := linkedintest.NewServer(t, linkedintest.Options{Seed: 7, CampaignGroups: 1, Campaigns: 3, Segments: 1,
		CreativesPerCampaign: 1, Days: 6, Now: time.Now})
	flags.LinkedInAdsBaseURL = fake.URL
	creds := map[string]any{}
	for k, v := range fake.Connection().Credentials {
		creds[k] = v
	}
	wrong := map[string]any{"client_id": creds["client_id"], "client_secret": creds["client_secret"],
		"refresh_token": "AQX-not-a-refresh-token"}
	return platformFake{creds: creds, wrong: wrong, wrongField: "body.credentials",
		landed: func(t *testing.T, s *e2eServer, u e2eUser) { linkedInLanded(t, s, u, fake) }}
}

func startTripleWhale(t *testing.T, flags *ConnectorFlags) platformFake {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	fake := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 7, Today: today,
		Channels: []string{"facebook-ads", "google-ads", "tiktok-ads", "klaviyo"}})
	flags.TripleWhaleBaseURL = fake.URL + "/api/v2"
	creds := fake.Connection(today).Credentials
	return platformFake{
		creds:      map[string]any{"api_key": creds["api_key"], "shop_domain": creds["shop_domain"]},
		config:     map[string]any{"start_date": today.AddDate(0, 0, -6).Format(time.DateOnly)},
		wrong:      map[string]any{"api_key": "tw-not-this-key", "shop_domain": creds["shop_domain"]},
		wrongField: "body.credentials",
		landed:     func(t *testing.T, s *e2eServer, u e2eUser) { tripleWhaleLanded(t, s, u, fake) },
	}
}

// contactsLanded checks that every contact of the fake became one
// customer seen on the platform.
func contactsLanded(platform string, want func() int) func(t *testing.T, s *e2eServer, u e2eUser) {
	return func(t *testing.T, s *e2eServer, u e2eUser) {
		t.Helper()
		got := s.customers(t, u, url.Values{"platform": {platform}})
		if len(got) != want() || len(got) == 0 {
			t.Fatalf("%d %s customers, the fake holds %d contacts", len(got), platform, want())
		}
		for _, c := range got {
			if !slices.Contains(c.Platforms, platform) || (c.Email == "" && c.Phone == "") {
				t.Fatalf("customer %+v: no %s platform or no contact point", c, platform)
			}
		}
	}
}

// linkedInLanded checks the channels report against the fake's own
// campaign-days: every campaign with delivery, its impressions and clicks
// exactly, its spend to a minor unit per campaign-day (the fake's costs
// carry four decimals).
func linkedInLanded(t *testing.T, s *e2eServer, u e2eUser, fake *linkedintest.Server) {
	t.Helper()
	var impressions, clicks, rows int64
	var spend float64
	campaigns := 0
	today := fake.Now().UTC().Truncate(24 * time.Hour)
	for _, id := range fake.CampaignIDs() {
		delivered := false
		for day := today.AddDate(0, 0, -30); !day.After(today); day = day.AddDate(0, 0, 1) {
			m, ok := fake.MetricOf(id, day)
			if !ok {
				continue
			}
			cost, err := strconv.ParseFloat(m.Cost, 64)
			if err != nil {
				t.Fatalf("fake cost %q: %v", m.Cost, err)
			}
			impressions, clicks, spend, rows = impressions+m.Impressions, clicks+m.Clicks, spend+cost, rows+1
			delivered = true
		}
		if delivered {
			campaigns++
		}
	}
	if rows == 0 || rows != int64(fake.MetricRows(time.Time{})) {
		t.Fatalf("counted %d campaign-days, the fake reports %d", rows, fake.MetricRows(time.Time{}))
	}
	var got channelRow
	for _, r := range s.channels(t, u) {
		if r.Platform == connector.LinkedInAds {
			got.Campaigns += r.Campaigns
			got.SpendMinor += r.SpendMinor
			got.Impressions += r.Impressions
			got.Clicks += r.Clicks
		}
	}
	wantSpend := int64(math.Round(spend * 100))
	if got.Campaigns != campaigns || got.Impressions != impressions || got.Clicks != clicks ||
		absDiff(got.SpendMinor, wantSpend) > rows {
		t.Fatalf("LinkedIn in the channels report: %+v; the fake delivered %d campaigns, %d impressions, %d clicks, spend %d minor",
			got, campaigns, impressions, clicks, wantSpend)
	}
}

// tripleWhaleLanded checks the spend of each channel against the fake's
// numbers for the days OmniFy asked for.
func tripleWhaleLanded(t *testing.T, s *e2eServer, u e2eUser, fake *triplewhaletest.Server) {
	t.Helper()
	days := map[time.Time]bool{}
	for _, p := range fake.Periods() {
		from, err1 := time.Parse(time.DateOnly, p[0])
		to, err2 := time.Parse(time.DateOnly, p[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("period %v: %v %v", p, err1, err2)
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			days[d] = true
		}
	}
	if len(days) == 0 {
		t.Fatal("OmniFy asked Triple Whale for no days")
	}
	want := map[string]int64{}
	for _, svc := range fake.Channels() {
		for d := range days {
			want[triplewhale.ChannelOf(svc)] += int64(math.Round(fake.Day(d, svc).Spend * 100))
		}
	}
	got := map[string]int64{}
	for _, r := range s.channels(t, u) {
		if r.Platform == connector.TripleWhale {
			got[r.Channel] += r.SpendMinor
		}
	}
	slack := int64(len(days) * len(fake.Channels()))
	for ch, w := range want {
		if g, ok := got[ch]; !ok || absDiff(g, w) > slack {
			t.Errorf("channel %s: spend %d minor (present %v), the fake's days add up to %d", ch, g, ok, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Triple Whale channels %v, want %v", got, want)
	}
}

func absDiff(a, b int64) int64 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestPlatformsConnectAndSync runs each platform as a user does: sign up,
// find the platform and its credentials form, get refused with the wrong
// credentials, connect with the right ones, sync, and see the data.
func TestPlatformsConnectAndSync(t *testing.T) {
	for _, pc := range platformCases() {
		t.Run(pc.platform, func(t *testing.T) {
			t.Parallel()
			var flags ConnectorFlags
			fake := pc.start(t, &flags)
			s := startServe(t, flags)
			u := s.register(t, "owner@"+strings.ReplaceAll(pc.platform, "_", "-")+".example.com", "Org of "+pc.platform)

			checkListed(t, s, u, pc.platform, fake.creds)
			r := s.do(t, http.MethodPost, "/v1/platforms/connect", u.Token,
				map[string]any{"platform": pc.platform, "credentials": fake.wrong, "config": fake.config})
			if r.Status != http.StatusUnprocessableEntity || !slices.Contains(fieldsOf(t, r), fake.wrongField) {
				t.Fatalf("wrong credentials: status %d, want 422 naming %s: %s", r.Status, fake.wrongField, r.Body)
			}
			r = s.do(t, http.MethodPost, "/v1/platforms/connect", u.Token,
				map[string]any{"platform": pc.platform, "credentials": map[string]any{}})
			fields := fieldsOf(t, r)
			if r.Status != http.StatusUnprocessableEntity || len(fields) == 0 || !strings.HasPrefix(fields[0], "body.credentials.") {
				t.Fatalf("no credentials: status %d, fields %v, want 422 naming a required credential: %s", r.Status, fields, r.Body)
			}

			conn := s.connect(t, u, pc.platform, fake.creds, fake.config, nil)
			run := s.syncAndWait(t, u, conn.ID)
			if run.Status != "succeeded" || run.Error != "" || len(run.Progress) == 0 {
				t.Fatalf("sync run %+v", run)
			}
			var got api.ConnectionItem
			s.must(t, http.StatusOK, http.MethodGet, "/v1/connections/"+conn.ID, u.Token, nil, &got)
			if got.Health != "healthy" || got.LastSyncAt == nil {
				t.Fatalf("connection after a sync: %+v", got)
			}
			fake.landed(t, s, u)
		})
	}
}

// checkListed checks GET /v1/platforms lists the platform with a
// credentials schema naming every field the user enters.
func checkListed(t *testing.T, s *e2eServer, u e2eUser, platform string, creds map[string]any) {
	t.Helper()
	var out struct {
		Items []api.Platform `json:"items"`
	}
	s.must(t, http.StatusOK, http.MethodGet, "/v1/platforms", u.Token, nil, &out)
	i := slices.IndexFunc(out.Items, func(p api.Platform) bool { return p.Platform == platform })
	if i < 0 {
		t.Fatalf("GET /v1/platforms does not list %s", platform)
	}
	p := out.Items[i]
	props, _ := p.CredentialsSchema["properties"].(map[string]any)
	for field := range creds {
		if _, ok := props[field]; !ok {
			t.Errorf("%s credentials schema has no %s: %v", platform, field, p.CredentialsSchema)
		}
	}
	if p.DisplayName == "" || len(p.Streams) == 0 || len(p.SecretFields) == 0 {
		t.Errorf("%s listed as %+v", platform, p)
	}
}
