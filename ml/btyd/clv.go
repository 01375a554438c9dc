package btyd

import "math"

// CLV returns a customer's expected discounted lifetime value over the
// next months months: for each month the expected purchases in that month
// under bg, times the expected transaction value under gg, discounted at
// the monthly discountRate to the end of the month. unitsPerMonth converts
// months to the time unit of bg's fit (about 4.345 for weeks, 30.44 for
// days). It returns NaN when a model is missing or an argument is invalid.
func CLV(bg *BGNBD, gg *GammaGamma, c RFM, months int, discountRate float64, unitsPerMonth float64) float64 {
	if bg == nil || gg == nil || unitsPerMonth <= 0 || discountRate <= -1 || !finite(discountRate) {
		return math.NaN()
	}
	value := gg.ExpectedAverageValue(c.X, c.Monetary)
	total, prev := 0.0, 0.0
	for i := 1; i <= months; i++ {
		cum := bg.ExpectedPurchases(float64(i)*unitsPerMonth, c.X, c.TX, c.T)
		total += value * (cum - prev) / math.Pow(1+discountRate, float64(i))
		prev = cum
	}
	return total
}
