package classify_test

import (
	"errors"
	"math"
	"testing"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/classify"
)

type logisticGolden struct {
	X    [][]float64 `json:"X"`
	Y    []int       `json:"y"`
	Fits []struct {
		C         float64   `json:"C"`
		Balanced  bool      `json:"balanced"`
		Coef      []float64 `json:"coef"`
		Intercept float64   `json:"intercept"`
		Proba     []float64 `json:"proba"`
	} `json:"fits"`
}

func TestLogisticMatchesScikitLearn(t *testing.T) {
	t.Parallel()
	var g logisticGolden
	mustGolden(t, "sklearn_logistic.json", &g)
	X, y := mustMatrix(t, g.X), boolLabels(g.Y)
	for _, fit := range g.Fits {
		cfg := classify.DefaultLogisticConfig()
		cfg.C = fit.C
		if fit.Balanced {
			cfg.ClassWeight = classify.BalancedWeights(y)
		}
		m, err := classify.FitLogistic(X, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Converged {
			t.Errorf("C=%g: not converged after %d iterations", fit.C, m.Iterations)
		}
		for j, want := range fit.Coef {
			if math.Abs(m.Coef[j]-want) > 1e-4 {
				t.Errorf("C=%g balanced=%v coef[%d] = %.6f, scikit-learn %.6f", fit.C, fit.Balanced, j, m.Coef[j], want)
			}
		}
		if math.Abs(m.Intercept-fit.Intercept) > 1e-4 {
			t.Errorf("C=%g intercept = %.6f, scikit-learn %.6f", fit.C, m.Intercept, fit.Intercept)
		}
		for i, p := range m.PredictProba(X) {
			if math.Abs(p-fit.Proba[i]) > 1e-4 {
				t.Fatalf("C=%g proba[%d] = %g, scikit-learn %g", fit.C, i, p, fit.Proba[i])
			}
		}
	}
}

func TestLogisticWorkersDoNotChangeTheFit(t *testing.T) {
	t.Parallel()
	X, y := synthetic(30000, 6, 1, 3)
	cfg := classify.DefaultLogisticConfig()
	cfg.Workers = 1
	a, err := classify.FitLogistic(X, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 4
	b, err := classify.FitLogistic(X, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for j := range a.Coef {
		if a.Coef[j] != b.Coef[j] {
			t.Fatalf("coef[%d]: %v with 1 worker, %v with 4", j, a.Coef[j], b.Coef[j])
		}
	}
}

func TestLogisticContributionsSumToLogOdds(t *testing.T) {
	t.Parallel()
	X, y := synthetic(2000, 4, 1, 5)
	m, err := classify.FitLogistic(X, y, classify.DefaultLogisticConfig())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		x := X.Row(i)
		sum := m.Intercept
		for _, c := range m.Contributions(x) {
			sum += c
		}
		if math.Abs(sum-m.Decision(x)) > 1e-12 {
			t.Fatalf("row %d: contributions sum %g, log-odds %g", i, sum, m.Decision(x))
		}
	}
	withNaN := X.Clone()
	withNaN.Set(0, 2, math.NaN())
	if p := m.PredictProba(withNaN)[0]; math.IsNaN(p) {
		t.Fatal("NaN feature gave a NaN probability")
	}
	if m.PredictProba(ml.NewMatrix(1, 3)) != nil {
		t.Fatal("PredictProba accepted the wrong width")
	}
}

func TestLogisticErrors(t *testing.T) {
	t.Parallel()
	good := mustMatrix(t, [][]float64{{1, 2}, {2, 1}, {3, 5}, {4, 3}})
	labels := []bool{false, true, false, true}
	tests := []struct {
		name string
		X    *ml.Matrix
		y    []bool
		cfg  classify.LogisticConfig
		want error
	}{
		{"nil matrix", nil, labels, classify.DefaultLogisticConfig(), classify.ErrEmpty},
		{"no rows", ml.NewMatrix(0, 2), nil, classify.DefaultLogisticConfig(), classify.ErrEmpty},
		{"label count", good, labels[:3], classify.DefaultLogisticConfig(), classify.ErrShape},
		{"single class", good, []bool{true, true, true, true}, classify.DefaultLogisticConfig(), classify.ErrSingleClass},
		{"constant feature", mustMatrix(t, [][]float64{{1, 7}, {2, 7}, {3, 7}, {4, 7}}), labels, classify.DefaultLogisticConfig(), classify.ErrConstantFeature},
		{"nan feature", mustMatrix(t, [][]float64{{1, 2}, {math.NaN(), 1}, {3, 5}, {4, 3}}), labels, classify.DefaultLogisticConfig(), classify.ErrNonFinite},
		{"inf feature", mustMatrix(t, [][]float64{{1, 2}, {math.Inf(1), 1}, {3, 5}, {4, 3}}), labels, classify.DefaultLogisticConfig(), classify.ErrNonFinite},
		{"bad data length", &ml.Matrix{Rows: 4, Cols: 2, Data: make([]float64, 5)}, labels, classify.DefaultLogisticConfig(), classify.ErrShape},
	}
	for _, tc := range tests {
		if _, err := classify.FitLogistic(tc.X, tc.y, tc.cfg); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
	bad := classify.DefaultLogisticConfig()
	bad.C = -1
	if _, err := classify.FitLogistic(good, labels, bad); err == nil {
		t.Error("negative C accepted")
	}
}
