package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/auth"
	"github.com/omnify-cloud/omnify/demo"
	"github.com/omnify-cloud/omnify/store"
)

// DemoCmd fills a new organisation with synthetic customers, orders and
// campaigns (the generative process is documented in demo/README.md).
type DemoCmd struct {
	Common
	Org       string `name:"org" default:"Demo Store" help:"Name of the demo organisation."`
	Email     string `name:"email" help:"Sign-in email of the demo owner (default demo+<random>@omnify.local)."`
	Customers int    `name:"customers" default:"2000" help:"Number of synthetic customers (at most 200000)."`
	Seed      int64  `name:"seed" default:"1" help:"Seed of the generator; the same seed gives the same data."`
}

// Run creates the org and prints its login.
func (c *DemoCmd) Run() error {
	if c.Customers < 1 || c.Customers > 200_000 {
		return fmt.Errorf("--customers must be between 1 and 200000")
	}
	db, err := c.open()
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate store: %w", err)
	}
	login, err := c.seed(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "Demo organisation %q created with %d customers.\nSign in at http://%s with\n  email:    %s\n  password: %s\n",
		c.Org, c.Customers, "localhost:8080", login.email, login.password)
	return nil
}

type demoLogin struct{ email, password string }

func (c *DemoCmd) seed(ctx context.Context, s store.Store) (demoLogin, error) {
	now := time.Now().UTC()
	ds, err := demo.Generate(demo.Config{Customers: c.Customers, Seed: c.Seed,
		Start: now.AddDate(-2, 0, 0).Truncate(24 * time.Hour), End: now.Truncate(24 * time.Hour)})
	if err != nil {
		return demoLogin{}, err
	}
	login, err := c.owner(ctx, s, now)
	if err != nil {
		return demoLogin{}, err
	}
	org := &omnify.Org{ID: newID(), Name: c.Org, CreatedAt: now}
	if err := s.CreateOrg(ctx, org); err != nil {
		return demoLogin{}, fmt.Errorf("create demo org: %w", err)
	}
	u, err := s.GetUserByEmail(ctx, login.email)
	if err != nil {
		return demoLogin{}, fmt.Errorf("demo owner: %w", err)
	}
	if err := s.AddMember(ctx, &omnify.Membership{OrgID: org.ID, UserID: u.ID, Role: omnify.RoleOwner, CreatedAt: now}); err != nil {
		return demoLogin{}, fmt.Errorf("demo membership: %w", err)
	}
	if err := importDemo(ctx, s, org.ID, ds, now); err != nil {
		return demoLogin{}, err
	}
	return login, nil
}

// owner creates the demo owner account with a random password.
func (c *DemoCmd) owner(ctx context.Context, s store.Store, now time.Time) (demoLogin, error) {
	email := c.Email
	if email == "" {
		email = "demo+" + strings.ToLower(randomToken(4)) + "@omnify.local"
	}
	email, err := auth.NormalizeEmail(email)
	if err != nil {
		return demoLogin{}, fmt.Errorf("--email: %w", err)
	}
	pw := "demo-" + randomToken(12)
	hash, err := auth.NewHasher(auth.DefaultArgon2Params(), 1).Hash(ctx, pw)
	if err != nil {
		return demoLogin{}, err
	}
	if err := s.CreateUser(ctx, &omnify.User{ID: newID(), Email: email, PasswordHash: hash, CreatedAt: now}); err != nil {
		return demoLogin{}, fmt.Errorf("create demo owner %s: %w", email, err)
	}
	return demoLogin{email: email, password: pw}, nil
}

// importDemo writes a generated data set into an org, in batches.
func importDemo(ctx context.Context, s store.Store, orgID string, ds *demo.Dataset, now time.Time) error {
	const batch = 5000
	cs := make([]omnify.Customer, 0, batch)
	for i, dc := range ds.Customers {
		cs = append(cs, omnify.Customer{ID: dc.ID, OrgID: orgID, Email: dc.Email, Name: dc.Name,
			Consent: omnify.Consent(dc.Consent), Platforms: dc.Platforms, CreatedAt: dc.CreatedAt, UpdatedAt: now})
		if len(cs) == batch || i == len(ds.Customers)-1 {
			if err := s.UpsertCustomers(ctx, orgID, cs); err != nil {
				return fmt.Errorf("import demo customers: %w", err)
			}
			cs = cs[:0]
		}
	}
	ords := make([]omnify.Order, 0, batch)
	for i, do := range ds.Orders {
		ords = append(ords, omnify.Order{ID: do.ID, OrgID: orgID, CustomerID: do.CustomerID, Platform: do.Platform,
			ExternalID: do.ID, PlacedAt: do.PlacedAt, AmountMinor: do.AmountMinor, Currency: do.Currency})
		if len(ords) == batch || i == len(ds.Orders)-1 {
			if err := s.UpsertOrders(ctx, orgID, ords); err != nil {
				return fmt.Errorf("import demo orders: %w", err)
			}
			ords = ords[:0]
		}
	}
	return importCampaigns(ctx, s, orgID, ds)
}

func importCampaigns(ctx context.Context, s store.Store, orgID string, ds *demo.Dataset) error {
	var cs []omnify.Campaign
	for _, c := range ds.Campaigns {
		cs = append(cs, omnify.Campaign{ID: c.ID, OrgID: orgID, Platform: c.Platform, Channel: c.Channel, Name: c.Name})
	}
	if err := s.UpsertCampaigns(ctx, orgID, cs); err != nil {
		return fmt.Errorf("import demo campaigns: %w", err)
	}
	ms := make([]omnify.CampaignMetric, 0, len(ds.CampaignMetrics))
	for _, m := range ds.CampaignMetrics {
		ms = append(ms, omnify.CampaignMetric{OrgID: orgID, CampaignID: m.CampaignID, Day: m.Date,
			SpendMinor: m.SpendMinor, Impressions: m.Impressions, Clicks: m.Clicks, Conversions: m.Conversions,
			Currency: ds.Config.Currency})
	}
	if err := s.UpsertCampaignMetrics(ctx, orgID, ms); err != nil {
		return fmt.Errorf("import demo campaign metrics: %w", err)
	}
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
