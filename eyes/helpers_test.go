package eyes_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	omnify "github.com/omnify-cloud/omnify"
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

// synthInput builds n customers of three kinds over two years before asOf:
// frequent buyers, occasional buyers and one-time buyers who stopped. It is
// deterministic for a seed. Consent cycles granted, denied, unknown.
func synthInput(n int, seed uint64, asOf time.Time) eyes.Input {
	rng := rand.New(rand.NewPCG(seed, 7))
	start := asOf.AddDate(-2, 0, 0)
	consents := []omnify.Consent{omnify.ConsentGranted, omnify.ConsentDenied, omnify.ConsentUnknown}
	in := eyes.Input{AsOf: asOf}
	for i := 0; i < n; i++ {
		c := eyes.Customer{ID: fmt.Sprintf("c%05d", i), Consent: consents[i%3], Platforms: []string{"shopify"}}
		if i%4 == 0 {
			c.Platforms = append(c.Platforms, "stripe")
		}
		gap, spend, life := 0.0, 20.0, 730.0
		switch i % 3 {
		case 0: // frequent
			gap, spend, life = 20+10*rng.Float64(), 60, 730
		case 1: // occasional, fading
			gap, spend, life = 90+30*rng.Float64(), 30, 200+400*rng.Float64()
		}
		first := rng.Float64() * 300
		for d := first; d < 730 && d < first+life; {
			at := start.AddDate(0, 0, int(d))
			c.Orders = append(c.Orders, eyes.Order{Time: at, Amount: spend * (0.5 + rng.Float64())})
			if gap == 0 {
				break
			}
			d += gap * (0.5 + rng.ExpFloat64()/2)
		}
		in.Customers = append(in.Customers, c)
	}
	return in
}
