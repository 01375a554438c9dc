package importer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/importer"
)

// BenchmarkImportTransactions imports a 200,000-row transactions CSV of
// 20,000 customers into SQLite: both passes, resolution and writes.
func BenchmarkImportTransactions(b *testing.B) {
	const rows, customers = 200_000, 20_000
	path := filepath.Join(b.TempDir(), "tx.csv")
	f, err := os.Create(path)
	must(b, err)
	fmt.Fprintln(f, "customer_id,order_date,amount,email,consent")
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		c := i % customers
		fmt.Fprintf(f, "c%d,%s,%d.%02d,c%d@example.com,%t\n", c, day.AddDate(0, 0, i/customers).Format(time.DateOnly), 10+i%90, i%100, c, c%3 == 0)
	}
	must(b, f.Close())
	start := time.Now()
	for b.Loop() {
		db := mustStore(b)
		in, err := os.Open(path)
		must(b, err)
		rep, err := importer.New(identity.NewSink(db, identity.Options{}), importer.Options{}).Import(b.Context(), "org-a", "bench", in)
		must(b, err)
		in.Close()
		if rep.Orders != rows || rep.Customers != customers {
			b.Fatalf("report %+v", rep)
		}
	}
	b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
}
