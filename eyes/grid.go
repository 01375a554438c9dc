package eyes

import (
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// grid buckets points into cubes of side eps so a radius-eps query looks
// at 3^d neighbouring cubes instead of every point. Hash collisions only add
// candidates; every candidate's distance is checked.
type grid struct {
	eps   float64
	X     *ml.Matrix
	cells map[uint64][]int32
}

func newGrid(X *ml.Matrix, eps float64, rows []int32) *grid {
	g := &grid{eps: eps, X: X, cells: map[uint64][]int32{}}
	for _, i := range rows {
		k := g.key(g.cell(X.Row(int(i)), nil), nil)
		g.cells[k] = append(g.cells[k], i)
	}
	return g
}

func (g *grid) cell(x []float64, dst []int64) []int64 {
	dst = dst[:0]
	for _, v := range x {
		dst = append(dst, int64(math.Floor(v/g.eps)))
	}
	return dst
}

func (g *grid) key(c []int64, off []int) uint64 {
	h := uint64(1469598103934665603)
	for j, v := range c {
		if off != nil {
			v += int64(off[j])
		}
		h ^= uint64(v)
		h *= 1099511628211
		h ^= h >> 29
	}
	return h
}

// visit calls f with stored points within eps of x, own cube first, until
// f returns false.
func (g *grid) visit(x []float64, c []int64, off []int, f func(i int32, d2 float64) bool) {
	c = g.cell(x, c)
	r2 := g.eps * g.eps
	if !g.scan(x, g.cells[g.key(c, nil)], r2, f) {
		return
	}
	for j := range off {
		off[j] = -1
	}
	for {
		if !isZero(off) && !g.scan(x, g.cells[g.key(c, off)], r2, f) {
			return
		}
		if !nextOffset(off) {
			return
		}
	}
}

func (g *grid) scan(x []float64, pts []int32, r2 float64, f func(i int32, d2 float64) bool) bool {
	for _, i := range pts {
		if d2 := sqDist(x, g.X.Row(int(i))); d2 <= r2 && !f(i, d2) {
			return false
		}
	}
	return true
}

func isZero(off []int) bool {
	for _, v := range off {
		if v != 0 {
			return false
		}
	}
	return true
}

func nextOffset(off []int) bool {
	for j := range off {
		if off[j] < 1 {
			off[j]++
			return true
		}
		off[j] = -1
	}
	return false
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for j := range a {
		d := a[j] - b[j]
		s += d * d
	}
	return s
}

// assignToCores extends a DBSCAN partition of the sample rows idx of X
// (sample matrix Xs, labels) to every row of X: sampled rows keep their
// label, the others join the cluster of their nearest sample core point if
// it lies within eps, or become noise.
func assignToCores(X, Xs *ml.Matrix, idx []int, labels []int, eps float64, minSamples, workers int) []int {
	all := make([]int32, Xs.Rows)
	for i := range all {
		all[i] = int32(i)
	}
	g := newGrid(Xs, eps, all)
	var cores []int32
	c, off := make([]int64, 0, X.Cols), make([]int, X.Cols)
	for i := 0; i < Xs.Rows; i++ {
		n := 0
		g.visit(Xs.Row(i), c, off, func(int32, float64) bool { n++; return n < minSamples })
		if n >= minSamples && labels[i] >= 0 {
			cores = append(cores, int32(i))
		}
	}
	tree := newKDTree(Xs, cores)
	out := make([]int, X.Rows)
	parallel(X.Rows, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = -1
			if k := tree.nearestWithin(X.Row(i), eps*eps); k >= 0 {
				out[i] = labels[k]
			}
		}
	})
	for k, i := range idx {
		out[i] = labels[k]
	}
	return out
}
