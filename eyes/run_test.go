package eyes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	omnify "github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/eyes"
)

var synthAsOf = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

func mustRun(tb testing.TB, in eyes.Input, cfg eyes.Config) *eyes.Result {
	tb.Helper()
	res, err := eyes.Run(context.Background(), in, cfg)
	if err != nil {
		tb.Fatalf("run: %v", err)
	}
	return res
}

// mustCleanOutputs writes every output and fails on NaN or Inf anywhere:
// encoding/json refuses them, and the CSVs are scanned.
func mustCleanOutputs(tb testing.TB, res *eyes.Result) string {
	tb.Helper()
	if _, err := json.Marshal(res); err != nil {
		tb.Fatalf("result is not JSON-serialisable: %v", err)
	}
	dir := tb.TempDir()
	if err := eyes.WriteOutputs(dir, res); err != nil {
		tb.Fatal(err)
	}
	for _, f := range []string{"customers.csv", "features.csv", "report.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			tb.Fatal(err)
		}
		if bytes.Contains(b, []byte("NaN")) || bytes.Contains(b, []byte("Inf")) {
			tb.Errorf("%s contains NaN or Inf", f)
		}
	}
	return dir
}

func TestRunSyntheticCustomers(t *testing.T) {
	t.Parallel()
	in := synthInput(900, 1, synthAsOf)
	res := mustRun(t, in, eyes.Config{Seed: 3})
	mustCleanOutputs(t, res)
	if res.Status != eyes.StatusOK || len(res.Customers) != 900 {
		t.Fatalf("status %s with %d customers: %v", res.Status, len(res.Customers), res.Messages)
	}
	if res.Consent != (eyes.ConsentCounts{Granted: 300, Denied: 300, Unknown: 300}) {
		t.Errorf("consent counts %+v", res.Consent)
	}
	if len(res.Clustering.Methods) != 3 {
		t.Errorf("methods tried: %+v, want kmeans, dbscan and agglomerative", res.Clustering.Methods)
	}
	checkSegments(t, res)
	checkCustomers(t, res)
	checkExports(t, res)
	for _, m := range res.Churn {
		if !m.Scored || m.AUC < 0.70 || !m.GatePassed || len(m.FeaturesUsed) == 0 || len(m.TrainCutoffs) == 0 {
			t.Errorf("%d-day model card %+v: want a scored model passing the gate on this clear-cut data", m.HorizonDays, m)
		}
	}
}

func checkSegments(t *testing.T, res *eyes.Result) {
	t.Helper()
	size, rev, exportable := 0, 0.0, 0
	names := map[string]bool{}
	for _, s := range res.Segments {
		size += s.Size
		rev += s.RevenueShare
		exportable += s.Exportable
		if s.Name == "" || s.Action == "" || names[s.Name] {
			t.Errorf("segment %+v: want a unique name and an action", s)
		}
		names[s.Name] = true
		if s.CrossPlatform == 0 || s.Platforms["shopify"] != s.Size {
			t.Errorf("segment %s platforms %v cross %d: every customer is on shopify, a quarter also on stripe", s.Name, s.Platforms, s.CrossPlatform)
		}
	}
	if size != len(res.Customers) || math.Abs(rev-1) > 1e-9 || exportable != res.Consent.Granted {
		t.Errorf("segments cover %d customers, %.6f of revenue, %d exportable; want %d, 1, %d", size, rev, exportable, len(res.Customers), res.Consent.Granted)
	}
	rfm := 0
	for _, r := range res.RFMSegments {
		rfm += r.Size
	}
	if rfm != len(res.Customers) || len(res.RFMSegments) != len(eyes.RFMNames) {
		t.Errorf("RFM segments cover %d of %d customers in %d segments", rfm, len(res.Customers), len(res.RFMSegments))
	}
}

func checkCustomers(t *testing.T, res *eyes.Result) {
	t.Helper()
	xs, ys := map[float64]bool{}, map[float64]bool{}
	for _, c := range res.Customers {
		xs[c.X], ys[c.Y] = true, true
	}
	if len(xs) < 10 || len(ys) < 10 {
		t.Errorf("the 2-D projection takes %d distinct x and %d distinct y values; want a spread for the scatter", len(xs), len(ys))
	}
	for _, c := range res.Customers {
		for _, h := range res.Horizons {
			p, ok := c.ChurnAt(h)
			if !ok || p < 0 || p > 1 {
				t.Fatalf("customer %s churn_%d = %v (scored %v)", c.ID, h, p, ok)
			}
		}
		if c.Exportable != (c.Consent == omnify.ConsentGranted) {
			t.Fatalf("customer %s consent %s exportable %v: only granted customers are exportable", c.ID, c.Consent, c.Exportable)
		}
		if c.PAlive < 0 || c.PAlive > 1 || c.ExpectedCLV < 0 || !slices.Contains(eyes.RFMNames, c.RFM.Segment) {
			t.Fatalf("customer %+v has out-of-range outputs", c)
		}
	}
}

func checkExports(t *testing.T, res *eyes.Result) {
	t.Helper()
	total := 0
	for _, s := range res.Segments {
		exp := res.ExportableCustomers(s.ID)
		total += len(exp)
		if len(exp) != s.Exportable {
			t.Errorf("segment %s: %d exportable customers, segment says %d", s.Name, len(exp), s.Exportable)
		}
		for _, c := range exp {
			if c.Consent != omnify.ConsentGranted || c.SegmentID != s.ID {
				t.Fatalf("exported customer %+v is not a granted member of %s", c, s.ID)
			}
		}
	}
	if all := res.ExportableCustomers(""); len(all) != total || total != res.Consent.Granted {
		t.Errorf("%d exportable overall, %d by segment, %d granted", len(all), total, res.Consent.Granted)
	}
	withReasons, risky := 0, 0
	for _, c := range res.Customers {
		if len(c.Reasons) > 3 {
			t.Fatalf("customer %s has %d reasons, want at most 3", c.ID, len(c.Reasons))
		}
		if p, _ := c.ChurnAt(90); p > 0.5 {
			risky++
			withReasons += min(len(c.Reasons), 1)
		}
	}
	if risky == 0 || withReasons < risky*9/10 {
		t.Errorf("%d of %d customers at risk carry reason codes", withReasons, risky)
	}
}

func TestRunIsDeterministic(t *testing.T) {
	t.Parallel()
	in := synthInput(400, 2, synthAsOf)
	cfg := eyes.Config{Seed: 9, Horizons: []int{30, 90}, TrainCutoffs: 2}
	a := mustRun(t, in, cfg)
	b := mustRun(t, in, cfg)
	a.Timings, b.Timings = nil, nil
	for _, r := range []*eyes.Result{a, b} {
		for i := range r.Clustering.Methods {
			r.Clustering.Methods[i].Seconds = 0
		}
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("two runs with the same seed differ")
	}
}

func TestRunNotEnoughData(t *testing.T) {
	t.Parallel()
	one := eyes.Input{AsOf: synthAsOf, Customers: []eyes.Customer{{ID: "solo", Orders: []eyes.Order{{Time: synthAsOf.AddDate(0, -1, 0), Amount: 10}}}}}
	tests := []struct {
		name string
		in   eyes.Input
		want string
	}{
		{"one customer", one, "1 customers have orders"},
		{"no customers", eyes.Input{AsOf: synthAsOf}, "0 customers have orders"},
		{"only future orders", eyes.Input{AsOf: synthAsOf.AddDate(-5, 0, 0), Customers: one.Customers}, "at least 50"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustRun(t, tc.in, eyes.Config{})
			mustCleanOutputs(t, res)
			if res.Status != eyes.StatusNotEnoughData || !strings.Contains(strings.Join(res.Messages, "\n"), tc.want) {
				t.Errorf("status %s messages %q, want not enough data mentioning %q", res.Status, res.Messages, tc.want)
			}
			if len(res.Gates) == 0 || res.Gates[0].Passed {
				t.Errorf("gates %+v: want the data minimum failed", res.Gates)
			}
		})
	}
}

func TestRunIdenticalCustomers(t *testing.T) {
	t.Parallel()
	in := eyes.Input{AsOf: synthAsOf}
	for i := 0; i < 120; i++ {
		in.Customers = append(in.Customers, eyes.Customer{ID: string(rune('A'+i%26)) + strings.Repeat("x", i/26),
			Orders: []eyes.Order{{Time: synthAsOf.AddDate(0, -3, 0), Amount: 20}, {Time: synthAsOf.AddDate(0, -1, 0), Amount: 20}}})
	}
	res := mustRun(t, in, eyes.Config{})
	mustCleanOutputs(t, res)
	if res.Clustering.Chosen != "none" || len(res.Segments) != 1 || res.Segments[0].Size != 120 {
		t.Errorf("clustering %+v segments %d: identical customers form one segment", res.Clustering, len(res.Segments))
	}
	for _, g := range res.Gates {
		if g.Passed {
			t.Errorf("gate %+v passed on data with no structure and no outcomes", g)
		}
	}
	for _, m := range res.Churn {
		if m.Scored || m.Reason == "" {
			t.Errorf("%d-day churn scored on identical customers: %+v", m.HorizonDays, m)
		}
	}
}

func TestRunShortHistorySkipsLongHorizons(t *testing.T) {
	t.Parallel()
	in := synthInput(600, 4, synthAsOf)
	for i := range in.Customers {
		c := &in.Customers[i]
		c.Orders = slices.DeleteFunc(slices.Clone(c.Orders), func(o eyes.Order) bool { return o.Time.Before(synthAsOf.AddDate(0, 0, -200)) })
	}
	res := mustRun(t, in, eyes.Config{Seed: 1})
	mustCleanOutputs(t, res)
	scored := map[int]bool{}
	for _, m := range res.Churn {
		scored[m.HorizonDays] = m.Scored
		if !m.Scored && !strings.Contains(m.Reason, "not enough history") {
			t.Errorf("%d-day model not scored for reason %q", m.HorizonDays, m.Reason)
		}
	}
	if !scored[30] || scored[90] {
		t.Errorf("scored %v: 200 days of history allow a 30-day model (needs 90) but not a 90-day one (needs 210)", scored)
	}
	for _, c := range res.Customers {
		if _, ok := c.ChurnAt(90); ok {
			t.Fatal("a customer has a 90-day score although the model was not scored")
		}
	}
}

func TestRunMigrationFromPreviousResult(t *testing.T) {
	t.Parallel()
	full := synthInput(600, 5, synthAsOf)
	earlier := full
	earlier.AsOf = synthAsOf.AddDate(0, -4, 0)
	quick := eyes.Config{Seed: 1, Horizons: []int{60}, TrainCutoffs: 1}
	prev := mustRun(t, earlier, quick)
	full.Previous = prev
	res := mustRun(t, full, quick)
	m := res.Insights.Migration
	if m == nil {
		t.Fatal("no migration although a previous result was given")
	}
	moved := 0
	for _, mv := range m.Moves {
		moved += mv.Count
		if mv.From == mv.To || mv.Count <= 0 {
			t.Errorf("bad move %+v", mv)
		}
	}
	if m.Matched != len(prev.Customers)-m.Gone || m.Stayed+moved != m.Matched || m.Matched+m.New != len(res.Customers) {
		t.Errorf("migration %+v does not add up (previous %d customers, now %d)", m, len(prev.Customers), len(res.Customers))
	}
}

// withCustomers returns a copy of in whose customers (and orders) edit has
// changed, leaving in untouched.
func withCustomers(in eyes.Input, edit func([]eyes.Customer)) eyes.Input {
	cs := slices.Clone(in.Customers)
	for i := range cs {
		cs[i].Orders = slices.Clone(cs[i].Orders)
	}
	edit(cs)
	in.Customers = cs
	return in
}

func TestRunRejectsBadArguments(t *testing.T) {
	t.Parallel()
	in := synthInput(10, 1, synthAsOf)
	tests := []struct {
		name string
		in   eyes.Input
		cfg  eyes.Config
	}{
		{"no as-of", eyes.Input{Customers: in.Customers}, eyes.Config{}},
		{"zero horizon", in, eyes.Config{Horizons: []int{0}}},
		{"repeated horizon", in, eyes.Config{Horizons: []int{30, 30}}},
		{"k range", in, eyes.Config{KMin: 5, KMax: 3}},
		{"duplicate id", withCustomers(in, func(cs []eyes.Customer) { cs[1].ID = cs[0].ID }), eyes.Config{}},
		{"empty id", withCustomers(in, func(cs []eyes.Customer) { cs[2].ID = "" }), eyes.Config{}},
		{"negative amount", withCustomers(in, func(cs []eyes.Customer) { cs[0].Orders[0].Amount = -1 }), eyes.Config{}},
		{"NaN amount", withCustomers(in, func(cs []eyes.Customer) { cs[0].Orders[0].Amount = math.NaN() }), eyes.Config{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := eyes.Run(context.Background(), tc.in, tc.cfg); !errors.Is(err, eyes.ErrBadInput) {
				t.Errorf("error %v, want ErrBadInput", err)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := eyes.Run(ctx, in, eyes.Config{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: error %v, want context.Canceled", err)
	}
}

func TestRunUsesEngagementWhenPresent(t *testing.T) {
	t.Parallel()
	in := synthInput(450, 6, synthAsOf)
	for i := range in.Customers {
		if i%2 == 0 {
			in.Customers[i].Engagement = &eyes.Engagement{EmailsSent: 10, EmailOpens: i % 7, EmailClicks: i % 3, SupportTicket: i % 4}
		}
	}
	quick := eyes.Config{Seed: 1, Horizons: []int{30}, TrainCutoffs: 1}
	res := mustRun(t, in, quick)
	mustCleanOutputs(t, res)
	for _, f := range []string{"email_open_rate", "email_click_rate", "support_tickets", "subscriptions"} {
		if !slices.Contains(res.Features, f) {
			t.Errorf("features %v lack %s", res.Features, f)
		}
	}
	if m := res.Churn[0]; !slices.Contains(m.FeaturesUsed, "email_open_rate") || slices.Contains(m.FeaturesUsed, "subscriptions") {
		t.Errorf("model uses %v: want the varying engagement features, not the constant one", m.FeaturesUsed)
	}
	plain := mustRun(t, synthInput(450, 6, synthAsOf), quick)
	if slices.Contains(plain.Features, "email_open_rate") {
		t.Error("engagement features appear without engagement data")
	}
}
