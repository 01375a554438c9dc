package linkedintest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Counts of the fake's objects, by kind.
type Counts struct {
	Accounts, CampaignGroups, Campaigns, Creatives, Segments int
}

// Counts returns how many objects the fake holds now.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.data
	return Counts{Accounts: len(d.accounts), CampaignGroups: len(d.groups), Campaigns: len(d.campaigns),
		Creatives: len(d.creatives), Segments: len(d.segments)}
}

// MetricRows counts the campaign-days with delivery from since (UTC
// midnight; zero: all history) through today.
func (s *Server) MetricRows(since time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	today := s.now().Truncate(24 * time.Hour)
	n := 0
	for _, c := range s.data.campaigns {
		day := c.Start
		if since.After(day) {
			day = since
		}
		for ; !day.After(today); day = day.AddDate(0, 0, 1) {
			if _, ok := s.data.metric(c, day, today); ok {
				n++
			}
		}
	}
	return n
}

// MetricOf returns what the fake reports for a campaign on a day.
func (s *Server) MetricOf(campaignID int64, day time.Time) (Metric, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.data.byID[campaignID]
	if !ok {
		return Metric{}, false
	}
	return s.data.metric(c, day.UTC().Truncate(24*time.Hour), s.now().Truncate(24*time.Hour))
}

// CampaignIDs lists every campaign's ID in order.
func (s *Server) CampaignIDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int64, len(s.data.campaigns))
	for i, c := range s.data.campaigns {
		out[i] = c.ID
	}
	return out
}

// AccountIDs lists every ad account's ID in order.
func (s *Server) AccountIDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int64, len(s.data.accounts))
	for i, a := range s.data.accounts {
		out[i] = a.ID
	}
	return out
}

// AddSegment creates a USER DMP segment in the first account, dated far
// enough back to take users at once, and returns its ID.
func (s *Server) AddSegment(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.addSegment(s.data.accounts[0].ID, name, "PARTNER_PLATFORM", s.now().Add(-time.Hour)).ID
}

// Mutate moves the fake one day on, as the next daily sync sees LinkedIn:
// the new day has delivery, the last three days' figures are revised (late
// conversions), one campaign is renamed and one is launched in the first
// account.
func (s *Server) Mutate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += 24 * time.Hour
	d := s.data
	d.mutations++
	today := s.now().Truncate(24 * time.Hour)
	for i := 1; i <= 3; i++ {
		d.revision[today.AddDate(0, 0, -i).Unix()]++
	}
	if len(d.campaigns) > 0 {
		c := d.campaigns[d.mutations%len(d.campaigns)]
		c.Name = fmt.Sprintf("%s (rev %d)", c.Name, d.mutations)
		c.Modified = s.now()
	}
	rng := rand.New(rand.NewPCG(d.seed, uint64(d.mutations))) //nolint:gosec // test data
	c := d.addCampaign(rng, d.accounts[0], s.o, today, len(d.campaigns))
	c.Start, c.Status = today, "ACTIVE"
}
