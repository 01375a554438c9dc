package metrics_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/omnify-cloud/omnify/ml/metrics"
)

type calibrationRef struct {
	FractionPositive []float64 `json:"fraction_positive"`
	MeanPredicted    []float64 `json:"mean_predicted"`
}

type metricCase struct {
	Name             string         `json:"name"`
	Y                []int          `json:"y"`
	P                []float64      `json:"p"`
	ROCAUC           float64        `json:"roc_auc"`
	AveragePrecision float64        `json:"average_precision"`
	Brier            float64        `json:"brier"`
	LogLoss          float64        `json:"log_loss"`
	Calibration5     calibrationRef `json:"calibration_5"`
}

func loadCases(t *testing.T) []metricCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/sklearn_metrics.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []metricCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	return doc.Cases
}

func mustLabels(t *testing.T, y []int) []bool {
	t.Helper()
	out, err := metrics.BoolLabels(y)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAgainstScikitLearn(t *testing.T) {
	t.Parallel()
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			y := mustLabels(t, c.Y)
			checks := []struct {
				name string
				fn   func([]bool, []float64) (float64, error)
				want float64
			}{
				{"roc_auc", metrics.ROCAUC, c.ROCAUC},
				{"average_precision", metrics.PRAUC, c.AveragePrecision},
				{"brier", metrics.Brier, c.Brier},
				{"log_loss", metrics.LogLoss, c.LogLoss},
			}
			for _, ch := range checks {
				got, err := ch.fn(y, c.P)
				if err != nil {
					t.Fatalf("%s: %v", ch.name, err)
				}
				if math.Abs(got-ch.want) > 1e-9 {
					t.Errorf("%s = %.12f, scikit-learn %.12f", ch.name, got, ch.want)
				}
			}
		})
	}
}

func TestCalibrationMatchesScikitLearn(t *testing.T) {
	t.Parallel()
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			bins, err := metrics.Calibration(mustLabels(t, c.Y), c.P, 5)
			if err != nil {
				t.Fatal(err)
			}
			var frac, mean []float64
			total := 0
			for _, b := range bins {
				total += b.Count
				if b.Count > 0 {
					frac = append(frac, b.FractionPositive)
					mean = append(mean, b.MeanPredicted)
				}
			}
			if total != len(c.P) {
				t.Fatalf("bins hold %d samples, want %d", total, len(c.P))
			}
			assertClose(t, "fraction positive", frac, c.Calibration5.FractionPositive)
			assertClose(t, "mean predicted", mean, c.Calibration5.MeanPredicted)
		})
	}
}

func assertClose(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d populated bins, scikit-learn %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Errorf("%s[%d] = %g, scikit-learn %g", what, i, got[i], want[i])
		}
	}
}

func TestKnownValues(t *testing.T) {
	t.Parallel()
	y := []bool{false, false, true, true}
	perfect := []float64{0.1, 0.2, 0.8, 0.9}
	reversed := []float64{0.9, 0.8, 0.2, 0.1}
	tied := []float64{0.5, 0.5, 0.5, 0.5}
	tests := []struct {
		name  string
		fn    func([]bool, []float64) (float64, error)
		score []float64
		want  float64
	}{
		{"auc perfect", metrics.ROCAUC, perfect, 1},
		{"auc reversed", metrics.ROCAUC, reversed, 0},
		{"auc all tied", metrics.ROCAUC, tied, 0.5},
		{"ap perfect", metrics.PRAUC, perfect, 1},
		{"ap all tied is prevalence", metrics.PRAUC, tied, 0.5},
		{"brier all tied", metrics.Brier, tied, 0.25},
		{"log loss all tied", metrics.LogLoss, tied, math.Ln2},
	}
	for _, tc := range tests {
		got, err := tc.fn(y, tc.score)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s = %g, want %g", tc.name, got, tc.want)
		}
	}
}

func TestLogLossStaysFiniteOnConfidentMistakes(t *testing.T) {
	t.Parallel()
	got, err := metrics.LogLoss([]bool{true, false}, []float64{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if math.IsInf(got, 0) || math.IsNaN(got) || got < 30 {
		t.Fatalf("log loss = %g, want large and finite", got)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	fns := map[string]func([]bool, []float64) (float64, error){
		"roc_auc": metrics.ROCAUC, "average_precision": metrics.PRAUC,
		"brier": metrics.Brier, "log_loss": metrics.LogLoss,
		"calibration": func(y []bool, p []float64) (float64, error) {
			_, err := metrics.Calibration(y, p, 10)
			return 0, err
		},
	}
	tests := []struct {
		name      string
		y         []bool
		p         []float64
		want      error
		probsOnly bool
	}{
		{"empty", nil, nil, metrics.ErrEmpty, false},
		{"length mismatch", []bool{true, false}, []float64{0.1}, metrics.ErrLength, false},
		{"single class", []bool{true, true}, []float64{0.1, 0.2}, metrics.ErrSingleClass, false},
		{"nan score", []bool{true, false}, []float64{math.NaN(), 0.2}, metrics.ErrNaN, false},
		{"inf score", []bool{true, false}, []float64{math.Inf(1), 0.2}, metrics.ErrNaN, false},
		{"probability above one", []bool{true, false}, []float64{1.5, 0.2}, metrics.ErrRange, true},
		{"negative probability", []bool{true, false}, []float64{-0.1, 0.2}, metrics.ErrRange, true},
	}
	for _, tc := range tests {
		for name, fn := range fns {
			_, err := fn(tc.y, tc.p)
			ranking := name == "roc_auc" || name == "average_precision"
			if tc.probsOnly && ranking {
				if err != nil {
					t.Errorf("%s/%s: ranking metrics accept any finite score, got %v", tc.name, name, err)
				}
				continue
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("%s/%s: error %v, want %v", tc.name, name, err, tc.want)
			}
		}
	}
}

func TestCalibrationRejectsZeroBins(t *testing.T) {
	t.Parallel()
	if _, err := metrics.Calibration([]bool{true, false}, []float64{0.2, 0.4}, 0); err == nil {
		t.Fatal("want error for zero bins")
	}
}

func TestBoolLabelsRejectsOtherValues(t *testing.T) {
	t.Parallel()
	if _, err := metrics.BoolLabels([]int{0, 1, 2}); !errors.Is(err, metrics.ErrLabel) {
		t.Fatalf("error %v, want ErrLabel", err)
	}
}
