package btyd_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/ml/btyd"
)

func BenchmarkFitParetoNBD100k(b *testing.B) {
	data := simulateParetoNBD(100000, 0.55, 10.6, 0.6, 11.7, 1, 104, 1)
	for b.Loop() {
		if _, err := btyd.FitParetoNBD(data, btyd.FitOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitGammaGamma100k(b *testing.B) {
	freq, mean := simulateSpend(100000, 6, 4, 15, 1)
	for b.Loop() {
		if _, err := btyd.FitGammaGamma(freq, mean); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSummarize10M summarises 10 million transactions of 1 million
// customers over two years.
func BenchmarkSummarize10M(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	txns := make([]btyd.Transaction, 0, 10_000_000)
	for c := 0; len(txns) < cap(txns); c++ {
		id := fmt.Sprintf("cust-%07d", c)
		for range 1 + rng.IntN(19) {
			at := start.Add(time.Duration(rng.IntN(730*24)) * time.Hour)
			txns = append(txns, btyd.Transaction{CustomerID: id, Time: at, Amount: 10 + rng.Float64()*90})
		}
	}
	end := start.AddDate(2, 0, 0)
	b.ResetTimer()
	for b.Loop() {
		if _, err := btyd.Summarize(txns, end, btyd.Week); err != nil {
			b.Fatal(err)
		}
	}
}
