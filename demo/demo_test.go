package demo_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/demo"
)

var (
	bigOnce sync.Once
	big     *demo.Dataset
	bigErr  error
)

// bigDataset is a 20,000-customer data set shared by the statistical tests.
func bigDataset(t *testing.T) *demo.Dataset {
	t.Helper()
	bigOnce.Do(func() { big, bigErr = demo.Generate(demo.Config{Customers: 20000, Seed: 42}) })
	if bigErr != nil {
		t.Fatal(bigErr)
	}
	return big
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a, err1 := demo.Generate(demo.Config{Customers: 300, Seed: 7})
	b, err2 := demo.Generate(demo.Config{Customers: 300, Seed: 7})
	c, err3 := demo.Generate(demo.Config{Customers: 300, Seed: 8})
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed produced different data sets")
	}
	if reflect.DeepEqual(a.Customers, c.Customers) {
		t.Error("different seeds produced the same customers")
	}
	prefix, err := demo.Generate(demo.Config{Customers: 100, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(prefix.Customers, a.Customers[:100]) {
		t.Error("a smaller data set is not a prefix of a larger one with the same seed")
	}
}

func TestPersonasFollowTheirDistributions(t *testing.T) {
	t.Parallel()
	ds := bigDataset(t)
	type acc struct{ n, rate, drop, value float64 }
	by := map[string]*acc{}
	for _, c := range ds.Customers {
		a := by[c.Persona]
		if a == nil {
			a = &acc{}
			by[c.Persona] = a
		}
		a.n++
		a.rate += c.PurchaseRate
		a.drop += c.DropoutProb
		a.value += c.MeanOrderValue
	}
	total := 0.0
	for _, p := range ds.Config.Personas {
		total += p.Share
	}
	n := float64(len(ds.Customers))
	for _, p := range ds.Config.Personas {
		a := by[p.Name]
		if a == nil {
			t.Fatalf("no %s customers", p.Name)
		}
		share := p.Share / total
		if math.Abs(a.n/n-share) > 4*math.Sqrt(share*(1-share)/n) {
			t.Errorf("%s: share %.4f, configured %.4f", p.Name, a.n/n, share)
		}
		closeTo(t, p.Name+" purchase rate", a.rate/a.n, p.R/p.Alpha, 0.06)
		closeTo(t, p.Name+" drop-out", a.drop/a.n, p.A/(p.A+p.B), 0.06)
		closeTo(t, p.Name+" order value", a.value/a.n, p.MeanOrderValue(), 0.06)
	}
}

func closeTo(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Abs(want) {
		t.Errorf("%s = %.4g, want %.4g ± %.0f%%", name, got, want, tol*100)
	}
}

// TestOrderValuesMatchLatentSpend compares each persona's realised mean
// order value with its configured Gamma-Gamma mean.
func TestOrderValuesMatchLatentSpend(t *testing.T) {
	t.Parallel()
	ds := bigDataset(t)
	persona := map[string]string{}
	for _, c := range ds.Customers {
		persona[c.ID] = c.Persona
	}
	sum, count := map[string]float64{}, map[string]float64{}
	for _, o := range ds.Orders {
		if o.AmountMinor < 100 || o.Currency != "USD" {
			t.Fatalf("order %s: %d %s", o.ID, o.AmountMinor, o.Currency)
		}
		sum[persona[o.CustomerID]] += float64(o.AmountMinor) / 100
		count[persona[o.CustomerID]]++
	}
	for _, p := range ds.Config.Personas {
		// Order-weighted means favour frequent buyers, whose spend is
		// independent of frequency in the Gamma-Gamma model.
		closeTo(t, p.Name+" realised order value", sum[p.Name]/count[p.Name], p.MeanOrderValue(), 0.08)
	}
	perCustomer := float64(len(ds.Orders)) / float64(len(ds.Customers))
	if perCustomer < 6 || perCustomer > 14 {
		t.Errorf("%.2f orders per customer, want about ten", perCustomer)
	}
}

func TestConsentMix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		cfg             demo.Config
		granted, denied float64
	}{
		{"defaults", demo.Config{Customers: 20000, Seed: 3}, 0.62, 0.13},
		{"configured", demo.Config{Customers: 20000, Seed: 3, ConsentGranted: 0.3, ConsentDenied: 0.5}, 0.3, 0.5},
	}
	for _, tt := range tests {
		ds, err := demo.Generate(tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]float64{}
		for _, c := range ds.Customers {
			counts[c.Consent]++
		}
		n := float64(len(ds.Customers))
		want := map[string]float64{demo.ConsentGranted: tt.granted, demo.ConsentDenied: tt.denied, demo.ConsentUnknown: 1 - tt.granted - tt.denied}
		for k, share := range want {
			if math.Abs(counts[k]/n-share) > 0.015 {
				t.Errorf("%s: %s share %.3f, want %.3f", tt.name, k, counts[k]/n, share)
			}
		}
		if len(counts) != 3 {
			t.Errorf("%s: consent values %v", tt.name, counts)
		}
	}
}

// TestSeasonalityAndGrowth checks the holiday peak in orders and the
// growth of acquisition from the first year to the second.
func TestSeasonalityAndGrowth(t *testing.T) {
	t.Parallel()
	ds := bigDataset(t)
	var holiday, rest float64
	for _, o := range ds.Orders {
		if m := o.PlacedAt.Month(); m == time.November || m == time.December {
			holiday++
		} else {
			rest++
		}
	}
	// Per day, holiday months should run well above the rest of the year.
	if ratio := (holiday / 61) / (rest / 304); ratio < 1.4 {
		t.Errorf("holiday months have %.2f× the daily orders of other months, want ≥ 1.4", ratio)
	}
	second := ds.Config.Start.AddDate(1, 0, 0)
	var y1, y2 float64
	for _, c := range ds.Customers {
		if c.CreatedAt.Before(second) {
			y1++
		} else {
			y2++
		}
	}
	// Growth 1 doubles the acquisition rate per year: the second year
	// acquires about twice as many customers as the first.
	closeTo(t, "second-year / first-year acquisitions", y2/y1, 2, 0.1)
}

func TestShrinkingAcquisition(t *testing.T) {
	t.Parallel()
	ds, err := demo.Generate(demo.Config{Customers: 10000, Seed: 9, Growth: -0.5})
	if err != nil {
		t.Fatal(err)
	}
	second := ds.Config.Start.AddDate(1, 0, 0)
	var y1, y2 float64
	for _, c := range ds.Customers {
		if c.CreatedAt.Before(second) {
			y1++
		} else {
			y2++
		}
	}
	closeTo(t, "second-year / first-year acquisitions", y2/y1, 0.5, 0.1)
}

func TestIdentities(t *testing.T) {
	t.Parallel()
	ds := bigDataset(t)
	emails := map[string]bool{}
	external := map[string]bool{}
	multi := 0
	for _, c := range ds.Customers {
		if emails[c.Email] {
			t.Fatalf("email %s shared by two customers", c.Email)
		}
		emails[c.Email] = true
		if c.Email != strings.ToLower(strings.TrimSpace(c.Email)) || !strings.Contains(c.Email, "@example.") {
			t.Fatalf("email %q is not normalised on a reserved domain", c.Email)
		}
		if len(c.Platforms) == 0 || (c.Platforms[0] != demo.Shopify && c.Platforms[0] != demo.Stripe) {
			t.Fatalf("customer %s platforms %v do not start with a commerce platform", c.ID, c.Platforms)
		}
		if len(c.Platforms) > 1 {
			multi++
		}
		for k, id := range c.Identities {
			if id.Platform != c.Platforms[k] || strings.ToLower(strings.TrimSpace(id.Email)) != c.Email {
				t.Fatalf("customer %s identity %+v does not match %s on %s", c.ID, id, c.Email, c.Platforms[k])
			}
			key := id.Platform + "/" + id.ExternalID
			if external[key] {
				t.Fatalf("external id %s reused", key)
			}
			external[key] = true
		}
	}
	if share := float64(multi) / float64(len(ds.Customers)); share < 0.4 || share > 0.7 {
		t.Errorf("%.2f of customers are on several platforms, want about half", share)
	}
}

func TestCampaigns(t *testing.T) {
	t.Parallel()
	ds := bigDataset(t)
	if len(ds.Campaigns) != ds.Config.Campaigns {
		t.Fatalf("%d campaigns, want %d", len(ds.Campaigns), ds.Config.Campaigns)
	}
	flights := map[string]demo.Campaign{}
	for _, c := range ds.Campaigns {
		flights[c.ID] = c
		if c.Start.Before(ds.Config.Start) || !c.End.Before(ds.Config.End) || c.End.Before(c.Start) {
			t.Errorf("campaign %+v outside the period", c)
		}
	}
	days := map[string]int{}
	for _, m := range ds.CampaignMetrics {
		c, ok := flights[m.CampaignID]
		if !ok || m.Date.Before(c.Start) || m.Date.After(c.End) {
			t.Fatalf("metric %+v outside its campaign's flight", m)
		}
		if m.Clicks > m.Impressions || m.Conversions > m.Clicks || m.SpendMinor < 0 || m.Impressions <= 0 {
			t.Fatalf("inconsistent metric %+v", m)
		}
		days[m.CampaignID]++
	}
	for id, c := range flights {
		if want := int(c.End.Sub(c.Start).Hours()/24) + 1; days[id] != want {
			t.Errorf("campaign %s has %d daily metrics, want %d", id, days[id], want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		cfg  demo.Config
	}{
		{"negative customers", demo.Config{Customers: -1}},
		{"end before start", demo.Config{Start: start, End: start.AddDate(0, 0, -1)}},
		{"period too long", demo.Config{Start: start, End: start.AddDate(300, 0, 0)}},
		{"consent above one", demo.Config{ConsentGranted: 0.8, ConsentDenied: 0.4}},
		{"bad currency", demo.Config{Currency: "dollars"}},
		{"share above one", demo.Config{KlaviyoShare: 1.5}},
		{"bad persona", demo.Config{Personas: []demo.Persona{{Name: "x", Share: 1, R: -1, Alpha: 1, A: 1, B: 1, SpendP: 1, SpendQ: 2, SpendGamma: 1, Regularity: 1}}}},
		{"too many customers in memory", demo.Config{Customers: demo.MaxInMemoryCustomers + 1}},
	}
	for _, tt := range tests {
		if _, err := demo.Generate(tt.cfg); !errors.Is(err, demo.ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig", tt.name, err)
		}
	}
}
