package classify_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/ml/classify"
)

func BenchmarkFitGBT200kx12(b *testing.B) {
	X, y := synthetic(200_000, 12, 1, 11)
	b.ResetTimer()
	for b.Loop() {
		m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 200})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(m.NumTrees()), "trees")
	}
}

func BenchmarkGBTPredictProba1M(b *testing.B) {
	X, y := synthetic(200_000, 12, 1, 11)
	m, err := classify.FitGBT(X, y, classify.GBTConfig{MaxIter: 200})
	if err != nil {
		b.Fatal(err)
	}
	big, _ := synthetic(1_000_000, 12, 1, 12)
	b.ResetTimer()
	for b.Loop() {
		if p := m.PredictProba(big); len(p) != big.Rows {
			b.Fatal("short prediction")
		}
	}
}

func BenchmarkFitLogistic1Mx12(b *testing.B) {
	X, y := synthetic(1_000_000, 12, 1, 13)
	b.ResetTimer()
	for b.Loop() {
		if _, err := classify.FitLogistic(X, y, classify.DefaultLogisticConfig()); err != nil {
			b.Fatal(err)
		}
	}
}
