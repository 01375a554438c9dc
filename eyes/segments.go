package eyes

import (
	"fmt"
	"slices"
)

// Plain segment names, chosen from a cluster's profile against the whole
// customer base.
const (
	SegLoyalHigh   = "Loyal high spenders"
	SegLoyal       = "Loyal regulars"
	SegNewOneTime  = "New one-time buyers"
	SegRecent      = "Recent occasional buyers"
	SegSlippingBig = "Slipping high spenders"
	SegSlipping    = "Slipping regulars"
	SegDrifting    = "Drifting one-time buyers"
	SegLost        = "Lost"
	SegLostRegular = "Lost regulars"
	SegOutliers    = "Unusual customers"
	SegEveryone    = "All customers"
)

// segmentActions suggests what to do with each kind of segment.
var segmentActions = map[string]string{
	SegLoyalHigh:   "Reward and retain: VIP perks, early access, referral asks; avoid discounting.",
	SegLoyal:       "Grow basket size: cross-sell and bundles, loyalty points.",
	SegNewOneTime:  "Onboard toward a second purchase: welcome series, second-order incentive within 30 days.",
	SegRecent:      "Nurture: product recommendations based on the last purchase.",
	SegSlippingBig: "Win back now: personal outreach or a strong, time-limited offer before they lapse.",
	SegSlipping:    "Re-engage: reminder and replenishment campaigns, a modest incentive.",
	SegDrifting:    "Low-cost reactivation: one win-back e-mail, then suppress if no response.",
	SegLost:        "Suppress from paid campaigns; occasional low-cost win-back only.",
	SegLostRegular: "Survey why they left and try one win-back offer; then suppress.",
	SegOutliers:    "Review by hand: unusual purchase patterns (bulk buyers, resellers, data errors).",
	SegEveryone:    "No distinct groups: target by churn risk and RFM segment instead.",
}

type segStats struct {
	idx                                       []int // rows of Result.Customers
	recency, freq, mavg, mtot, tenure, palive []float64
	revenue                                   float64
}

// segments builds customer rows, then one Segment per cluster.
func (p *pipeline) segments() error {
	p.customerRows()
	F := p.feat.X
	groups := map[int]*segStats{}
	total := 0.0
	for k := range p.res.Customers {
		l := p.labels[k]
		g := groups[l]
		if g == nil {
			g = &segStats{}
			groups[l] = g
		}
		g.add(k, F.Row(k))
		total += F.At(k, fMonetaryTotal)
	}
	overall := p.overallProfile()
	ids := make([]int, 0, len(groups))
	for l := range groups {
		ids = append(ids, l)
	}
	slices.Sort(ids)
	for _, l := range ids {
		p.res.Segments = append(p.res.Segments, p.segment(l, groups[l], total, overall))
	}
	uniqueNames(p.res.Segments)
	byCluster := map[int]*Segment{}
	for i := range p.res.Segments {
		byCluster[p.res.Segments[i].Cluster] = &p.res.Segments[i]
	}
	for k := range p.res.Customers {
		c := &p.res.Customers[k]
		s := byCluster[c.Cluster]
		c.SegmentID, c.Segment = s.ID, s.Name
	}
	p.res.RFMSegments = p.rfmReport(total)
	return nil
}

func (g *segStats) add(k int, row []float64) {
	g.idx = append(g.idx, k)
	g.recency = append(g.recency, row[fRecency])
	g.freq = append(g.freq, row[fFrequency])
	g.mavg = append(g.mavg, row[fMonetaryAvg])
	g.mtot = append(g.mtot, row[fMonetaryTotal])
	g.tenure = append(g.tenure, row[fTenure])
	g.palive = append(g.palive, row[fPAlive])
	g.revenue += row[fMonetaryTotal]
}

func (g *segStats) profile() SegmentProfile {
	return SegmentProfile{RecencyDays: median(g.recency), Frequency: median(g.freq), MonetaryAvg: median(g.mavg),
		MonetaryTot: median(g.mtot), TenureDays: median(g.tenure), PAlive: median(g.palive)}
}

// overall holds the whole base's reference points for naming: medians,
// the mean frequency (a median of 1 is common) and the typical gap between
// purchases of repeat buyers, the yardstick of "recent".
type overall struct {
	SegmentProfile
	meanFreq float64
	gap      float64
}

func (p *pipeline) overallProfile() overall {
	g := &segStats{}
	for k := 0; k < p.feat.X.Rows; k++ {
		g.add(k, p.feat.X.Row(k))
	}
	var gaps []float64
	for k := 0; k < p.feat.X.Rows; k++ {
		if p.feat.X.At(k, fFrequency) > 1 {
			gaps = append(gaps, p.feat.X.At(k, fIPTMean))
		}
	}
	gap := median(gaps)
	if gap < minTypicalGap {
		gap = minTypicalGap
	}
	return overall{SegmentProfile: g.profile(), meanFreq: mean(g.freq), gap: gap}
}

func (p *pipeline) segment(l int, g *segStats, total float64, o overall) Segment {
	n := len(p.res.Customers)
	s := Segment{ID: fmt.Sprintf("s%d", l), Cluster: l, Size: len(g.idx), Profile: g.profile(),
		Share: float64(len(g.idx)) / float64(n), Platforms: map[string]int{}, RFMMix: map[string]int{}}
	if l < 0 {
		s.ID = "noise"
	}
	if total > 0 {
		s.RevenueShare = g.revenue / total
	}
	s.Name = nameSegment(l, s.Profile, mean(g.freq), o, p.res.Clustering.Chosen)
	s.Action = segmentActions[s.Name]
	s.ChurnMix = p.churnMix(g.idx)
	for _, k := range g.idx {
		c := &p.res.Customers[k]
		s.RFMMix[c.RFM.Segment]++
		s.Exportable += boolInt(c.Exportable)
	}
	return s
}

// minTypicalGap keeps "recent" meaningful when repeat purchases are rare or
// come in bursts.
const minTypicalGap = 14

// nameSegment reads a cluster's profile against the base. With g the typical
// gap between a repeat buyer's purchases: recent means a median recency
// within 1.5g, lapsing within 4g, beyond that lost; frequent means buying
// more often than the average customer; high spend means a median total
// above the base's; new means a median tenure within 1.5g.
func nameSegment(label int, s SegmentProfile, meanFreq float64, o overall, method string) string {
	switch {
	case method == "none":
		return SegEveryone
	case label < 0:
		return SegOutliers
	}
	recent := s.RecencyDays <= 1.5*o.gap
	lapsing := s.RecencyDays <= 4*o.gap
	frequent := meanFreq > o.meanFreq && s.Frequency > 1
	highSpend := s.MonetaryTot > o.MonetaryTot
	switch {
	case recent && frequent && highSpend:
		return SegLoyalHigh
	case recent && frequent:
		return SegLoyal
	case recent && s.Frequency <= 1 && s.TenureDays <= 1.5*o.gap:
		return SegNewOneTime
	case recent:
		return SegRecent
	case lapsing && frequent && highSpend:
		return SegSlippingBig
	case lapsing && frequent:
		return SegSlipping
	case lapsing:
		return SegDrifting
	case frequent:
		return SegLostRegular
	}
	return SegLost
}

// uniqueNames keeps names distinct by numbering repeats in size order.
func uniqueNames(segs []Segment) {
	seen := map[string]int{}
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return segs[b].Size - segs[a].Size })
	for _, i := range order {
		seen[segs[i].Name]++
		if c := seen[segs[i].Name]; c > 1 {
			segs[i].Name = fmt.Sprintf("%s %d", segs[i].Name, c)
		}
	}
}

func (p *pipeline) churnMix(rows []int) []ChurnMix {
	var out []ChurnMix
	for _, cs := range p.churn {
		if cs.p == nil {
			continue
		}
		m := ChurnMix{HorizonDays: cs.card.HorizonDays}
		for _, k := range rows {
			v := cs.p[k]
			m.Mean += v
			switch {
			case v >= 0.7:
				m.High++
			case v >= 0.4:
				m.Medium++
			default:
				m.Low++
			}
		}
		n := float64(len(rows))
		m.Mean, m.High, m.Medium, m.Low = m.Mean/n, m.High/n, m.Medium/n, m.Low/n
		out = append(out, m)
	}
	return out
}

func (p *pipeline) rfmReport(total float64) []RFMSegmentReport {
	size := map[string]int{}
	rev := map[string]float64{}
	for k, c := range p.res.Customers {
		size[c.RFM.Segment]++
		rev[c.RFM.Segment] += p.feat.X.At(k, fMonetaryTotal)
	}
	out := make([]RFMSegmentReport, 0, len(RFMNames))
	for _, name := range RFMNames {
		r := RFMSegmentReport{Name: name, Size: size[name], Share: float64(size[name]) / float64(len(p.res.Customers))}
		if total > 0 {
			r.RevenueShare = rev[name] / total
		}
		out = append(out, r)
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return sum(v) / float64(len(v))
}
