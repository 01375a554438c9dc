package cluster

import (
	"fmt"
	"math"
	"slices"

	"github.com/omnify-cloud/omnify/ml"
)

// EstimateEps suggests a DBSCAN radius from the knee of the sorted k-distance
// curve, with k = minSamples counting the point itself (so a point is core
// exactly when its k-distance is ≤ eps). The knee is the point farthest from
// the chord joining the curve's ends after scaling both axes to [0,1]. For
// inputs above sampleSize points (default 10000 when ≤ 0) the curve is built
// from a seeded sample of query points, each searched against all of X.
func EstimateEps(X *ml.Matrix, minSamples int, seed int64, sampleSize int) (float64, error) {
	if err := checkX(X); err != nil {
		return 0, fmt.Errorf("estimate eps: %w", err)
	}
	if minSamples < 2 || minSamples > X.Rows {
		return 0, fmt.Errorf("estimate eps: min samples=%d outside 2..%d", minSamples, X.Rows)
	}
	if sampleSize <= 0 {
		sampleSize = 10000
	}
	idx := sampleIndexes(X.Rows, sampleSize, newRand(seed))
	kd := kDistances(X, idx, minSamples)
	slices.Sort(kd)
	eps := kd[kneeIndex(kd)]
	if eps <= 0 {
		// Duplicated points give zero k-distances; fall back to the smallest positive one.
		for _, v := range kd {
			if v > 0 {
				return v, nil
			}
		}
		return 0, fmt.Errorf("estimate eps: all k-distances are zero")
	}
	return eps, nil
}

func kDistances(X *ml.Matrix, idx []int, k int) []float64 {
	t := buildKDTree(X)
	out := make([]float64, len(idx))
	forBlocks(len(idx), 256, 0, func(_, lo, hi int) {
		var h knnHeap
		var stack []int
		for p := lo; p < hi; p++ {
			stack = t.knn(X.Row(idx[p]), k, &h, stack)
			out[p] = math.Sqrt(h.worst(k))
		}
	})
	return out
}

// kneeIndex returns the index of the sorted curve's point farthest below the
// chord from its first to its last point.
func kneeIndex(y []float64) int {
	n := len(y)
	if n < 3 || y[n-1] == y[0] {
		return n / 2
	}
	span := y[n-1] - y[0]
	best, bestGap := n/2, -1.0
	for i, v := range y {
		x := float64(i) / float64(n-1)
		gap := x - (v-y[0])/span // chord is the diagonal once both axes are scaled
		if gap > bestGap {
			best, bestGap = i, gap
		}
	}
	return best
}
