package metrics_test

import (
	"math/rand/v2"
	"testing"

	"github.com/omnify-cloud/omnify/ml/metrics"
)

func benchScores(n int) ([]bool, []float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	y := make([]bool, n)
	p := make([]float64, n)
	for i := range y {
		y[i] = rng.Float64() < 0.3
		p[i] = min(max(0.3+0.2*float64(b2i(y[i]))+0.2*rng.NormFloat64(), 0), 1)
	}
	return y, p
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func BenchmarkROCAUC1M(b *testing.B) {
	y, p := benchScores(1_000_000)
	for b.Loop() {
		if _, err := metrics.ROCAUC(y, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPRAUC1M(b *testing.B) {
	y, p := benchScores(1_000_000)
	for b.Loop() {
		if _, err := metrics.PRAUC(y, p); err != nil {
			b.Fatal(err)
		}
	}
}
