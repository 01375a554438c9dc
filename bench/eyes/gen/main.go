// Command gen writes the synthetic transactions CSV the EYES benchmark runs
// on: demo.WriteTransactionsCSV with the given customer count and seed.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/omnify-cloud/omnify/demo"
)

func main() {
	customers := flag.Int("customers", 1_000_000, "number of customers")
	seed := flag.Int64("seed", 1, "data set seed")
	out := flag.String("out", "", "output file (default stdout)")
	flag.Parse()
	w := os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	st, err := demo.WriteTransactionsCSV(w, demo.Config{Customers: *customers, Seed: *seed})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: %d customers, %d orders, %d bytes, %s .. %s\n", st.Customers, st.Orders, st.Bytes,
		st.FirstOrder.Format("2006-01-02"), st.LastOrder.Format("2006-01-02"))
}
