package cluster_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/omnify-cloud/omnify/ml"
)

// labelSet is one labelling of a fixture with scikit-learn's scores for it.
type labelSet struct {
	Labels           []int    `json:"labels"`
	Silhouette       *float64 `json:"silhouette"`
	DaviesBouldin    *float64 `json:"davies_bouldin"`
	CalinskiHarabasz *float64 `json:"calinski_harabasz"`
}

type dbscanCase struct {
	Eps        float64 `json:"eps"`
	MinSamples int     `json:"min_samples"`
	labelSet
}

type fixture struct {
	Name      string      `json:"name"`
	Separated bool        `json:"separated"`
	X         [][]float64 `json:"X"`
	True      labelSet    `json:"true"`
	Singleton labelSet    `json:"singleton"`
	KMeans    struct {
		K      int   `json:"k"`
		Labels []int `json:"labels"`
	} `json:"kmeans"`
	Ward struct {
		K      int   `json:"k"`
		Labels []int `json:"labels"`
	} `json:"ward"`
	DBSCAN      dbscanCase `json:"dbscan"`
	DBSCANDense dbscanCase `json:"dbscan_dense"`
	matrix      *ml.Matrix
}

// mustFixtures loads every golden file written by
// scripts/sklearn/cluster_fixtures.py.
func mustFixtures(tb testing.TB) []*fixture {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures in testdata: %v", err)
	}
	var out []*fixture
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		f := &fixture{}
		if err := json.Unmarshal(raw, f); err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		if f.matrix, err = ml.FromRows(f.X); err != nil {
			tb.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

func mustFixture(tb testing.TB, name string) *fixture {
	tb.Helper()
	for _, f := range mustFixtures(tb) {
		if f.Name == name {
			return f
		}
	}
	tb.Fatalf("fixture %q not found", name)
	return nil
}
