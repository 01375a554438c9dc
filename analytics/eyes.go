package analytics

import (
	"sort"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/eyes"
)

// HighRisk is the churn probability from which a customer counts as at
// high risk of churning within a horizon.
const HighRisk = 0.5

// ChurnRisk counts the customers of one EYES run at high risk of churning
// within 30, 60 and 90 days (probability ≥ HighRisk).
type ChurnRisk struct {
	Scored int `json:"scored"`
	Days30 int `json:"days_30"`
	Days60 int `json:"days_60"`
	Days90 int `json:"days_90"`
}

// Add counts one scored customer.
func (r *ChurnRisk) Add(s omnify.EyesScore) {
	r.Scored++
	if s.Churn30 >= HighRisk {
		r.Days30++
	}
	if s.Churn60 >= HighRisk {
		r.Days60++
	}
	if s.Churn90 >= HighRisk {
		r.Days90++
	}
}

// SegmentChange is one segment's size in the previous and latest runs,
// matched by name (segment IDs are per run).
type SegmentChange struct {
	Name   string `json:"name"`
	Before int    `json:"before"`
	After  int    `json:"after"`
	Delta  int    `json:"delta"`
}

// SegmentChanges compares segment sizes by name; a segment in one run only
// has 0 in the other. Sorted by the size of the change, largest first, then
// name.
func SegmentChanges(before, after []eyes.Segment) []SegmentChange {
	byName := map[string]*SegmentChange{}
	get := func(name string) *SegmentChange {
		if byName[name] == nil {
			byName[name] = &SegmentChange{Name: name}
		}
		return byName[name]
	}
	for _, s := range before {
		get(s.Name).Before += s.Size
	}
	for _, s := range after {
		get(s.Name).After += s.Size
	}
	out := make([]SegmentChange, 0, len(byName))
	for _, c := range byName {
		c.Delta = c.After - c.Before
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := abs(out[i].Delta), abs(out[j].Delta)
		if a != b {
			return a > b
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
