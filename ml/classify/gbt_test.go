package classify_test

import (
	"math"
	"testing"

	"github.com/omnify-cloud/omnify/ml/classify"
	"github.com/omnify-cloud/omnify/ml/metrics"
)

type gbtGolden struct {
	TrainX      [][]float64 `json:"train_X"`
	TrainY      []int       `json:"train_y"`
	TestX       [][]float64 `json:"test_X"`
	TestY       []int       `json:"test_y"`
	SklearnAUC  float64     `json:"sklearn_test_auc"`
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
	t.Logf("test AUC %.4f, scikit-learn %.4f, logistic %.4f", auc, g.SklearnAUC, g.LogisticAUC)
	if math.Abs(auc-g.SklearnAUC) > 0.02 {
		t.Fatalf("test AUC %.4f, scikit-learn HistGradientBoosting %.4f", auc, g.SklearnAUC)
	}
	if m.BestIter != 200 || m.NumTrees() != 200 {
		t.Fatalf("without validation all 200 rounds should be kept, got BestIter %d, %d trees", m.BestIter, m.NumTrees())
	}
}
