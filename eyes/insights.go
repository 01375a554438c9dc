package eyes

import (
	"fmt"
	"slices"
)

// Insights are what a run learned, in numbers and in plain words.
type Insights struct {
	// Drivers are the churn drivers per horizon (standardised coefficients).
	Drivers   map[int][]Driver `json:"drivers,omitempty"`
	Migration *Migration       `json:"migration,omitempty"`
	Findings  []string         `json:"findings"`
}

// Migration compares segment membership with the previous run.
type Migration struct {
	PreviousAsOf string `json:"previous_as_of"`
	Matched      int    `json:"matched"` // customers present in both runs
	Stayed       int    `json:"stayed"`
	New          int    `json:"new"`  // in this run only
	Gone         int    `json:"gone"` // in the previous run only
	Moves        []Move `json:"moves"`
}

// Move counts customers who went from one named segment to another.
type Move struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

func (p *pipeline) crossPlatform() error {
	byCluster := map[int]*Segment{}
	for i := range p.res.Segments {
		byCluster[p.res.Segments[i].Cluster] = &p.res.Segments[i]
	}
	for k := range p.res.Customers {
		c := &p.res.Customers[k]
		s := byCluster[c.Cluster]
		for _, pl := range c.Platforms {
			s.Platforms[pl]++
		}
		if len(c.Platforms) > 1 {
			s.CrossPlatform++
		}
	}
	return nil
}

func (p *pipeline) insights() error {
	ins := &p.res.Insights
	for _, cs := range p.churn {
		if cs.card.Scored {
			if ins.Drivers == nil {
				ins.Drivers = map[int][]Driver{}
			}
			ins.Drivers[cs.card.HorizonDays] = cs.card.Drivers
		}
	}
	if p.in.Previous != nil {
		ins.Migration = migration(p.in.Previous, p.res.Customers)
	}
	ins.Findings = p.findings()
	return nil
}

func migration(prev *Result, cur []CustomerResult) *Migration {
	m := &Migration{PreviousAsOf: prev.AsOf.Format("2006-01-02")}
	before := make(map[string]string, len(prev.Customers))
	for _, c := range prev.Customers {
		before[c.ID] = c.Segment
	}
	moves := map[[2]string]int{}
	for _, c := range cur {
		was, ok := before[c.ID]
		if !ok {
			m.New++
			continue
		}
		m.Matched++
		delete(before, c.ID)
		if was == c.Segment {
			m.Stayed++
			continue
		}
		moves[[2]string{was, c.Segment}]++
	}
	m.Gone = len(before)
	for k, n := range moves {
		m.Moves = append(m.Moves, Move{From: k[0], To: k[1], Count: n})
	}
	slices.SortFunc(m.Moves, func(a, b Move) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.From != b.From {
			return cmpString(a.From, b.From)
		}
		return cmpString(a.To, b.To)
	})
	return m
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (p *pipeline) findings() []string {
	var f []string
	c := p.res.Clustering
	if c.Chosen != "none" {
		f = append(f, fmt.Sprintf("%s found %d segments with silhouette %.2f (%s structure by Kaufman–Rousseeuw; %s the %.2f gate%s).",
			methodTitle(c.Chosen), len(p.res.Segments), c.Silhouette, c.Band, passWord(!c.WeakStructure), p.cfg.MinSilhouette, weakSuffix(c.WeakStructure)))
	}
	if s := topRevenue(p.res.Segments); s != nil {
		f = append(f, fmt.Sprintf("%q is %.0f%% of customers and brings %.0f%% of revenue.", s.Name, 100*s.Share, 100*s.RevenueShare))
	}
	for _, cs := range p.churn {
		if !cs.card.Scored || len(cs.card.Drivers) == 0 {
			continue
		}
		d := cs.card.Drivers[0]
		f = append(f, fmt.Sprintf("%d-day churn: out-of-time AUC %.2f (%s the %.2f gate); the strongest driver is %s, which %s.",
			cs.card.HorizonDays, cs.card.AUC, passWord(cs.card.GatePassed), p.cfg.MinAUC, d.Feature, d.Effect))
	}
	if m := p.res.Insights.Migration; m != nil && len(m.Moves) > 0 {
		mv := m.Moves[0]
		f = append(f, fmt.Sprintf("Since %s, the largest move was %d customers from %q to %q.", m.PreviousAsOf, mv.Count, mv.From, mv.To))
	}
	n := p.res.Consent
	total := n.Granted + n.Denied + n.Unknown
	f = append(f, fmt.Sprintf("%d of %d customers (%.0f%%) have granted marketing consent; only they can be exported.",
		n.Granted, total, 100*float64(n.Granted)/float64(max(total, 1))))
	return f
}

func methodTitle(m string) string {
	switch m {
	case MethodKMeans:
		return "K-Means"
	case MethodDBSCAN:
		return "DBSCAN"
	case MethodAgglomerative:
		return "Agglomerative (Ward) clustering"
	}
	return m
}

func weakSuffix(weak bool) string {
	if weak {
		return ": treat segment boundaries as soft"
	}
	return ""
}

func passWord(ok bool) string {
	if ok {
		return "passes"
	}
	return "fails"
}

func topRevenue(segs []Segment) *Segment {
	var best *Segment
	for i := range segs {
		if best == nil || segs[i].RevenueShare > best.RevenueShare {
			best = &segs[i]
		}
	}
	return best
}

// store closes the run: gates and total time. The Result is then complete
// and immutable; persisting it belongs to the caller.
func (p *pipeline) store() error {
	c := p.res.Clustering
	p.res.Gates = append(p.res.Gates, Gate{Name: "silhouette", Threshold: p.cfg.MinSilhouette, Value: c.Silhouette,
		Passed: c.Chosen != "none" && !c.WeakStructure, Note: c.Note})
	for _, cs := range p.churn {
		g := Gate{Name: fmt.Sprintf("churn_auc_%dd", cs.card.HorizonDays), Threshold: p.cfg.MinAUC,
			Value: cs.card.AUC, Passed: cs.card.Scored && cs.card.GatePassed}
		if !cs.card.Scored {
			g.Note = cs.card.Reason
		}
		p.res.Gates = append(p.res.Gates, g)
	}
	return nil
}
