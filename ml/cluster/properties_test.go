package cluster_test

import (
	"math"
	"slices"
	"testing"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/cluster"
)

// TestResultsIndependentOfWorkers runs each algorithm with 1 and 3 workers
// and demands bit-identical output.
func TestResultsIndependentOfWorkers(t *testing.T) {
	t.Parallel()
	f := mustFixture(t, "blobs_8d")
	X := f.matrix
	for _, w := range []int{1, 3} {
		km1, _ := cluster.KMeans(X, cluster.KMeansConfig{K: 6, Seed: 9, Workers: 1})
		kmw, _ := cluster.KMeans(X, cluster.KMeansConfig{K: 6, Seed: 9, Workers: w})
		if !slices.Equal(km1.Labels, kmw.Labels) || km1.Inertia != kmw.Inertia || !slices.Equal(km1.Centers.Data, kmw.Centers.Data) {
			t.Errorf("kmeans differs with %d workers", w)
		}
		db1, _ := cluster.DBSCAN(X, cluster.DBSCANConfig{Eps: 2.2, MinSamples: 8, Workers: 1})
		dbw, _ := cluster.DBSCAN(X, cluster.DBSCANConfig{Eps: 2.2, MinSamples: 8, Workers: w})
		if !slices.Equal(db1.Labels, dbw.Labels) {
			t.Errorf("dbscan differs with %d workers", w)
		}
		wa1, _ := cluster.Ward(X, cluster.WardConfig{K: 6, Workers: 1})
		waw, _ := cluster.Ward(X, cluster.WardConfig{K: 6, Workers: w})
		if !slices.Equal(wa1.Labels, waw.Labels) {
			t.Errorf("ward differs with %d workers", w)
		}
		mw1, _ := cluster.Ward(X, cluster.WardConfig{K: 6, ExactLimit: 500, MicroClusters: 150, Workers: 1})
		mww, _ := cluster.Ward(X, cluster.WardConfig{K: 6, ExactLimit: 500, MicroClusters: 150, Workers: w})
		if !slices.Equal(mw1.Labels, mww.Labels) {
			t.Errorf("micro-cluster ward differs with %d workers", w)
		}
		mb1, _ := cluster.MiniBatchKMeans(X, cluster.MiniBatchConfig{K: 40, BatchSize: 200, Seed: 5, Workers: 1})
		mbw, _ := cluster.MiniBatchKMeans(X, cluster.MiniBatchConfig{K: 40, BatchSize: 200, Seed: 5, Workers: w})
		if !slices.Equal(mb1.Centers.Data, mbw.Centers.Data) || !slices.Equal(mb1.Labels, mbw.Labels) {
			t.Errorf("mini-batch kmeans differs with %d workers", w)
		}
		s1, _ := cluster.Silhouette(X, f.True.Labels, cluster.SilhouetteConfig{Workers: 1})
		sw, _ := cluster.Silhouette(X, f.True.Labels, cluster.SilhouetteConfig{Workers: w})
		if s1.Score != sw.Score {
			t.Errorf("silhouette differs with %d workers: %v vs %v", w, s1.Score, sw.Score)
		}
	}
}

func TestSeedDeterminism(t *testing.T) {
	t.Parallel()
	X := mustFixture(t, "blobs_overlapping").matrix
	a, _ := cluster.KMeans(X, cluster.KMeansConfig{K: 5, Seed: 42})
	b, _ := cluster.KMeans(X, cluster.KMeansConfig{K: 5, Seed: 42})
	if !slices.Equal(a.Labels, b.Labels) || a.Inertia != b.Inertia {
		t.Error("kmeans not deterministic for a fixed seed")
	}
	m1, _ := cluster.MiniBatchKMeans(X, cluster.MiniBatchConfig{K: 5, BatchSize: 100, Seed: 42})
	m2, _ := cluster.MiniBatchKMeans(X, cluster.MiniBatchConfig{K: 5, BatchSize: 100, Seed: 42})
	if !slices.Equal(m1.Labels, m2.Labels) || !slices.Equal(m1.Centers.Data, m2.Centers.Data) {
		t.Error("mini-batch kmeans not deterministic for a fixed seed")
	}
	e1, _ := cluster.EstimateEps(X, 6, 42, 300)
	e2, _ := cluster.EstimateEps(X, 6, 42, 300)
	if e1 != e2 {
		t.Errorf("eps %v then %v", e1, e2)
	}
}

func TestKMeansEmptyClusterIsRelocated(t *testing.T) {
	t.Parallel()
	X, _ := ml.FromRows([][]float64{{0, 0}, {0, 1}, {10, 10}, {10, 11}, {20, 0}})
	init, _ := ml.FromRows([][]float64{{0, 0.5}, {10, 10.5}, {100, 100}})
	res, err := cluster.KMeans(X, cluster.KMeansConfig{K: 3, Init: init})
	if err != nil {
		t.Fatal(err)
	}
	for c, s := range res.Sizes {
		if s == 0 {
			t.Errorf("cluster %d left empty: sizes %v", c, res.Sizes)
		}
	}
}

func TestInvalidInputReturnsErrors(t *testing.T) {
	t.Parallel()
	good, _ := ml.FromRows([][]float64{{0, 0}, {1, 1}, {2, 2}, {3, 3}})
	nan, _ := ml.FromRows([][]float64{{0, 0}, {math.NaN(), 1}, {2, 2}})
	inf, _ := ml.FromRows([][]float64{{0, 0}, {1, math.Inf(1)}, {2, 2}})
	empty := &ml.Matrix{}
	badShape := &ml.Matrix{Rows: 3, Cols: 2, Data: []float64{1, 2}}
	wrongInit, _ := ml.FromRows([][]float64{{0, 0, 0}})
	tests := []struct {
		name string
		run  func() error
	}{
		{"kmeans empty", func() error { _, err := cluster.KMeans(empty, cluster.KMeansConfig{K: 1}); return err }},
		{"kmeans nan", func() error { _, err := cluster.KMeans(nan, cluster.KMeansConfig{K: 1}); return err }},
		{"kmeans inf", func() error { _, err := cluster.KMeans(inf, cluster.KMeansConfig{K: 1}); return err }},
		{"kmeans bad shape", func() error { _, err := cluster.KMeans(badShape, cluster.KMeansConfig{K: 1}); return err }},
		{"kmeans k>n", func() error { _, err := cluster.KMeans(good, cluster.KMeansConfig{K: 5}); return err }},
		{"kmeans k=0", func() error { _, err := cluster.KMeans(good, cluster.KMeansConfig{K: 0}); return err }},
		{"kmeans init shape", func() error { _, err := cluster.KMeans(good, cluster.KMeansConfig{K: 1, Init: wrongInit}); return err }},
		{"minibatch k>n", func() error { _, err := cluster.MiniBatchKMeans(good, cluster.MiniBatchConfig{K: 5}); return err }},
		{"minibatch nan", func() error { _, err := cluster.MiniBatchKMeans(nan, cluster.MiniBatchConfig{K: 1}); return err }},
		{"dbscan empty", func() error { _, err := cluster.DBSCAN(empty, cluster.DBSCANConfig{Eps: 1}); return err }},
		{"dbscan eps 0", func() error { _, err := cluster.DBSCAN(good, cluster.DBSCANConfig{Eps: 0}); return err }},
		{"dbscan eps nan", func() error { _, err := cluster.DBSCAN(good, cluster.DBSCANConfig{Eps: math.NaN()}); return err }},
		{"dbscan min samples", func() error { _, err := cluster.DBSCAN(good, cluster.DBSCANConfig{Eps: 1, MinSamples: -1}); return err }},
		{"dbscan nan", func() error { _, err := cluster.DBSCAN(nan, cluster.DBSCANConfig{Eps: 1}); return err }},
		{"eps min samples 1", func() error { _, err := cluster.EstimateEps(good, 1, 0, 0); return err }},
		{"eps min samples > n", func() error { _, err := cluster.EstimateEps(good, 9, 0, 0); return err }},
		{"eps empty", func() error { _, err := cluster.EstimateEps(empty, 2, 0, 0); return err }},
		{"ward k>n", func() error { _, err := cluster.Ward(good, cluster.WardConfig{K: 5}); return err }},
		{"ward inf", func() error { _, err := cluster.Ward(inf, cluster.WardConfig{K: 2}); return err }},
		{"ward micro k>m", func() error {
			_, err := cluster.Ward(good, cluster.WardConfig{K: 3, ExactLimit: 2, MicroClusters: 2})
			return err
		}},
		{"silhouette one label", func() error {
			_, err := cluster.Silhouette(good, []int{0, 0, 0, 0}, cluster.SilhouetteConfig{})
			return err
		}},
		{"silhouette n labels", func() error {
			_, err := cluster.Silhouette(good, []int{0, 1, 2, 3}, cluster.SilhouetteConfig{})
			return err
		}},
		{"silhouette length", func() error {
			_, err := cluster.Silhouette(good, []int{0, 1}, cluster.SilhouetteConfig{})
			return err
		}},
		{"silhouette nan", func() error {
			_, err := cluster.Silhouette(nan, []int{0, 1, 1}, cluster.SilhouetteConfig{})
			return err
		}},
		{"davies-bouldin length", func() error { _, err := cluster.DaviesBouldin(good, []int{0, 1}); return err }},
		{"davies-bouldin one label", func() error { _, err := cluster.DaviesBouldin(good, []int{1, 1, 1, 1}); return err }},
		{"calinski-harabasz empty", func() error { _, err := cluster.CalinskiHarabasz(empty, nil); return err }},
		{"calinski-harabasz n labels", func() error { _, err := cluster.CalinskiHarabasz(good, []int{0, 1, 2, 3}); return err }},
	}
	for _, tt := range tests {
		if err := tt.run(); err == nil {
			t.Errorf("%s: want an error, got nil", tt.name)
		}
	}
}

// TestDegenerateInputs feeds identical points, where every distance is zero
// and every tie-break matters, and checks results stay sane.
func TestDegenerateInputs(t *testing.T) {
	t.Parallel()
	rows := make([][]float64, 3000)
	for i := range rows {
		rows[i] = []float64{1, 2, 3}
	}
	X, _ := ml.FromRows(rows)
	km, err := cluster.KMeans(X, cluster.KMeansConfig{K: 2, Seed: 1})
	if err != nil || km.Inertia != 0 || len(km.Labels) != X.Rows {
		t.Errorf("kmeans on duplicates: %v, %+v", err, km)
	}
	db, err := cluster.DBSCAN(X, cluster.DBSCANConfig{Eps: 0.5, MinSamples: 5})
	if err != nil || db.NClusters != 1 || db.NNoise != 0 {
		t.Errorf("dbscan on duplicates: %v, %d clusters %d noise", err, db.NClusters, db.NNoise)
	}
	w, err := cluster.Ward(X.SelectRows([]int{0, 1, 2, 3, 4, 5}), cluster.WardConfig{K: 3})
	if err != nil || slices.Max(w.Labels) != 2 {
		t.Errorf("ward on duplicates: %v, %+v", err, w)
	}
	if _, err := cluster.EstimateEps(X, 5, 1, 0); err == nil {
		t.Error("estimate eps on duplicates: want an error, every k-distance is zero")
	}
	two := append(slices.Repeat([]int{0}, 1500), slices.Repeat([]int{1}, 1500)...)
	s, err := cluster.Silhouette(X, two, cluster.SilhouetteConfig{})
	if err != nil || s.Score != 0 {
		t.Errorf("silhouette on duplicates = %v, %v; want 0", s.Score, err)
	}
	full, err := cluster.KMeans(X.SelectRows([]int{0, 1, 2}), cluster.KMeansConfig{K: 3, Seed: 1})
	if err != nil || len(full.Sizes) != 3 {
		t.Errorf("kmeans k=n on duplicates: %v", err)
	}
}
