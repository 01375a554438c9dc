package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/analytics"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/store"
)

// The analytics operations read whole scans of an org's orders, so their
// answers are cached per org for Config.AnalyticsTTL: dashboards that poll
// or many viewers opening the home page cost one scan per TTL. Numbers may
// lag new data by at most that long.

// maxPeriods bounds the periods of one revenue series.
const maxPeriods = 400

// AnalyticsOverview is the home page: headline KPIs with their trend,
// churn risk and what changed since the previous EYES run. The KPI windows
// are whole UTC days: the 30 days ending with today, and the 30 before, so
// the answer only changes when data does or a day passes.
type AnalyticsOverview struct {
	// Currency is the currency the money figures are in: the one most
	// orders use. Orders in other currencies are counted in
	// OtherCurrencyOrders and left out of every money figure and count.
	Currency            string         `json:"currency"`
	OtherCurrencyOrders int            `json:"other_currency_orders"`
	Customers           int            `json:"customers"`
	KPIs                analytics.KPIs `json:"kpis"`
	// Risk and Changes are absent until an EYES run has succeeded.
	Risk    *ChurnRiskView `json:"risk,omitempty"`
	Changes *EyesChanges   `json:"changes,omitempty"`
}

// ChurnRiskView counts customers at high churn risk (probability ≥ 0.5)
// in the latest successful EYES run.
type ChurnRiskView struct {
	RunID   string    `json:"run_id"`
	Version int       `json:"version"`
	AsOf    time.Time `json:"as_of"`
	analytics.ChurnRisk
}

// EyesChanges is what changed between the previous and the latest
// successful EYES runs; Segments is empty when there is only one run.
type EyesChanges struct {
	PreviousRunID string                    `json:"previous_run_id,omitempty"`
	PreviousAsOf  *time.Time                `json:"previous_as_of,omitempty"`
	Segments      []analytics.SegmentChange `json:"segments"`
	Migration     *eyes.Migration           `json:"migration,omitempty"`
}

type overviewOutput struct{ Body AnalyticsOverview }

type revenueInput struct {
	Interval string    `query:"interval" enum:"day,week,month" default:"week" doc:"Width of one period."`
	From     time.Time `query:"from" doc:"Start (RFC 3339, inclusive); default: 12 periods before to."`
	To       time.Time `query:"to" doc:"End (RFC 3339, exclusive); default: the start of tomorrow (UTC)."`
}

// RevenueReport is revenue and orders per period and source platform.
type RevenueReport struct {
	Currency            string    `json:"currency"`
	OtherCurrencyOrders int       `json:"other_currency_orders"`
	From                time.Time `json:"from"`
	To                  time.Time `json:"to"`
	analytics.RevenueSeries
}

type revenueOutput struct{ Body RevenueReport }

type cohortsInput struct {
	Months int `query:"months" minimum:"1" maximum:"36" default:"12" doc:"How many of the latest first-order months to show."`
}

// CohortReport is first-order-month cohorts and their monthly retention.
type CohortReport struct {
	Cohorts []analytics.Cohort `json:"cohorts"`
}

type cohortsOutput struct{ Body CohortReport }

type repeatInput struct {
	MaxOrders int `query:"max_orders" minimum:"2" maximum:"20" default:"10" doc:"Largest n on the curve."`
}

// RepeatCurveReport is, for n = 1..max_orders, the share of buyers
// (customers with at least one order, all time) with at least n orders.
type RepeatCurveReport struct {
	Buyers int                     `json:"buyers"`
	Points []analytics.RepeatPoint `json:"points"`
}

type repeatOutput struct{ Body RepeatCurveReport }

type topProductsInput struct {
	Limit int `query:"limit" minimum:"1" maximum:"100" default:"10" doc:"How many products."`
}

// TopProductsReport is the best-selling products by line revenue, from the
// line items platforms sent with their orders.
type TopProductsReport struct {
	Currency string              `json:"currency"`
	Products int                 `json:"products" doc:"Distinct products sold."`
	Items    []analytics.Product `json:"items"`
}

type topProductsOutput struct{ Body TopProductsReport }

type channelsInput struct {
	Since time.Time `query:"since" doc:"Only metrics of days at or after this time (RFC 3339)."`
	Until time.Time `query:"until" doc:"Only metrics of days before this time (RFC 3339)."`
}

// ChannelReport is campaign results per channel and platform.
type ChannelReport struct {
	Items []analytics.Channel `json:"items"`
}

type channelsOutput struct{ Body ChannelReport }

func (s *Server) registerAnalytics() {
	tags := []string{"Analytics"}
	get := func(id, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: http.MethodGet, Path: path, Summary: summary, Tags: tags}
	}
	Register(s, get("analytics.overview", "/v1/analytics/overview", "Headline KPIs, churn risk and changes since the last EYES run"), s.analyticsOverview)
	Register(s, get("analytics.revenue", "/v1/analytics/revenue", "Revenue and orders per period and source platform"), s.analyticsRevenue)
	Register(s, get("analytics.cohorts", "/v1/analytics/cohorts", "Retention of first-order-month cohorts"), s.analyticsCohorts)
	Register(s, get("analytics.repeat-curve", "/v1/analytics/repeat-curve", "Share of buyers with at least n orders"), s.analyticsRepeat)
	Register(s, get("analytics.top-products", "/v1/analytics/top-products", "Best-selling products by revenue"), s.analyticsTopProducts)
	Register(s, get("analytics.channels", "/v1/analytics/channels", "Campaign spend and returns per channel and platform"), s.analyticsChannels)
}

// readThrough answers from the org's analytics cache or computes and
// stores the answer. The cache only saves work: its errors are logged and
// the answer computed.
func readThrough[T any](ctx context.Context, s *Server, orgID, key string, compute func() (T, error)) (T, error) {
	var v T
	k := "analytics:" + orgID + ":" + key
	b, ok, err := s.deps.Cache.Get(ctx, k)
	if err != nil {
		s.deps.Logger.WarnContext(ctx, "analytics cache read failed", "err", err)
	}
	if ok && json.Unmarshal(b, &v) == nil {
		return v, nil
	}
	v, err = compute()
	if err != nil {
		return v, err
	}
	if b, err := json.Marshal(v); err == nil {
		if err := s.deps.Cache.Set(ctx, k, b, s.cfg.AnalyticsTTL); err != nil {
			s.deps.Logger.WarnContext(ctx, "analytics cache write failed", "err", err)
		}
	}
	return v, nil
}

// orders loads an org's orders in its main currency.
func (s *Server) orders(ctx context.Context, orgID string) (cur string, kept []omnify.Order, skipped int, err error) {
	var all []omnify.Order
	err = s.deps.Store.ScanOrders(ctx, orgID, func(o omnify.Order) error {
		all = append(all, o)
		return nil
	})
	if err != nil {
		return "", nil, 0, fmt.Errorf("scan orders: %w", err)
	}
	cur = analytics.Currency(all)
	kept, skipped = analytics.InCurrency(all, cur)
	return cur, kept, skipped, nil
}

func (s *Server) analyticsOverview(ctx context.Context, _ *struct{}) (*overviewOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	v, err := readThrough(ctx, s, a.OrgID, "overview", func() (AnalyticsOverview, error) {
		return s.overview(ctx, a.OrgID)
	})
	return &overviewOutput{Body: v}, err
}

func (s *Server) overview(ctx context.Context, orgID string) (AnalyticsOverview, error) {
	end := analytics.IntervalDay.Start(s.deps.Now()).AddDate(0, 0, 1)
	cur, orders, skipped, err := s.orders(ctx, orgID)
	if err != nil {
		return AnalyticsOverview{}, err
	}
	n, err := s.deps.Store.CountCustomers(ctx, orgID)
	if err != nil {
		return AnalyticsOverview{}, fmt.Errorf("count customers: %w", err)
	}
	v := AnalyticsOverview{Currency: cur, OtherCurrencyOrders: skipped, Customers: n,
		KPIs: analytics.ComputeKPIs(orders, end)}
	v.Risk, v.Changes, err = s.eyesSummary(ctx, orgID)
	return v, err
}

// eyesSummary reads the latest successful EYES run's churn risk and its
// changes from the run before; nil, nil when no run has succeeded.
func (s *Server) eyesSummary(ctx context.Context, orgID string) (*ChurnRiskView, *EyesChanges, error) {
	run, err := s.deps.Store.LatestEyesRun(ctx, orgID)
	if errors.Is(err, omnify.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("latest eyes run: %w", err)
	}
	risk := &ChurnRiskView{RunID: run.ID, Version: run.Version, AsOf: run.AsOf}
	if err := s.countRisk(ctx, orgID, run.ID, &risk.ChurnRisk); err != nil {
		return nil, nil, err
	}
	rep, err := decodeReport(run)
	if err != nil || rep == nil {
		return risk, &EyesChanges{Segments: []analytics.SegmentChange{}}, err
	}
	ch, err := s.changesSince(ctx, orgID, run, rep)
	return risk, ch, err
}

func (s *Server) countRisk(ctx context.Context, orgID, runID string, r *analytics.ChurnRisk) error {
	p := store.Page{Limit: store.MaxLimit}
	for {
		ss, next, err := s.deps.Store.ListEyesScores(ctx, orgID, runID, store.ScoreFilter{}, p)
		if err != nil {
			return fmt.Errorf("list eyes scores: %w", err)
		}
		for _, sc := range ss {
			r.Add(sc)
		}
		if next == "" {
			return nil
		}
		p.After = next
	}
}

// changesSince compares the latest run with the succeeded run before it.
func (s *Server) changesSince(ctx context.Context, orgID string, run *omnify.EyesRun, rep *eyes.Result) (*EyesChanges, error) {
	ch := &EyesChanges{Segments: []analytics.SegmentChange{}, Migration: rep.Insights.Migration}
	prev, err := s.previousRun(ctx, orgID, run)
	if err != nil || prev == nil {
		return ch, err
	}
	prevRep, err := decodeReport(prev)
	if err != nil || prevRep == nil {
		return ch, err
	}
	asOf := prev.AsOf
	ch.PreviousRunID, ch.PreviousAsOf = prev.ID, &asOf
	ch.Segments = analytics.SegmentChanges(prevRep.Segments, rep.Segments)
	return ch, nil
}

// previousRun is the newest succeeded run older than run, or nil.
func (s *Server) previousRun(ctx context.Context, orgID string, run *omnify.EyesRun) (*omnify.EyesRun, error) {
	p := store.Page{Limit: 100}
	for {
		rs, next, err := s.deps.Store.ListEyesRuns(ctx, orgID, p)
		if err != nil {
			return nil, fmt.Errorf("list eyes runs: %w", err)
		}
		for i := range rs {
			if rs[i].Version < run.Version && rs[i].Status == omnify.JobSucceeded {
				return &rs[i], nil
			}
		}
		if next == "" {
			return nil, nil
		}
		p.After = next
	}
}

func (s *Server) analyticsRevenue(ctx context.Context, in *revenueInput) (*revenueOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	iv := analytics.Interval(in.Interval)
	from, to, err := s.revenueRange(iv, in.From, in.To)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("revenue:%s:%d:%d", iv, from.UnixMicro(), to.UnixMicro())
	v, err := readThrough(ctx, s, a.OrgID, key, func() (RevenueReport, error) {
		cur, orders, skipped, err := s.orders(ctx, a.OrgID)
		if err != nil {
			return RevenueReport{}, err
		}
		series, err := analytics.Revenue(orders, iv, from, to)
		return RevenueReport{Currency: cur, OtherCurrencyOrders: skipped, From: from, To: to, RevenueSeries: series}, err
	})
	return &revenueOutput{Body: v}, err
}

// revenueRange fills in default bounds and refuses reversed or overlong
// ranges.
func (s *Server) revenueRange(iv analytics.Interval, from, to time.Time) (time.Time, time.Time, error) {
	if to.IsZero() {
		to = analytics.IntervalDay.Start(s.deps.Now()).AddDate(0, 0, 1)
	}
	if from.IsZero() {
		from = iv.Start(to.Add(-time.Nanosecond))
		for range 11 {
			from = iv.Start(from.Add(-time.Nanosecond))
		}
	}
	from, to = from.UTC(), to.UTC()
	if !from.Before(to) {
		return from, to, omnify.Invalid("query.from", "must be before to (%s)", to.Format(time.RFC3339))
	}
	if analytics.CountPeriods(iv, from, to, maxPeriods) > maxPeriods {
		return from, to, omnify.Invalid("query.from", "the range holds more than %d %ss; pick a wider interval or a shorter range", maxPeriods, iv)
	}
	return from, to, nil
}

func (s *Server) analyticsCohorts(ctx context.Context, in *cohortsInput) (*cohortsOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	v, err := readThrough(ctx, s, a.OrgID, fmt.Sprintf("cohorts:%d", in.Months), func() (CohortReport, error) {
		_, orders, _, err := s.orders(ctx, a.OrgID)
		return CohortReport{Cohorts: analytics.Cohorts(orders, s.deps.Now(), in.Months)}, err
	})
	return &cohortsOutput{Body: v}, err
}

func (s *Server) analyticsRepeat(ctx context.Context, in *repeatInput) (*repeatOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	v, err := readThrough(ctx, s, a.OrgID, fmt.Sprintf("repeat:%d", in.MaxOrders), func() (RepeatCurveReport, error) {
		_, orders, _, err := s.orders(ctx, a.OrgID)
		buyers, pts := analytics.RepeatCurve(orders, in.MaxOrders)
		return RepeatCurveReport{Buyers: buyers, Points: pts}, err
	})
	return &repeatOutput{Body: v}, err
}

func (s *Server) analyticsChannels(ctx context.Context, in *channelsInput) (*channelsOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if !in.Since.IsZero() && !in.Until.IsZero() && !in.Since.Before(in.Until) {
		return nil, omnify.Invalid("query.since", "must be before until")
	}
	key := fmt.Sprintf("channels:%d:%d", in.Since.UnixMicro(), in.Until.UnixMicro())
	v, err := readThrough(ctx, s, a.OrgID, key, func() (ChannelReport, error) {
		return s.channels(ctx, a.OrgID, store.MetricFilter{Since: in.Since, Until: in.Until})
	})
	return &channelsOutput{Body: v}, err
}

func (s *Server) channels(ctx context.Context, orgID string, f store.MetricFilter) (ChannelReport, error) {
	var cs []omnify.Campaign
	p := store.Page{Limit: store.MaxLimit}
	for {
		page, next, err := s.deps.Store.ListCampaigns(ctx, orgID, p)
		if err != nil {
			return ChannelReport{}, fmt.Errorf("list campaigns: %w", err)
		}
		cs = append(cs, page...)
		if next == "" {
			break
		}
		p.After = next
	}
	ms, err := s.deps.Store.ListCampaignMetrics(ctx, orgID, f)
	if err != nil {
		return ChannelReport{}, fmt.Errorf("list campaign metrics: %w", err)
	}
	return ChannelReport{Items: analytics.Channels(cs, ms)}, nil
}
