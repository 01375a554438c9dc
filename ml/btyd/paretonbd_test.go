package btyd_test

import (
	"math"
	"testing"

	"github.com/omnify-cloud/omnify/ml/btyd"
)

// publishedPareto is the Pareto/NBD fit of the CDNOW sample (weeks).
var publishedPareto = &btyd.ParetoNBD{R: 0.5534, Alpha: 10.5802, S: 0.6061, Beta: 11.6562}

func TestParetoNBDRecoversSimulatedParameters(t *testing.T) {
	t.Parallel()
	want := []float64{0.9, 8, 0.7, 12}
	data := simulateParetoNBD(10000, want[0], want[1], want[2], want[3], 30, 78, 3)
	m, err := btyd.FitParetoNBD(data, btyd.FitOptions{Seed: 2, Starts: 2})
	if err != nil {
		t.Fatal(err)
	}
	got := []float64{m.R, m.Alpha, m.S, m.Beta}
	for i, name := range []string{"r", "alpha", "s", "beta"} {
		if rel := math.Abs(got[i]-want[i]) / want[i]; rel > 0.25 {
			t.Errorf("%s = %.4g, simulated with %.4g", name, got[i], want[i])
		}
	}
}

func TestParetoNBDPAliveProperties(t *testing.T) {
	t.Parallel()
	models := []*btyd.ParetoNBD{
		publishedPareto,
		{R: 0.5, Alpha: 2, S: 1, Beta: 80},   // α < β, far apart: argument near 1
		{R: 2, Alpha: 90, S: 0.3, Beta: 1.5}, // α > β
	}
	for _, m := range models {
		for x := 0.0; x <= 30; x += 3 {
			prev := -1.0
			for tx := 0.0; tx <= 39; tx += 3 {
				if x == 0 && tx > 0 {
					break
				}
				p := m.PAlive(x, tx, 39)
				if !(p >= 0 && p <= 1) {
					t.Fatalf("%+v: PAlive(%g,%g,39) = %g outside [0,1]", *m, x, tx, p)
				}
				if p < prev-1e-12 {
					t.Errorf("%+v: PAlive falls from %g to %g as t_x rises to %g (x=%g)", *m, prev, p, tx, x)
				}
				prev = p
			}
		}
		if p := m.PAlive(0, 0, 0); math.Abs(p-1) > 1e-12 {
			t.Errorf("%+v: a customer just acquired has PAlive %g", *m, p)
		}
	}
}

func TestParetoNBDExpectedPurchases(t *testing.T) {
	t.Parallel()
	m := publishedPareto
	for _, c := range []btyd.RFM{{X: 0, T: 38.86}, {X: 2, TX: 30.43, T: 38.86}, {X: 12, TX: 37, T: 39}} {
		prev := 0.0
		for h := 1.0; h <= 104; h *= 2 {
			e := m.ExpectedPurchases(h, c.X, c.TX, c.T)
			if e < prev || math.IsNaN(e) {
				t.Errorf("%+v: E[purchases in %g] = %g, previous horizon %g", c, h, e, prev)
			}
			prev = e
		}
	}
	unit := &btyd.ParetoNBD{R: 0.5, Alpha: 10, S: 1, Beta: 12}
	lo := &btyd.ParetoNBD{R: 0.5, Alpha: 10, S: 1 - 1e-6, Beta: 12}
	if a, b := unit.ExpectedPurchases(20, 3, 15, 30), lo.ExpectedPurchases(20, 3, 15, 30); math.Abs(a-b) > 1e-5*a {
		t.Errorf("s = 1 gives %g, s just below 1 gives %g", a, b)
	}
}
