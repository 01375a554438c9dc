package classify_test

import (
	"errors"
	"math"
	"testing"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/classify"
	"github.com/omnify-cloud/omnify/ml/metrics"
)

type gbtGolden struct {
	TrainX      [][]float64 `json:"train_X"`
	TrainY      []int       `json:"train_y"`
	TestX       [][]float64 `json:"test_X"`
	TestY       []int       `json:"test_y"`
	SklearnAUC  float64     `json:"sklearn_test_auc"`
	SklearnP    []float64   `json:"sklearn_test_proba"`
	LogisticAUC float64     `json:"logistic_test_auc"`
}

func mustAUC(tb testing.TB, y []bool, p []float64) float64 {
	tb.Helper()
	auc, err := metrics.ROCAUC(y, p)
	if err != nil {
		tb.Fatal(err)
	}
	return auc
}

func TestGBTMatchesScikitLearnAUC(t *testing.T) {
	t.Parallel()
	var g gbtGolden
	mustGolden(t, "sklearn_gbt.json", &g)
	m, err := classify.FitGBT(mustMatrix(t, g.TrainX), boolLabels(g.TrainY), classify.GBTConfig{})
	if err != nil {
		t.Fatal(err)
	}
	auc := mustAUC(t, boolLabels(g.TestY), m.PredictProba(mustMatrix(t, g.TestX)))
	t.Logf("test AUC %.6f, scikit-learn %.6f, logistic %.6f", auc, g.SklearnAUC, g.LogisticAUC)
	if math.Abs(auc-g.SklearnAUC) > 0.02 {
		t.Fatalf("test AUC %.4f, scikit-learn HistGradientBoosting %.4f", auc, g.SklearnAUC)
	}
	var worst float64
	for i, p := range m.PredictProba(mustMatrix(t, g.TestX)) {
		worst = max(worst, math.Abs(p-g.SklearnP[i]))
	}
	// Same binning, gain and leaf rules as scikit-learn give the same trees.
	if worst > 1e-6 {
		t.Errorf("test-set probabilities differ from scikit-learn by up to %.3g", worst)
	}
	if m.BestIter != 200 || m.NumTrees() != 200 {
		t.Fatalf("without validation all 200 rounds should be kept, got BestIter %d, %d trees", m.BestIter, m.NumTrees())
	}
}

func TestGBTDeterministicAcrossWorkers(t *testing.T) {
	t.Parallel()
	X, y := synthetic(20000, 5, 1, 21)
	fit := func(workers int) []float64 {
		m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 30, Workers: workers, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		return m.PredictProba(X)
	}
	a, b, c := fit(1), fit(3), fit(1)
	for i := range a {
		if a[i] != b[i] || a[i] != c[i] {
			t.Fatalf("row %d: %v (1 worker) %v (3 workers) %v (1 worker again)", i, a[i], b[i], c[i])
		}
	}
}

func TestGBTEarlyStoppingStopsOnNoise(t *testing.T) {
	t.Parallel()
	// Heavy label noise: the validation loss bottoms out long before 300 rounds.
	X, y := synthetic(6000, 6, 4, 31)
	VX, vy := synthetic(3000, 6, 4, 32)
	m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 300, LearningRate: 0.3, ValidX: VX, ValidY: vy})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BestIter %d of %d rounds grown", m.BestIter, m.Iterations)
	if m.BestIter >= 300 || m.Iterations >= 300 {
		t.Fatalf("early stopping did not stop: BestIter %d, Iterations %d", m.BestIter, m.Iterations)
	}
	if m.Iterations != m.BestIter+10 {
		t.Errorf("stopped after %d rounds, want BestIter %d + 10 patience", m.Iterations, m.BestIter)
	}
	if m.NumTrees() != m.BestIter || len(m.ValidLoss) != m.Iterations {
		t.Errorf("kept %d trees and %d losses for BestIter %d", m.NumTrees(), len(m.ValidLoss), m.BestIter)
	}
	for k, l := range m.ValidLoss {
		if l < m.ValidLoss[m.BestIter-1]-1e-7 {
			t.Fatalf("round %d loss %g beats the kept round %d (%g)", k+1, l, m.BestIter, m.ValidLoss[m.BestIter-1])
		}
	}
	got, err := metrics.LogLoss(vy, m.PredictProba(VX))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-m.ValidLoss[m.BestIter-1]) > 1e-9 {
		t.Errorf("kept model's validation loss %g, recorded %g", got, m.ValidLoss[m.BestIter-1])
	}
}

func TestGBTContributionsSumToRawScore(t *testing.T) {
	t.Parallel()
	X, y := synthetic(5000, 4, 1, 41)
	for i := 0; i < X.Rows; i += 7 {
		X.Set(i, 3, math.NaN())
	}
	m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 50})
	if err != nil {
		t.Fatal(err)
	}
	p := m.PredictProba(X)
	for i := 0; i < 200; i++ {
		x := X.Row(i)
		sum := m.Bias()
		for _, c := range m.Contributions(x) {
			sum += c
		}
		if math.Abs(sum-m.RawScore(x)) > 1e-9 {
			t.Fatalf("row %d: bias+contributions %g, raw score %g", i, sum, m.RawScore(x))
		}
		if want := 1 / (1 + math.Exp(-m.RawScore(x))); math.Abs(p[i]-want) > 1e-12 {
			t.Fatalf("row %d: batch probability %g, single-row %g", i, p[i], want)
		}
	}
	imp := m.FeatureImportance()
	if imp[0] <= imp[3] || imp[1] <= imp[3] {
		t.Errorf("importance %v: informative features 0 and 1 should beat noise feature 3", imp)
	}
}

func TestGBTLearnsFromMissingness(t *testing.T) {
	t.Parallel()
	// Churners lack a value (say, no last order date); the rest is noise.
	X, _ := synthetic(4000, 2, 0, 51)
	y := make([]bool, X.Rows)
	for i := range y {
		y[i] = i%3 == 0
		if y[i] {
			X.Set(i, 0, math.NaN())
		}
	}
	m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 20})
	if err != nil {
		t.Fatal(err)
	}
	if auc := mustAUC(t, y, m.PredictProba(X)); auc < 0.99 {
		t.Fatalf("AUC %g: missing values should separate the classes", auc)
	}
}

func TestGBTErrors(t *testing.T) {
	t.Parallel()
	X, y := synthetic(200, 3, 1, 61)
	constant := X.Clone()
	for i := 0; i < constant.Rows; i++ {
		constant.Set(i, 1, 2.5)
	}
	withInf := X.Clone()
	withInf.Set(5, 0, math.Inf(-1))
	tests := []struct {
		name string
		X    *ml.Matrix
		y    []bool
		cfg  classify.GBTConfig
		want error
	}{
		{"nil matrix", nil, y, classify.GBTConfig{}, classify.ErrEmpty},
		{"no columns", ml.NewMatrix(200, 0), y, classify.GBTConfig{}, classify.ErrEmpty},
		{"label count", X, y[:10], classify.GBTConfig{}, classify.ErrShape},
		{"single class", X, make([]bool, 200), classify.GBTConfig{}, classify.ErrSingleClass},
		{"constant feature", constant, y, classify.GBTConfig{}, classify.ErrConstantFeature},
		{"infinite feature", withInf, y, classify.GBTConfig{}, classify.ErrNonFinite},
		{"validation width", X, y, classify.GBTConfig{ValidX: ml.NewMatrix(10, 2), ValidY: make([]bool, 10)}, classify.ErrShape},
		{"validation labels", X, y, classify.GBTConfig{ValidX: ml.NewMatrix(10, 3), ValidY: make([]bool, 9)}, classify.ErrShape},
		{"validation infinity", X, y, classify.GBTConfig{ValidX: withInf, ValidY: y}, classify.ErrNonFinite},
	}
	for _, tc := range tests {
		if _, err := classify.FitGBT(tc.X, tc.y, tc.cfg); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
	for _, cfg := range []classify.GBTConfig{{MaxBins: 300}, {LearningRate: -1}, {MaxLeafNodes: 1}, {ValidX: X}} {
		if _, err := classify.FitGBT(X, y, cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

func TestGBTRejectsWrongWidthAtPrediction(t *testing.T) {
	t.Parallel()
	X, y := synthetic(500, 3, 1, 71)
	m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 5})
	if err != nil {
		t.Fatal(err)
	}
	if m.PredictProba(ml.NewMatrix(4, 2)) != nil || m.Contributions([]float64{1}) != nil {
		t.Fatal("wrong width accepted")
	}
	if m.PredictProba(&ml.Matrix{Rows: 4, Cols: 3, Data: make([]float64, 5)}) != nil {
		t.Fatal("short matrix data accepted")
	}
	if !math.IsNaN(m.RawScore([]float64{1, 2})) {
		t.Fatal("RawScore of a short row is not NaN")
	}
	if (classify.Calibrated{}).PredictProba(X) != nil {
		t.Fatal("empty Calibrated predicted")
	}
}

func TestGBTTreeSizeLimits(t *testing.T) {
	t.Parallel()
	// An XOR target: no single split helps, a depth-2 tree solves it.
	X, _ := synthetic(4000, 3, 0, 101)
	y := make([]bool, X.Rows)
	for i := range y {
		y[i] = (X.At(i, 0) > 0) != (X.At(i, 1) > 0)
	}
	tests := []struct {
		name   string
		cfg    classify.GBTConfig
		lo, hi float64
	}{
		{"stumps by depth", classify.GBTConfig{MaxIter: 30, MaxDepth: 1}, 0, 0.6},
		{"stumps by leaves", classify.GBTConfig{MaxIter: 30, MaxLeafNodes: 2}, 0, 0.6},
		{"depth two", classify.GBTConfig{MaxIter: 30, MaxDepth: 2}, 0.7, 1},
		{"unlimited", classify.GBTConfig{MaxIter: 30}, 0.98, 1},
	}
	for _, tc := range tests {
		m, err := classify.FitGBT(X, y, tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if auc := mustAUC(t, y, m.PredictProba(X)); auc < tc.lo || auc > tc.hi {
			t.Errorf("%s: training AUC %.3f outside [%g, %g]", tc.name, auc, tc.lo, tc.hi)
		}
	}
}

func TestGBTSampledBinEdgesAreSeeded(t *testing.T) {
	t.Parallel()
	// Above 200k rows the bin edges come from a seeded row sample.
	X, y := synthetic(210_000, 2, 1, 111)
	fit := func(seed int64) []float64 {
		m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 3, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return m.PredictProba(X)
	}
	a, b := fit(1), fit(1)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("row %d differs between fits with the same seed", i)
		}
	}
	if auc := mustAUC(t, y, a); auc < 0.75 {
		t.Fatalf("AUC %.3f after 3 rounds", auc)
	}
}
