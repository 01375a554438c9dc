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
// It runs in three parallel passes over a k-d tree: count neighbours (stopping
// at MinSamples) to find core points, join core neighbours with a lock-free
// union-find, then attach border points. Neighbourhoods are never stored.
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
	t := buildKDTree(X)
	r2 := cfg.Eps * cfg.Eps
	core := findCore(X, t, r2, cfg.MinSamples, cfg.Workers)
	parent := joinCores(X, t, r2, core, cfg.Workers)
	labels, nc := numberClusters(parent, core)
	attachBorders(X, t, r2, core, labels, cfg.Workers)
	res := &DBSCANResult{Labels: labels, NClusters: nc, Eps: cfg.Eps, MinSamples: cfg.MinSamples}
	for _, l := range labels {
		if l < 0 {
			res.NNoise++
		}
	}
	return res, nil
}

func findCore(X *ml.Matrix, t *kdTree, r2 float64, minSamples, workers int) []bool {
	core := make([]bool, X.Rows)
	forBlocks(X.Rows, 256, workers, func(_, lo, hi int) {
		var stack []int
		for i := lo; i < hi; i++ {
			count := 0
			stack = t.radius(X.Row(i), r2, stack, func(int) bool {
				count++
				return count < minSamples
			})
			core[i] = count >= minSamples
		}
	})
	return core
}

// joinCores unions every pair of neighbouring core points. The union-find
// always hangs the larger root under the smaller, so each component's root
// is its lowest-index core point whatever the scheduling.
func joinCores(X *ml.Matrix, t *kdTree, r2 float64, core []bool, workers int) []int32 {
	parent := make([]int32, X.Rows)
	for i := range parent {
		parent[i] = int32(i)
	}
	forBlocks(X.Rows, 256, workers, func(_, lo, hi int) {
		var stack []int
		for i := lo; i < hi; i++ {
			if !core[i] {
				continue
			}
			stack = t.radius(X.Row(i), r2, stack, func(j int) bool {
				if j > i && core[j] {
					union(parent, int32(i), int32(j))
				}
				return true
			})
		}
	})
	return parent
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

// numberClusters labels core points by the rank of their component's root,
// which equals scikit-learn's order of first core point in index order.
func numberClusters(parent []int32, core []bool) ([]int, int) {
	labels := make([]int, len(core))
	id := make(map[int32]int)
	for i := range labels {
		labels[i] = -1
		if !core[i] {
			continue
		}
		r := find(parent, int32(i))
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
// cluster id among those neighbours.
func attachBorders(X *ml.Matrix, t *kdTree, r2 float64, core []bool, labels []int, workers int) {
	forBlocks(X.Rows, 256, workers, func(_, lo, hi int) {
		var stack []int
		for i := lo; i < hi; i++ {
			if core[i] {
				continue
			}
			best := -1
			stack = t.radius(X.Row(i), r2, stack, func(j int) bool {
				if core[j] && (best < 0 || labels[j] < best) {
					best = labels[j]
				}
				return true
			})
			labels[i] = best
		}
	})
}
