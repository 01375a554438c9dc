package cluster

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/omnify-cloud/omnify/ml"
)

// kmeansPlusPlus picks k seeds with greedy k-means++: each new centre is the
// best, by resulting potential, of 2+ln(k) candidates drawn with probability
// proportional to the squared distance to the nearest chosen centre.
func kmeansPlusPlus(X *ml.Matrix, k int, rng *rand.Rand, workers int) *ml.Matrix {
	n := X.Rows
	C := ml.NewMatrix(k, X.Cols)
	first := rng.IntN(n)
	copy(C.Row(0), X.Row(first))
	closest := make([]float64, n)
	forBlocks(n, blockSize, workers, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			closest[i] = sqDist(X.Row(i), C.Row(0))
		}
	})
	trials := 2 + int(math.Log(float64(k)))
	cum := make([]float64, n)
	for c := 1; c < k; c++ {
		pot := cumulative(closest, cum)
		cands := make([]int, trials)
		for t := range cands {
			// The first running sum above r: a point with zero weight is never drawn.
			r := rng.Float64() * pot
			cands[t] = min(sort.Search(n, func(i int) bool { return cum[i] > r }), n-1)
		}
		best := bestCandidate(X, closest, cands, workers)
		copy(C.Row(c), X.Row(best))
		forBlocks(n, blockSize, workers, func(_, lo, hi int) {
			ctr := X.Row(best)
			for i := lo; i < hi; i++ {
				closest[i] = math.Min(closest[i], sqDist(X.Row(i), ctr))
			}
		})
	}
	return C
}

// cumulative fills cum with running sums of d and returns the total.
func cumulative(d, cum []float64) float64 {
	s := 0.0
	for i, v := range d {
		s += v
		cum[i] = s
	}
	return s
}

// bestCandidate returns the candidate whose addition minimises the potential.
func bestCandidate(X *ml.Matrix, closest []float64, cands []int, workers int) int {
	nb := numBlocks(X.Rows, blockSize)
	partial := make([]float64, nb*len(cands))
	forBlocks(X.Rows, blockSize, workers, func(b, lo, hi int) {
		for t, id := range cands {
			ctr := X.Row(id)
			s := 0.0
			for i := lo; i < hi; i++ {
				s += math.Min(closest[i], sqDist(X.Row(i), ctr))
			}
			partial[b*len(cands)+t] = s
		}
	})
	best, bestPot := cands[0], math.Inf(1)
	for t, id := range cands {
		pot := 0.0
		for b := 0; b < nb; b++ {
			pot += partial[b*len(cands)+t]
		}
		if pot < bestPot {
			best, bestPot = id, pot
		}
	}
	return best
}
