package classify_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/omnify-cloud/omnify/ml"
)

// mustGolden decodes a scikit-learn reference file from testdata.
func mustGolden(tb testing.TB, name string, v any) {
	tb.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

func mustMatrix(tb testing.TB, rows [][]float64) *ml.Matrix {
	tb.Helper()
	m, err := ml.FromRows(rows)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func boolLabels(y []int) []bool {
	out := make([]bool, len(y))
	for i, v := range y {
		out[i] = v == 1
	}
	return out
}

// synthetic draws a churn-like problem: standard normal features, a
// nonlinear log-odds in the first three and label noise controlled by noise.
func synthetic(n, cols int, noise float64, seed uint64) (*ml.Matrix, []bool) {
	rng := rand.New(rand.NewPCG(seed, 7))
	X := ml.NewMatrix(n, cols)
	y := make([]bool, n)
	for i := 0; i < n; i++ {
		row := X.Row(i)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
		z := 1.2*row[0] - 0.8*row[1]*row[1] + 0.5
		if cols > 2 && row[2] > 0.5 {
			z += 1
		}
		z += noise * rng.NormFloat64()
		y[i] = z > 0
	}
	return X, y
}
