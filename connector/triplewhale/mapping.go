package triplewhale

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// channelDay gathers one service's metrics of a day.
type channelDay struct {
	spend, revenue, roas                   float64
	orders, newOrders, impressions, clicks int64
}

// DaySummary is the Object kept per day: the numbers CampaignMetric has no
// field for.
type DaySummary struct {
	Day                string                    `json:"day"`
	Currency           string                    `json:"currency"`
	SalesMinor         int64                     `json:"sales_minor"`
	Orders             int64                     `json:"orders"`
	NewCustomers       int64                     `json:"new_customers"`
	ReturningCustomers int64                     `json:"returning_customers"`
	BlendedROAS        float64                   `json:"blended_roas"`
	Channels           map[string]ChannelSummary `json:"channels"`
}

// ChannelSummary is one service's share of a DaySummary.
type ChannelSummary struct {
	Channel           string  `json:"channel"`
	ROAS              float64 `json:"roas"`
	NewCustomerOrders int64   `json:"new_customer_orders"`
}

// DayRecords maps one day's summary, read at now, to records: a Campaign
// for each service not in seen (which it then adds), a CampaignMetric per
// service, and the day's DaySummary object. Every record's UpdatedAt is
// AsOf(day, now).
func DayRecords(day, now time.Time, ans summaryAnswer, seen map[string]bool) ([]connector.Record, error) {
	cur := strings.ToUpper(strings.TrimSpace(ans.Currency))
	if len(cur) != 3 {
		return nil, fmt.Errorf("%w: summary of %s has no ISO currency (got %q)", connector.ErrPermanent, day.Format(dayLayout), ans.Currency)
	}
	asOf := AsOf(day, now)
	chans, sum := split(ans.Metrics)
	sum.Day, sum.Currency = day.Format(dayLayout), cur
	var out []connector.Record
	for _, svc := range sortedKeys(chans) {
		ch := chans[svc]
		if !seen[svc] {
			seen[svc] = true
			out = append(out, campaignRecord(svc, asOf))
		}
		out = append(out, metricRecord(svc, day, asOf, cur, ch))
		sum.Channels[svc] = ChannelSummary{Channel: ChannelOf(svc), ROAS: ch.roas, NewCustomerOrders: ch.newOrders}
	}
	sum.SalesMinor = minor(sum.salesMajor, cur)
	attrs, err := json.Marshal(sum.DaySummary)
	if err != nil {
		return nil, fmt.Errorf("encode summary of %s: %w", sum.Day, err)
	}
	out = append(out, connector.Record{Stream: StreamDailyMetrics, ExternalID: "tw-summary:" + sum.Day, UpdatedAt: asOf,
		Object: &connector.Object{Kind: "daily_summary", Name: "Triple Whale summary " + sum.Day, Attributes: attrs}})
	return out, nil
}

type summaryParts struct {
	DaySummary
	salesMajor float64
}

// split sorts metrics into per-service numbers and the shop-wide summary.
// Per-service metric IDs are "<service>.<metric>".
func split(ms []metric) (map[string]*channelDay, summaryParts) {
	chans := map[string]*channelDay{}
	sum := summaryParts{DaySummary: DaySummary{Channels: map[string]ChannelSummary{}}}
	for _, m := range ms {
		v := m.Values.Current
		svc, key, ok := strings.Cut(m.ID, ".")
		if !ok {
			sum.shop(m.ID, v)
			continue
		}
		if len(m.Services) == 1 && m.Services[0] != "" {
			svc = m.Services[0]
		}
		ch := chans[svc]
		if ch == nil {
			ch = &channelDay{}
			chans[svc] = ch
		}
		ch.set(key, v)
	}
	return chans, sum
}

func (s *summaryParts) shop(id string, v float64) {
	switch id {
	case "sales":
		s.salesMajor = v
	case "orders":
		s.Orders = int64(math.Round(v))
	case "newCustomers":
		s.NewCustomers = int64(math.Round(v))
	case "returningCustomers":
		s.ReturningCustomers = int64(math.Round(v))
	case "blendedRoas":
		s.BlendedROAS = v
	}
}

func (c *channelDay) set(key string, v float64) {
	n := int64(math.Round(v))
	switch key {
	case "spend":
		c.spend = v
	case "revenue":
		c.revenue = v
	case "roas":
		c.roas = v
	case "orders":
		c.orders = n
	case "newCustomerOrders":
		c.newOrders = n
	case "impressions":
		c.impressions = n
	case "clicks":
		c.clicks = n
	}
}

// AsOf is when a day's numbers last could change: Triple Whale keeps
// attributing orders to a day for SettleDays after it, so a day read
// before then is as of the read, and one read later is as of its
// settling. Records of settled days keep one update time however often
// they are read again.
func AsOf(day, now time.Time) time.Time {
	settled := day.AddDate(0, 0, SettleDays)
	if now.Before(settled) {
		return now.UTC()
	}
	return settled
}

func campaignRecord(svc string, asOf time.Time) connector.Record {
	return connector.Record{Stream: StreamDailyMetrics, ExternalID: CampaignID(svc), UpdatedAt: asOf,
		Campaign: &connector.Campaign{Name: displayName(svc), Channel: ChannelOf(svc), Status: "active"}}
}

func metricRecord(svc string, day, asOf time.Time, cur string, ch *channelDay) connector.Record {
	id := CampaignID(svc)
	return connector.Record{Stream: StreamDailyMetrics, ExternalID: connector.MetricExternalID(id, day), UpdatedAt: asOf,
		CampaignMetric: &connector.CampaignMetric{CampaignExternalID: id, Day: day, Currency: cur,
			SpendMinor: minor(ch.spend, cur), Impressions: ch.impressions, Clicks: ch.clicks,
			Conversions: ch.orders, RevenueMinor: minor(ch.revenue, cur)}}
}

// exponent is the number of minor-unit digits of currencies without two.
var exponent = map[string]int{
	"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "PYG": 0, "UGX": 0, "XAF": 0, "XOF": 0, "RWF": 0,
	"BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}

// minor converts an amount in major units to integer minor units.
func minor(major float64, cur string) int64 {
	e, ok := exponent[cur]
	if !ok {
		e = 2
	}
	return int64(math.Round(major * math.Pow10(e)))
}

func sortedKeys(m map[string]*channelDay) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// displayName turns a service ID into words: "facebook-ads" is
// "Facebook Ads".
func displayName(svc string) string {
	words := strings.Split(svc, "-")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
