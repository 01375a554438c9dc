// Package shopify is OmniFy's Shopify connector. It reads customers, orders
// and products from the Admin GraphQL API (incrementally by updated_at with
// Relay cursors, or through a bulk operation for the first backfill of a
// shop), honours Shopify's cost-based throttling by returning back-off
// errors instead of sleeping, and verifies the HMAC signatures of webhook
// deliveries and OAuth install callbacks.
//
// The connector only ever talks to https://{shop}.myshopify.com, where the
// shop domain must match a strict pattern, or to Connection.BaseURL, which
// comes from the operator's environment (OMNIFY_SHOPIFY_BASE_URL); it never
// fetches a URL a user supplied.
package shopify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// APIVersion is the Admin API version every request is pinned to. It is the
// version of the schema the fake server validates queries against.
const APIVersion = "2025-01"

// Stream names.
const (
	StreamCustomers = "customers"
	StreamOrders    = "orders"
	StreamProducts  = "products"
)

// Scopes requested by the OAuth install.
var Scopes = []string{"read_customers", "read_orders", "read_all_orders", "read_products"}

var shopPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`)

// ValidShop reports whether shop is a bare *.myshopify.com domain.
func ValidShop(shop string) bool { return len(shop) <= 255 && shopPattern.MatchString(shop) }

// Connector reads one or many Shopify shops. Its zero value is not usable;
// call New.
type Connector struct {
	// Now is the clock used to project the cost bucket between reads.
	Now func() time.Time
	// BulkBackfill makes a read with nil state use a bulk operation (true
	// from New). A read with an empty but non-nil state pages instead.
	BulkBackfill bool
	// BulkPollInterval is how often a bulk read asks whether the export is
	// ready (2 s from New). Polling is part of one Read, not a retry.
	BulkPollInterval time.Duration

	mu      sync.Mutex
	buckets map[string]bucket // last throttle status seen, by shop
}

var _ connector.Connector = (*Connector)(nil)

// New returns a Shopify connector with production defaults.
func New() *Connector {
	return &Connector{
		Now:              time.Now,
		BulkBackfill:     true,
		BulkPollInterval: 2 * time.Second,
		buckets:          map[string]bucket{},
	}
}

// Spec declares the credentials: the shop domain, an access token (from the
// OAuth install or a custom app) and optionally the app's client secret,
// which verifies webhooks and OAuth callbacks.
func (c *Connector) Spec() connector.Spec {
	return connector.Spec{
		Platform:    connector.Shopify,
		DisplayName: "Shopify",
		Credentials: map[string]any{
			"type":     "object",
			"required": []string{"shop", "access_token"},
			"properties": map[string]any{
				"shop": map[string]any{
					"type": "string", "pattern": shopPattern.String(),
					"description": "the shop's myshopify.com domain, e.g. acme.myshopify.com",
				},
				"access_token":  map[string]any{"type": "string", "x-secret": true},
				"client_secret": map[string]any{"type": "string", "x-secret": true},
			},
		},
		Config: map[string]any{"type": "object", "properties": map[string]any{}},
		OAuth:  &connector.OAuthSpec{Scopes: Scopes},
		Docs:   "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/generate-app-access-tokens-admin",
	}
}

// Streams lists customers, orders and products, all incremental on updated_at.
func (c *Connector) Streams() []connector.Stream {
	out := make([]connector.Stream, 0, len(streams))
	for _, name := range []string{StreamCustomers, StreamOrders, StreamProducts} {
		out = append(out, connector.Stream{Name: name, CursorField: "updated_at", Incremental: true})
	}
	return out
}

// Actions: the Shopify connector only reads.
func (c *Connector) Actions() []connector.Action { return nil }

// Check runs the cheapest query there is.
func (c *Connector) Check(ctx context.Context, conn connector.Connection) error {
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	var out struct {
		Shop struct {
			Name string `json:"name"`
		} `json:"shop"`
	}
	if err := cl.query(ctx, checkQuery, nil, &out); err != nil {
		return fmt.Errorf("shopify check: %w", err)
	}
	if out.Shop.Name == "" {
		return fmt.Errorf("shopify check: %w: empty shop in answer", connector.ErrPermanent)
	}
	return nil
}

// endpoint validates the connection and returns the GraphQL URL.
func endpoint(conn connector.Connection) (shop, url string, err error) {
	shop = conn.Credentials["shop"]
	if !ValidShop(shop) {
		return "", "", fmt.Errorf("shopify: %w: shop must be a name.myshopify.com domain", connector.ErrInvalidConfig)
	}
	if conn.Credentials["access_token"] == "" {
		return "", "", fmt.Errorf("shopify: %w: access_token is required", connector.ErrInvalidConfig)
	}
	base := "https://" + shop
	if conn.BaseURL != "" {
		base = strings.TrimRight(conn.BaseURL, "/")
	}
	return shop, base + "/admin/api/" + APIVersion + "/graphql.json", nil
}

func (c *Connector) client(conn connector.Connection) (*client, error) {
	shop, url, err := endpoint(conn)
	if err != nil {
		return nil, err
	}
	if conn.HTTP == nil {
		return nil, errors.New("shopify: connection has no HTTP client")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &client{c: c, http: conn.HTTP, url: url, shop: shop, token: conn.Credentials["access_token"],
		sandbox: conn.BaseURL != ""}, nil
}
