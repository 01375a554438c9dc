package cluster

import (
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

const kdLeafSize = 16

// kdTree indexes points for radius and nearest-neighbour queries. Points are
// copied in tree order so a leaf scan walks contiguous memory.
type kdTree struct {
	d     int
	pts   []float64 // points in tree order
	orig  []int     // orig[p] is the input index of tree position p
	nodes []kdNode
	boxes []float64 // per node: d minima then d maxima
}

type kdNode struct {
	lo, hi      int // tree-order range
	left, right int // child nodes, -1 for a leaf
	dim         int // split dimension
	split       float64
}

func buildKDTree(X *ml.Matrix) *kdTree {
	n, d := X.Rows, X.Cols
	t := &kdTree{d: d, orig: make([]int, n)}
	for i := range t.orig {
		t.orig[i] = i
	}
	t.build(X, 0, n)
	t.pts = make([]float64, n*d)
	for p, i := range t.orig {
		copy(t.pts[p*d:(p+1)*d], X.Row(i))
	}
	return t
}

// build splits [lo,hi) at the median of its widest dimension and returns
// the node id.
func (t *kdTree) build(X *ml.Matrix, lo, hi int) int {
	id := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{lo: lo, hi: hi, left: -1, right: -1})
	box := t.box(X, lo, hi)
	t.boxes = append(t.boxes, box...)
	if hi-lo <= kdLeafSize {
		return id
	}
	dim, spread := 0, -1.0
	for j := 0; j < t.d; j++ {
		if s := box[t.d+j] - box[j]; s > spread {
			dim, spread = j, s
		}
	}
	if spread == 0 {
		return id
	}
	mid := (lo + hi) / 2
	quickselect(t.orig[lo:hi], mid-lo, func(i int) float64 { return X.At(i, dim) })
	l := t.build(X, lo, mid)
	r := t.build(X, mid, hi)
	t.nodes[id].left, t.nodes[id].right = l, r
	t.nodes[id].dim, t.nodes[id].split = dim, X.At(t.orig[mid], dim)
	return id
}

func (t *kdTree) box(X *ml.Matrix, lo, hi int) []float64 {
	d := t.d
	box := make([]float64, 2*d)
	for j := 0; j < d; j++ {
		box[j], box[d+j] = math.Inf(1), math.Inf(-1)
	}
	for _, i := range t.orig[lo:hi] {
		for j, v := range X.Row(i) {
			box[j] = math.Min(box[j], v)
			box[d+j] = math.Max(box[d+j], v)
		}
	}
	return box
}

// quickselect reorders idx so idx[k] has the k-th smallest key, smaller keys
// before it and larger after.
func quickselect(idx []int, k int, key func(int) float64) {
	lo, hi := 0, len(idx)-1
	for lo < hi {
		pivot := key(idx[(lo+hi)/2])
		i, j := lo, hi
		for i <= j {
			for key(idx[i]) < pivot {
				i++
			}
			for key(idx[j]) > pivot {
				j--
			}
			if i <= j {
				idx[i], idx[j] = idx[j], idx[i]
				i++
				j--
			}
		}
		if k <= j {
			hi = j
		} else if k >= i {
			lo = i
		} else {
			return
		}
	}
}

// boxBeyond reports whether node's bounding box lies farther than r2 from q,
// stopping as soon as the partial distance exceeds it.
func (t *kdTree) boxBeyond(node int, q []float64, r2 float64) bool {
	d := t.d
	box := t.boxes[node*2*d : (node+1)*2*d]
	lo, hi := box[:d:d], box[d:2*d:2*d]
	s := 0.0
	for j, v := range q[:d] {
		if v < lo[j] {
			e := lo[j] - v
			s += e * e
		} else if v > hi[j] {
			e := v - hi[j]
			s += e * e
		} else {
			continue
		}
		if s > r2 {
			return true
		}
	}
	return false
}

// point returns the coordinates stored at tree position p.
func (t *kdTree) point(p int) []float64 { return t.pts[p*t.d : (p+1)*t.d : (p+1)*t.d] }

// radius calls fn with the tree position of every point at position ≥ from
// within squared distance r2 of q (inclusive). Subtrees wholly before from
// are skipped, which lets symmetric passes visit each pair once. fn returns
// false to stop the search early.
func (t *kdTree) radius(q []float64, r2 float64, from int, stack []int, fn func(p int) bool) []int {
	stack = append(stack[:0], 0)
	d := t.d
	for len(stack) > 0 {
		node := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nd := t.nodes[node]
		if nd.hi <= from || t.boxBeyond(node, q, r2) {
			continue
		}
		if t.boxWithin(node, q, r2) {
			// The whole box is inside the ball: no distances needed.
			for p := max(nd.lo, from); p < nd.hi; p++ {
				if !fn(p) {
					return stack
				}
			}
			continue
		}
		if nd.left >= 0 {
			// The side holding q goes on top: early-stopping counts finish sooner.
			if q[nd.dim] < nd.split {
				stack = append(stack, nd.right, nd.left)
			} else {
				stack = append(stack, nd.left, nd.right)
			}
			continue
		}
		for p := max(nd.lo, from); p < nd.hi; p++ {
			if sqDist(q, t.pts[p*d:(p+1)*d]) <= r2 && !fn(p) {
				return stack
			}
		}
	}
	return stack
}

// boxWithin reports whether node's whole bounding box lies within r2 of q.
func (t *kdTree) boxWithin(node int, q []float64, r2 float64) bool {
	d := t.d
	box := t.boxes[node*2*d : (node+1)*2*d]
	lo, hi := box[:d:d], box[d:2*d:2*d]
	s := 0.0
	for j, v := range q[:d] {
		e := math.Max(v-lo[j], hi[j]-v)
		s += e * e
		if s > r2 {
			return false
		}
	}
	return true
}

// knnHeap keeps the k smallest squared distances seen, largest on top.
type knnHeap struct {
	dist []float64
	idx  []int
}

func (h *knnHeap) worst(k int) float64 {
	if len(h.dist) < k {
		return math.Inf(1)
	}
	return h.dist[0]
}

func (h *knnHeap) push(k int, d float64, i int) {
	if len(h.dist) < k {
		h.dist, h.idx = append(h.dist, d), append(h.idx, i)
		for c := len(h.dist) - 1; c > 0; {
			p := (c - 1) / 2
			if h.dist[p] >= h.dist[c] {
				break
			}
			h.swap(p, c)
			c = p
		}
		return
	}
	if d >= h.dist[0] {
		return
	}
	h.dist[0], h.idx[0] = d, i
	for p := 0; ; {
		c := 2*p + 1
		if c >= len(h.dist) {
			break
		}
		if c+1 < len(h.dist) && h.dist[c+1] > h.dist[c] {
			c++
		}
		if h.dist[p] >= h.dist[c] {
			break
		}
		h.swap(p, c)
		p = c
	}
}

func (h *knnHeap) swap(a, b int) {
	h.dist[a], h.dist[b] = h.dist[b], h.dist[a]
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
}

// knn fills h with the k nearest points to q (squared distances, any order).
func (t *kdTree) knn(q []float64, k int, h *knnHeap, stack []int) []int {
	h.dist, h.idx = h.dist[:0], h.idx[:0]
	stack = append(stack[:0], 0)
	d := t.d
	for len(stack) > 0 {
		node := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if t.boxBeyond(node, q, h.worst(k)) {
			continue
		}
		nd := t.nodes[node]
		if nd.left >= 0 {
			// Visit the side holding q first so the bound tightens early.
			if q[nd.dim] < nd.split {
				stack = append(stack, nd.right, nd.left)
			} else {
				stack = append(stack, nd.left, nd.right)
			}
			continue
		}
		for p := nd.lo; p < nd.hi; p++ {
			h.push(k, sqDist(q, t.pts[p*d:(p+1)*d]), t.orig[p])
		}
	}
	return stack
}
