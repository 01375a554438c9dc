package linkedin

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// AnalyticsLookback is how many days before the last completed sync an
// incremental analytics read starts again: LinkedIn keeps attributing
// conversions (and settling spend) to a day for a while after it, so the
// last week is always read again and upserted over.
const AnalyticsLookback = 7

// BackfillDays is how far back the first analytics read goes when the
// config sets no start_date.
const BackfillDays = 365

// Analytics windows: adAnalytics does not paginate and silently truncates
// at AnalyticsCap elements, so a request covers at most rowBudget
// campaign-days (a third of headroom) and at most maxWindowDays days.
const (
	AnalyticsCap  = 15000
	rowBudget     = 10000
	maxWindowDays = 92
)

// analyticsFields are the metrics asked for (LinkedIn allows 20).
const analyticsFields = "impressions,clicks,costInLocalCurrency,externalWebsiteConversions," +
	"conversionValueInLocalCurrency,dateRange,pivotValues"

// AnalyticsState is the ad_analytics checkpoint. A pass reads the days Next
// through End window by window; when it completes, Done records its End
// (the day it ran) and the next pass starts AnalyticsLookback days before.
type AnalyticsState struct {
	Done string `json:"done,omitempty"`
	Next string `json:"next,omitempty"`
	End  string `json:"end,omitempty"`
}

type analyticsElement struct {
	Impressions     int64  `json:"impressions"`
	Clicks          int64  `json:"clicks"`
	Cost            string `json:"costInLocalCurrency"`
	Conversions     int64  `json:"externalWebsiteConversions"`
	ConversionValue string `json:"conversionValueInLocalCurrency"`
	DateRange       struct {
		Start struct{ Year, Month, Day int } `json:"start"`
	} `json:"dateRange"`
	PivotValues []string `json:"pivotValues"`
}

// analyticsPass is one read's plan.
type analyticsPass struct {
	from, end time.Time
	accounts  []adAccount
	currency  map[string]string // campaign ID → account currency
	window    int               // days per request
	now       time.Time
}

func (c *Connector) readAnalytics(ctx context.Context, cl *client, set settings, raw json.RawMessage, e connector.Emitter) error {
	st, err := parseAnalyticsState(raw)
	if err != nil {
		return err
	}
	p, err := c.planAnalytics(ctx, cl, set, st)
	if err != nil {
		return fmt.Errorf("linkedin read %s: %w", StreamAdAnalytics, err)
	}
	for !p.from.After(p.end) {
		if err := p.readWindow(ctx, cl, e); err != nil {
			return fmt.Errorf("linkedin read %s: %w", StreamAdAnalytics, err)
		}
	}
	if err := checkpoint(ctx, e, AnalyticsState{Done: day(p.end)}); err != nil {
		return fmt.Errorf("linkedin read %s: %w", StreamAdAnalytics, err)
	}
	return nil
}

func parseAnalyticsState(raw json.RawMessage) (AnalyticsState, error) {
	var st AnalyticsState
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &st); err != nil {
			return st, fmt.Errorf("linkedin read %s: saved state: %w", StreamAdAnalytics, err)
		}
	}
	for _, s := range []string{st.Done, st.Next, st.End} {
		if _, err := parseDay(s); err != nil {
			return st, fmt.Errorf("linkedin read %s: saved state: %w", StreamAdAnalytics, err)
		}
	}
	return st, nil
}

func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// planAnalytics decides the pass's days and window size, and learns each
// campaign's currency (costs come in the account's currency).
func (c *Connector) planAnalytics(ctx context.Context, cl *client, set settings, st AnalyticsState) (*analyticsPass, error) {
	now := c.now().UTC()
	p := &analyticsPass{now: now, end: now.Truncate(24 * time.Hour)}
	next, _ := parseDay(st.Next)
	end, _ := parseDay(st.End)
	done, _ := parseDay(st.Done)
	switch {
	case !next.IsZero() && !end.IsZero():
		p.from, p.end = next, end
	case !done.IsZero():
		p.from = done.AddDate(0, 0, -AnalyticsLookback)
	case !set.startDate.IsZero():
		p.from = set.startDate
	default:
		p.from = p.end.AddDate(0, 0, -BackfillDays)
	}
	var err error
	if p.accounts, err = listAccounts(ctx, cl, set); err != nil {
		return nil, err
	}
	if p.currency, err = campaignCurrencies(ctx, cl, p.accounts); err != nil {
		return nil, err
	}
	p.window = max(1, min(maxWindowDays, c.budget/max(1, len(p.currency))))
	return p, nil
}

// campaignCurrencies maps every campaign of the accounts, in any status,
// to its account's currency.
func campaignCurrencies(ctx context.Context, cl *client, accounts []adAccount) (map[string]string, error) {
	out := map[string]string{}
	statuses := append(append(rlList{}, campaignStatuses...), "REMOVED")
	q := query{}.add("q", "search").add("search", rlRecord{{"status", rlRecord{{"values", statuses}}}})
	for _, acc := range accounts {
		path := "/adAccounts/" + strconv.FormatInt(acc.ID, 10) + "/adCampaigns"
		err := walkPages(ctx, cl, path, q, pageSize, FullState{}, nil, func(elems []json.RawMessage) error {
			for _, raw := range elems {
				var c adCampaign
				if err := json.Unmarshal(raw, &c); err != nil {
					return fmt.Errorf("decode campaign: %w: %w", err, connector.ErrPermanent)
				}
				out[strconv.FormatInt(c.ID, 10)] = acc.Currency
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readWindow reads the next window of days for every account at once,
// halving the window when LinkedIn's answer hits the element cap.
func (p *analyticsPass) readWindow(ctx context.Context, cl *client, e connector.Emitter) error {
	wEnd := p.from.AddDate(0, 0, p.window-1)
	if wEnd.After(p.end) {
		wEnd = p.end
	}
	elems, err := p.fetch(ctx, cl, p.from, wEnd)
	if err != nil {
		return err
	}
	if len(elems) >= AnalyticsCap {
		if p.window == 1 {
			return fmt.Errorf("more than %d campaign rows on %s: %w", AnalyticsCap, day(p.from), connector.ErrPermanent)
		}
		p.window /= 2 // the answer may be truncated: ask for less
		return nil
	}
	for _, el := range elems {
		rec, ok, err := p.record(el)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := e.Record(ctx, rec); err != nil {
			return err
		}
	}
	p.from = wEnd.AddDate(0, 0, 1)
	if p.from.After(p.end) {
		return nil // the caller checkpoints the finished pass
	}
	return checkpoint(ctx, e, AnalyticsState{Next: day(p.from), End: day(p.end)})
}

func (p *analyticsPass) fetch(ctx context.Context, cl *client, from, to time.Time) ([]analyticsElement, error) {
	accounts := make(rlList, len(p.accounts))
	for i, a := range p.accounts {
		accounts[i] = accountURN(a.ID)
	}
	if len(accounts) == 0 {
		return nil, nil
	}
	q := query{}.add("q", "analytics").add("pivot", "CAMPAIGN").add("timeGranularity", "DAILY").
		add("dateRange", rlRecord{{"start", restliDate(from)}, {"end", restliDate(to)}}).
		add("accounts", accounts).raw("fields", analyticsFields)
	var res struct {
		Elements []analyticsElement `json:"elements"`
	}
	if err := cl.get(ctx, "/adAnalytics", q, &res); err != nil {
		return nil, err
	}
	return res.Elements, nil
}

// record maps one element. Rows of campaigns LinkedIn no longer lists in
// any status cannot be priced (their currency is unknown) and are skipped.
func (p *analyticsPass) record(el analyticsElement) (connector.Record, bool, error) {
	if len(el.PivotValues) != 1 {
		return connector.Record{}, false, fmt.Errorf("analytics row with pivot values %v: %w", el.PivotValues, connector.ErrPermanent)
	}
	id, ok := urnID(el.PivotValues[0], "sponsoredCampaign")
	if !ok {
		return connector.Record{}, false, fmt.Errorf("analytics pivot %q is not a campaign: %w", el.PivotValues[0], connector.ErrPermanent)
	}
	cur, ok := p.currency[id]
	if !ok {
		return connector.Record{}, false, nil
	}
	d := el.DateRange.Start
	dayT := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
	spend, err1 := MinorUnits(el.Cost, cur)
	revenue, err2 := MinorUnits(el.ConversionValue, cur)
	if err := firstErr(err1, err2); err != nil {
		return connector.Record{}, false, fmt.Errorf("campaign %s on %s: %w: %w", id, day(dayT), err, connector.ErrPermanent)
	}
	return connector.Record{Stream: StreamAdAnalytics, ExternalID: connector.MetricExternalID(id, dayT),
		UpdatedAt: settledAt(dayT, p.now),
		CampaignMetric: &connector.CampaignMetric{CampaignExternalID: id, Day: dayT, Currency: cur, SpendMinor: spend,
			Impressions: el.Impressions, Clicks: el.Clicks, Conversions: el.Conversions, RevenueMinor: revenue}}, true, nil
}

// settledAt is a metric's update time: LinkedIn gives none, so it is the
// read time while the day is still inside the lookback (its figures may
// change), and the end of the lookback after that. Every figure an
// incremental read re-reads is thereby newer than the previous read's
// checkpoint, and a day's time stops moving once it is final.
func settledAt(d, now time.Time) time.Time {
	final := d.AddDate(0, 0, AnalyticsLookback+1)
	if now.Before(final) {
		return now
	}
	return final
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
