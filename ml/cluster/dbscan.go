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
// (stopping at MinSamples) to find core points, join each pair of
// neighbouring core points once with a lock-free union-find, then attach
// border points. Full neighbourhoods are never stored.
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
}

// neighbourCache keeps, for each non-core point, its fewer-than-MinSamples
// neighbours found while counting, so border points need no second search.
type neighbourCache struct {
	stride int
	idx    []int32
	count  []int32
}

const maxCachedNeighbours = 64

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

// joinCores unions every pair of neighbouring core points, each pair once
// (from the lower tree position).
func (s *dbscan) joinCores() {
	n := s.n()
	s.parent = make([]int32, n)
	for p := range s.parent {
		s.parent[p] = int32(p)
	}
	forBlocks(n, 256, s.workers, func(_, lo, hi int) {
		var stack []int
		for p := lo; p < hi; p++ {
			if !s.core[p] {
				continue
			}
			stack = s.t.radius(s.t.point(p), s.r2, p+1, stack, func(q int) bool {
				if s.core[q] {
					union(s.parent, int32(p), int32(q))
				}
				return true
			})
		}
	})
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
