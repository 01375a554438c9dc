package eyes_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/eyes"
)

// sharedDir finds shared/ beside the repository root (the directory holding
// go.mod), where the real data sets live.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

func mustDate(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// mustLoadCDNOW loads a CDNOW transactions file up to asOf.
func mustLoadCDNOW(tb testing.TB, name string, asOf time.Time) (*eyes.Input, *eyes.LoadReport) {
	tb.Helper()
	path := filepath.Join(sharedDir(tb), "data", "cdnow", name)
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("CDNOW data not available: %v", err)
	}
	defer f.Close()
	in, rep, err := eyes.LoadTransactionsCSV(f, asOf)
	if err != nil {
		tb.Fatalf("load %s: %v", name, err)
	}
	return in, rep
}
