package cluster_test

import (
	"slices"
	"testing"

	"github.com/omnify-cloud/omnify/ml/cluster"
)

func TestKMeansAgreesWithScikitLearn(t *testing.T) {
	t.Parallel()
	for _, f := range mustFixtures(t) {
		res, err := cluster.KMeans(f.matrix, cluster.KMeansConfig{K: f.KMeans.K, NInit: 5, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		ari := cluster.AdjustedRandIndex(res.Labels, f.KMeans.Labels)
		t.Logf("%s: kmeans ARI vs sklearn %.4f, %d iterations", f.Name, ari, res.Iter)
		if f.Separated && ari < 0.99 {
			t.Errorf("%s: ARI %.4f < 0.99", f.Name, ari)
		}
		if got := res.Predict(f.matrix); !slices.Equal(got, res.Labels) {
			t.Errorf("%s: Predict disagrees with fitted labels", f.Name)
		}
		checkSizes(t, res)
	}
}

func checkSizes(t *testing.T, res *cluster.KMeansResult) {
	t.Helper()
	sizes := make([]int, len(res.Sizes))
	for _, l := range res.Labels {
		sizes[l]++
	}
	if !slices.Equal(sizes, res.Sizes) {
		t.Errorf("sizes %v, labels give %v", res.Sizes, sizes)
	}
}

func TestWardAgreesWithScikitLearn(t *testing.T) {
	t.Parallel()
	for _, f := range mustFixtures(t) {
		res, err := cluster.Ward(f.matrix, cluster.WardConfig{K: f.Ward.K})
		if err != nil {
			t.Fatal(err)
		}
		ari := cluster.AdjustedRandIndex(res.Labels, f.Ward.Labels)
		t.Logf("%s: ward ARI vs sklearn %.6f", f.Name, ari)
		if res.Method != "exact" || ari < 0.99 {
			t.Errorf("%s: method %s, ARI %.4f < 0.99", f.Name, res.Method, ari)
		}
	}
}

func TestWardMicroClustersOnLargeInput(t *testing.T) {
	t.Parallel()
	f := mustFixture(t, "blobs_8d")
	res, err := cluster.Ward(f.matrix, cluster.WardConfig{K: 6, ExactLimit: 1000, MicroClusters: 200, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Method != "kmeans-micro-ward" || res.MicroClusters == 0 || res.MicroClusters > 200 {
		t.Fatalf("method %s with %d micro-clusters", res.Method, res.MicroClusters)
	}
	if ari := cluster.AdjustedRandIndex(res.Labels, f.Ward.Labels); ari < 0.98 {
		t.Errorf("micro-cluster ward ARI vs exact sklearn %.4f", ari)
	}
}

func TestDBSCANLabelsIdenticalToScikitLearn(t *testing.T) {
	t.Parallel()
	for _, f := range mustFixtures(t) {
		for name, c := range map[string]dbscanCase{"default": f.DBSCAN, "dense": f.DBSCANDense} {
			res, err := cluster.DBSCAN(f.matrix, cluster.DBSCANConfig{Eps: c.Eps, MinSamples: c.MinSamples})
			if err != nil {
				t.Fatal(err)
			}
			checkDBSCAN(t, f.Name+"/"+name, res, c.Labels)
		}
	}
}

func checkDBSCAN(t *testing.T, name string, res *cluster.DBSCANResult, want []int) {
	t.Helper()
	if !slices.Equal(res.Labels, want) {
		diff := 0
		for i := range want {
			if res.Labels[i] != want[i] {
				diff++
			}
		}
		t.Errorf("%s: %d of %d labels differ from sklearn", name, diff, len(want))
	}
	noise, maxL := 0, -1
	for _, l := range want {
		if l < 0 {
			noise++
		}
		maxL = max(maxL, l)
	}
	if res.NNoise != noise || res.NClusters != maxL+1 {
		t.Errorf("%s: %d clusters, %d noise; want %d, %d", name, res.NClusters, res.NNoise, maxL+1, noise)
	}
}

func TestMiniBatchKMeansFindsSeparatedBlobs(t *testing.T) {
	t.Parallel()
	f := mustFixture(t, "blobs_8d")
	res, err := cluster.MiniBatchKMeans(f.matrix, cluster.MiniBatchConfig{K: 6, BatchSize: 256, MaxIter: 50, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if ari := cluster.AdjustedRandIndex(res.Labels, f.KMeans.Labels); ari < 0.99 {
		t.Errorf("mini-batch ARI vs sklearn KMeans %.4f", ari)
	}
	checkSizes(t, res)
}

func TestEstimateEpsFindsTheMoons(t *testing.T) {
	t.Parallel()
	f := mustFixture(t, "moons_noise")
	eps, err := cluster.EstimateEps(f.matrix, 4, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cluster.DBSCAN(f.matrix, cluster.DBSCANConfig{Eps: eps, MinSamples: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("eps %.4f: %d clusters, %d noise", eps, res.NClusters, res.NNoise)
	if eps < 0.05 || eps > 0.4 || res.NClusters < 2 || res.NNoise > len(res.Labels)/4 {
		t.Errorf("eps %.4f gives %d clusters and %d noise points", eps, res.NClusters, res.NNoise)
	}
	sampled, err := cluster.EstimateEps(f.matrix, 4, 1, 200)
	if err != nil || sampled < eps/2 || sampled > eps*2 {
		t.Errorf("sampled eps %.4f (%v) far from full %.4f", sampled, err, eps)
	}
}
