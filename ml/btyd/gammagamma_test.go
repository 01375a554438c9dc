package btyd_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/omnify-cloud/omnify/ml/btyd"
)

// simulateSpend draws n repeat buyers' frequencies and mean spends from a
// Gamma-Gamma process.
func simulateSpend(n int, p, q, gamma float64, seed uint64) (freq, mean []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	for i := 0; i < n; i++ {
		x := float64(1 + rng.IntN(8))
		nu := gammaRand(rng, q, gamma)
		sum := 0.0
		for j := 0.0; j < x; j++ {
			sum += gammaRand(rng, p, nu)
		}
		freq, mean = append(freq, x), append(mean, sum/x)
	}
	return freq, mean
}

func TestGammaGammaRecoversSimulatedParameters(t *testing.T) {
	t.Parallel()
	freq, mean := simulateSpend(20000, 6, 4, 15, 4)
	g, err := btyd.FitGammaGamma(freq, mean)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p", g.P, 6}, {"q", g.Q, 4}, {"gamma", g.Gamma, 15}} {
		if math.Abs(c.got-c.want)/c.want > 0.1 {
			t.Errorf("%s = %.4g, simulated with %g", c.name, c.got, c.want)
		}
	}
}

func TestGammaGammaExpectedAverageValueShrinks(t *testing.T) {
	t.Parallel()
	g := &btyd.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	pop := g.PopulationMeanValue()
	if want := 6.25 * 15.44 / 2.74; math.Abs(pop-want) > 1e-9 {
		t.Errorf("population mean %g, want pγ/(q-1) = %g", pop, want)
	}
	for _, own := range []float64{5, 200} {
		prevGap := math.Inf(1)
		for x := 1.0; x <= 64; x *= 2 {
			v := g.ExpectedAverageValue(x, own)
			if v < math.Min(pop, own) || v > math.Max(pop, own) {
				t.Errorf("E[value | x=%g, m=%g] = %g outside [%g, %g]", x, own, v, pop, own)
			}
			gap := math.Abs(v - own)
			if gap >= prevGap {
				t.Errorf("more transactions do not move the estimate toward the customer's mean (x=%g)", x)
			}
			prevGap = gap
		}
	}
	if v := (&btyd.GammaGamma{P: 1, Q: 0.8, Gamma: 2}).ExpectedAverageValue(3, 10); !math.IsNaN(v) {
		t.Errorf("q <= 1 (no finite mean) gives %g, want NaN", v)
	}
}

func TestFitGammaGammaErrors(t *testing.T) {
	t.Parallel()
	freq, mean := simulateSpend(30, 6, 4, 15, 5)
	set := func(v []float64, i int, x float64) []float64 {
		out := append([]float64(nil), v...)
		out[i] = x
		return out
	}
	same := make([]float64, 30)
	for i := range same {
		same[i] = 9.99
	}
	tests := []struct {
		name       string
		freq, mean []float64
		want       error
	}{
		{"length mismatch", freq, mean[:10], btyd.ErrInvalidInput},
		{"too few repeat buyers", freq[:5], mean[:5], btyd.ErrInsufficientData},
		{"no repeat buyers", make([]float64, 30), mean, btyd.ErrInsufficientData},
		{"zero spend", freq, set(mean, 4, 0), btyd.ErrInvalidInput},
		{"NaN spend", freq, set(mean, 4, math.NaN()), btyd.ErrInvalidInput},
		{"negative frequency", set(freq, 2, -1), mean, btyd.ErrInvalidInput},
		{"identical spends", freq, same, btyd.ErrInsufficientData},
	}
	for _, tt := range tests {
		if _, err := btyd.FitGammaGamma(tt.freq, tt.mean); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestCLV(t *testing.T) {
	t.Parallel()
	bg := published
	gg := &btyd.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	c := btyd.RFM{X: 4, TX: 30, T: 39, Monetary: 40}
	const weeksPerMonth = 52.0 / 12
	undiscounted := btyd.CLV(bg, gg, c, 12, 0, weeksPerMonth)
	want := gg.ExpectedAverageValue(c.X, c.Monetary) * bg.ExpectedPurchases(12*weeksPerMonth, c.X, c.TX, c.T)
	if math.Abs(undiscounted-want) > 1e-9*want {
		t.Errorf("undiscounted CLV %g, want value × expected purchases = %g", undiscounted, want)
	}
	discounted := btyd.CLV(bg, gg, c, 12, 0.01, weeksPerMonth)
	if !(discounted < undiscounted && discounted > 0) {
		t.Errorf("discounted CLV %g not in (0, %g)", discounted, undiscounted)
	}
	if longer := btyd.CLV(bg, gg, c, 24, 0.01, weeksPerMonth); longer <= discounted {
		t.Errorf("24-month CLV %g not above 12-month %g", longer, discounted)
	}
	if lapsed := btyd.CLV(bg, gg, btyd.RFM{X: 4, TX: 3, T: 39, Monetary: 40}, 12, 0.01, weeksPerMonth); lapsed >= discounted {
		t.Errorf("lapsed customer CLV %g not below active customer %g", lapsed, discounted)
	}
	for _, bad := range []float64{btyd.CLV(nil, gg, c, 12, 0.01, 4), btyd.CLV(bg, gg, c, 12, -1, 4), btyd.CLV(bg, gg, c, 12, 0.01, 0)} {
		if !math.IsNaN(bad) {
			t.Errorf("invalid arguments give %g, want NaN", bad)
		}
	}
}

func TestParamsKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		params map[string]float64
		want   map[string]float64
	}{
		{"bgnbd", published.Params(), map[string]float64{"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}},
		{"paretonbd", publishedPareto.Params(), map[string]float64{"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562}},
		{"gammagamma", (&btyd.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}).Params(), map[string]float64{"p": 6.25, "q": 3.74, "gamma": 15.44}},
	}
	for _, tt := range tests {
		if len(tt.params) != len(tt.want) {
			t.Errorf("%s: params %v, want keys of %v", tt.name, tt.params, tt.want)
		}
		for k, v := range tt.want {
			if tt.params[k] != v {
				t.Errorf("%s: params[%q] = %g, want %g", tt.name, k, tt.params[k], v)
			}
		}
	}
}
