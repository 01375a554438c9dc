package eyes_test

import (
	"math/rand/v2"
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
