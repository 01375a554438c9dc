package eyes_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/eyes"
)

const sklearnPython = "/usr/bin/python3"

func requireSklearn(tb testing.TB) {
	tb.Helper()
	if err := exec.Command(sklearnPython, "-c", "import sklearn").Run(); err != nil {
		tb.Skipf("scikit-learn is not installed for %s (apt-get install python3-sklearn): %v", sklearnPython, err)
	}
}

// TestSilhouetteMatchesScikitLearn runs the pipeline on real CDNOW data,
// then recomputes the chosen clustering's silhouette with scikit-learn from
// the written features.csv and customers.csv.
func TestSilhouetteMatchesScikitLearn(t *testing.T) {
	t.Parallel()
	requireSklearn(t)
	tests := []struct {
		name string
		run  func(t *testing.T) *eyes.Result
	}{
		{"sample@1998-06-30", sampleRun("1998-06-30", eyes.Config{Seed: 1})},
		{"sample@1997-09-30 k=2..4", sampleRun("1997-09-30", eyes.Config{Seed: 2, KMin: 2, KMax: 4})},
		{"master@" + cdnowAsOf + " defaults", func(t *testing.T) *eyes.Result { return cdnowMaster(t) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := tc.run(t)
			if res.Clustering.SilhouetteMode != "exact" || res.Clustering.Chosen == "none" {
				t.Fatalf("clustering %+v: want an exact silhouette", res.Clustering)
			}
			dir := mustCleanOutputs(t, res)
			got := sklearnSilhouette(t, dir)
			if d := math.Abs(got - res.Clustering.Silhouette); d > 1e-6 {
				t.Errorf("report silhouette %.9f, scikit-learn %.9f on the written files (diff %.2g)", res.Clustering.Silhouette, got, d)
			}
			t.Logf("%s k=%d silhouette %.6f (scikit-learn %.6f)", res.Clustering.Chosen, res.Clustering.K, res.Clustering.Silhouette, got)
		})
	}
}

func sampleRun(asOf string, cfg eyes.Config) func(t *testing.T) *eyes.Result {
	return func(t *testing.T) *eyes.Result {
		in, _ := mustLoadCDNOW(t, "cdnow_sample_transactions.csv", mustDate(t, asOf))
		res, err := eyes.Run(context.Background(), *in, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
}

func sklearnSilhouette(tb testing.TB, dir string) float64 {
	tb.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "silhouette.py"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(sklearnPython, script, filepath.Join(dir, "features.csv"), filepath.Join(dir, "customers.csv"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("scikit-learn silhouette: %v", err)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		tb.Fatalf("scikit-learn printed %q: %v", out, err)
	}
	return v
}
