package btyd_test

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/omnify-cloud/omnify/ml/btyd"
)

// TestHyp2F1MatchesReference checks the hypergeometric function against values
// from mpmath at 40 digits, including z near 1, integer c-a-b and z < 0.
func TestHyp2F1MatchesReference(t *testing.T) {
	t.Parallel()
	for _, row := range readGolden(t, "testdata/hyp2f1.csv") {
		a, b, c, z, want := row[0], row[1], row[2], row[3], row[4]
		got := btyd.Hyp2F1(a, b, c, z)
		if rel := math.Abs(got-want) / math.Max(1, math.Abs(want)); !(rel < 1e-8) {
			t.Errorf("2F1(%g,%g;%g;%g) = %.15g, want %.15g (rel err %.2g)", a, b, c, z, got, want, rel)
		}
	}
}

func TestHyp2F1OutsideDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		a, b, c, z float64
	}{
		{"z at 1", 1, 1, 3, 1},
		{"z above 1", 1, 1, 3, 2},
		{"c a pole", 1, 1, -2, 0.5},
		{"NaN", math.NaN(), 1, 2, 0.5},
	}
	for _, tt := range tests {
		if got := btyd.Hyp2F1(tt.a, tt.b, tt.c, tt.z); !math.IsNaN(got) {
			t.Errorf("%s: got %g, want NaN", tt.name, got)
		}
	}
}

// readGolden parses a numeric CSV with one comment line and a header.
func readGolden(t *testing.T, path string) [][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, rec := range recs[1:] {
		row := make([]float64, len(rec))
		for i, s := range rec {
			if row[i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		out = append(out, row)
	}
	return out
}

// TestLogHyp2F1BeyondFloatRange checks the log-scale evaluation where
// 2F1 itself overflows float64, as it does for very frequent buyers.
func TestLogHyp2F1BeyondFloatRange(t *testing.T) {
	t.Parallel()
	for _, row := range readGolden(t, "testdata/hyp2f1_log.csv") {
		a, b, c, z, want := row[0], row[1], row[2], row[3], row[4]
		got, sign := btyd.LogHyp2F1(a, b, c, z)
		if sign != 1 || !(math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))) {
			t.Errorf("log 2F1(%g,%g;%g;%g) = %.15g (sign %g), want %.15g", a, b, c, z, got, sign, want)
		}
	}
}

// TestBGNBDFrequentBuyer covers customers whose terms overflow float64.
func TestBGNBDFrequentBuyer(t *testing.T) {
	t.Parallel()
	for _, x := range []float64{500, 2000, 10000} {
		e := published.ExpectedPurchases(52, x, 103, 104)
		if math.IsNaN(e) || e <= 0 || e > 52*x/104*1.5 {
			t.Errorf("x=%g: E[purchases in 52 weeks] = %g", x, e)
		}
	}
}

// TestHyp2F1NeverWrongWhenInaccurate checks 2F1(1, B; C; z) with C > B > 0,
// which lies in [1, 1/(1-z)], over huge parameters where the connection
// formula loses its digits: the result must be NaN or within the bounds,
// never a confident wrong value.
func TestHyp2F1NeverWrongWhenInaccurate(t *testing.T) {
	t.Parallel()
	for _, big := range []float64{10, 1e3, 1e5, 1e7, 1e9} {
		for _, gap := range []float64{0.5, 3.7, 379.48} {
			for _, y := range []float64{0.2, 1e-3, 4.1e-5, 1e-7} {
				z := 1 - y
				v := btyd.Hyp2F1(1, big, big+gap, z)
				if !math.IsNaN(v) && (v < 1-1e-9 || v > (1+1e-9)/y) {
					t.Errorf("2F1(1,%g;%g;%g) = %g outside [1, %g]", big, big+gap, z, v, 1/y)
				}
			}
		}
	}
}
