package cluster

import (
	"math"
	"slices"

	"github.com/omnify-cloud/omnify/ml"
)

// hamerly is the state of one Lloyd run with Hamerly's bounds: for each
// point an upper bound on the distance to its centre and a lower bound on the
// distance to every other centre. A point whose upper bound is below both its
// lower bound and half the distance from its centre to the nearest other
// centre cannot change cluster, so its distances are not computed.
//
// Per-block centre sums are kept up to date as points change cluster, so an
// iteration touches the coordinates of only the points it must re-examine;
// bounds are loosened by the latest centre shifts inside the same pass.
type hamerly struct {
	X, C         *ml.Matrix
	labels       []int
	upper, lower []float64
	half         []float64 // half the distance from each centre to its nearest other centre
	shift        []float64 // how far each centre moved in the last update
	maxShift     float64
	secondShift  float64
	maxShifted   int
	workers      int
	blockSums    []float64 // per block k×d coordinate sums of its points, by label
	blockCounts  []int     // per block k point counts, by label
}

func newHamerly(X, C *ml.Matrix, workers int) *hamerly {
	n, k := X.Rows, C.Rows
	nb := numBlocks(n, blockSize)
	return &hamerly{X: X, C: C, labels: make([]int, n),
		upper: make([]float64, n), lower: make([]float64, n),
		half: make([]float64, k), shift: make([]float64, k), maxShifted: -1, workers: workers,
		blockSums: make([]float64, nb*k*X.Cols), blockCounts: make([]int, nb*k)}
}

// lloydHamerly runs Lloyd iterations from the centres C (modified in place)
// with the stopping rules of scikit-learn's lloyd: labels unchanged between
// two iterations, or total squared centre shift ≤ tol.
func lloydHamerly(X, C *ml.Matrix, maxIter int, tol float64, workers int) *KMeansResult {
	h := newHamerly(X, C, workers)
	strict, iters := false, 0
	for it := 0; it < maxIter; it++ {
		changed := X.Rows
		if it == 0 {
			h.assignAll()
		} else {
			changed = h.assign()
		}
		iters = it + 1
		shiftTot := h.updateCenters()
		if it > 0 && changed == 0 {
			strict = true
			break
		}
		if shiftTot <= tol {
			break
		}
	}
	if !strict {
		h.assign()
	}
	return h.result(iters)
}

func (h *hamerly) result(iters int) *KMeansResult {
	sizes := make([]int, h.C.Rows)
	for _, l := range h.labels {
		sizes[l]++
	}
	return &KMeansResult{Labels: h.labels, Centers: h.C, Iter: iters, Sizes: sizes,
		Inertia: inertiaOf(h.X, h.C, h.labels, h.workers)}
}

// twoNearest returns the nearest centre and the squared distances to the
// nearest and second-nearest centres.
func twoNearest(x []float64, C *ml.Matrix) (int, float64, float64) {
	best, d1, d2 := 0, math.Inf(1), math.Inf(1)
	for c := 0; c < C.Rows; c++ {
		d := sqDist(x, C.Row(c))
		if d < d1 {
			best, d1, d2 = c, d, d1
		} else if d < d2 {
			d2 = d
		}
	}
	return best, d1, d2
}

func (h *hamerly) assignAll() {
	k, d := h.C.Rows, h.X.Cols
	forBlocks(h.X.Rows, blockSize, h.workers, func(b, lo, hi int) {
		sums, counts := h.blockSums[b*k*d:(b+1)*k*d], h.blockCounts[b*k:(b+1)*k]
		for i := lo; i < hi; i++ {
			x := h.X.Row(i)
			c, d1, d2 := twoNearest(x, h.C)
			h.labels[i], h.upper[i], h.lower[i] = c, math.Sqrt(d1), math.Sqrt(d2)
			counts[c]++
			dst := sums[c*d : c*d+d]
			for j, v := range x {
				dst[j] += v
			}
		}
	})
}

// assign runs one bounded assignment pass and returns how many labels changed.
func (h *hamerly) assign() int {
	changes := make([]int, numBlocks(h.X.Rows, blockSize))
	forBlocks(h.X.Rows, blockSize, h.workers, func(b, lo, hi int) {
		changes[b] = h.assignRange(b, lo, hi)
	})
	total := 0
	for _, c := range changes {
		total += c
	}
	return total
}

func (h *hamerly) assignRange(b, lo, hi int) int {
	changed := 0
	for i := lo; i < hi; i++ {
		a := h.labels[i]
		u, l := h.loosened(i, a)
		m := math.Max(h.half[a], l)
		if u > m {
			x := h.X.Row(i)
			u = math.Sqrt(sqDist(x, h.C.Row(a)))
			if u > m {
				c, d1, d2 := twoNearest(x, h.C)
				if c != a {
					h.move(b, x, a, c)
					h.labels[i] = c
					changed++
				}
				u, l = math.Sqrt(d1), math.Sqrt(d2)
			}
		}
		h.upper[i], h.lower[i] = u, l
	}
	return changed
}

// loosened returns point i's bounds widened by the last centre shifts.
func (h *hamerly) loosened(i, a int) (upper, lower float64) {
	upper = h.upper[i] + h.shift[a]
	if a == h.maxShifted {
		return upper, h.lower[i] - h.secondShift
	}
	return upper, h.lower[i] - h.maxShift
}

// move transfers point x from cluster a to cluster c in block b's sums.
func (h *hamerly) move(b int, x []float64, a, c int) {
	k, d := h.C.Rows, h.X.Cols
	sums, counts := h.blockSums[b*k*d:(b+1)*k*d], h.blockCounts[b*k:(b+1)*k]
	counts[a]--
	counts[c]++
	from, to := sums[a*d:a*d+d], sums[c*d:c*d+d]
	for j, v := range x {
		from[j] -= v
		to[j] += v
	}
}

// updateCenters moves every centre to the mean of its points, relocates
// empty clusters, records the shifts for the next pass's bounds and returns
// the total squared shift.
func (h *hamerly) updateCenters() float64 {
	k, d := h.C.Rows, h.X.Cols
	sums, counts := h.clusterSums()
	old := h.C.Clone()
	if relocated := h.relocateEmpty(old, sums, counts); relocated {
		clear(h.lower) // 0 is always a valid lower bound
	}
	total := 0.0
	for c := 0; c < k; c++ {
		row := h.C.Row(c)
		if counts[c] > 0 {
			for j := 0; j < d; j++ {
				row[j] = sums[c*d+j] / float64(counts[c])
			}
		}
		s := sqDist(row, old.Row(c))
		h.shift[c] = math.Sqrt(s)
		total += s
	}
	h.recordShifts()
	h.updateHalf()
	return total
}

// clusterSums adds up the per-block sums in block order, so the centres do
// not depend on the worker count.
func (h *hamerly) clusterSums() ([]float64, []int) {
	k, d := h.C.Rows, h.X.Cols
	sums, counts := make([]float64, k*d), make([]int, k)
	for b := 0; b < numBlocks(h.X.Rows, blockSize); b++ {
		for j, v := range h.blockSums[b*k*d : (b+1)*k*d] {
			sums[j] += v
		}
		for c, v := range h.blockCounts[b*k : (b+1)*k] {
			counts[c] += v
		}
	}
	return sums, counts
}

// relocateEmpty gives each empty cluster the point farthest from its
// current centre, removing that point from its old cluster's sums, as
// scikit-learn does.
func (h *hamerly) relocateEmpty(old *ml.Matrix, sums []float64, counts []int) bool {
	var empty []int
	for c, n := range counts {
		if n == 0 {
			empty = append(empty, c)
		}
	}
	if len(empty) == 0 {
		return false
	}
	far := farthestPoints(h.X, old, h.labels, len(empty), h.workers)
	d := h.X.Cols
	for e, c := range empty {
		p := far[e]
		from := h.labels[p]
		if counts[from] <= 1 {
			continue
		}
		x := h.X.Row(p)
		for j, v := range x {
			sums[from*d+j] -= v
			sums[c*d+j] = v
		}
		counts[from]--
		counts[c] = 1
	}
	return true
}

// farthestPoints returns the m points with the largest distance to their
// assigned centre, farthest first, ties by lower index.
func farthestPoints(X, C *ml.Matrix, labels []int, m, workers int) []int {
	dist := make([]float64, X.Rows)
	forBlocks(X.Rows, blockSize, workers, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			dist[i] = sqDist(X.Row(i), C.Row(labels[i]))
		}
	})
	idx := make([]int, X.Rows)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if dist[a] > dist[b] {
			return -1
		}
		if dist[a] < dist[b] {
			return 1
		}
		return 0
	})
	return idx[:min(m, len(idx))]
}

// recordShifts keeps the largest and second-largest centre shift, which
// bound how much any point's distance to another centre can have shrunk.
func (h *hamerly) recordShifts() {
	h.maxShift, h.secondShift, h.maxShifted = 0, 0, -1
	for c, s := range h.shift {
		if s > h.maxShift {
			h.maxShift, h.secondShift, h.maxShifted = s, h.maxShift, c
		} else if s > h.secondShift {
			h.secondShift = s
		}
	}
}

func (h *hamerly) updateHalf() {
	k := h.C.Rows
	for c := 0; c < k; c++ {
		best := math.Inf(1)
		for o := 0; o < k; o++ {
			if o != c {
				best = math.Min(best, sqDist(h.C.Row(c), h.C.Row(o)))
			}
		}
		h.half[c] = math.Sqrt(best) / 2
	}
}
