package cluster

import (
	"fmt"

	"github.com/omnify-cloud/omnify/ml"
)

// WardConfig configures Ward. Zero values select the defaults noted.
type WardConfig struct {
	K             int // clusters to cut the tree into, 1..n
	ExactLimit    int // exact Ward up to this many points (default 20000)
	MicroClusters int // k-means micro-clusters above ExactLimit (default 2000)
	Seed          int64
	Workers       int
}

func (c WardConfig) withDefaults() WardConfig {
	if c.ExactLimit <= 0 {
		c.ExactLimit = 20000
	}
	if c.MicroClusters <= 0 {
		c.MicroClusters = 2000
	}
	return c
}

// WardResult is a flat partition cut from a Ward tree.
type WardResult struct {
	Labels        []int  // 0..K-1, numbered by first appearance in row order
	Method        string // "exact" or "kmeans-micro-ward"
	MicroClusters int    // micro-clusters used (0 for exact)
}

// Ward performs agglomerative clustering with Ward's minimum-variance
// linkage and cuts the tree into cfg.K clusters. Up to ExactLimit points the
// tree is exact (nearest-neighbour chain on centroids and sizes, O(n²) time,
// O(n) memory) and the partition matches scikit-learn's
// AgglomerativeClustering(linkage="ward") up to label names. Larger inputs
// are first summarised by k-means into MicroClusters weighted centroids,
// which are then merged exactly.
func Ward(X *ml.Matrix, cfg WardConfig) (*WardResult, error) {
	cfg = cfg.withDefaults()
	if err := checkX(X); err != nil {
		return nil, fmt.Errorf("ward: %w", err)
	}
	if err := checkK(cfg.K, X.Rows); err != nil {
		return nil, fmt.Errorf("ward: %w", err)
	}
	if X.Rows <= cfg.ExactLimit {
		w := make([]float64, X.Rows)
		for i := range w {
			w[i] = 1
		}
		merges := wardTree(X.Clone(), w, cfg.Workers)
		return &WardResult{Labels: cutTree(X.Rows, merges, cfg.K), Method: "exact"}, nil
	}
	return microWard(X, cfg)
}

func microWard(X *ml.Matrix, cfg WardConfig) (*WardResult, error) {
	m := min(cfg.MicroClusters, X.Rows)
	if cfg.K > m {
		return nil, fmt.Errorf("ward: k=%d exceeds the %d micro-clusters", cfg.K, m)
	}
	micro, err := MiniBatchKMeans(X, MiniBatchConfig{K: m, BatchSize: 4096, MaxIter: 50, Seed: cfg.Seed, Workers: cfg.Workers})
	if err != nil {
		return nil, fmt.Errorf("ward micro-clusters: %w", err)
	}
	keep := make([]int, 0, m) // drop empty micro-clusters
	w := make([]float64, 0, m)
	for c, s := range micro.Sizes {
		if s > 0 {
			keep = append(keep, c)
			w = append(w, float64(s))
		}
	}
	if cfg.K > len(keep) {
		return nil, fmt.Errorf("ward: k=%d exceeds the %d non-empty micro-clusters", cfg.K, len(keep))
	}
	merges := wardTree(micro.Centers.SelectRows(keep), w, cfg.Workers)
	coarse := cutTree(len(keep), merges, cfg.K)
	of := make([]int, m)
	for p, c := range keep {
		of[c] = coarse[p]
	}
	labels := make([]int, X.Rows)
	for i, c := range micro.Labels {
		labels[i] = of[c]
	}
	return &WardResult{Labels: renumber(labels), Method: "kmeans-micro-ward", MicroClusters: len(keep)}, nil
}

// renumber relabels so clusters are numbered by first appearance.
func renumber(labels []int) []int {
	id := map[int]int{}
	out := make([]int, len(labels))
	for i, l := range labels {
		c, ok := id[l]
		if !ok {
			c = len(id)
			id[l] = c
		}
		out[i] = c
	}
	return out
}
