package cluster_test

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/cluster"
)

// blobs draws n points around k Gaussian centres in d dimensions.
func blobs(n, d, k int, spread float64, seed uint64) (*ml.Matrix, []int) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	centres := make([]float64, k*d)
	for i := range centres {
		centres[i] = (rng.Float64()*2 - 1) * 10
	}
	X := ml.NewMatrix(n, d)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		c := rng.IntN(k)
		labels[i] = c
		for j := 0; j < d; j++ {
			X.Data[i*d+j] = centres[c*d+j] + rng.NormFloat64()*spread
		}
	}
	return X, labels
}

var (
	millionOnce   sync.Once
	millionX      *ml.Matrix
	millionLabels []int
)

func million() (*ml.Matrix, []int) {
	millionOnce.Do(func() { millionX, millionLabels = blobs(1_000_000, 8, 8, 1.5, 1) })
	return millionX, millionLabels
}

func BenchmarkKMeansIteration1Mx8(b *testing.B) {
	X, _ := million()
	init := X.SelectRows([]int{0, 1, 2, 3, 4, 5, 6, 7})
	iters := 0
	b.ResetTimer()
	for b.Loop() {
		res, err := cluster.KMeans(X, cluster.KMeansConfig{K: 8, Init: init, MaxIter: 30, Tol: -1})
		if err != nil {
			b.Fatal(err)
		}
		iters += res.Iter
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(iters)/1e6, "ms/iter")
}

func BenchmarkSilhouetteSampled1M(b *testing.B) {
	X, labels := million()
	b.ResetTimer()
	for b.Loop() {
		if _, err := cluster.Silhouette(X, labels, cluster.SilhouetteConfig{SampleSize: 10000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDBSCAN100k runs at the knee radius (most points core) and at a
// small radius (most points noise), the two regimes with different costs.
func BenchmarkDBSCAN100k(b *testing.B) {
	X, _ := blobs(100_000, 8, 8, 1.5, 2)
	knee, err := cluster.EstimateEps(X, 10, 1, 10000)
	if err != nil {
		b.Fatal(err)
	}
	for _, eps := range []struct {
		name string
		v    float64
	}{{"knee", knee}, {"sparse", 1.5}} {
		b.Run(eps.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := cluster.DBSCAN(X, cluster.DBSCANConfig{Eps: eps.v, MinSamples: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWardExact20k(b *testing.B) {
	X, _ := blobs(20_000, 8, 8, 1.5, 3)
	b.ResetTimer()
	for b.Loop() {
		if _, err := cluster.Ward(X, cluster.WardConfig{K: 8}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWardMicro1M(b *testing.B) {
	X, _ := million()
	b.ResetTimer()
	for b.Loop() {
		if _, err := cluster.Ward(X, cluster.WardConfig{K: 8, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
