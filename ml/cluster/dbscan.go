package cluster

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/omnify-cloud/omnify/ml"
)

// DBSCANConfig configures DBSCAN.
type DBSCANConfig struct {
	Eps        float64 // neighbourhood radius (inclusive), > 0
	MinSamples int     // neighbours, the point itself included, that make a core point (default 5)
	Workers    int
}

// DBSCANResult is a density-based partition; label -1 marks noise.
type DBSCANResult struct {
	Labels     []int
	NClusters  int
	NNoise     int
	Eps        float64
	MinSamples int
}

// DBSCAN clusters X by density. Labels are identical to scikit-learn's
// DBSCAN for the same Eps and MinSamples: clusters are numbered by their
// lowest-index core point, and a border point reachable from several
// clusters joins the lowest-numbered one.
//
// It runs parallel passes over a k-d tree, in tree order: count neighbours
// (stopping at MinSamples) to find core points, join neighbouring core
// points with a lock-free union-find (each pair once, skipping subtrees
// already known to be in the same component), then attach border points.
// Full neighbourhoods are never stored, so memory stays O(n·MinSamples).
func DBSCAN(X *ml.Matrix, cfg DBSCANConfig) (*DBSCANResult, error) {
	if cfg.MinSamples == 0 {
		cfg.MinSamples = 5
	}
	if err := checkX(X); err != nil {
		return nil, fmt.Errorf("dbscan: %w", err)
	}
	if !(cfg.Eps > 0) || math.IsInf(cfg.Eps, 0) {
		return nil, fmt.Errorf("dbscan: eps=%v must be positive and finite", cfg.Eps)
	}
	if cfg.MinSamples < 1 {
		return nil, fmt.Errorf("dbscan: min samples=%d must be at least 1", cfg.MinSamples)
	}
	s := &dbscan{t: buildKDTree(X), r2: cfg.Eps * cfg.Eps, minSamples: cfg.MinSamples, workers: cfg.Workers}
	s.findCore()
	s.joinCores()
	labels, nc := s.numberClusters()
	s.attachBorders(labels)
	res := &DBSCANResult{Labels: labels, NClusters: nc, Eps: cfg.Eps, MinSamples: cfg.MinSamples}
	for _, l := range labels {
		if l < 0 {
			res.NNoise++
		}
	}
	return res, nil
}

// dbscan is one run's state, indexed by k-d tree position.
type dbscan struct {
	t          *kdTree
	r2         float64
	minSamples int
	workers    int
	core       []bool
	parent     []int32
	cache      *neighbourCache
	settled    []bool  // per k-d node: its core points share one component
	rep        []int32 // per k-d node: one core point below it, or -1
}

// neighbourCache keeps, for each non-core point, its fewer-than-MinSamples
// neighbours found while counting, so border points need no second search.
type neighbourCache struct {
	stride int
	idx    []int32
	count  []int32
}

const maxCachedNeighbours = 32 // bounds the cache at 124 bytes a point

func (c *neighbourCache) of(p int) []int32 {
	return c.idx[p*c.stride : p*c.stride+int(c.count[p])]
}

func (s *dbscan) n() int { return len(s.t.orig) }

func (s *dbscan) findCore() {
	n := s.n()
	s.core = make([]bool, n)
	var cache *neighbourCache
	if stride := s.minSamples - 1; stride <= maxCachedNeighbours {
		cache = &neighbourCache{stride: stride, idx: make([]int32, n*stride), count: make([]int32, n)}
	}
	forBlocks(n, 256, s.workers, func(_, lo, hi int) {
		var stack []int
		for p := lo; p < hi; p++ {
			count := 0
			stack = s.t.radius(s.t.point(p), s.r2, 0, stack, func(q int) bool {
				if cache != nil && count < cache.stride {
					cache.idx[p*cache.stride+count] = int32(q)
				}
				count++
				return count < s.minSamples
			})
			s.core[p] = count >= s.minSamples
			if cache != nil && !s.core[p] {
				cache.count[p] = int32(count)
			}
		}
	})
	s.cache = cache
}

// joinRound is the most points joined between refreshes of the
// settled-subtree marks.
const joinRound = 4096

// joinCores unions every pair of neighbouring core points, each pair once
// (from the lower tree position). It works in rounds; between rounds it marks
// subtrees whose core points already form one component, and a query skips
// such a subtree when it is in the querying point's component, since every
// union there would be redundant. Inside dense clusters that prunes most of
// the tree; the resulting components are the same with or without it.
func (s *dbscan) joinCores() {
	n := s.n()
	s.parent = make([]int32, n)
	for p := range s.parent {
		s.parent[p] = int32(p)
	}
	nodes := len(s.t.nodes)
	s.settled, s.rep = make([]bool, nodes), make([]int32, nodes)
	s.joinLocal()
	// Rounds start small and double, so that heavily duplicated data settles
	// before many points have scanned it.
	for start, size := 0, 256; start < n; start, size = start+size, min(2*size, joinRound) {
		s.refreshSettled()
		end := min(n, start+size)
		forBlocks(end-start, 256, s.workers, func(_, lo, hi int) {
			var stack []int
			for p := start + lo; p < start+hi; p++ {
				if s.core[p] {
					stack = s.joinFrom(p, stack)
				}
			}
		})
	}
}

// localJoinSize bounds the subtrees joined by brute force before the main
// pass, so that dense subtrees start out settled.
const localJoinSize = 128

// joinLocal unions neighbouring core points inside each maximal subtree of
// at most localJoinSize points.
func (s *dbscan) joinLocal() {
	var roots []int
	var walk func(node int)
	walk = func(node int) {
		nd := s.t.nodes[node]
		if nd.hi-nd.lo <= localJoinSize {
			roots = append(roots, node)
			return
		}
		if nd.left < 0 {
			return // a large leaf of duplicates: the main pass handles it
		}
		walk(nd.left)
		walk(nd.right)
	}
	walk(0)
	forBlocks(len(roots), 8, s.workers, func(_, lo, hi int) {
		for _, node := range roots[lo:hi] {
			nd := s.t.nodes[node]
			for a := nd.lo; a < nd.hi; a++ {
				if !s.core[a] {
					continue
				}
				pa := s.t.point(a)
				for b := a + 1; b < nd.hi; b++ {
					if s.core[b] && sqDist(pa, s.t.point(b)) <= s.r2 {
						union(s.parent, int32(a), int32(b))
					}
				}
			}
		}
	})
}

// refreshSettled recomputes, bottom-up, which subtrees hold core points of a
// single component (rep is one of them, -1 when there is none). Children
// always have higher node ids than their parent.
func (s *dbscan) refreshSettled() {
	t := s.t
	for node := len(t.nodes) - 1; node >= 0; node-- {
		if s.settled[node] {
			continue // components only ever merge, so settled stays settled
		}
		nd := t.nodes[node]
		if nd.left < 0 {
			s.settled[node], s.rep[node] = s.leafSettled(nd.lo, nd.hi)
			continue
		}
		l, r := nd.left, nd.right
		s.rep[node] = s.rep[l]
		if s.rep[node] < 0 {
			s.rep[node] = s.rep[r]
		}
		s.settled[node] = s.settled[l] && s.settled[r] &&
			(s.rep[l] < 0 || s.rep[r] < 0 || find(s.parent, s.rep[l]) == find(s.parent, s.rep[r]))
	}
}

func (s *dbscan) leafSettled(lo, hi int) (bool, int32) {
	rep, root := int32(-1), int32(-1)
	for p := lo; p < hi; p++ {
		if !s.core[p] {
			continue
		}
		r := find(s.parent, int32(p))
		if rep < 0 {
			rep, root = int32(p), r
		} else if r != root {
			return false, rep
		}
	}
	return true, rep
}

// joinFrom unions core point p with its core neighbours at later positions.
func (s *dbscan) joinFrom(p int, stack []int) []int {
	t, q, from := s.t, s.t.point(p), p+1
	stack = append(stack[:0], 0)
	for len(stack) > 0 {
		node := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nd := t.nodes[node]
		if nd.hi <= from || s.redundant(node, p) || t.boxBeyond(node, q, s.r2) {
			continue
		}
		if nd.left >= 0 && !t.boxWithin(node, q, s.r2) {
			stack = append(stack, nd.right, nd.left)
			continue
		}
		within := nd.left >= 0 || t.boxWithin(node, q, s.r2)
		for o := max(nd.lo, from); o < nd.hi; o++ {
			if s.core[o] && (within || sqDist(q, t.point(o)) <= s.r2) {
				union(s.parent, int32(p), int32(o))
			}
		}
	}
	return stack
}

// redundant reports whether every core point under node is already in p's
// component.
func (s *dbscan) redundant(node, p int) bool {
	if !s.settled[node] {
		return false
	}
	r := s.rep[node]
	return r < 0 || find(s.parent, r) == find(s.parent, int32(p))
}

func find(parent []int32, x int32) int32 {
	for {
		p := atomic.LoadInt32(&parent[x])
		if p == x {
			return x
		}
		gp := atomic.LoadInt32(&parent[p])
		if gp != p {
			atomic.CompareAndSwapInt32(&parent[x], p, gp) // path halving; losing the race is harmless
		}
		x = p
	}
}

// union links the larger root under the smaller; the resulting components
// do not depend on the order in which goroutines run.
func union(parent []int32, a, b int32) {
	for {
		ra, rb := find(parent, a), find(parent, b)
		if ra == rb {
			return
		}
		if ra < rb {
			ra, rb = rb, ra
		}
		if atomic.CompareAndSwapInt32(&parent[ra], ra, rb) {
			return
		}
	}
}

// numberClusters labels core points, visiting them in input order, so a
// cluster's number is the rank of its lowest-index core point: the order in
// which scikit-learn's expansion discovers clusters.
func (s *dbscan) numberClusters() ([]int, int) {
	labels := make([]int, s.n())
	pos := make([]int32, s.n())
	for p, i := range s.t.orig {
		pos[i] = int32(p)
	}
	id := make(map[int32]int)
	for i := range labels {
		labels[i] = -1
		p := pos[i]
		if !s.core[p] {
			continue
		}
		r := find(s.parent, p)
		c, ok := id[r]
		if !ok {
			c = len(id)
			id[r] = c
		}
		labels[i] = c
	}
	return labels, len(id)
}

// attachBorders gives each non-core point with a core neighbour the lowest
// cluster number among those neighbours: the cluster that reaches it first.
func (s *dbscan) attachBorders(labels []int) {
	orig := s.t.orig
	forBlocks(s.n(), 256, s.workers, func(_, lo, hi int) {
		var stack []int
		for p := lo; p < hi; p++ {
			if s.core[p] {
				continue
			}
			best := -1
			consider := func(q int) bool {
				if !s.core[q] {
					return true // non-core labels are being written concurrently
				}
				if l := labels[orig[q]]; best < 0 || l < best {
					best = l
				}
				return true
			}
			if s.cache != nil {
				for _, q := range s.cache.of(p) {
					consider(int(q))
				}
			} else {
				stack = s.t.radius(s.t.point(p), s.r2, 0, stack, consider)
			}
			labels[orig[p]] = best
		}
	})
}
