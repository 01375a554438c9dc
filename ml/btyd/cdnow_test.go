package btyd_test

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/ml/btyd"
)

// calibrationEnd closes week 39 of the CDNOW calibration period.
var calibrationEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)

// cdnowDir locates shared/data/cdnow beside the repository root (the
// directory holding go.mod), skipping the test when the data is absent.
func cdnowDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data", "cdnow")
	if _, err := os.Stat(filepath.Join(data, "cdnow_sample_transactions.csv")); errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("CDNOW data not found at %s (expected shared/data beside the repository)", data)
	}
	return data
}

// readTransactions parses an OmniFy transactions CSV
// (customer_id,order_date,amount).
func readTransactions(tb testing.TB, path string) []btyd.Transaction {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]btyd.Transaction, 0, len(recs)-1)
	for i, rec := range recs[1:] {
		day, err1 := time.Parse(time.DateOnly, rec[1])
		amount, err2 := strconv.ParseFloat(rec[2], 64)
		if err := errors.Join(err1, err2); err != nil {
			tb.Fatalf("%s line %d: %v", path, i+2, err)
		}
		out = append(out, btyd.Transaction{CustomerID: rec[0], Time: day, Amount: amount})
	}
	return out
}

var (
	cdnowOnce    sync.Once
	cdnowSummary []btyd.CustomerSummary
	cdnowErr     error
)

// cdnowCalibration summarises the CDNOW sample through week 39 in weeks.
func cdnowCalibration(tb testing.TB) []btyd.CustomerSummary {
	tb.Helper()
	dir := cdnowDir(tb)
	txns := readTransactions(tb, filepath.Join(dir, "cdnow_sample_transactions.csv"))
	cdnowOnce.Do(func() {
		cdnowSummary, cdnowErr = btyd.Summarize(txns, calibrationEnd, btyd.Week)
	})
	if cdnowErr != nil {
		tb.Fatal(cdnowErr)
	}
	return cdnowSummary
}

func rfms(s []btyd.CustomerSummary) []btyd.RFM {
	out := make([]btyd.RFM, len(s))
	for i, c := range s {
		out[i] = c.RFM
	}
	return out
}

// sampleIDs maps the master customer IDs of CDNOW_sample.txt to the sample
// IDs used by cdnow_customers_summary.csv.
func sampleIDs(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, "CDNOW_sample.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ids := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 5 {
			n, _ := strconv.Atoi(fields[1])
			ids[fields[0]] = strconv.Itoa(n)
		}
	}
	return ids
}

// TestSummarizeMatchesReferenceSummary reproduces the published CDNOW
// calibration summary for every customer. The reference rounds recency
// and T to two decimals, so values are compared after the same rounding.
func TestSummarizeMatchesReferenceSummary(t *testing.T) {
	dir := cdnowDir(t)
	got := cdnowCalibration(t)
	ref := readGolden(t, filepath.Join(dir, "cdnow_customers_summary.csv"))
	ids := sampleIDs(t, dir)
	byID := map[string]btyd.RFM{}
	for _, c := range got {
		byID[ids[c.ID]] = c.RFM
	}
	if len(got) != len(ref) {
		t.Fatalf("got %d customers, reference has %d", len(got), len(ref))
	}
	round2 := func(v float64) float64 { return math.Round(v*100) / 100 }
	for _, row := range ref {
		id := strconv.Itoa(int(row[0]))
		c, ok := byID[id]
		if !ok {
			t.Fatalf("customer %s missing", id)
		}
		if math.Abs(c.X-row[1]) > 1e-6 || math.Abs(round2(c.TX)-row[2]) > 1e-6 || math.Abs(round2(c.T)-row[3]) > 1e-6 {
			t.Errorf("customer %s: got x=%g t_x=%.4f T=%.4f, want %g %g %g", id, c.X, c.TX, c.T, row[1], row[2], row[3])
		}
	}
}

func within(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if rel := math.Abs(got-want) / math.Abs(want); rel > tol {
		t.Errorf("%s = %.5g, want %.5g within %.2g%% (off by %.3g%%)", name, got, want, tol*100, rel*100)
	}
}

// TestFitBGNBDReproducesPaper checks the estimates of Fader, Hardie & Lee
// (2005) on the CDNOW sample.
func TestFitBGNBDReproducesPaper(t *testing.T) {
	m, err := btyd.FitBGNBD(rfms(cdnowCalibration(t)), btyd.FitOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bgnbd %+v", *m)
	within(t, "r", m.R, 0.2426, 0.005)
	within(t, "alpha", m.Alpha, 4.4135, 0.005)
	within(t, "a", m.A, 0.7929, 0.005)
	within(t, "b", m.B, 2.4258, 0.005)
	within(t, "loglik", m.LogLik, -9582.4, 1e-4)
}
