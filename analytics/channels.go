package analytics

import (
	"sort"

	"github.com/omnify-cloud/omnify"
)

// Channel is the sum of campaign metrics of one channel on one platform in
// one currency.
type Channel struct {
	Channel      string `json:"channel"`
	Platform     string `json:"platform"`
	Currency     string `json:"currency"`
	Campaigns    int    `json:"campaigns"`
	SpendMinor   int64  `json:"spend_minor"`
	RevenueMinor int64  `json:"revenue_minor"`
	Impressions  int64  `json:"impressions"`
	Clicks       int64  `json:"clicks"`
	Conversions  int64  `json:"conversions"`
	// ROAS is revenue / spend; nil without spend (email, organic).
	ROAS *float64 `json:"roas"`
	// CTR is clicks / impressions; nil without impressions.
	CTR *float64 `json:"ctr"`
	// CPAMinor is spend / conversions, rounded down; nil without conversions.
	CPAMinor *int64 `json:"cpa_minor"`
}

// Channels sums metrics per (channel, platform, currency). A metric of an
// unknown campaign counts under channel "unknown". Sorted by spend, then
// revenue (both descending), then channel and platform.
func Channels(campaigns []omnify.Campaign, metrics []omnify.CampaignMetric) []Channel {
	byID := make(map[string]omnify.Campaign, len(campaigns))
	for _, c := range campaigns {
		byID[c.ID] = c
	}
	type key struct{ channel, platform, currency string }
	groups := map[key]*Channel{}
	seen := map[key]map[string]bool{}
	for _, m := range metrics {
		c, ok := byID[m.CampaignID]
		if !ok {
			c = omnify.Campaign{Channel: "unknown", Platform: "unknown"}
		}
		k := key{c.Channel, c.Platform, m.Currency}
		g := groups[k]
		if g == nil {
			g = &Channel{Channel: k.channel, Platform: k.platform, Currency: k.currency}
			groups[k], seen[k] = g, map[string]bool{}
		}
		if !seen[k][m.CampaignID] {
			seen[k][m.CampaignID] = true
			g.Campaigns++
		}
		g.SpendMinor += m.SpendMinor
		g.RevenueMinor += m.RevenueMinor
		g.Impressions += m.Impressions
		g.Clicks += m.Clicks
		g.Conversions += m.Conversions
	}
	return sortChannels(groups)
}

func sortChannels[K comparable](groups map[K]*Channel) []Channel {
	out := make([]Channel, 0, len(groups))
	for _, g := range groups {
		if g.SpendMinor > 0 {
			roas := float64(g.RevenueMinor) / float64(g.SpendMinor)
			g.ROAS = &roas
		}
		if g.Impressions > 0 {
			ctr := float64(g.Clicks) / float64(g.Impressions)
			g.CTR = &ctr
		}
		if g.Conversions > 0 {
			cpa := g.SpendMinor / g.Conversions
			g.CPAMinor = &cpa
		}
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.SpendMinor != b.SpendMinor {
			return a.SpendMinor > b.SpendMinor
		}
		if a.RevenueMinor != b.RevenueMinor {
			return a.RevenueMinor > b.RevenueMinor
		}
		if a.Channel != b.Channel {
			return a.Channel < b.Channel
		}
		return a.Platform < b.Platform
	})
	return out
}
