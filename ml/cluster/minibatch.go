package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/omnify-cloud/omnify/ml"
)

// MiniBatchConfig configures MiniBatchKMeans. Zero values select defaults.
type MiniBatchConfig struct {
	K         int
	BatchSize int // points per step (default 1024)
	MaxIter   int // mini-batch steps (default 100)
	InitSize  int // points sampled for k-means++ seeding (default max(3·BatchSize, 3·K))
	Seed      int64
	Workers   int
}

func (c MiniBatchConfig) withDefaults() MiniBatchConfig {
	if c.BatchSize <= 0 {
		c.BatchSize = 1024
	}
	if c.MaxIter <= 0 {
		c.MaxIter = 100
	}
	if c.InitSize <= 0 {
		c.InitSize = max(3*c.BatchSize, 3*c.K)
	}
	return c
}

// MiniBatchKMeans fits K centres from random mini-batches with per-centre
// learning rates 1/count (Sculley's web-scale k-means), then assigns every
// point to its nearest centre. Use it when n·K·iterations of full Lloyd is
// too expensive; quality is close to, not equal to, KMeans.
func MiniBatchKMeans(X *ml.Matrix, cfg MiniBatchConfig) (*KMeansResult, error) {
	cfg = cfg.withDefaults()
	if err := checkX(X); err != nil {
		return nil, fmt.Errorf("mini-batch kmeans: %w", err)
	}
	if err := checkK(cfg.K, X.Rows); err != nil {
		return nil, fmt.Errorf("mini-batch kmeans: %w", err)
	}
	rng := newRand(cfg.Seed)
	initIdx := sampleIndexes(X.Rows, max(cfg.InitSize, cfg.K), rng)
	C := seedCenters(X.SelectRows(initIdx), cfg.K, rng, cfg.Workers)
	counts := make([]float64, cfg.K)
	batch := make([]int, cfg.BatchSize)
	near := make([]int, cfg.BatchSize)
	for it := 0; it < cfg.MaxIter; it++ {
		for b := range batch {
			batch[b] = rng.IntN(X.Rows)
		}
		nearestBatch(X, C, batch, near, cfg.Workers)
		for b, i := range batch {
			c := near[b]
			counts[c]++
			eta := 1 / counts[c]
			row := C.Row(c)
			for j, v := range X.Row(i) {
				row[j] += eta * (v - row[j])
			}
		}
	}
	labels := assignNearest(X, C, cfg.Workers)
	sizes := make([]int, cfg.K)
	for _, l := range labels {
		sizes[l]++
	}
	return &KMeansResult{Labels: labels, Centers: C, Iter: cfg.MaxIter, Sizes: sizes,
		Inertia: inertiaOf(X, C, labels, cfg.Workers)}, nil
}

// nearestBatch finds the nearest centre of each batch point, through a k-d
// tree over the centres when there are many of them.
func nearestBatch(X, C *ml.Matrix, batch, near []int, workers int) {
	if C.Rows <= 32 {
		forBlocks(len(batch), 128, workers, func(_, lo, hi int) {
			for b := lo; b < hi; b++ {
				near[b], _ = nearest(X.Row(batch[b]), C)
			}
		})
		return
	}
	t := buildKDTree(C)
	forBlocks(len(batch), 128, workers, func(_, lo, hi int) {
		var h knnHeap
		var stack []int
		for b := lo; b < hi; b++ {
			stack = t.knn(X.Row(batch[b]), 1, &h, stack)
			near[b] = h.idx[0]
		}
	})
}

// seedCenters uses greedy k-means++ for small K and plain k-means++ (one
// candidate per step) for large K, where the greedy trials dominate the cost.
func seedCenters(S *ml.Matrix, k int, rng *rand.Rand, workers int) *ml.Matrix {
	if k <= 64 {
		return kmeansPlusPlus(S, k, rng, workers)
	}
	n := S.Rows
	C := ml.NewMatrix(k, S.Cols)
	copy(C.Row(0), S.Row(rng.IntN(n)))
	closest := make([]float64, n)
	for i := range closest {
		closest[i] = sqDist(S.Row(i), C.Row(0))
	}
	for c := 1; c < k; c++ {
		pot := 0.0
		for _, v := range closest {
			pot += v
		}
		pick, r := n-1, rng.Float64()*pot
		for i, v := range closest {
			if r < v {
				pick = i
				break
			}
			r -= v
		}
		copy(C.Row(c), S.Row(pick))
		ctr := C.Row(c)
		forBlocks(n, blockSize, workers, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				closest[i] = math.Min(closest[i], sqDist(S.Row(i), ctr))
			}
		})
	}
	return C
}

// assignNearest labels every point with its nearest centre, through a k-d
// tree over the centres when there are many of them.
func assignNearest(X, C *ml.Matrix, workers int) []int {
	labels := make([]int, X.Rows)
	if C.Rows <= 32 {
		forBlocks(X.Rows, blockSize, workers, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				labels[i], _ = nearest(X.Row(i), C)
			}
		})
		return labels
	}
	t := buildKDTree(C)
	forBlocks(X.Rows, blockSize, workers, func(_, lo, hi int) {
		var h knnHeap
		var stack []int
		for i := lo; i < hi; i++ {
			stack = t.knn(X.Row(i), 1, &h, stack)
			labels[i] = h.idx[0]
		}
	})
	return labels
}
