package demo_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/demo"
	"github.com/omnify-cloud/omnify/ml/btyd"
)

func TestWriteTransactionsCSVWellFormed(t *testing.T) {
	t.Parallel()
	cfg := demo.Config{Customers: 2000, Seed: 5}
	var buf bytes.Buffer
	stats, err := demo.WriteTransactionsCSV(&buf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Bytes != int64(buf.Len()) || stats.Customers != 2000 {
		t.Errorf("stats %+v for %d bytes", stats, buf.Len())
	}
	r := csv.NewReader(&buf)
	header, err := r.Read()
	if err != nil || strings.Join(header, ",") != demo.TransactionsHeader {
		t.Fatalf("header %v, %v", header, err)
	}
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != stats.Orders {
		t.Fatalf("%d rows, stats report %d orders", len(rows), stats.Orders)
	}
	var total int64
	for i, row := range rows {
		total += checkRow(t, i+2, row)
	}
	if total != stats.AmountMinor {
		t.Errorf("amounts sum to %d, stats report %d", total, stats.AmountMinor)
	}
}

// checkRow validates one CSV row and returns its amount in cents.
func checkRow(t *testing.T, line int, row []string) int64 {
	t.Helper()
	if _, err := time.Parse(time.DateOnly, row[1]); err != nil {
		t.Fatalf("line %d: order_date %q: %v", line, row[1], err)
	}
	whole, frac, ok := strings.Cut(row[2], ".")
	units, err := strconv.ParseInt(whole, 10, 64)
	if !ok || len(frac) != 2 || err != nil || units < 1 {
		t.Fatalf("line %d: amount %q is not a decimal of at least 1.00", line, row[2])
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	if row[0] == "" || row[3] == "" || !strings.Contains(row[4], "@") || row[5] != "USD" {
		t.Fatalf("line %d: bad row %q", line, row)
	}
	if c := row[6]; c != "true" && c != "false" && c != "" {
		t.Fatalf("line %d: consent %q", line, c)
	}
	return units*100 + cents
}

// TestWriteTransactionsCSVMatchesGenerate checks that streaming and the
// in-memory generator describe the same orders.
func TestWriteTransactionsCSVMatchesGenerate(t *testing.T) {
	t.Parallel()
	cfg := demo.Config{Customers: 500, Seed: 11}
	ds, err := demo.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	want.WriteString(demo.TransactionsHeader + "\n")
	consent := map[string]string{demo.ConsentGranted: "true", demo.ConsentDenied: "false"}
	customers := map[string]demo.Customer{}
	for _, c := range ds.Customers {
		customers[c.ID] = c
	}
	for _, o := range ds.Orders {
		c := customers[o.CustomerID]
		fmt.Fprintf(&want, "%s,%s,%d.%02d,%s,%s,%s,%s\n", c.ID, o.PlacedAt.Format(time.DateOnly),
			o.AmountMinor/100, o.AmountMinor%100, o.ID, c.Email, o.Currency, consent[c.Consent])
	}
	var got bytes.Buffer
	if _, err := demo.WriteTransactionsCSV(&got, cfg); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Error("streamed CSV differs from the generated orders")
	}
}

// heapSampler records the largest live heap seen while the CSV is written.
type heapSampler struct {
	writes, peak uint64
}

func (h *heapSampler) Write(p []byte) (int, error) {
	h.writes++
	if h.writes%4 == 0 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		h.peak = max(h.peak, m.HeapAlloc)
	}
	return len(p), nil
}

func TestWriteTransactionsCSVBoundedMemory(t *testing.T) {
	h := &heapSampler{}
	runtime.GC()
	stats, err := demo.WriteTransactionsCSV(h, demo.Config{Customers: 50000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	const limit = 12 << 20
	if h.peak > limit || stats.Bytes < 2*limit {
		t.Errorf("heap peaked at %d MiB while writing %d MiB, want under %d MiB", h.peak>>20, stats.Bytes>>20, limit>>20)
	}
}

// TestBGNBDRecoversPersona fits BG/NBD to a single non-seasonal persona's
// transactions, checking that the generator follows the process it
// documents end to end through the CSV.
func TestBGNBDRecoversPersona(t *testing.T) {
	t.Parallel()
	p := demo.Persona{Name: "p", Share: 1, R: 1.2, Alpha: 6, A: 1.5, B: 6, SpendP: 5, SpendQ: 4, SpendGamma: 30, Regularity: 1}
	cfg := demo.Config{Customers: 15000, Seed: 2, Personas: []demo.Persona{p}, Growth: 1e-9}
	var buf bytes.Buffer
	if _, err := demo.WriteTransactionsCSV(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	summary, err := btyd.Summarize(parseTransactions(t, &buf), time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), btyd.Week)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]btyd.RFM, len(summary))
	for i, s := range summary {
		data[i] = s.RFM
	}
	m, err := btyd.FitBGNBD(data, btyd.FitOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Seasonality makes the process only approximately BG/NBD.
	closeTo(t, "r", m.R, p.R, 0.2)
	closeTo(t, "alpha", m.Alpha, p.Alpha, 0.2)
	closeTo(t, "a", m.A, p.A, 0.25)
	closeTo(t, "b", m.B, p.B, 0.25)
	closeTo(t, "mean rate r/alpha", m.R/m.Alpha, p.R/p.Alpha, 0.08)
}

func parseTransactions(t *testing.T, r io.Reader) []btyd.Transaction {
	t.Helper()
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]btyd.Transaction, 0, len(rows))
	for _, row := range rows[1:] {
		day, _ := time.Parse(time.DateOnly, row[1])
		amount, _ := strconv.ParseFloat(row[2], 64)
		out = append(out, btyd.Transaction{CustomerID: row[0], Time: day, Amount: amount})
	}
	return out
}

func TestAppendAmount(t *testing.T) {
	t.Parallel()
	for minor, want := range map[int64]string{0: "0.00", 5: "0.05", 100: "1.00", 1234: "12.34", -250: "-2.50", math.MaxInt32: "21474836.47"} {
		if got := string(demo.AppendAmount(nil, minor)); got != want {
			t.Errorf("AppendAmount(%d) = %q, want %q", minor, got, want)
		}
	}
}

// BenchmarkWriteTransactionsCSV1M writes the million-customer benchmark
// file to a temporary directory and reports its size.
func BenchmarkWriteTransactionsCSV1M(b *testing.B) {
	path := filepath.Join(b.TempDir(), "transactions.csv")
	for b.Loop() {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		stats, err := demo.WriteTransactionsCSV(f, demo.Config{Customers: 1_000_000, Seed: 1})
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(stats.Bytes)/(1<<20), "MiB")
		b.ReportMetric(float64(stats.Orders), "orders")
	}
}
