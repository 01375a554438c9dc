package triplewhaletest

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"
)

// ChannelDay is one channel's numbers for one day, in the shop currency.
type ChannelDay struct {
	Spend, Revenue                         float64
	Orders, NewOrders, Impressions, Clicks int64
}

// ShopDay is the shop-wide numbers of one day.
type ShopDay struct {
	Sales                                    float64
	Orders, NewCustomers, ReturningCustomers int64
}

// spendless channels report revenue but buy no ads.
var spendless = map[string]bool{"klaviyo": true, "attentive": true, "postscript": true}

// Day returns channel's numbers for day; restated days carry 5% more
// attributed revenue per restatement.
func (s *Server) Day(day time.Time, channel string) ChannelDay {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dayLocked(day, channel)
}

func (s *Server) dayLocked(day time.Time, channel string) ChannelDay {
	d := day.Format("2006-01-02")
	n := s.noise(d, channel)
	var c ChannelDay
	if !spendless[channel] {
		c.Spend = round2(50 + 950*n)
		c.Impressions = int64(2000 + 80000*n)
		c.Clicks = c.Impressions / 60
	} else {
		c.Clicks = int64(100 + 900*n)
	}
	c.Orders = int64(2 + 40*s.noise(d, channel, "orders"))
	c.NewOrders = c.Orders * int64(30+40*n) / 100
	c.Revenue = round2(float64(c.Orders) * (35 + 40*s.noise(d, channel, "aov")) * math.Pow(1.05, float64(s.restated[d])))
	return c
}

// Shop returns the shop-wide numbers of day.
func (s *Server) Shop(day time.Time) ShopDay {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shopLocked(day)
}

func (s *Server) shopLocked(day time.Time) ShopDay {
	var out ShopDay
	for _, ch := range s.o.Channels {
		c := s.dayLocked(day, ch)
		out.Sales += c.Revenue
		out.Orders += c.Orders
		out.NewCustomers += c.NewOrders
	}
	out.Sales = round2(out.Sales * 1.2) // unattributed sales on top
	out.ReturningCustomers = out.Orders - out.NewCustomers
	return out
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

type summaryBody struct {
	ShopDomain string `json:"shopDomain"`
	Period     struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"period"`
	TodayHour int `json:"todayHour"`
}

func (s *Server) summary(w http.ResponseWriter, r *http.Request) {
	var b summaryBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, "body must be JSON: "+err.Error())
		return
	}
	start, end, msg := s.period(b)
	if msg != "" {
		status := http.StatusBadRequest
		if strings.HasSuffix(msg, "is not accessible with this key") {
			status = http.StatusForbidden
		}
		writeError(w, status, msg)
		return
	}
	s.mu.Lock()
	s.periods = append(s.periods, [2]string{b.Period.Start, b.Period.End})
	days := int(end.Sub(start).Hours()/24) + 1
	cur := s.totalsLocked(start, end)
	prev := s.totalsLocked(start.AddDate(0, 0, -days), start.AddDate(0, 0, -1))
	s.mu.Unlock()
	out := make([]map[string]any, 0, len(cur))
	for _, m := range metricDefs(s.o.Channels) {
		out = append(out, map[string]any{"id": m.id, "title": m.title, "type": m.typ, "services": m.services,
			"values": map[string]any{"current": cur[m.id], "previous": prev[m.id]}})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"currency": "USD", "metrics": out})
}

// period validates the request's shop and days.
func (s *Server) period(b summaryBody) (time.Time, time.Time, string) {
	switch {
	case b.ShopDomain == "":
		return time.Time{}, time.Time{}, "shopDomain is required"
	case b.ShopDomain != Shop:
		return time.Time{}, time.Time{}, "shop " + b.ShopDomain + " is not accessible with this key"
	case b.TodayHour < 0 || b.TodayHour > 25:
		return time.Time{}, time.Time{}, "todayHour must be between 1 and 25"
	}
	start, err1 := time.Parse("2006-01-02", b.Period.Start)
	end, err2 := time.Parse("2006-01-02", b.Period.End)
	s.mu.Lock()
	today := s.today
	s.mu.Unlock()
	switch {
	case err1 != nil || err2 != nil:
		return start, end, "period.start and period.end must be YYYY-MM-DD"
	case end.Before(start):
		return start, end, "period.end is before period.start"
	case end.After(today):
		return start, end, "period.end is in the future"
	case int(end.Sub(start).Hours()/24)+1 > s.o.MaxDays:
		return start, end, "period is longer than the allowed number of days; split the range"
	}
	return start, end, ""
}

type metricDef struct {
	id, title, typ string
	services       []string
}

// channelMetrics are the per-service metrics, by their id suffix.
var channelMetrics = []struct{ key, title, typ string }{
	{"spend", "Spend", "currency"}, {"revenue", "Attributed Revenue", "currency"}, {"roas", "ROAS", "decimal"},
	{"orders", "Attributed Orders", "number"}, {"newCustomerOrders", "New Customer Orders", "number"},
	{"impressions", "Impressions", "number"}, {"clicks", "Clicks", "number"},
}

func metricDefs(channels []string) []metricDef {
	out := []metricDef{
		{"sales", "Order Revenue", "currency", []string{"shopify"}},
		{"orders", "Orders", "number", []string{"shopify"}},
		{"newCustomers", "New Customers", "number", []string{"shopify"}},
		{"returningCustomers", "Returning Customers", "number", []string{"shopify"}},
		{"blendedRoas", "Blended ROAS", "decimal", []string{"triple-whale"}},
	}
	for _, ch := range channels {
		for _, m := range channelMetrics {
			out = append(out, metricDef{ch + "." + m.key, m.title, m.typ, []string{ch}})
		}
	}
	return out
}

// totalsLocked sums every metric over [start, end].
func (s *Server) totalsLocked(start, end time.Time) map[string]float64 {
	t := map[string]float64{}
	spend := 0.0
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		shop := s.shopLocked(d)
		t["sales"] += shop.Sales
		t["orders"] += float64(shop.Orders)
		t["newCustomers"] += float64(shop.NewCustomers)
		t["returningCustomers"] += float64(shop.ReturningCustomers)
		for _, ch := range s.o.Channels {
			c := s.dayLocked(d, ch)
			spend += c.Spend
			t[ch+".spend"] += c.Spend
			t[ch+".revenue"] += c.Revenue
			t[ch+".orders"] += float64(c.Orders)
			t[ch+".newCustomerOrders"] += float64(c.NewOrders)
			t[ch+".impressions"] += float64(c.Impressions)
			t[ch+".clicks"] += float64(c.Clicks)
		}
	}
	for k, v := range t {
		t[k] = round2(v)
	}
	for _, ch := range s.o.Channels {
		if sp := t[ch+".spend"]; sp > 0 {
			t[ch+".roas"] = round2(t[ch+".revenue"] / sp)
		}
	}
	if spend > 0 {
		t["blendedRoas"] = round2(t["sales"] / spend)
	}
	return t
}
