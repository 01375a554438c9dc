package btyd_test

import (
	"errors"
	"math"
	"testing"

	"github.com/omnify-cloud/omnify/ml/btyd"
)

// published is the BG/NBD fit of the CDNOW sample (weeks).
var published = &btyd.BGNBD{R: 0.2426, Alpha: 4.4135, A: 0.7929, B: 2.4258}

func TestBGNBDRecoversSimulatedParameters(t *testing.T) {
	t.Parallel()
	want := []float64{0.8, 6, 1.4, 4}
	data := simulateBGNBD(30000, want[0], want[1], want[2], want[3], 20, 52, 7)
	m, err := btyd.FitBGNBD(data, btyd.FitOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := []float64{m.R, m.Alpha, m.A, m.B}
	for i, name := range []string{"r", "alpha", "a", "b"} {
		if rel := math.Abs(got[i]-want[i]) / want[i]; rel > 0.15 {
			t.Errorf("%s = %.4g, simulated with %.4g", name, got[i], want[i])
		}
	}
}

// TestBGNBDUnconditionalMatchesSimulation compares E[X(t)] of a new
// customer with the mean count of a large simulated cohort.
func TestBGNBDUnconditionalMatchesSimulation(t *testing.T) {
	t.Parallel()
	for _, horizon := range []float64{4, 26, 78} {
		data := simulateBGNBD(200000, published.R, published.Alpha, published.A, published.B, horizon, horizon, 11)
		mean := 0.0
		for _, c := range data {
			mean += c.X / float64(len(data))
		}
		if got := published.ExpectedPurchasesNew(horizon); math.Abs(got-mean) > 0.02*mean+0.005 {
			t.Errorf("E[X(%g)] = %.4f, simulation gives %.4f", horizon, got, mean)
		}
	}
}

func TestBGNBDPAliveProperties(t *testing.T) {
	t.Parallel()
	if got := published.PAlive(0, 0, 38); got != 1 {
		t.Errorf("PAlive without repeat purchases = %g, want 1", got)
	}
	for x := 1.0; x <= 20; x++ {
		prev := -1.0
		for tx := 0.0; tx <= 39; tx += 3 {
			p := published.PAlive(x, tx, 39)
			if p < 0 || p > 1 || math.IsNaN(p) {
				t.Fatalf("PAlive(%g,%g,39) = %g outside [0,1]", x, tx, p)
			}
			if p < prev {
				t.Errorf("PAlive falls from %g to %g as t_x rises to %g (x=%g)", prev, p, tx, x)
			}
			prev = p
		}
		if older := published.PAlive(x, 10, 60); older >= published.PAlive(x, 10, 30) {
			t.Errorf("PAlive does not fall with time since the last purchase (x=%g)", x)
		}
	}
}

func TestBGNBDExpectedPurchasesProperties(t *testing.T) {
	t.Parallel()
	for _, c := range []btyd.RFM{{X: 0, TX: 0, T: 38.86}, {X: 2, TX: 30.43, T: 38.86}, {X: 15, TX: 38, T: 39}, {X: 3, TX: 2, T: 39}} {
		prev := 0.0
		for h := 1.0; h <= 104; h *= 2 {
			e := published.ExpectedPurchases(h, c.X, c.TX, c.T)
			if e < prev || math.IsNaN(e) {
				t.Errorf("%+v: E[purchases in %g] = %g, previous horizon %g", c, h, e, prev)
			}
			prev = e
		}
	}
	if a, b := published.ExpectedPurchases(39, 10, 38, 39), published.ExpectedPurchases(39, 10, 5, 39); a <= b {
		t.Errorf("recent buyer expects %g purchases, lapsed buyer %g", a, b)
	}
	if e := published.ExpectedPurchases(0, 2, 30, 39); e != 0 {
		t.Errorf("zero horizon gives %g", e)
	}
}

// TestBGNBDNearUnitA covers the removable singularity at a = 1.
func TestBGNBDNearUnitA(t *testing.T) {
	t.Parallel()
	at := func(a float64) float64 {
		m := &btyd.BGNBD{R: 0.5, Alpha: 5, A: a, B: 2}
		return m.ExpectedPurchases(20, 3, 15, 30) + m.ExpectedPurchasesNew(20)
	}
	mid, lo, hi := at(1), at(0.999), at(1.001)
	if math.IsNaN(mid) || math.Abs(mid-(lo+hi)/2) > 1e-3*mid {
		t.Errorf("a=1 gives %g, neighbours %g and %g", mid, lo, hi)
	}
}

func TestFitBGNBDDeterministicAndSampled(t *testing.T) {
	t.Parallel()
	data := simulateBGNBD(12000, 0.5, 5, 1, 3, 10, 52, 5)
	opts := btyd.FitOptions{Seed: 9, MaxSample: 8000}
	m1, err1 := btyd.FitBGNBD(data, opts)
	m2, err2 := btyd.FitBGNBD(data, opts)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if *m1 != *m2 {
		t.Errorf("same seed, different fits: %+v vs %+v", *m1, *m2)
	}
	if m1.SampleSize != 8000 {
		t.Errorf("SampleSize = %d, want 8000", m1.SampleSize)
	}
}

func TestFitErrors(t *testing.T) {
	t.Parallel()
	ok := simulateBGNBD(50, 0.5, 5, 1, 3, 10, 52, 5)
	with := func(i int, c btyd.RFM) []btyd.RFM {
		d := append([]btyd.RFM(nil), ok...)
		d[i] = c
		return d
	}
	noRepeat := make([]btyd.RFM, 50)
	for i := range noRepeat {
		noRepeat[i] = btyd.RFM{T: float64(i + 1)}
	}
	tests := []struct {
		name string
		data []btyd.RFM
		want error
	}{
		{"empty", nil, btyd.ErrInsufficientData},
		{"too few customers", ok[:5], btyd.ErrInsufficientData},
		{"no repeat buyers", noRepeat, btyd.ErrInsufficientData},
		{"no observation time", make([]btyd.RFM, 20), btyd.ErrInsufficientData},
		{"negative frequency", with(3, btyd.RFM{X: -1, T: 5}), btyd.ErrInvalidInput},
		{"recency after age", with(3, btyd.RFM{X: 2, TX: 6, T: 5}), btyd.ErrInvalidInput},
		{"recency without repeats", with(3, btyd.RFM{X: 0, TX: 1, T: 5}), btyd.ErrInvalidInput},
		{"NaN age", with(3, btyd.RFM{X: 1, TX: 1, T: math.NaN()}), btyd.ErrInvalidInput},
		{"infinite frequency", with(3, btyd.RFM{X: math.Inf(1), TX: 1, T: 5}), btyd.ErrInvalidInput},
	}
	for _, tt := range tests {
		if _, err := btyd.FitBGNBD(tt.data, btyd.FitOptions{}); !errors.Is(err, tt.want) {
			t.Errorf("bgnbd %s: err = %v, want %v", tt.name, err, tt.want)
		}
		if _, err := btyd.FitParetoNBD(tt.data, btyd.FitOptions{}); !errors.Is(err, tt.want) {
			t.Errorf("pareto/nbd %s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func BenchmarkFitBGNBD100k(b *testing.B) {
	data := simulateBGNBD(100000, 0.25, 4.4, 0.8, 2.4, 1, 104, 1)
	for b.Loop() {
		if _, err := btyd.FitBGNBD(data, btyd.FitOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitBGNBD1M(b *testing.B) {
	data := simulateBGNBD(1000000, 0.25, 4.4, 0.8, 2.4, 1, 104, 1)
	for b.Loop() {
		if _, err := btyd.FitBGNBD(data, btyd.FitOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScoreBGNBD1M scores a million customers with PAlive and a
// 13-week purchase forecast.
func BenchmarkScoreBGNBD1M(b *testing.B) {
	data := simulateBGNBD(1000000, 0.25, 4.4, 0.8, 2.4, 1, 104, 1)
	for b.Loop() {
		sum := 0.0
		for _, c := range data {
			sum += published.PAlive(c.X, c.TX, c.T) + published.ExpectedPurchases(13, c.X, c.TX, c.T)
		}
		if math.IsNaN(sum) {
			b.Fatal("NaN score")
		}
	}
}

// TestBGNBDPaperExample reproduces the worked example of Fader, Hardie &
// Lee (2005): a customer with x = 2, t_x = 30.43, T = 38.86 is expected to
// make 1.226 purchases in the next 39 weeks.
func TestBGNBDPaperExample(t *testing.T) {
	t.Parallel()
	if got := published.ExpectedPurchases(39, 2, 30.43, 38.86); math.Abs(got-1.226) > 0.0005 {
		t.Errorf("E[Y(39) | 2, 30.43, 38.86] = %.4f, paper reports 1.226", got)
	}
}
