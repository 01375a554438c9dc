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
	requireSklearn(t)
	tests := []struct {
		file, asOf string
		cfg        eyes.Config
	}{
		{"cdnow_sample_transactions.csv", "1998-06-30", eyes.Config{Seed: 1}},
		{"cdnow_sample_transactions.csv", "1997-09-30", eyes.Config{Seed: 2, KMin: 2, KMax: 4}},
		{"cdnow_master_transactions.csv", "1998-04-01", eyes.Config{Seed: 1, SilhouetteExactLimit: 30_000}},
	}
	if os.Getenv("OMNIFY_EYES_SLOW") == "" {
		// The exact silhouette of all 23,570 CDNOW customers costs about a
		// minute on two cores; the sample cases run always.
		t.Log("set OMNIFY_EYES_SLOW=1 to include the full CDNOW master file in exact mode")
		tests = tests[:2]
	}
	for _, tc := range tests {
		t.Run(tc.file+"@"+tc.asOf, func(t *testing.T) {
			in, _ := mustLoadCDNOW(t, tc.file, mustDate(t, tc.asOf))
			res, err := eyes.Run(context.Background(), *in, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Clustering.SilhouetteMode != "exact" || res.Clustering.Chosen == "none" {
				t.Fatalf("clustering %+v: want an exact silhouette", res.Clustering)
			}
			dir := mustCleanOutputs(t, res)
			got := sklearnSilhouette(t, dir)
			if d := math.Abs(got - res.Clustering.Silhouette); d > 1e-6 {
				t.Errorf("report silhouette %.9f, scikit-learn %.9f on the written files (diff %.2g)", res.Clustering.Silhouette, got, d)
			}
			t.Logf("%s: %s k=%d silhouette %.6f (scikit-learn %.6f)", tc.file, res.Clustering.Chosen, res.Clustering.K, res.Clustering.Silhouette, got)
		})
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
