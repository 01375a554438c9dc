package linkedintest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// analyticsFields are the adAnalytics fields the fake knows.
var analyticsFields = map[string]bool{
	"impressions": true, "clicks": true, "costInLocalCurrency": true, "externalWebsiteConversions": true,
	"conversionValueInLocalCurrency": true, "dateRange": true, "pivotValues": true, "landingPageClicks": true,
}

// maxFields is LinkedIn's limit on fields per adAnalytics request.
const maxFields = 20

type analyticsQuery struct {
	accounts   map[int64]bool
	start, end time.Time
	fields     []string
}

// analytics is GET /rest/adAnalytics?q=analytics&pivot=CAMPAIGN&
// timeGranularity=DAILY&dateRange=(...)&accounts=List(...)&fields=...
func (s *Server) analytics(_ http.ResponseWriter, _ *http.Request, q map[string]string, _ string) (any, int) {
	aq, err := s.parseAnalytics(q)
	if err != nil {
		return badRequest(err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	today := s.now().Truncate(24 * time.Hour)
	elements := []element{}
	for day := aq.start; !day.After(aq.end); day = day.AddDate(0, 0, 1) {
		for _, c := range s.data.campaigns {
			if !aq.accounts[c.Account] {
				continue
			}
			m, ok := s.data.metric(c, day, today)
			if !ok {
				continue
			}
			if len(elements) == AnalyticsCap {
				// LinkedIn truncates without saying so.
				s.stats.Truncated++
				return map[string]any{"elements": elements, "paging": map[string]any{"start": 0, "count": 10}}, http.StatusOK
			}
			elements = append(elements, elementJSON(c, day, m, aq.fields))
		}
	}
	return map[string]any{"elements": elements, "paging": map[string]any{"start": 0, "count": 10}}, http.StatusOK
}

func (s *Server) parseAnalytics(q map[string]string) (analyticsQuery, error) {
	var aq analyticsQuery
	if err := requireFinder(q, "analytics"); err != nil {
		return aq, err
	}
	for name, want := range map[string]string{"pivot": "CAMPAIGN", "timeGranularity": "DAILY"} {
		if v, err := leafParam(q[name]); err != nil || v != want {
			return aq, fmt.Errorf("%s must be %s in this fake, got %q", name, want, q[name])
		}
	}
	raw, ok := q["accounts"]
	if !ok {
		return aq, fmt.Errorf("one of accounts, campaigns, campaignGroups, creatives or companies is required")
	}
	ids, err := urnList(raw, urnAccount)
	if err != nil {
		return aq, fmt.Errorf("accounts: %w", err)
	}
	aq.accounts = map[int64]bool{}
	for _, id := range ids {
		n, _ := strconv.ParseInt(id, 10, 64)
		aq.accounts[n] = true
	}
	if aq.start, aq.end, err = s.parseDateRange(q["dateRange"]); err != nil {
		return aq, err
	}
	if aq.fields, err = parseFields(q["fields"]); err != nil {
		return aq, err
	}
	return aq, nil
}

func (s *Server) parseDateRange(raw string) (time.Time, time.Time, error) {
	v, err := ParseValue(raw)
	rec, ok := v.(Record)
	if err != nil || !ok {
		return time.Time{}, time.Time{}, fmt.Errorf("dateRange must be (start:(year:Y,month:M,day:D),end:(...)), got %q", raw)
	}
	start, err := parseDate(rec["start"])
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("dateRange.start: %w", err)
	}
	end := s.Now().Truncate(24 * time.Hour)
	if rec["end"] != nil {
		if end, err = parseDate(rec["end"]); err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("dateRange.end: %w", err)
		}
	}
	if end.Before(start) {
		return time.Time{}, time.Time{}, fmt.Errorf("dateRange end %s is before start %s", end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	return start, end, nil
}

func parseDate(v any) (time.Time, error) {
	rec, ok := v.(Record)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: want (year:Y,month:M,day:D)", errSyntax)
	}
	var parts [3]int
	for i, k := range []string{"year", "month", "day"} {
		s, _ := rec[k].(string)
		n, err := strconv.Atoi(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s %q is not a number", k, s)
		}
		parts[i] = n
	}
	t := time.Date(parts[0], time.Month(parts[1]), parts[2], 0, 0, 0, 0, time.UTC)
	if t.Year() != parts[0] || int(t.Month()) != parts[1] || t.Day() != parts[2] {
		return time.Time{}, fmt.Errorf("%d-%d-%d is not a date", parts[0], parts[1], parts[2])
	}
	return t, nil
}

// parseFields reads fields=a,b,c: plain names separated by commas.
func parseFields(raw string) ([]string, error) {
	if raw == "" {
		return nil, fmt.Errorf("fields is required: name the metrics to return")
	}
	names := strings.Split(raw, ",")
	if len(names) > maxFields {
		return nil, fmt.Errorf("at most %d fields per request, got %d", maxFields, len(names))
	}
	for _, n := range names {
		if !analyticsFields[n] {
			return nil, fmt.Errorf("unknown field %q", n)
		}
	}
	return names, nil
}

// element is one adAnalytics row; fields not asked for stay out.
type element struct {
	Impressions     *int64     `json:"impressions,omitempty"`
	Clicks          *int64     `json:"clicks,omitempty"`
	Conversions     *int64     `json:"externalWebsiteConversions,omitempty"`
	Cost            *string    `json:"costInLocalCurrency,omitempty"`
	ConversionValue *string    `json:"conversionValueInLocalCurrency,omitempty"`
	LandingClicks   *int64     `json:"landingPageClicks,omitempty"`
	DateRange       *dateRange `json:"dateRange,omitempty"`
	PivotValues     []string   `json:"pivotValues,omitempty"`
}

type date struct {
	Year  int `json:"year"`
	Month int `json:"month"`
	Day   int `json:"day"`
}

type dateRange struct {
	Start date `json:"start"`
	End   date `json:"end"`
}

func elementJSON(c *campaign, day time.Time, m Metric, fields []string) element {
	var e element
	for _, f := range fields {
		switch f {
		case "impressions":
			e.Impressions = &m.Impressions
		case "clicks":
			e.Clicks = &m.Clicks
		case "externalWebsiteConversions":
			e.Conversions = &m.Conversions
		case "costInLocalCurrency":
			e.Cost = &m.Cost
		case "conversionValueInLocalCurrency":
			e.ConversionValue = &m.ConversionValue
		case "landingPageClicks":
			n := m.Clicks * 9 / 10
			e.LandingClicks = &n
		case "dateRange":
			d := date{day.Year(), int(day.Month()), day.Day()}
			e.DateRange = &dateRange{d, d}
		case "pivotValues":
			e.PivotValues = []string{"urn:li:sponsoredCampaign:" + strconv.FormatInt(c.ID, 10)}
		}
	}
	return e
}
