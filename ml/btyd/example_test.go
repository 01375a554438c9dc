package btyd_test

import (
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify/demo"
	"github.com/omnify-cloud/omnify/ml/btyd"
)

// Example scores customers the way the EYES pipeline does: summarise
// transactions, fit the purchase and spend models, then ask each customer's
// probability of being active, expected purchases and lifetime value.
func Example() {
	ds, err := demo.Generate(demo.Config{Customers: 3000, Seed: 1})
	if err != nil {
		panic(err)
	}
	txns := make([]btyd.Transaction, len(ds.Orders))
	for i, o := range ds.Orders {
		txns[i] = btyd.Transaction{CustomerID: o.CustomerID, Time: o.PlacedAt, Amount: float64(o.AmountMinor) / 100}
	}
	end := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	summaries, err := btyd.Summarize(txns, end, btyd.Week)
	if err != nil {
		panic(err)
	}
	rfm := btyd.RFMs(summaries)
	bg, err := btyd.FitBGNBD(rfm, btyd.FitOptions{Seed: 1})
	if err != nil {
		panic(err)
	}
	freq, spend := make([]float64, len(rfm)), make([]float64, len(rfm))
	for i, c := range rfm {
		freq[i], spend[i] = c.X, c.Monetary
	}
	gg, err := btyd.FitGammaGamma(freq, spend)
	if err != nil {
		panic(err)
	}
	c := summaries[0]
	fmt.Printf("customer %s: x=%.0f t_x=%.1f T=%.1f\n", c.ID, c.X, c.TX, c.T)
	fmt.Printf("P(alive) %.2f\n", bg.PAlive(c.X, c.TX, c.T))
	fmt.Printf("purchases next 13 weeks %.2f\n", bg.ExpectedPurchases(13, c.X, c.TX, c.T))
	fmt.Printf("12-month CLV %.0f\n", btyd.CLV(bg, gg, c.RFM, 12, 0.01, btyd.Week.PerMonth()))
	// Output:
	// customer c0000001: x=2 t_x=2.9 T=5.6
	// P(alive) 0.74
	// purchases next 13 weeks 3.16
	// 12-month CLV 289
}
