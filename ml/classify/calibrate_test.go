package classify_test

import (
	"errors"
	"math"
	"testing"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/classify"
	"github.com/omnify-cloud/omnify/ml/metrics"
)

func TestIsotonicMatchesScikitLearn(t *testing.T) {
	t.Parallel()
	var g struct {
		Cases []struct {
			Name     string    `json:"name"`
			X        []float64 `json:"x"`
			Y        []int     `json:"y"`
			Query    []float64 `json:"query"`
			Expected []float64 `json:"expected"`
		} `json:"cases"`
	}
	mustGolden(t, "sklearn_isotonic.json", &g)
	for _, c := range g.Cases {
		iso, err := classify.FitIsotonic(c.X, boolLabels(c.Y))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for i, q := range c.Query {
			if got := iso.Apply(q); math.Abs(got-c.Expected[i]) > 1e-9 {
				t.Errorf("%s: Apply(%g) = %.12f, scikit-learn %.12f", c.Name, q, got, c.Expected[i])
			}
		}
		for k := 1; k < len(iso.Y); k++ {
			if iso.Y[k] < iso.Y[k-1] {
				t.Fatalf("%s: fit decreases at knot %d", c.Name, k)
			}
		}
	}
}

func TestPlattMatchesScikitLearn(t *testing.T) {
	t.Parallel()
	var g struct {
		Scores []float64 `json:"scores"`
		Y      []int     `json:"y"`
		A, B   float64
	}
	mustGolden(t, "sklearn_platt.json", &g)
	p, err := classify.FitPlatt(g.Scores, boolLabels(g.Y))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p.A-g.A) > 1e-4 || math.Abs(p.B-g.B) > 1e-4 {
		t.Fatalf("A, B = %.6f, %.6f; scikit-learn %.6f, %.6f", p.A, p.B, g.A, g.B)
	}
}

// TestCalibrationRepairsOverconfidence squashes a good ranking into
// overconfident probabilities and checks each calibrator brings the Brier
// score back down without changing the ranking much.
func TestCalibrationRepairsOverconfidence(t *testing.T) {
	t.Parallel()
	X, y := synthetic(8000, 4, 1.5, 81)
	m, err := classify.FitLogistic(X, y, classify.DefaultLogisticConfig())
	if err != nil {
		t.Fatal(err)
	}
	over := overconfident{m}
	p := over.PredictProba(X)
	raw := mustBrier(t, y, p)
	platt, err := classify.FitPlattProba(p, y)
	if err != nil {
		t.Fatal(err)
	}
	iso, err := classify.FitIsotonic(p, y)
	if err != nil {
		t.Fatal(err)
	}
	for name, cal := range map[string]classify.Calibrator{"platt": platt, "isotonic": iso} {
		c := classify.Calibrated{Base: over, Cal: cal}
		pc := c.PredictProba(X)
		if got := mustBrier(t, y, pc); got >= raw-0.01 {
			t.Errorf("%s: Brier %g, uncalibrated %g", name, got, raw)
		}
		if math.Abs(mustAUC(t, y, pc)-mustAUC(t, y, p)) > 0.01 {
			t.Errorf("%s changed the ranking", name)
		}
		if c.NumFeatures() != 4 {
			t.Errorf("%s: NumFeatures %d", name, c.NumFeatures())
		}
		if v := cal.Apply(math.NaN()); math.IsNaN(v) {
			t.Errorf("%s: NaN in gives NaN out", name)
		}
	}
}

func mustBrier(t *testing.T, y []bool, p []float64) float64 {
	t.Helper()
	b, err := metrics.Brier(y, p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// overconfident triples a model's log-odds.
type overconfident struct{ classify.Model }

func (o overconfident) PredictProba(X *ml.Matrix) []float64 {
	p := o.Model.PredictProba(X)
	for i, v := range p {
		p[i] = 1 / (1 + math.Pow((1-v)/v, 3))
	}
	return p
}

func TestCalibratorErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    []float64
		y    []bool
		want error
	}{
		{"empty", nil, nil, classify.ErrEmpty},
		{"length", []float64{0.1, 0.2}, []bool{true}, classify.ErrShape},
		{"single class", []float64{0.1, 0.2}, []bool{true, true}, classify.ErrSingleClass},
		{"nan", []float64{math.NaN(), 0.2}, []bool{true, false}, classify.ErrNonFinite},
	}
	for _, tc := range tests {
		if _, err := classify.FitPlatt(tc.p, tc.y); !errors.Is(err, tc.want) {
			t.Errorf("platt %s: error %v, want %v", tc.name, err, tc.want)
		}
		if _, err := classify.FitIsotonic(tc.p, tc.y); !errors.Is(err, tc.want) {
			t.Errorf("isotonic %s: error %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := classify.FitPlatt([]float64{0.3, 0.3, 0.3}, []bool{true, false, true}); err == nil {
		t.Error("platt accepted constant scores")
	}
}
