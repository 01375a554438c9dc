// Package analytics owns OmniFy's reporting arithmetic: the KPIs of the
// home page, revenue over time, first-order cohorts, the repeat-purchase
// curve, top products and channel returns. Every function here is pure: it
// takes records a caller scanned from the store (and the time to measure
// against) and returns plain values, so the numbers are deterministic and
// tested by hand-checked tables. Money stays in integer minor units of one
// currency; see Currency for how mixed-currency orders are treated.
package analytics

import (
	"sort"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Day is 24 hours; periods in this package are measured in UTC days.
const Day = 24 * time.Hour

// Currency returns the currency most orders are in (ties go to the
// alphabetically first), and "" when there are no orders. Reports sum
// money in this currency only, because adding minor units of different
// currencies is meaningless and OmniFy does not convert currencies.
func Currency(orders []omnify.Order) string {
	counts := map[string]int{}
	for _, o := range orders {
		counts[o.Currency]++
	}
	best, n := "", 0
	for c, k := range counts {
		if k > n || (k == n && c < best) {
			best, n = c, k
		}
	}
	return best
}

// InCurrency returns the orders in currency cur and how many were left out.
func InCurrency(orders []omnify.Order, cur string) (kept []omnify.Order, skipped int) {
	kept = make([]omnify.Order, 0, len(orders))
	for _, o := range orders {
		if o.Currency == cur {
			kept = append(kept, o)
		}
	}
	return kept, len(orders) - len(kept)
}

// byCustomer groups orders per customer, each customer's oldest first.
// Orders without a customer are left out: they cannot repeat.
func byCustomer(orders []omnify.Order) map[string][]omnify.Order {
	out := map[string][]omnify.Order{}
	for _, o := range orders {
		if o.CustomerID != "" {
			out[o.CustomerID] = append(out[o.CustomerID], o)
		}
	}
	for _, os := range out {
		sort.Slice(os, func(i, j int) bool { return os[i].PlacedAt.Before(os[j].PlacedAt) })
	}
	return out
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
