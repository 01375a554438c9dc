package analytics_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/analytics"
	"github.com/omnify-cloud/omnify/eyes"
)

var now = time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(9 * time.Hour)
}

func order(cust, platform, day string, minor int64) omnify.Order {
	return omnify.Order{CustomerID: cust, Platform: platform, PlacedAt: at(day), AmountMinor: minor, Currency: "USD"}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func ptr(f float64) *float64 { return &f }

func TestComputeKPIs(t *testing.T) {
	// now-30d = 2026-03-01 12:00, now-60d = 2026-01-30 12:00.
	orders := []omnify.Order{
		order("a", "shopify", "2026-03-20", 5000), // current
		order("a", "shopify", "2026-03-02", 3000), // current
		order("b", "stripe", "2026-02-15", 4000),  // previous
		order("c", "shopify", "2026-01-31", 1000), // previous
		order("c", "shopify", "2025-12-01", 2000), // neither
		order("", "shopify", "2026-03-10", 700),   // guest: current, no buyer
	}
	tests := []struct {
		name   string
		orders []omnify.Order
		want   analytics.KPIs
	}{
		{"mixed", orders, analytics.KPIs{
			Current:  analytics.Window{RevenueMinor: 8700, Orders: 3},
			Previous: analytics.Window{RevenueMinor: 5000, Orders: 2},
			// 8700/5000 - 1 = 0.74; 3/2 - 1 = 0.5; a and c repeat out of a, b, c.
			RevenueChange: ptr(0.74), OrdersChange: ptr(0.5),
			TotalOrders: 6, Buyers: 3, Repeaters: 2, RepeatRate: 2.0 / 3,
		}},
		{"no previous revenue", orders[:2], analytics.KPIs{
			Current:     analytics.Window{RevenueMinor: 8000, Orders: 2},
			TotalOrders: 2, Buyers: 1, Repeaters: 1, RepeatRate: 1,
		}},
		{"empty", nil, analytics.KPIs{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := analytics.ComputeKPIs(tc.orders, now)
			if !got.Current.From.Equal(now.Add(-30*analytics.Day)) || !got.Previous.To.Equal(got.Current.From) {
				t.Fatalf("windows: %+v %+v", got.Current, got.Previous)
			}
			if got.Current.RevenueMinor != tc.want.Current.RevenueMinor || got.Current.Orders != tc.want.Current.Orders ||
				got.Previous.RevenueMinor != tc.want.Previous.RevenueMinor || got.Previous.Orders != tc.want.Previous.Orders {
				t.Fatalf("windows = %+v / %+v, want %+v / %+v", got.Current, got.Previous, tc.want.Current, tc.want.Previous)
			}
			if !samePtr(got.RevenueChange, tc.want.RevenueChange) || !samePtr(got.OrdersChange, tc.want.OrdersChange) {
				t.Fatalf("changes = %v %v", deref(got.RevenueChange), deref(got.OrdersChange))
			}
			if got.TotalOrders != tc.want.TotalOrders || got.Buyers != tc.want.Buyers || got.Repeaters != tc.want.Repeaters ||
				!near(got.RepeatRate, tc.want.RepeatRate) {
				t.Fatalf("counts = %+v", got)
			}
		})
	}
}

func samePtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return near(*a, *b)
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestCurrency(t *testing.T) {
	eur := omnify.Order{Currency: "EUR"}
	usd := omnify.Order{Currency: "USD"}
	tests := []struct {
		name    string
		orders  []omnify.Order
		want    string
		skipped int
	}{
		{"majority", []omnify.Order{eur, usd, usd}, "USD", 1},
		{"tie goes to first name", []omnify.Order{usd, eur}, "EUR", 1},
		{"none", nil, "", 0},
	}
	for _, tc := range tests {
		got := analytics.Currency(tc.orders)
		kept, skipped := analytics.InCurrency(tc.orders, got)
		if got != tc.want || skipped != tc.skipped || len(kept)+skipped != len(tc.orders) {
			t.Errorf("%s: %q skipped %d, want %q %d", tc.name, got, skipped, tc.want, tc.skipped)
		}
	}
}

func TestIntervalStart(t *testing.T) {
	thu := time.Date(2026, 1, 1, 23, 59, 0, 0, time.UTC) // a Thursday
	tests := []struct {
		i    analytics.Interval
		t    time.Time
		want time.Time
	}{
		{analytics.IntervalDay, thu, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{analytics.IntervalWeek, thu, time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC)},
		{analytics.IntervalWeek, time.Date(2026, 1, 5, 3, 0, 0, 0, time.UTC), time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		{analytics.IntervalWeek, time.Date(2026, 1, 4, 3, 0, 0, 0, time.UTC), time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC)},
		{analytics.IntervalMonth, thu, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{analytics.IntervalMonth, time.Date(2026, 2, 28, 0, 0, 0, 0, time.FixedZone("x", -5*3600)), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		if got := tc.i.Start(tc.t); !got.Equal(tc.want) {
			t.Errorf("%s start of %s = %s, want %s", tc.i, tc.t, got, tc.want)
		}
	}
}

func TestRevenue(t *testing.T) {
	orders := []omnify.Order{
		order("a", "shopify", "2026-01-05", 100),
		order("a", "shopify", "2026-01-20", 200),
		order("b", "stripe", "2026-02-03", 50),
		order("b", "shopify", "2026-03-01", 10), // on to: excluded
		order("c", "stripe", "2025-12-31", 999), // before from: excluded
	}
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		interval  analytics.Interval
		periods   int
		platforms []analytics.PlatformSeries
	}{
		{"month", analytics.IntervalMonth, 3, []analytics.PlatformSeries{
			{Platform: "shopify", RevenueMinor: []int64{300, 0, 0}, Orders: []int{2, 0, 0}},
			{Platform: "stripe", RevenueMinor: []int64{0, 50, 0}, Orders: []int{0, 1, 0}},
		}},
		// Weeks from Mon 2025-12-29 to Mon 2026-02-23: 9 periods.
		{"week", analytics.IntervalWeek, 9, []analytics.PlatformSeries{
			{Platform: "shopify", RevenueMinor: []int64{0, 100, 0, 200, 0, 0, 0, 0, 0}, Orders: []int{0, 1, 0, 1, 0, 0, 0, 0, 0}},
			{Platform: "stripe", RevenueMinor: []int64{0, 0, 0, 0, 0, 50, 0, 0, 0}, Orders: []int{0, 0, 0, 0, 0, 1, 0, 0, 0}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := analytics.Revenue(orders, tc.interval, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Periods) != tc.periods || analytics.CountPeriods(tc.interval, from, to, 1000) != tc.periods {
				t.Fatalf("periods = %v", got.Periods)
			}
			if !reflect.DeepEqual(got.Platforms, tc.platforms) {
				t.Fatalf("platforms = %+v, want %+v", got.Platforms, tc.platforms)
			}
		})
	}
	if _, err := analytics.Revenue(orders, "hour", from, to); err == nil {
		t.Fatal("unknown interval accepted")
	}
}

func TestCohorts(t *testing.T) {
	orders := []omnify.Order{
		order("a", "shopify", "2026-01-03", 1), // Jan cohort, months 0, 1, 2
		order("a", "shopify", "2026-01-25", 1),
		order("a", "shopify", "2026-02-10", 1),
		order("a", "shopify", "2026-03-10", 1),
		order("b", "shopify", "2026-01-15", 1), // Jan cohort, months 0, 2
		order("b", "shopify", "2026-03-01", 1),
		order("c", "stripe", "2026-02-01", 1), // Feb cohort, month 0 only
		order("d", "stripe", "2026-02-27", 1), // Feb cohort, months 0, 1
		order("d", "stripe", "2026-03-27", 1),
		order("e", "stripe", "2026-04-02", 1), // after asOf's month: left out
	}
	want := []analytics.Cohort{
		{Month: "2026-01", Customers: 2, Active: []int{2, 1, 2}, Retention: []float64{1, 0.5, 1}},
		{Month: "2026-02", Customers: 2, Active: []int{2, 1}, Retention: []float64{1, 0.5}},
	}
	if got := analytics.Cohorts(orders, now, 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("cohorts = %+v\nwant %+v", got, want)
	}
	if got := analytics.Cohorts(orders, now, 1); len(got) != 1 || got[0].Month != "2026-02" {
		t.Fatalf("latest cohort only = %+v", got)
	}
	if got := analytics.Cohorts(nil, now, 12); len(got) != 0 {
		t.Fatalf("no orders = %+v", got)
	}
}

func TestRepeatCurve(t *testing.T) {
	orders := []omnify.Order{
		order("a", "shopify", "2026-01-01", 1), order("a", "shopify", "2026-01-02", 1), order("a", "shopify", "2026-01-03", 1),
		order("b", "shopify", "2026-01-01", 1), order("b", "shopify", "2026-01-05", 1),
		order("c", "shopify", "2026-01-01", 1),
		order("d", "shopify", "2026-01-01", 1),
	}
	buyers, got := analytics.RepeatCurve(orders, 4)
	want := []analytics.RepeatPoint{{1, 4, 1}, {2, 2, 0.5}, {3, 1, 0.25}, {4, 0, 0}}
	if buyers != 4 || !reflect.DeepEqual(got, want) {
		t.Fatalf("curve = %d %+v", buyers, got)
	}
	buyers, got = analytics.RepeatCurve(nil, 2)
	if buyers != 0 || !reflect.DeepEqual(got, []analytics.RepeatPoint{{1, 0, 0}, {2, 0, 0}}) {
		t.Fatalf("empty curve = %d %+v", buyers, got)
	}
}

func TestTopProducts(t *testing.T) {
	lines := []analytics.Line{
		{OrderKey: "o1", ProductID: "p1", Title: "Beans", Quantity: 2, PriceMinor: 1500},
		{OrderKey: "o1", ProductID: "p1", Title: "Beans", Quantity: 1, PriceMinor: 1500}, // same order, second line
		{OrderKey: "o2", ProductID: "p1", Title: "Beans", Quantity: 1, PriceMinor: 1400},
		{OrderKey: "o2", SKU: "MUG-1", Title: "Mug", Quantity: 3, PriceMinor: 2000},
		{OrderKey: "o3", Title: "Gift card", Quantity: 1, PriceMinor: 6000},
		{OrderKey: "o4", Title: "Sticker", Quantity: 6, PriceMinor: 100},
	}
	total, top := analytics.TopProducts(lines, 3)
	want := []analytics.Product{
		{Key: "sku:MUG-1", Title: "Mug", SKU: "MUG-1", Quantity: 3, Orders: 1, RevenueMinor: 6000},
		{Key: "title:Gift card", Title: "Gift card", Quantity: 1, Orders: 1, RevenueMinor: 6000},
		{Key: "id:p1", Title: "Beans", Quantity: 4, Orders: 2, RevenueMinor: 5900},
	}
	if total != 4 || !reflect.DeepEqual(top, want) {
		t.Fatalf("top = %d %+v", total, top)
	}
}

func TestChannels(t *testing.T) {
	campaigns := []omnify.Campaign{
		{ID: "c1", Platform: "linkedin_ads", Channel: "paid_social"},
		{ID: "c2", Platform: "linkedin_ads", Channel: "paid_social"},
		{ID: "c3", Platform: "klaviyo", Channel: "email"},
	}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	metrics := []omnify.CampaignMetric{
		{CampaignID: "c1", Day: day, SpendMinor: 10000, Impressions: 1000, Clicks: 50, Conversions: 4, RevenueMinor: 30000, Currency: "USD"},
		{CampaignID: "c2", Day: day, SpendMinor: 5000, Impressions: 1000, Clicks: 10, Conversions: 0, RevenueMinor: 0, Currency: "USD"},
		{CampaignID: "c1", Day: day.Add(analytics.Day), SpendMinor: 5000, Clicks: 0, Conversions: 1, RevenueMinor: 15000, Currency: "USD"},
		{CampaignID: "c3", Day: day, Clicks: 40, Conversions: 2, RevenueMinor: 8000, Currency: "USD"},
	}
	got := analytics.Channels(campaigns, metrics)
	if len(got) != 2 {
		t.Fatalf("channels = %+v", got)
	}
	ps := got[0]
	// Spend 200.00, revenue 450.00: ROAS 2.25; 60 clicks / 2000 impressions;
	// 20000 / 5 conversions.
	if ps.Channel != "paid_social" || ps.Campaigns != 2 || ps.SpendMinor != 20000 || ps.RevenueMinor != 45000 ||
		!near(*ps.ROAS, 2.25) || !near(*ps.CTR, 0.03) || *ps.CPAMinor != 4000 {
		t.Fatalf("paid social = %+v", ps)
	}
	em := got[1]
	if em.Channel != "email" || em.ROAS != nil || em.CTR != nil || *em.CPAMinor != 0 || em.RevenueMinor != 8000 {
		t.Fatalf("email = %+v", em)
	}
}

func TestChurnRiskAndSegmentChanges(t *testing.T) {
	var r analytics.ChurnRisk
	for _, s := range []omnify.EyesScore{
		{Churn30: 0.1, Churn60: 0.4, Churn90: 0.5},
		{Churn30: 0.5, Churn60: 0.7, Churn90: 0.9},
		{Churn30: 0.49, Churn60: 0.49, Churn90: 0.49},
	} {
		r.Add(s)
	}
	if r != (analytics.ChurnRisk{Scored: 3, Days30: 1, Days60: 1, Days90: 2}) {
		t.Fatalf("risk = %+v", r)
	}
	before := []eyes.Segment{{Name: "Champions", Size: 10}, {Name: "At risk", Size: 5}, {Name: "Gone", Size: 2}}
	after := []eyes.Segment{{Name: "Champions", Size: 7}, {Name: "At risk", Size: 9}, {Name: "New", Size: 1}}
	want := []analytics.SegmentChange{
		{Name: "At risk", Before: 5, After: 9, Delta: 4},
		{Name: "Champions", Before: 10, After: 7, Delta: -3},
		{Name: "Gone", Before: 2, After: 0, Delta: -2},
		{Name: "New", Before: 0, After: 1, Delta: 1},
	}
	if got := analytics.SegmentChanges(before, after); !reflect.DeepEqual(got, want) {
		t.Fatalf("changes = %+v", got)
	}
}
