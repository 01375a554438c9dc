package eyes

import (
	"slices"
)

// RFM segment names, the standard map marketers expect.
const (
	RFMChampions    = "Champions"
	RFMLoyal        = "Loyal"
	RFMPotential    = "Potential loyalists"
	RFMNew          = "New customers"
	RFMPromising    = "Promising"
	RFMNeedAtt      = "Need attention"
	RFMAboutToSleep = "About to sleep"
	RFMAtRisk       = "At risk"
	RFMCannotLose   = "Cannot lose them"
	RFMHibernating  = "Hibernating"
	RFMLost         = "Lost"
)

// RFMNames lists the named RFM segments in report order.
var RFMNames = []string{RFMChampions, RFMLoyal, RFMPotential, RFMNew, RFMPromising, RFMNeedAtt,
	RFMAboutToSleep, RFMAtRisk, RFMCannotLose, RFMHibernating, RFMLost}

// RFMScore is a customer's classic recency/frequency/monetary quintile
// scores, 1 (worst) to 5 (best), and the named segment they imply.
type RFMScore struct {
	R       int    `json:"r"`
	F       int    `json:"f"`
	M       int    `json:"m"`
	Segment string `json:"segment"`
}

// quintileScores scores values 1..5 by mid-rank percentile, so equal values
// always get equal scores. When higherIsBetter is false (recency), a small
// value scores high.
func quintileScores(v []float64, higherIsBetter bool) []int {
	n := len(v)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmpFloat(v[a], v[b]) })
	out := make([]int, n)
	for lo := 0; lo < n; {
		hi := lo
		for hi < n && v[order[hi]] == v[order[lo]] {
			hi++
		}
		p := (float64(lo) + float64(hi-lo)/2) / float64(n)
		s := min(5, 1+int(5*p))
		if !higherIsBetter {
			s = 6 - s
		}
		for _, i := range order[lo:hi] {
			out[i] = s
		}
		lo = hi
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rfmScores scores every row of recency, frequency and monetary (total).
func rfmScores(recency, frequency, monetary []float64) []RFMScore {
	r := quintileScores(recency, false)
	f := quintileScores(frequency, true)
	m := quintileScores(monetary, true)
	out := make([]RFMScore, len(r))
	for i := range out {
		out[i] = RFMScore{R: r[i], F: f[i], M: m[i], Segment: RFMSegmentName(r[i], f[i], m[i])}
	}
	return out
}

// RFMSegmentName maps R, F and M scores to the standard named segment. F and
// M are averaged (rounding up) into one value score, as the usual R×FM grid does.
func RFMSegmentName(r, f, m int) string {
	fm := (f + m + 1) / 2
	switch {
	case r == 5 && fm >= 4:
		return RFMChampions
	case r >= 3 && fm >= 4:
		return RFMLoyal
	case r >= 4 && fm >= 2:
		return RFMPotential
	case r == 5 && fm == 1:
		return RFMNew
	case r == 4 && fm == 1:
		return RFMPromising
	case r == 3 && fm == 3:
		return RFMNeedAtt
	case r == 3:
		return RFMAboutToSleep
	case fm == 5:
		return RFMCannotLose
	case fm >= 3:
		return RFMAtRisk
	case r == 2 || fm == 2:
		return RFMHibernating
	}
	return RFMLost
}
