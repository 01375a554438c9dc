package cluster

import (
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// KMeansConfig configures KMeans. Zero values select the defaults noted.
type KMeansConfig struct {
	K       int     // number of clusters, 1..n
	NInit   int     // independent k-means++ restarts, best inertia wins (default 3)
	MaxIter int     // Lloyd iterations per restart (default 300)
	Tol     float64 // stop when total squared centre shift ≤ Tol·mean feature variance (default 1e-4; negative disables)
	Seed    int64
	Workers int        // goroutines (default GOMAXPROCS)
	Init    *ml.Matrix // optional K×d starting centres; when set, NInit is 1
}

func (c KMeansConfig) withDefaults() KMeansConfig {
	if c.NInit <= 0 {
		c.NInit = 3
	}
	if c.MaxIter <= 0 {
		c.MaxIter = 300
	}
	if c.Tol == 0 {
		c.Tol = 1e-4
	}
	if c.Tol < 0 {
		c.Tol = 0
	}
	if c.Init != nil {
		c.NInit = 1
	}
	return c
}

func (c KMeansConfig) validate(X *ml.Matrix) error {
	if err := checkX(X); err != nil {
		return err
	}
	if err := checkK(c.K, X.Rows); err != nil {
		return err
	}
	if c.Init != nil {
		if c.Init.Rows != c.K || c.Init.Cols != X.Cols || len(c.Init.Data) != c.K*X.Cols {
			return fmt.Errorf("%w: init centres %d×%d, want %d×%d", ErrShape, c.Init.Rows, c.Init.Cols, c.K, X.Cols)
		}
		if err := checkX(c.Init); err != nil {
			return fmt.Errorf("init centres: %w", err)
		}
	}
	return nil
}

// KMeansResult is a fitted partition.
type KMeansResult struct {
	Labels  []int
	Centers *ml.Matrix // K×d
	Inertia float64    // sum of squared distances to the assigned centre
	Iter    int        // Lloyd iterations of the winning restart
	Sizes   []int
}

// KMeans partitions the rows of X into cfg.K clusters with Lloyd's algorithm,
// accelerated by Hamerly's distance bounds (same fixed point as plain Lloyd,
// far fewer distance computations), started from greedy k-means++ seeds.
func KMeans(X *ml.Matrix, cfg KMeansConfig) (*KMeansResult, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(X); err != nil {
		return nil, fmt.Errorf("kmeans: %w", err)
	}
	tol := cfg.Tol * meanVariance(X)
	rng := newRand(cfg.Seed)
	var best *KMeansResult
	for run := 0; run < cfg.NInit; run++ {
		var init *ml.Matrix
		if cfg.Init != nil {
			init = cfg.Init.Clone()
		} else {
			init = kmeansPlusPlus(X, cfg.K, rng, cfg.Workers)
		}
		res := lloydHamerly(X, init, cfg.MaxIter, tol, cfg.Workers)
		if best == nil || res.Inertia < best.Inertia {
			best = res
		}
	}
	return best, nil
}

// meanVariance is the mean over columns of the population variance; it makes
// Tol independent of the data's units.
func meanVariance(X *ml.Matrix) float64 {
	d := X.Cols
	mean := make([]float64, d)
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(X.Rows)
	}
	total := 0.0
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			c := v - mean[j]
			total += c * c
		}
	}
	return total / float64(X.Rows*d)
}

// Predict assigns each row of X to its nearest centre. Rows of the wrong
// width get label -1.
func (r *KMeansResult) Predict(X *ml.Matrix) []int {
	if X.Cols != r.Centers.Cols {
		labels := make([]int, X.Rows)
		for i := range labels {
			labels[i] = -1
		}
		return labels
	}
	return assignNearest(X, r.Centers, 0)
}

// nearest returns the closest centre and its squared distance; ties go to
// the lower index.
func nearest(x []float64, C *ml.Matrix) (int, float64) {
	best, bestD := 0, math.Inf(1)
	for c := 0; c < C.Rows; c++ {
		if d := sqDist(x, C.Row(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD
}

// inertiaOf sums squared distances of points to their centres, block-ordered.
func inertiaOf(X, C *ml.Matrix, labels []int, workers int) float64 {
	partial := make([]float64, numBlocks(X.Rows, blockSize))
	forBlocks(X.Rows, blockSize, workers, func(b, lo, hi int) {
		s := 0.0
		for i := lo; i < hi; i++ {
			s += sqDist(X.Row(i), C.Row(labels[i]))
		}
		partial[b] = s
	})
	total := 0.0
	for _, s := range partial {
		total += s
	}
	return total
}
