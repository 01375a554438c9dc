package analytics

import "github.com/omnify-cloud/omnify"

// RepeatPoint is one step of the repeat-purchase curve.
type RepeatPoint struct {
	Orders    int     `json:"orders" doc:"n: at least this many orders"`
	Customers int     `json:"customers" doc:"buyers with n or more orders"`
	Share     float64 `json:"share" doc:"customers / buyers"`
}

// RepeatCurve is the repeat-purchase curve: for n = 1..maxN, the share of
// buyers (customers with at least one order, all time) who placed at least
// n orders. The point n = 1 is always 1 when there are buyers; n = 2 is the
// repeat-purchase rate of the KPIs. Buyers with more than maxN orders count
// in every point.
func RepeatCurve(orders []omnify.Order, maxN int) (buyers int, points []RepeatPoint) {
	atLeast := make([]int, maxN+1) // atLeast[n] for n in 1..maxN
	for _, os := range byCustomer(orders) {
		buyers++
		for n := 1; n <= maxN && n <= len(os); n++ {
			atLeast[n]++
		}
	}
	points = make([]RepeatPoint, 0, maxN)
	for n := 1; n <= maxN; n++ {
		points = append(points, RepeatPoint{Orders: n, Customers: atLeast[n], Share: ratio(float64(atLeast[n]), float64(buyers))})
	}
	return buyers, points
}
