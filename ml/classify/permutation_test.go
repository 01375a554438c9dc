package classify_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/classify"
	"github.com/omnify-cloud/omnify/ml/metrics"
)

func aucMetric(y []bool, p []float64) float64 {
	auc, err := metrics.ROCAUC(y, p)
	if err != nil {
		return 0.5
	}
	return auc
}

func TestPermutationImportanceFindsTheSignal(t *testing.T) {
	t.Parallel()
	X, y := synthetic(4000, 4, 0.5, 91)
	m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 40})
	if err != nil {
		t.Fatal(err)
	}
	VX, vy := synthetic(3000, 4, 0.5, 92)
	imp := classify.PermutationImportance(m, VX, vy, aucMetric, 3, 7)
	if len(imp) != 4 {
		t.Fatalf("got %d importances", len(imp))
	}
	// Features 0 and 1 drive the label, feature 3 is noise.
	if imp[0] < 0.05 || imp[1] < 0.05 || imp[3] > 0.01 {
		t.Fatalf("importances %v: want 0 and 1 large, 3 near zero", imp)
	}
	again := classify.PermutationImportance(m, VX, vy, aucMetric, 3, 7)
	for j := range imp {
		if imp[j] != again[j] {
			t.Fatalf("not deterministic: %v then %v", imp, again)
		}
	}
}

func TestPermutationImportanceRejectsBadInput(t *testing.T) {
	t.Parallel()
	X, y := synthetic(300, 3, 1, 93)
	m, err := classify.FitLogistic(X, y, classify.DefaultLogisticConfig())
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func() []float64{
		"zero repeats": func() []float64 { return classify.PermutationImportance(m, X, y, aucMetric, 0, 1) },
		"label count":  func() []float64 { return classify.PermutationImportance(m, X, y[:10], aucMetric, 1, 1) },
		"wrong width":  func() []float64 { return classify.PermutationImportance(m, ml.NewMatrix(300, 2), y, aucMetric, 1, 1) },
		"nil metric":   func() []float64 { return classify.PermutationImportance(m, X, y, nil, 1, 1) },
		"nil matrix":   func() []float64 { return classify.PermutationImportance(m, nil, y, aucMetric, 1, 1) },
	}
	for name, fn := range cases {
		if got := fn(); got != nil {
			t.Errorf("%s: got %v, want nil", name, got)
		}
	}
}
