package eyes

import "math"

// SampleProjection picks about limit of the points whose segment indices
// are given, for the dashboard's 2-D scatter. Each segment keeps its share
// of the sample (rounded, at least one point, so the sample may pass limit
// by one point per tiny segment): small segments stay visible and the
// picture keeps its proportions. Within a segment the points are taken at
// even steps of the input order. It returns the chosen indices in
// ascending order; all of them when there are no more than limit.
func SampleProjection(segments []int, limit int) []int {
	n := len(segments)
	if limit <= 0 {
		return []int{}
	}
	if n <= limit {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	members := map[int][]int{}
	for i, s := range segments {
		members[s] = append(members[s], i)
	}
	keep := make([]bool, n)
	for _, idx := range members {
		for _, i := range evenly(idx, quota(len(idx), n, limit)) {
			keep[i] = true
		}
	}
	out := make([]int, 0, limit+len(members))
	for i, k := range keep {
		if k {
			out = append(out, i)
		}
	}
	return out
}

// quota is a segment's share of the sample: at least one point, at most
// the segment.
func quota(size, n, limit int) int {
	q := int(math.Round(float64(size) * float64(limit) / float64(n)))
	return min(size, max(1, q))
}

// evenly picks k of idx at even steps.
func evenly(idx []int, k int) []int {
	out := make([]int, k)
	step := float64(len(idx)) / float64(k)
	for j := range out {
		out[j] = idx[int(float64(j)*step)]
	}
	return out
}
