package eyes_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/ml"
)

// blobs draws n points around each centre with the given spread.
func blobs(seed uint64, spread float64, n []int, centres [][]float64) *ml.Matrix {
	rng := rand.New(rand.NewPCG(seed, 1))
	var rows [][]float64
	for c, centre := range centres {
		for i := 0; i < n[c]; i++ {
			row := make([]float64, len(centre))
			for j, v := range centre {
				row[j] = v + spread*rng.NormFloat64()
			}
			rows = append(rows, row)
		}
	}
	X, _ := ml.FromRows(rows)
	return X
}

func TestClusterFindsClearStructure(t *testing.T) {
	t.Parallel()
	X := blobs(1, 0.3, []int{300, 250, 200}, [][]float64{{0, 0, 0}, {6, 0, 0}, {0, 6, 0}})
	rep, labels := eyes.Cluster(X, []string{"a", "b", "c"}, eyes.Config{Seed: 1})
	if rep.K != 3 || rep.Band != "strong" || rep.WeakStructure || rep.SilhouetteMode != "exact" {
		t.Errorf("report %+v: want 3 strong clusters", rep)
	}
	if len(labels) != X.Rows || len(rep.Methods) != 3 {
		t.Fatalf("%d labels, %d methods", len(labels), len(rep.Methods))
	}
	for _, m := range rep.Methods {
		if m.Method == rep.Chosen && (!m.Eligible || m.Silhouette != rep.Silhouette) {
			t.Errorf("chosen method %+v is not the reported one", m)
		}
		if m.Eligible && m.Silhouette > rep.Silhouette {
			t.Errorf("method %s has a higher eligible silhouette %.3f than the chosen %.3f", m.Method, m.Silhouette, rep.Silhouette)
		}
	}
}

func TestClusterSizeRules(t *testing.T) {
	t.Parallel()
	// A cluster of 1% of the points breaks the 2% rule for any method that
	// isolates it.
	X := blobs(2, 0.4, []int{495, 495, 10}, [][]float64{{0, 0}, {5, 0}, {20, 20}})
	rep, _ := eyes.Cluster(X, []string{"a", "b"}, eyes.Config{Seed: 2, KMin: 3, KMax: 3})
	for _, m := range rep.Methods {
		if len(m.Sizes) == 0 {
			continue
		}
		tiny := false
		for _, s := range m.Sizes {
			tiny = tiny || s < 20
		}
		noisy := m.Noise > 100
		if m.Eligible == (tiny || noisy) {
			t.Errorf("method %s sizes %v noise %d eligible %v (%s)", m.Method, m.Sizes, m.Noise, m.Eligible, m.Reason)
		}
	}
}

func TestClusterWeakStructureStillReturnsBest(t *testing.T) {
	t.Parallel()
	X := blobs(3, 1, []int{600}, [][]float64{{0, 0, 0}})
	rep, labels := eyes.Cluster(X, []string{"a", "b", "c"}, eyes.Config{Seed: 3})
	if !rep.WeakStructure || rep.Chosen == "none" || rep.Note == "" || len(labels) != 600 {
		t.Errorf("report %+v: one Gaussian cloud has no real clusters; want weak structure flagged and a partition returned", rep)
	}
	if rep.Band != "weak" && rep.Band != "none" {
		t.Errorf("band %q for silhouette %.3f", rep.Band, rep.Silhouette)
	}
}

// TestClusterDBSCANOnSampleAssignsTheRest runs DBSCAN on a sample of a
// large input; every other point must join its blob's cluster through the
// nearest sampled core point.
func TestClusterDBSCANOnSampleAssignsTheRest(t *testing.T) {
	t.Parallel()
	n := []int{1500, 1000, 500}
	X := blobs(4, 0.3, n, [][]float64{{0, 0, 0}, {8, 0, 0}, {0, 8, 0}})
	rep, _ := eyes.Cluster(X, []string{"a", "b", "c"}, eyes.Config{Seed: 4, DBSCANSample: 600, SelectionSample: 600})
	var db *eyes.MethodResult
	for i := range rep.Methods {
		if rep.Methods[i].Method == eyes.MethodDBSCAN {
			db = &rep.Methods[i]
		}
	}
	if db == nil || len(db.Sizes) != 3 || !strings.Contains(db.Procedure, "nearest") {
		t.Fatalf("DBSCAN result %+v: want 3 clusters found on a sample", db)
	}
	got := append([]int(nil), db.Sizes...)
	slices.Sort(got)
	want := []int{500, 1000, 1500}
	for i := range want {
		if d := want[i] - got[i]; d < 0 || d > want[i]/20 {
			t.Errorf("cluster sizes %v with %d noise, want about %v", db.Sizes, db.Noise, want)
			break
		}
	}
}

func TestClusterNoEligibleMethodIsWeak(t *testing.T) {
	t.Parallel()
	X := blobs(5, 0.3, []int{200, 200, 200}, [][]float64{{0, 0}, {6, 0}, {0, 6}})
	// Clusters of a third each can never hold the 40% this config demands.
	rep, labels := eyes.Cluster(X, []string{"a", "b"}, eyes.Config{Seed: 5, MinClusterShare: 0.4})
	for _, m := range rep.Methods {
		if m.Eligible {
			t.Errorf("method %s eligible with sizes %v", m.Method, m.Sizes)
		}
	}
	if rep.Chosen == "none" || len(labels) != 600 || !rep.WeakStructure || rep.Silhouette < 0.7 {
		t.Errorf("report %+v: want the best partition returned, its true silhouette, and weak structure flagged", rep)
	}
}
