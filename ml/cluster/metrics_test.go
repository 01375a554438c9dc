package cluster_test

import (
	"math"
	"testing"

	"github.com/omnify-cloud/omnify/ml/cluster"
)

func relClose(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(1, math.Abs(want))
}

func TestMetricsMatchScikitLearn(t *testing.T) {
	t.Parallel()
	for _, f := range mustFixtures(t) {
		sets := map[string]labelSet{"true": f.True, "singleton": f.Singleton, "dbscan": f.DBSCAN.labelSet}
		for setName, ls := range sets {
			if ls.Silhouette == nil {
				continue
			}
			t.Run(f.Name+"/"+setName, func(t *testing.T) {
				sil, err := cluster.Silhouette(f.matrix, ls.Labels, cluster.SilhouetteConfig{})
				if err != nil {
					t.Fatal(err)
				}
				if sil.Sampled || math.Abs(sil.Score-*ls.Silhouette) > 1e-6 {
					t.Errorf("silhouette = %.12f (sampled %v), sklearn %.12f", sil.Score, sil.Sampled, *ls.Silhouette)
				}
				db, err := cluster.DaviesBouldin(f.matrix, ls.Labels)
				if err != nil || !relClose(db, *ls.DaviesBouldin, 1e-6) {
					t.Errorf("davies-bouldin = %.12f (%v), sklearn %.12f", db, err, *ls.DaviesBouldin)
				}
				ch, err := cluster.CalinskiHarabasz(f.matrix, ls.Labels)
				if err != nil || !relClose(ch, *ls.CalinskiHarabasz, 1e-6) {
					t.Errorf("calinski-harabasz = %.12f (%v), sklearn %.12f", ch, err, *ls.CalinskiHarabasz)
				}
			})
		}
	}
}

func TestAdjustedRandIndex(t *testing.T) {
	t.Parallel()
	// Expected values are scikit-learn's adjusted_rand_score documentation examples.
	tests := []struct {
		name string
		a, b []int
		want float64
	}{
		{"identical", []int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 1},
		{"renamed", []int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1},
		{"split", []int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 0.5714285714285715},
		{"anti", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		{"all one vs singletons", []int{0, 0, 0, 0}, []int{0, 1, 2, 3}, 0},
		{"one cluster each", []int{3, 3, 3}, []int{7, 7, 7}, 1},
	}
	for _, tt := range tests {
		if got := cluster.AdjustedRandIndex(tt.a, tt.b); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: ARI = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := cluster.AdjustedRandIndex([]int{0}, []int{0, 1}); !math.IsNaN(got) {
		t.Errorf("mismatched lengths: ARI = %v, want NaN", got)
	}
}

func TestSilhouetteSampledIsCloseToExact(t *testing.T) {
	t.Parallel()
	f := mustFixture(t, "blobs_8d")
	exact, err := cluster.Silhouette(f.matrix, f.True.Labels, cluster.SilhouetteConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := cluster.SilhouetteConfig{ExactLimit: 500, SampleSize: 800, Seed: 3}
	s, err := cluster.Silhouette(f.matrix, f.True.Labels, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Sampled || s.SampleSize != 800 || s.N != f.matrix.Rows {
		t.Fatalf("result %+v: want sampled 800 of %d", s, f.matrix.Rows)
	}
	if math.Abs(s.Score-exact.Score) > 0.02 {
		t.Errorf("sampled %.4f vs exact %.4f", s.Score, exact.Score)
	}
	again, _ := cluster.Silhouette(f.matrix, f.True.Labels, cfg)
	if again.Score != s.Score {
		t.Errorf("same seed gave %v then %v", s.Score, again.Score)
	}
}
