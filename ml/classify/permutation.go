package classify

import (
	"math/rand/v2"

	"github.com/omnify-cloud/omnify/ml"
)

// PermutationImportance measures how much metric drops when one column of X
// is shuffled, breaking its link to y while keeping its distribution. It is
// model-agnostic and computed on held-out rows, so it reflects what the
// model actually relies on. The result has one mean drop per column; it is
// nil when X, y and the model disagree in shape or repeats < 1. Each
// (column, repeat) draws from its own stream of seed, so results do not
// depend on scheduling.
func PermutationImportance(m Model, X *ml.Matrix, y []bool, metric func(y []bool, p []float64) float64, repeats int, seed int64) []float64 {
	if m == nil || metric == nil || repeats < 1 || checkMatrix(X, len(y)) != nil || X.Cols != m.NumFeatures() {
		return nil
	}
	base := metric(y, m.PredictProba(X))
	out := make([]float64, X.Cols)
	forEach(X.Cols, 0, func(j int) {
		Xp := X.Clone()
		var drop float64
		for r := range repeats {
			permuteColumn(X, Xp, j, rand.New(rand.NewPCG(uint64(seed), uint64(j*repeats+r))))
			drop += base - metric(y, m.PredictProba(Xp))
		}
		out[j] = drop / float64(repeats)
	})
	return out
}

// permuteColumn writes a shuffled copy of src's column j into dst.
func permuteColumn(src, dst *ml.Matrix, j int, rng *rand.Rand) {
	for i, k := range rng.Perm(src.Rows) {
		dst.Set(i, j, src.At(k, j))
	}
}
