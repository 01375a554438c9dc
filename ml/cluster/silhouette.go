package cluster

import (
	"fmt"
	"math"
	"slices"

	"github.com/omnify-cloud/omnify/ml"
)

// SilhouetteConfig configures Silhouette. Zero values select the defaults.
type SilhouetteConfig struct {
	ExactLimit int // up to this many points the score is exact (default 20000)
	SampleSize int // points sampled above ExactLimit (default 10000)
	Seed       int64
	Workers    int
}

// SilhouetteResult reports the mean silhouette and how it was obtained.
type SilhouetteResult struct {
	Score      float64
	Sampled    bool
	SampleSize int // points the score was computed on
	N          int // points in the input
}

// Silhouette computes the mean silhouette coefficient of labels over X,
// treating every distinct label (noise -1 included) as a cluster and giving
// points alone in their cluster a score of 0. Above ExactLimit points it
// scores a seeded random sample of SampleSize points, as scikit-learn's
// silhouette_score(sample_size=...) does. The exact pass is O(n²) time and
// O(n·clusters) memory.
func Silhouette(X *ml.Matrix, labels []int, cfg SilhouetteConfig) (SilhouetteResult, error) {
	if cfg.ExactLimit <= 0 {
		cfg.ExactLimit = 20000
	}
	if cfg.SampleSize <= 0 {
		cfg.SampleSize = 10000
	}
	if err := checkX(X); err != nil {
		return SilhouetteResult{}, fmt.Errorf("silhouette: %w", err)
	}
	if len(labels) != X.Rows {
		return SilhouetteResult{}, fmt.Errorf("silhouette: %w: %d labels for %d points", ErrShape, len(labels), X.Rows)
	}
	res := SilhouetteResult{N: X.Rows, SampleSize: X.Rows}
	if X.Rows > cfg.ExactLimit && cfg.SampleSize < X.Rows {
		idx := sampleIndexes(X.Rows, cfg.SampleSize, newRand(cfg.Seed))
		sub := make([]int, len(idx))
		for k, i := range idx {
			sub[k] = labels[i]
		}
		X, labels = X.SelectRows(idx), sub
		res.Sampled, res.SampleSize = true, len(idx)
	}
	enc, nl, err := checkLabels(X, labels)
	if err != nil {
		return SilhouetteResult{}, fmt.Errorf("silhouette: %w", err)
	}
	res.Score = silhouetteExact(X, enc, nl, cfg.Workers)
	return res, nil
}

// silhouetteExact averages per-point silhouettes. Points are regrouped by
// cluster so each point's distance sums run over contiguous rows; per-block
// sums are reduced in block order so the score does not depend on the
// worker count.
func silhouetteExact(X *ml.Matrix, enc []int, nl, workers int) float64 {
	n := X.Rows
	order, start := groupByLabel(enc, nl)
	G := X.SelectRows(order)
	sizes := make([]int, nl)
	for c := range sizes {
		sizes[c] = start[c+1] - start[c]
	}
	const rows = 64
	partial := make([]float64, numBlocks(n, rows))
	forBlocks(n, rows, workers, func(b, lo, hi int) {
		sums := make([]float64, nl)
		s := 0.0
		for i := lo; i < hi; i++ {
			xi := G.Row(i)
			for c := range sums {
				sums[c] = distSum(xi, G, start[c], start[c+1])
			}
			s += pointSilhouette(sums, sizes, enc[order[i]])
		}
		partial[b] = s
	})
	total := 0.0
	for _, s := range partial {
		total += s
	}
	return total / float64(n)
}

// groupByLabel returns row indexes sorted by label (stable) and the start
// offset of each label's run, with start[nl] = n.
func groupByLabel(enc []int, nl int) (order, start []int) {
	start = make([]int, nl+1)
	for _, l := range enc {
		start[l+1]++
	}
	for c := 0; c < nl; c++ {
		start[c+1] += start[c]
	}
	next := slices.Clone(start[:nl])
	order = make([]int, len(enc))
	for i, l := range enc {
		order[next[l]] = i
		next[l]++
	}
	return order, start
}

// distSum adds the Euclidean distances from x to rows [lo,hi) of G.
func distSum(x []float64, G *ml.Matrix, lo, hi int) float64 {
	d := G.Cols
	var s0, s1 float64
	j := lo
	for ; j+2 <= hi; j += 2 {
		s0 += math.Sqrt(sqDist(x, G.Data[j*d:(j+1)*d]))
		s1 += math.Sqrt(sqDist(x, G.Data[(j+1)*d:(j+2)*d]))
	}
	if j < hi {
		s0 += math.Sqrt(sqDist(x, G.Data[j*d:(j+1)*d]))
	}
	return s0 + s1
}

// pointSilhouette turns one point's per-cluster distance sums into (b-a)/max(a,b).
func pointSilhouette(sums []float64, sizes []int, own int) float64 {
	if sizes[own] <= 1 {
		return 0
	}
	a := sums[own] / float64(sizes[own]-1)
	b := math.Inf(1)
	for c, s := range sums {
		if c != own {
			b = math.Min(b, s/float64(sizes[c]))
		}
	}
	den := math.Max(a, b)
	if den == 0 {
		return 0
	}
	return (b - a) / den
}
