package demo

import (
	"math"
	"strconv"
	"time"
)

// Campaign is a marketing campaign run on one platform.
type Campaign struct {
	ID       string
	Name     string
	Channel  string // "email", "sms" or "paid_social"
	Platform string
	Start    time.Time // first day
	End      time.Time // last day, inclusive
	Currency string
}

// CampaignMetric is one campaign's results on one day.
type CampaignMetric struct {
	CampaignID  string
	Date        time.Time // midnight UTC
	SpendMinor  int64
	Impressions int64
	Clicks      int64
	Conversions int64
}

// channelModel describes the economics of a channel: daily reach, click
// and conversion rates, and cost per thousand impressions in minor units.
type channelModel struct {
	channel, platform string
	reach, ctr, cvr   float64
	cpmMinor          float64
}

var channels = []channelModel{
	{"email", Klaviyo, 12000, 0.025, 0.04, 100},
	{"paid_social", "linkedin_ads", 30000, 0.005, 0.02, 3000},
	{"email", HubSpot, 6000, 0.02, 0.03, 150},
	{"sms", GoHighLevel, 2000, 0.06, 0.05, 1000},
}

// campaignThemes are (name, month) pairs; a zero month runs any time.
var campaignThemes = []struct {
	name  string
	month time.Month
}{
	{"Black Friday", time.November}, {"Welcome Series", 0}, {"Spring Sale", time.March},
	{"Winback", 0}, {"Holiday Gift Guide", time.December}, {"VIP Early Access", 0},
	{"Summer Clearance", time.July}, {"Back in Stock", 0},
}

// campaigns generates the configured campaigns and their daily metrics.
func campaigns(cfg Config) ([]Campaign, []CampaignMetric) {
	st := newStream()
	var out []Campaign
	var metrics []CampaignMetric
	for i := 0; i < cfg.Campaigns; i++ {
		st.reset(cfg.Seed, domainCampaign, uint64(i))
		ch := channels[i%len(channels)]
		c := flight(st, cfg, i)
		c.Channel, c.Platform, c.Currency = ch.channel, ch.platform, cfg.Currency
		out = append(out, c)
		for d := c.Start; !d.After(c.End); d = d.AddDate(0, 0, 1) {
			metrics = append(metrics, dayMetric(st, ch, c.ID, d))
		}
	}
	return out, metrics
}

// flight names campaign i and picks its dates: themed campaigns run in
// their month of a random year of the period, others at a random time.
func flight(st *stream, cfg Config, i int) Campaign {
	theme := campaignThemes[i%len(campaignThemes)]
	first := truncateDay(cfg.Start)
	last := truncateDay(cfg.End.Add(-time.Nanosecond))
	length := 14 + st.IntN(60)
	start := first.AddDate(0, 0, st.IntN(max(1, int(last.Sub(first).Hours()/24)-13)))
	if theme.month != 0 {
		y := first.Year() + st.IntN(last.Year()-first.Year()+1)
		themed := time.Date(y, theme.month, 1+st.IntN(10), 0, 0, 0, 0, time.UTC)
		if !themed.Before(first) && !themed.After(last) {
			start, length = themed, 14+st.IntN(14)
		}
	}
	end := minTime(start.AddDate(0, 0, length-1), last)
	name := theme.name + " " + strconv.Itoa(start.Year())
	return Campaign{ID: "cmp_" + pad(i+1, 3), Name: name, Start: start, End: end}
}

func dayMetric(st *stream, ch channelModel, id string, d time.Time) CampaignMetric {
	impr := math.Max(0, ch.reach*ordinarySeason.intensity(d)*math.Exp(0.3*st.NormFloat64()))
	clicks := binomial(st, impr, ch.ctr)
	return CampaignMetric{
		CampaignID:  id,
		Date:        d,
		Impressions: int64(math.Round(impr)),
		Clicks:      int64(clicks),
		Conversions: int64(binomial(st, clicks, ch.cvr)),
		SpendMinor:  int64(math.Round(impr / 1000 * ch.cpmMinor)),
	}
}

// binomial approximates Binomial(n, p) by a rounded, clamped normal draw,
// which is accurate at the counts campaigns produce.
func binomial(st *stream, n, p float64) float64 {
	mean := n * p
	v := math.Round(mean + math.Sqrt(mean*(1-p))*st.NormFloat64())
	return math.Min(math.Max(v, 0), math.Round(n))
}

func truncateDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
