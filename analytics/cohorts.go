package analytics

import (
	"sort"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Cohort is the customers whose first order fell in one calendar month
// (UTC), and how many of them ordered in each month since.
type Cohort struct {
	Month     string `json:"month" doc:"YYYY-MM of the first order"`
	Customers int    `json:"customers"`
	// Active[k] counts cohort customers with an order in month k after
	// the first (k = 0 is the first month: all of them). Retention[k] is
	// Active[k] / Customers. Months after asOf's month are not listed.
	Active    []int     `json:"active"`
	Retention []float64 `json:"retention"`
}

// Cohorts groups customers by first-order month and counts the months they
// came back in, up to asOf's month. Only the latest maxCohorts cohorts are
// returned (all when maxCohorts ≤ 0), oldest first.
func Cohorts(orders []omnify.Order, asOf time.Time, maxCohorts int) []Cohort {
	end := monthIndex(asOf)
	byFirst := map[int]*Cohort{}
	for _, os := range byCustomer(orders) {
		first := monthIndex(os[0].PlacedAt)
		if first > end {
			continue
		}
		c := byFirst[first]
		if c == nil {
			c = &Cohort{Month: os[0].PlacedAt.UTC().Format("2006-01"), Active: make([]int, end-first+1)}
			byFirst[first] = c
		}
		c.Customers++
		for _, k := range activeMonths(os, first, end) {
			c.Active[k]++
		}
	}
	return orderCohorts(byFirst, maxCohorts)
}

// activeMonths lists the distinct months (as offsets from first) a
// customer ordered in, up to end.
func activeMonths(os []omnify.Order, first, end int) []int {
	var out []int
	last := -1
	for _, o := range os { // oldest first, so offsets only grow
		m := monthIndex(o.PlacedAt)
		if m <= end && m-first != last {
			last = m - first
			out = append(out, last)
		}
	}
	return out
}

func orderCohorts(byFirst map[int]*Cohort, maxCohorts int) []Cohort {
	keys := make([]int, 0, len(byFirst))
	for k := range byFirst {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	if maxCohorts > 0 && len(keys) > maxCohorts {
		keys = keys[len(keys)-maxCohorts:]
	}
	out := make([]Cohort, 0, len(keys))
	for _, k := range keys {
		c := byFirst[k]
		c.Retention = make([]float64, len(c.Active))
		for i, a := range c.Active {
			c.Retention[i] = ratio(float64(a), float64(c.Customers))
		}
		out = append(out, *c)
	}
	return out
}

// monthIndex numbers calendar months (UTC) consecutively.
func monthIndex(t time.Time) int {
	t = t.UTC()
	return t.Year()*12 + int(t.Month()) - 1
}
