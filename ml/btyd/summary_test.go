package btyd_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/ml/btyd"
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	end := day("2024-03-31T00:00:00Z")
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	txns := []btyd.Transaction{
		{"a", day("2024-01-01T09:00:00Z"), 10},
		{"a", day("2024-01-01T18:00:00Z"), 5}, // same day as the first: merged
		{"a", day("2024-01-15T12:00:00Z"), 20},
		{"a", day("2024-01-29T12:00:00Z"), 40},
		{"a", day("2024-04-01T00:00:00Z"), 99}, // after calibration
		{"b", day("2024-03-31T23:59:00Z"), 7},  // first purchase on the last day
		{"c", day("2024-04-02T10:00:00Z"), 7},  // first purchase after calibration
		{"d", day("2024-03-01T10:00:00Z").In(paris), 3},
		{"d", time.Date(2024, 3, 31, 1, 30, 0, 0, paris), 6}, // still March 31 in Paris
	}
	tests := []struct {
		unit btyd.TimeUnit
		want map[string]btyd.RFM
	}{
		{btyd.Day, map[string]btyd.RFM{
			"a": {X: 2, TX: 28, T: 90, Monetary: 30},
			"b": {X: 0, TX: 0, T: 0},
			"d": {X: 1, TX: 30, T: 30, Monetary: 6},
		}},
		{btyd.Week, map[string]btyd.RFM{
			"a": {X: 2, TX: 4, T: 90.0 / 7, Monetary: 30},
			"b": {X: 0, TX: 0, T: 0},
			"d": {X: 1, TX: 30.0 / 7, T: 30.0 / 7, Monetary: 6},
		}},
	}
	for _, tt := range tests {
		got, err := btyd.Summarize(txns, end, tt.unit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("%v: got %d customers %+v, want %d", tt.unit, len(got), got, len(tt.want))
		}
		for i, c := range got {
			if i > 0 && got[i-1].ID >= c.ID {
				t.Errorf("summaries not sorted by ID: %q before %q", got[i-1].ID, c.ID)
			}
			w := tt.want[c.ID]
			if math.Abs(c.X-w.X)+math.Abs(c.TX-w.TX)+math.Abs(c.T-w.T)+math.Abs(c.Monetary-w.Monetary) > 1e-12 {
				t.Errorf("%v customer %s: got %+v, want %+v", tt.unit, c.ID, c.RFM, w)
			}
		}
	}
}

func TestSummarizeErrors(t *testing.T) {
	t.Parallel()
	now := day("2024-01-01T00:00:00Z")
	tests := []struct {
		name string
		txns []btyd.Transaction
		unit btyd.TimeUnit
	}{
		{"unknown unit", []btyd.Transaction{{"a", now, 1}}, btyd.TimeUnit(9)},
		{"empty customer id", []btyd.Transaction{{"", now, 1}}, btyd.Day},
		{"NaN amount", []btyd.Transaction{{"a", now, math.NaN()}}, btyd.Week},
		{"infinite amount", []btyd.Transaction{{"a", now, math.Inf(1)}}, btyd.Week},
	}
	for _, tt := range tests {
		if _, err := btyd.Summarize(tt.txns, now, tt.unit); !errors.Is(err, btyd.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", tt.name, err)
		}
	}
}

func TestParseTimeUnit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		want     btyd.TimeUnit
		perMonth float64
		ok       bool
	}{
		{"week", btyd.Week, 365.25 / 12 / 7, true},
		{" Days ", btyd.Day, 365.25 / 12, true},
		{"month", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		got, err := btyd.ParseTimeUnit(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTimeUnit(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, btyd.ErrInvalidInput) {
			t.Errorf("ParseTimeUnit(%q) error %v does not wrap ErrInvalidInput", tt.in, err)
		}
		if pm := got.PerMonth(); math.Abs(pm-tt.perMonth) > 1e-12 {
			t.Errorf("%v.PerMonth() = %g, want %g", got, pm, tt.perMonth)
		}
	}
}
