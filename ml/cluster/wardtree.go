package cluster

import (
	"math"
	"slices"

	"github.com/omnify-cloud/omnify/ml"
)

// wardMerge joins the clusters holding leaves A and B at Ward cost
// (increase in within-cluster sum of squares).
type wardMerge struct {
	A, B int
	Cost float64
}

// wardChain is the working set of the nearest-neighbour chain: active
// clusters live in compact slots (centroid, weight, a representative leaf)
// so each nearest-neighbour scan walks contiguous memory.
type wardChain struct {
	d       int
	cent    []float64
	weight  []float64
	rep     []int
	active  int
	minW    float64
	workers int
}

// wardTree builds the full Ward merge sequence over weighted points C
// (modified in place). Ward's linkage is reducible, so the nearest-neighbour
// chain finds exactly the merges of the greedy algorithm.
func wardTree(C *ml.Matrix, w []float64, workers int) []wardMerge {
	n := C.Rows
	wc := &wardChain{d: C.Cols, cent: C.Data, weight: w, rep: make([]int, n), active: n, minW: slices.Min(w), workers: workers}
	for i := range wc.rep {
		wc.rep[i] = i
	}
	merges := make([]wardMerge, 0, n-1)
	chain := make([]int, 0, 64)
	for wc.active > 1 {
		if len(chain) == 0 {
			chain = append(chain, 0)
		}
		a, prev := chain[len(chain)-1], -1
		if len(chain) >= 2 {
			prev = chain[len(chain)-2]
		}
		b, cost := wc.nearest(a, prev)
		if b != prev {
			chain = append(chain, b)
			continue
		}
		chain = chain[:len(chain)-2]
		merges = append(merges, wardMerge{A: wc.rep[a], B: wc.rep[b], Cost: cost})
		wc.merge(a, b, chain)
	}
	return merges
}

func (wc *wardChain) row(s int) []float64 { return wc.cent[s*wc.d : (s+1)*wc.d] }

func (wc *wardChain) cost(a, b int) float64 {
	wa, wb := wc.weight[a], wc.weight[b]
	return wa * wb / (wa + wb) * sqDist(wc.row(a), wc.row(b))
}

// nearest returns the slot with the lowest Ward cost to a. The previous
// chain element wins ties, which keeps the chain from cycling; other ties go
// to the lowest slot, independent of how the scan was split across workers.
func (wc *wardChain) nearest(a, prev int) (int, float64) {
	const block = 2048
	nb := numBlocks(wc.active, block)
	workers := wc.workers
	if wc.active < 2*block { // below this a scan is too short to share
		workers = 1
	}
	bestS := make([]int, nb)
	bestC := make([]float64, nb)
	forBlocks(wc.active, block, workers, func(bi, lo, hi int) {
		bestS[bi], bestC[bi] = wc.scan(a, lo, hi)
	})
	b, c := -1, math.Inf(1)
	for bi := range bestS {
		if bestC[bi] < c {
			b, c = bestS[bi], bestC[bi]
		}
	}
	if prev >= 0 {
		if pc := wc.cost(a, prev); pc <= c {
			return prev, pc
		}
	}
	return b, c
}

// scan finds the cheapest merge partner for a among slots [lo,hi). The
// squared distance times the smallest possible size factor bounds the cost
// from below, so a candidate is dropped as soon as the distance over its
// first half of features exceeds bestCost/lowFactor.
func (wc *wardChain) scan(a, lo, hi int) (int, float64) {
	wa, d := wc.weight[a], wc.d
	lowFactor := wa * wc.minW / (wa + wc.minW)
	ca := wc.row(a)
	half := d / 2
	caHead, caTail := ca[:half], ca[half:]
	best, bestC, limit := -1, math.Inf(1), math.Inf(1)
	for s := lo; s < hi; s++ {
		if s == a {
			continue
		}
		row := wc.cent[s*d : (s+1)*d]
		dist := sqDist(caHead, row[:half])
		if dist > limit {
			continue
		}
		dist += sqDist(caTail, row[half:])
		if dist > limit {
			continue
		}
		ws := wc.weight[s]
		if c := wa * ws / (wa + ws) * dist; c < bestC {
			best, bestC, limit = s, c, c/lowFactor
		}
	}
	return best, bestC
}

// merge replaces slots a and b by their union in the lower slot and moves
// the last active slot into the freed one, fixing chain references to it.
func (wc *wardChain) merge(a, b int, chain []int) {
	p, q := min(a, b), max(a, b)
	wp, wq := wc.weight[p], wc.weight[q]
	rp, rq := wc.row(p), wc.row(q)
	for j := range rp {
		rp[j] = (wp*rp[j] + wq*rq[j]) / (wp + wq)
	}
	wc.weight[p] = wp + wq
	last := wc.active - 1
	if q != last {
		copy(wc.row(q), wc.row(last))
		wc.weight[q] = wc.weight[last]
		wc.rep[q] = wc.rep[last]
		for i, s := range chain {
			if s == last {
				chain[i] = q
			}
		}
	}
	wc.active--
}

// cutTree applies the n-k cheapest merges (stable by discovery order for
// equal costs) and labels the leaves by first appearance.
func cutTree(n int, merges []wardMerge, k int) []int {
	sorted := slices.Clone(merges)
	slices.SortStableFunc(sorted, func(x, y wardMerge) int {
		switch {
		case x.Cost < y.Cost:
			return -1
		case x.Cost > y.Cost:
			return 1
		}
		return 0
	})
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	root := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, m := range sorted[:n-k] {
		ra, rb := root(m.A), root(m.B)
		parent[max(ra, rb)] = min(ra, rb)
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = root(i)
	}
	return renumber(labels)
}
