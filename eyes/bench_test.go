package eyes_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/eyes"
)

// BenchmarkRun times the whole pipeline on 20,000 synthetic customers; the
// million-customer figure comes from bench/eyes/run.sh.
func BenchmarkRun(b *testing.B) {
	in := synthInput(20_000, 1, synthAsOf)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eyes.Run(context.Background(), in, eyes.Config{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadTransactionsCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("customer_id,order_date,amount,order_id,email,currency,consent\n")
	for i := 0; i < 200_000; i++ {
		fmt.Fprintf(&sb, "c%07d,2025-%02d-%02d,%d.%02d,o%d,c%d@example.org,USD,true\n", i%20_000, 1+i%12, 1+i%28, i%300, i%100, i, i%20_000)
	}
	data := sb.String()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := eyes.LoadTransactionsCSV(strings.NewReader(data), synthAsOf); err != nil {
			b.Fatal(err)
		}
	}
}
