package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/cache/rediscache"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/internal/redistest"
	"github.com/omnify-cloud/omnify/omnifytest"
	"github.com/omnify-cloud/omnify/store"
)

// seedShop gives an org three customers with hand-checked orders around
// now, order lines, two campaigns and two EYES runs.
func seedShop(t *testing.T, srv *omnifytest.Server, orgID string) {
	t.Helper()
	ctx, s, now := t.Context(), srv.Store, srv.Clock.Now().UTC()
	day := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	var cs []omnify.Customer
	for _, id := range []string{"c1", "c2", "c3"} {
		cs = append(cs, omnify.Customer{ID: orgID + id, Email: id + "@example.com", Consent: omnify.ConsentGranted, CreatedAt: day(60), UpdatedAt: day(60)})
	}
	mustDo(t, s.UpsertCustomers(ctx, orgID, cs), "customers")
	o := func(id, cust, platform string, ago int, minor int64, cur string) omnify.Order {
		return omnify.Order{ID: orgID + id, CustomerID: orgID + cust, Platform: platform, ExternalID: id, PlacedAt: day(ago), AmountMinor: minor, Currency: cur}
	}
	mustDo(t, s.UpsertOrders(ctx, orgID, []omnify.Order{
		o("o1", "c1", "shopify", 5, 5000, "USD"), o("o2", "c1", "shopify", 40, 3000, "USD"),
		o("o3", "c2", "stripe", 10, 2000, "USD"), o("o4", "c3", "stripe", 45, 1000, "USD"),
		o("o5", "c3", "shopify", 1, 999, "EUR"),
	}), "orders")
	rec := func(ext, data string) store.SourceRecord {
		return store.SourceRecord{Platform: "shopify", Stream: "orders", ExternalID: ext, UpdatedAt: now, Data: json.RawMessage(data)}
	}
	mustDo(t, s.UpsertSourceRecords(ctx, orgID, []store.SourceRecord{
		rec("o1", `{"currency":"USD","lines":[{"product_external_id":"p1","title":"Beans","quantity":2,"price_minor":1500},{"sku":"MUG","title":"Mug","quantity":1,"price_minor":2000}]}`),
		rec("o2", `{"currency":"USD","lines":[{"product_external_id":"p1","title":"Beans","quantity":1,"price_minor":1500}]}`),
	}), "order records")
	mustDo(t, s.UpsertCampaigns(ctx, orgID, []omnify.Campaign{{ID: orgID + "k1", Platform: "linkedin_ads", Channel: "paid_social", Name: "Spring"}}), "campaigns")
	mustDo(t, s.UpsertCampaignMetrics(ctx, orgID, []omnify.CampaignMetric{
		{CampaignID: orgID + "k1", Day: analyticsDay(day(3)), SpendMinor: 4000, Impressions: 2000, Clicks: 40, Conversions: 2, RevenueMinor: 10000, Currency: "USD"},
	}), "metrics")
	seedEyes(t, srv, orgID)
}

func analyticsDay(t time.Time) time.Time { return t.Truncate(24 * time.Hour) }

func seedEyes(t *testing.T, srv *omnifytest.Server, orgID string) {
	t.Helper()
	prev := eyes.Result{Segments: []eyes.Segment{{Name: "Champions", Size: 2}, {Name: "At risk", Size: 1}}}
	last := eyes.Result{Segments: []eyes.Segment{{Name: "Champions", Size: 1}, {Name: "At risk", Size: 2}},
		Insights: eyes.Insights{Migration: &eyes.Migration{Matched: 3, Stayed: 2, Moves: []eyes.Move{{From: "Champions", To: "At risk", Count: 1}}}}}
	addRun(t, srv, orgID, prev, nil)
	addRun(t, srv, orgID, last, []omnify.EyesScore{
		{CustomerID: orgID + "c1", Churn30: 0.2, Churn60: 0.3, Churn90: 0.6},
		{CustomerID: orgID + "c2", Churn30: 0.6, Churn60: 0.7, Churn90: 0.8},
		{CustomerID: orgID + "c3", Churn30: 0.1, Churn60: 0.1, Churn90: 0.1},
	})
}

func addRun(t *testing.T, srv *omnifytest.Server, orgID string, rep eyes.Result, scores []omnify.EyesScore) {
	t.Helper()
	ctx, now := t.Context(), srv.Clock.Now().UTC()
	run := &omnify.EyesRun{ID: fmt.Sprintf("%s-run-%d", orgID, len(rep.Segments)+len(scores)), OrgID: orgID, Status: omnify.JobRunning, AsOf: now, CreatedAt: now}
	mustDo(t, srv.Store.CreateEyesRun(ctx, run), "create run")
	for i := range scores {
		scores[i].RunID, scores[i].OrgID, scores[i].Consent = run.ID, orgID, omnify.ConsentGranted
	}
	if len(scores) > 0 {
		mustDo(t, srv.Store.PutEyesScores(ctx, orgID, run.ID, scores), "scores")
	}
	b, err := json.Marshal(rep)
	mustDo(t, err, "encode report")
	run.Status, run.Report, run.FinishedAt = omnify.JobSucceeded, b, &now
	mustDo(t, srv.Store.UpdateEyesRun(ctx, run), "finish run")
}

func mustDo(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestAnalyticsOverviewEndToEnd(t *testing.T) {
	f := newFixture(t)
	seedShop(t, f.srv, f.owner().OrgID)
	var ov api.AnalyticsOverview
	if st := f.srv.DoJSON(t, "GET", "/v1/analytics/overview", f.team[omnify.RoleViewer].Token, nil, &ov); st != 200 {
		t.Fatalf("overview: %d", st)
	}
	k := ov.KPIs
	// Current 30 days: 5000 + 2000; previous: 3000 + 1000; EUR order apart.
	if ov.Currency != "USD" || ov.OtherCurrencyOrders != 1 || ov.Customers != 3 ||
		k.Current.RevenueMinor != 7000 || k.Current.Orders != 2 || k.Previous.RevenueMinor != 4000 || k.Previous.Orders != 2 ||
		k.RevenueChange == nil || math.Abs(*k.RevenueChange-0.75) > 1e-9 || *k.OrdersChange != 0 ||
		k.Buyers != 3 || k.Repeaters != 1 || math.Abs(k.RepeatRate-1.0/3) > 1e-9 {
		t.Fatalf("overview = %+v", ov)
	}
	if r := ov.Risk; r == nil || r.Scored != 3 || r.Days30 != 1 || r.Days60 != 1 || r.Days90 != 2 || r.Version != 2 {
		t.Fatalf("risk = %+v", ov.Risk)
	}
	c := ov.Changes
	if c == nil || c.PreviousRunID == "" || len(c.Segments) != 2 || c.Segments[0].Name != "At risk" || c.Segments[0].Delta != 1 ||
		c.Migration == nil || c.Migration.Moves[0].Count != 1 {
		t.Fatalf("changes = %+v", ov.Changes)
	}
	// The other org has nothing: zeros and no EYES sections.
	var other api.AnalyticsOverview
	f.srv.DoJSON(t, "GET", "/v1/analytics/overview", f.other.Token, nil, &other)
	if other.Customers != 0 || other.KPIs.TotalOrders != 0 || other.Risk != nil || other.Changes != nil {
		t.Fatalf("other org overview = %+v", other)
	}
}

func TestAnalyticsReportsEndToEnd(t *testing.T) {
	f := newFixture(t)
	seedShop(t, f.srv, f.owner().OrgID)
	tok := f.team[omnify.RoleViewer].Token
	var rev api.RevenueReport
	f.srv.DoJSON(t, "GET", "/v1/analytics/revenue?interval=month", tok, nil, &rev)
	if len(rev.Periods) != 12 || len(rev.Platforms) != 2 || sum(rev.Platforms[0].RevenueMinor)+sum(rev.Platforms[1].RevenueMinor) != 11000 {
		t.Fatalf("revenue = %+v", rev)
	}
	var rc api.RepeatCurveReport
	f.srv.DoJSON(t, "GET", "/v1/analytics/repeat-curve?max_orders=3", tok, nil, &rc)
	if rc.Buyers != 3 || len(rc.Points) != 3 || rc.Points[1].Customers != 1 {
		t.Fatalf("repeat curve = %+v", rc)
	}
	var co api.CohortReport
	f.srv.DoJSON(t, "GET", "/v1/analytics/cohorts?months=36", tok, nil, &co)
	n := 0
	for _, c := range co.Cohorts {
		n += c.Customers
		if c.Retention[0] != 1 {
			t.Fatalf("month 0 retention = %+v", c)
		}
	}
	if n != 3 {
		t.Fatalf("cohorts = %+v", co)
	}
	var tp api.TopProductsReport
	f.srv.DoJSON(t, "GET", "/v1/analytics/top-products?limit=1", tok, nil, &tp)
	// Beans: 3 × 15.00 over two orders; the mug is 20.00.
	if tp.Products != 2 || len(tp.Items) != 1 || tp.Items[0].Title != "Beans" || tp.Items[0].RevenueMinor != 4500 || tp.Items[0].Orders != 2 {
		t.Fatalf("top products = %+v", tp)
	}
	var ch api.ChannelReport
	f.srv.DoJSON(t, "GET", "/v1/analytics/channels", tok, nil, &ch)
	if len(ch.Items) != 1 || ch.Items[0].ROAS == nil || *ch.Items[0].ROAS != 2.5 || ch.Items[0].Platform != "linkedin_ads" {
		t.Fatalf("channels = %+v", ch)
	}
	var empty api.ChannelReport
	f.srv.DoJSON(t, "GET", "/v1/analytics/channels", f.other.Token, nil, &empty)
	if len(empty.Items) != 0 {
		t.Fatalf("other org channels = %+v", empty)
	}
}

func sum(xs []int64) (n int64) {
	for _, x := range xs {
		n += x
	}
	return n
}

func TestAnalyticsCacheIsPerOrgAndExpires(t *testing.T) {
	f := newFixture(t, omnifytest.WithConfig(func(c *api.Config) { c.AnalyticsTTL = time.Minute }))
	checkAnalyticsCache(t, f, func() { f.srv.Clock.Advance(61 * time.Second) })
}

// TestIntegrationAnalyticsCacheInRedis runs the same checks with the cache
// in Redis, where every replica would find the answer.
func TestIntegrationAnalyticsCacheInRedis(t *testing.T) {
	c := redistest.Client(t)
	prefix := redistest.Prefix(t, c)
	rc := rediscache.New(c, rediscache.Options{Prefix: prefix})
	f := newFixture(t, omnifytest.WithConfig(func(c *api.Config) { c.AnalyticsTTL = 2 * time.Second }),
		omnifytest.WithDeps(func(d *api.Deps) { d.Cache = rc }))
	checkAnalyticsCache(t, f, func() {
		keys, err := c.Keys(t.Context(), prefix+"analytics:"+f.owner().OrgID+":*").Result()
		if err != nil || len(keys) == 0 {
			t.Fatalf("no analytics key of the org in Redis: %v %v", keys, err)
		}
		time.Sleep(2100 * time.Millisecond) // Redis expires by its own clock
	})
}

// checkAnalyticsCache shows a second call is answered from the cache (it
// misses an order added in between), another org never gets the cached
// answer, and the answer is recomputed once expire has let the TTL pass.
func checkAnalyticsCache(t *testing.T, f *fixture, expire func()) {
	t.Helper()
	org := f.owner().OrgID
	seedShop(t, f.srv, org)
	overview := func(tok string) api.AnalyticsOverview {
		var ov api.AnalyticsOverview
		if st := f.srv.DoJSON(t, "GET", "/v1/analytics/overview", tok, nil, &ov); st != 200 {
			t.Fatalf("overview: %d", st)
		}
		return ov
	}
	first := overview(f.owner().Token)
	mustDo(t, f.srv.Store.UpsertOrders(t.Context(), org, []omnify.Order{{ID: org + "o9", CustomerID: org + "c2", Platform: "stripe",
		ExternalID: "o9", PlacedAt: f.srv.Clock.Now().Add(-time.Hour), AmountMinor: 500, Currency: "USD"}}), "new order")
	if again := overview(f.team[omnify.RoleViewer].Token); again.KPIs.Current.RevenueMinor != first.KPIs.Current.RevenueMinor {
		t.Fatalf("second call recomputed: %+v", again.KPIs.Current)
	}
	if other := overview(f.other.Token); other.KPIs.Current.RevenueMinor != 0 || other.Customers != 0 {
		t.Fatalf("other org got %+v", other)
	}
	expire()
	if fresh := overview(f.owner().Token); fresh.KPIs.Current.RevenueMinor != first.KPIs.Current.RevenueMinor+500 {
		t.Fatalf("after the TTL: %+v", fresh.KPIs.Current)
	}
}

func TestAnalyticsScenarios(t *testing.T) {
	f := newFixture(t)
	f.run(t, []scenario{
		{name: "viewer reads overview", method: "GET", path: "/v1/analytics/overview", token: "viewer", status: 200, contains: []string{`"kpis"`}},
		{name: "no token", method: "GET", path: "/v1/analytics/overview", status: 401},
		{name: "bad interval", method: "GET", path: "/v1/analytics/revenue?interval=hour", token: "viewer", status: 422, contains: []string{"query.interval"}},
		{name: "reversed range", method: "GET", path: "/v1/analytics/revenue?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", token: "viewer",
			status: 422, contains: []string{"query.from", "must be before"}},
		{name: "range too long", method: "GET", path: "/v1/analytics/revenue?interval=day&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", token: "viewer",
			status: 422, contains: []string{"query.from", "more than 400"}},
		{name: "bad date", method: "GET", path: "/v1/analytics/revenue?from=yesterday", token: "viewer", status: 422, contains: []string{"query.from"}},
		{name: "empty revenue", method: "GET", path: "/v1/analytics/revenue?interval=day&from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z", token: "viewer",
			status: 200, contains: []string{`"platforms":[]`, `"2026-01-02T00:00:00Z"`}},
		{name: "cohort months too many", method: "GET", path: "/v1/analytics/cohorts?months=99", token: "viewer", status: 422, contains: []string{"query.months"}},
		{name: "repeat max too small", method: "GET", path: "/v1/analytics/repeat-curve?max_orders=1", token: "viewer", status: 422, contains: []string{"query.max_orders"}},
		{name: "top products limit zero", method: "GET", path: "/v1/analytics/top-products?limit=0", token: "viewer", status: 422, contains: []string{"query.limit"}},
		{name: "channels reversed", method: "GET", path: "/v1/analytics/channels?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", token: "viewer",
			status: 422, contains: []string{"query.since"}},
	})
}

func TestBrandingScenarios(t *testing.T) {
	f := newFixture(t)
	const org = "/v1/orgs/{org}"
	brand := func(b map[string]any) map[string]any { return map[string]any{"branding": b} }
	f.run(t, []scenario{
		{name: "analyst cannot brand", method: "PATCH", path: org, token: "analyst", body: brand(map[string]any{"primary_color": "#1f4e79"}), status: 403},
		{name: "admin sets colour", method: "PATCH", path: org, token: "admin", body: brand(map[string]any{"primary_color": "#1F4E79", "display_name": " Acme Roasters "}),
			status: 200, contains: []string{`"primary_color":"#1f4e79"`, `"display_name":"Acme Roasters"`, `"name":"Acme"`}},
		{name: "low contrast refused", method: "PATCH", path: org, token: "owner", body: brand(map[string]any{"primary_color": "#ffcc00"}),
			status: 422, contains: []string{"body.branding.primary_color", "contrast", "4.5:1"}},
		{name: "not a colour", method: "PATCH", path: org, token: "owner", body: brand(map[string]any{"primary_color": "blue"}), status: 422, contains: []string{"#rrggbb"}},
		{name: "remote logo refused", method: "PATCH", path: org, token: "owner", body: brand(map[string]any{"logo_url": "https://example.com/logo.png"}),
			status: 422, contains: []string{"body.branding.logo_url"}},
		{name: "svg logo refused", method: "PATCH", path: org, token: "owner", body: brand(map[string]any{"logo_url": "data:image/svg+xml;base64,PHN2Zy8+"}),
			status: 422, contains: []string{"body.branding.logo_url"}},
		{name: "logo that is not its type", method: "PATCH", path: org, token: "owner", body: brand(map[string]any{"logo_url": "data:image/png;base64,aGVsbG8="}),
			status: 422, contains: []string{"not a image/png image"}},
		{name: "png logo", method: "PATCH", path: org, token: "owner", body: brand(map[string]any{"logo_url": tinyPNG}), status: 200, contains: []string{tinyPNG}},
		{name: "nothing to change", method: "PATCH", path: org, token: "owner", body: map[string]any{}, status: 422, contains: []string{"nothing to change"}},
		{name: "viewer reads branding", method: "GET", path: org, token: "viewer", status: 200, contains: []string{`"primary_color":"#1f4e79"`}},
		{name: "other org unaffected", method: "GET", path: "/v1/orgs/{other_org}", token: "other", status: 200, contains: []string{`"primary_color":""`}},
		{name: "reset colour", method: "PATCH", path: org, token: "owner", body: brand(map[string]any{"primary_color": ""}), status: 200, contains: []string{`"primary_color":""`, `"display_name":"Acme Roasters"`}},
	})
}

// tinyPNG is a 1×1 PNG.
const tinyPNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="

func TestBrandingShowsInMeAtOnce(t *testing.T) {
	f := newFixture(t, omnifytest.WithConfig(func(c *api.Config) { c.RoleCacheTTL = time.Hour }))
	viewer := f.team[omnify.RoleViewer]
	var me api.Me
	f.srv.DoJSON(t, "GET", "/v1/me", viewer.Token, nil, &me) // fills the profile cache
	if me.Branding != (api.Branding{}) {
		t.Fatalf("default branding = %+v", me.Branding)
	}
	body := map[string]any{"branding": map[string]any{"primary_color": "#0b5394", "display_name": "Acme Co"}}
	if st := f.srv.DoJSON(t, "PATCH", "/v1/orgs/"+viewer.OrgID, f.owner().Token, body, nil); st != http.StatusOK {
		t.Fatalf("brand: %d", st)
	}
	f.srv.DoJSON(t, "GET", "/v1/me", viewer.Token, nil, &me)
	if me.Branding.PrimaryColor != "#0b5394" || me.Branding.DisplayName != "Acme Co" || me.Org.Name != "Acme" {
		t.Fatalf("me after branding = %+v", me)
	}
	var audit struct{ Items []api.AuditItem }
	f.srv.DoJSON(t, "GET", "/v1/orgs/"+viewer.OrgID+"/audit?action=orgs.update", f.owner().Token, nil, &audit)
	if len(audit.Items) != 1 || audit.Items[0].Details["primary_color"] != "#0b5394" {
		t.Fatalf("audit = %+v", audit.Items)
	}
}

func TestContrastWithWhite(t *testing.T) {
	tests := []struct {
		colour string
		want   float64
	}{
		{"#000000", 21},
		{"#ffffff", 1},
		{"#767676", 4.54}, // the lightest grey that passes AA
		{"#777777", 4.48},
		{"#1f4e79", 8.66}, // L = 0.0712 by hand
	}
	for _, tc := range tests {
		if got := api.ContrastWithWhite(tc.colour); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("%s: %.3f, want %.2f", tc.colour, got, tc.want)
		}
	}
}
