package eyes

import (
	"slices"

	"github.com/omnify-cloud/omnify/ml"
)

// kdTree answers nearest-neighbour queries over chosen rows of a matrix.
// It is implicit: the median of each index range is the node splitting it
// on dimension depth mod d.
type kdTree struct {
	X   *ml.Matrix
	idx []int32
}

func newKDTree(X *ml.Matrix, rows []int32) *kdTree {
	t := &kdTree{X: X, idx: slices.Clone(rows)}
	t.build(0, len(t.idx), 0)
	return t
}

func (t *kdTree) build(lo, hi, depth int) {
	if hi-lo < 2 {
		return
	}
	dim := depth % t.X.Cols
	part := t.idx[lo:hi]
	slices.SortFunc(part, func(a, b int32) int {
		if c := cmpFloat(t.X.At(int(a), dim), t.X.At(int(b), dim)); c != 0 {
			return c
		}
		return int(a) - int(b)
	})
	mid := (lo + hi) / 2
	t.build(lo, mid, depth+1)
	t.build(mid+1, hi, depth+1)
}

// nearestWithin returns the row nearest to x among those at squared
// distance ≤ r2, or -1 when there is none. Ties go to the lower row.
func (t *kdTree) nearestWithin(x []float64, r2 float64) int {
	best, bestD := -1, r2
	var search func(lo, hi, depth int)
	search = func(lo, hi, depth int) {
		if lo >= hi {
			return
		}
		mid := (lo + hi) / 2
		row := int(t.idx[mid])
		p := t.X.Row(row)
		if d := sqDist(x, p); d < bestD || (d == bestD && (best < 0 || row < best)) {
			best, bestD = row, d
		}
		dim := depth % t.X.Cols
		diff := x[dim] - p[dim]
		near, farLo, farHi := lo, mid+1, hi
		nearHi := mid
		if diff > 0 {
			near, nearHi, farLo, farHi = mid+1, hi, lo, mid
		}
		search(near, nearHi, depth+1)
		if diff*diff <= bestD {
			search(farLo, farHi, depth+1)
		}
	}
	search(0, len(t.idx), 0)
	return best
}
