package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/demo"
	"github.com/omnify-cloud/omnify/store"
)

// DefaultDemoCustomers is the size of a demo data set unless asked otherwise.
const DefaultDemoCustomers = 2000

type demoInput struct {
	Body struct {
		Customers int   `json:"customers,omitempty" minimum:"0" maximum:"20000" doc:"Synthetic customers to generate; 0 means 2000."`
		Seed      int64 `json:"seed,omitempty" doc:"Seed of the generator; the same seed gives the same customers."`
	}
}

// DemoResult counts what the demo data set put into the organisation.
type DemoResult struct {
	Customers int `json:"customers"`
	Orders    int `json:"orders"`
	Campaigns int `json:"campaigns"`
}

type demoOutput struct{ Body DemoResult }

func (s *Server) registerDemo() {
	Register(s, huma.Operation{OperationID: "demo.load", Method: http.MethodPost, Path: "/v1/demo",
		Summary: "Fill an empty organisation with synthetic customers, orders and campaigns to try OmniFy on",
		Description: "Two years of generated purchases up to today, for organisations that have no data yet. " +
			"Refused with 409 once the organisation has customers, so demo data never mixes with real data.",
		Tags: []string{"Imports"}, DefaultStatus: http.StatusCreated}, s.loadDemo)
}

func (s *Server) loadDemo(ctx context.Context, in *demoInput) (*demoOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	existing, _, err := s.deps.Store.ListCustomers(ctx, a.OrgID, store.CustomerFilter{}, store.Page{Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("demo: list customers: %w", err)
	}
	if len(existing) > 0 {
		return nil, fail(omnify.ErrConflict, "this organisation already has customers; demo data goes only into an empty organisation")
	}
	n := in.Body.Customers
	if n == 0 {
		n = DefaultDemoCustomers
	}
	now := s.deps.Now().UTC()
	end := now.Truncate(24 * time.Hour)
	ds, err := demo.Generate(demo.Config{Customers: n, Seed: in.Body.Seed, Start: end.AddDate(-2, 0, 0), End: end})
	if err != nil {
		return nil, fmt.Errorf("demo: generate: %w", err)
	}
	if err := writeDemo(ctx, s.deps.Store, a.OrgID, ds, now); err != nil {
		return nil, err
	}
	auditOf(ctx).Target = "org:" + a.OrgID
	return &demoOutput{Body: DemoResult{Customers: len(ds.Customers), Orders: len(ds.Orders), Campaigns: len(ds.Campaigns)}}, nil
}

// writeDemo stores a generated data set in batches.
func writeDemo(ctx context.Context, st store.Store, orgID string, ds *demo.Dataset, now time.Time) error {
	cs := make([]omnify.Customer, len(ds.Customers))
	for i, dc := range ds.Customers {
		cs[i] = omnify.Customer{ID: dc.ID, OrgID: orgID, Email: dc.Email, Name: dc.Name,
			Consent: omnify.Consent(dc.Consent), Platforms: dc.Platforms, CreatedAt: dc.CreatedAt, UpdatedAt: now}
	}
	if err := inBatches(cs, func(b []omnify.Customer) error { return st.UpsertCustomers(ctx, orgID, b) }); err != nil {
		return fmt.Errorf("demo customers: %w", err)
	}
	os := make([]omnify.Order, len(ds.Orders))
	for i, do := range ds.Orders {
		os[i] = omnify.Order{ID: do.ID, OrgID: orgID, CustomerID: do.CustomerID, Platform: do.Platform,
			ExternalID: do.ID, PlacedAt: do.PlacedAt, AmountMinor: do.AmountMinor, Currency: do.Currency}
	}
	if err := inBatches(os, func(b []omnify.Order) error { return st.UpsertOrders(ctx, orgID, b) }); err != nil {
		return fmt.Errorf("demo orders: %w", err)
	}
	return writeDemoCampaigns(ctx, st, orgID, ds)
}

func writeDemoCampaigns(ctx context.Context, st store.Store, orgID string, ds *demo.Dataset) error {
	cs := make([]omnify.Campaign, len(ds.Campaigns))
	for i, c := range ds.Campaigns {
		cs[i] = omnify.Campaign{ID: c.ID, OrgID: orgID, Platform: c.Platform, Channel: c.Channel, Name: c.Name}
	}
	if err := st.UpsertCampaigns(ctx, orgID, cs); err != nil {
		return fmt.Errorf("demo campaigns: %w", err)
	}
	ms := make([]omnify.CampaignMetric, len(ds.CampaignMetrics))
	for i, m := range ds.CampaignMetrics {
		ms[i] = omnify.CampaignMetric{OrgID: orgID, CampaignID: m.CampaignID, Day: m.Date, SpendMinor: m.SpendMinor,
			Impressions: m.Impressions, Clicks: m.Clicks, Conversions: m.Conversions, Currency: ds.Config.Currency}
	}
	err := inBatches(ms, func(b []omnify.CampaignMetric) error { return st.UpsertCampaignMetrics(ctx, orgID, b) })
	if err != nil {
		return fmt.Errorf("demo campaign metrics: %w", err)
	}
	return nil
}

// inBatches hands xs to write in slices of a size the stores take in one
// transaction.
func inBatches[T any](xs []T, write func([]T) error) error {
	const batch = 5000
	for len(xs) > 0 {
		n := min(batch, len(xs))
		if err := write(xs[:n]); err != nil {
			return err
		}
		xs = xs[n:]
	}
	return nil
}
