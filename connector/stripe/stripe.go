// Package stripe is OmniFy's Stripe connector: it reads customers, charges,
// invoices and subscriptions through the official stripe-go SDK, first in
// full (cursor pages of 100) and then incrementally from /v1/events, maps
// them to connector records, and verifies Stripe webhook signatures.
//
// Money needs no conversion: Stripe amounts are already integer minor units
// with a currency. Stripe has no marketing-consent notion, so customers carry
// consent "unknown".
package stripe

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"

	sgo "github.com/stripe/stripe-go/v85"

	"github.com/omnify-cloud/omnify/connector"
)

// Stream names.
const (
	Customers     = "customers"
	Charges       = "charges"
	Invoices      = "invoices"
	Subscriptions = "subscriptions"
)

var (
	secretKeyPattern     = regexp.MustCompile(`^(sk|rk)_(test|live)_[A-Za-z0-9]+$`)
	webhookSecretPattern = regexp.MustCompile(`^whsec_[A-Za-z0-9+/=]+$`)
)

// Connector reads one Stripe account per Connection. It is safe for
// concurrent use.
type Connector struct {
	now func() time.Time

	mu      sync.Mutex
	strikes map[string]int // consecutive back-offs per connection and stream
}

var _ connector.Connector = (*Connector)(nil)

// Option configures a Connector.
type Option func(*Connector)

// WithClock sets the clock used for the incremental window's start time
// and for Retry-After dates.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// New returns the Stripe connector.
func New(opts ...Option) *Connector {
	c := &Connector{now: time.Now, strikes: map[string]int{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Spec declares a secret or restricted key and an optional webhook secret.
func (c *Connector) Spec() connector.Spec {
	return connector.Spec{
		Platform:    connector.Stripe,
		DisplayName: "Stripe",
		Docs:        "https://docs.stripe.com/keys",
		Credentials: map[string]any{
			"type":     "object",
			"required": []string{"secret_key"},
			"properties": map[string]any{
				"secret_key": map[string]any{
					"type": "string", "title": "Secret or restricted key", "x-secret": true,
					"pattern": secretKeyPattern.String(),
				},
				"webhook_secret": map[string]any{
					"type": "string", "title": "Webhook signing secret", "x-secret": true,
					"pattern": webhookSecretPattern.String(),
				},
			},
		},
		Config: map[string]any{"type": "object", "properties": map[string]any{}},
	}
}

// Streams lists the four streams; all resume incrementally from events.
func (c *Connector) Streams() []connector.Stream {
	out := make([]connector.Stream, 0, len(streamOrder))
	for _, name := range streamOrder {
		out = append(out, connector.Stream{Name: name, CursorField: "event.created", Incremental: true})
	}
	return out
}

var streamOrder = []string{Customers, Charges, Invoices, Subscriptions}

// Actions is empty: the connector does not write back to Stripe.
func (c *Connector) Actions() []connector.Action { return nil }

// ValidateCredentials checks the credentials against the Spec's patterns.
func ValidateCredentials(creds map[string]string) error {
	key := creds["secret_key"]
	if !secretKeyPattern.MatchString(key) {
		return fmt.Errorf("stripe secret_key must look like sk_live_… or rk_test_…: %w", connector.ErrInvalidConfig)
	}
	if ws, ok := creds["webhook_secret"]; ok && ws != "" && !webhookSecretPattern.MatchString(ws) {
		return fmt.Errorf("stripe webhook_secret must look like whsec_…: %w", connector.ErrInvalidConfig)
	}
	return nil
}

// Check lists one customer to prove the key works.
func (c *Connector) Check(ctx context.Context, conn connector.Connection) error {
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	params := &sgo.CustomerListParams{ListParams: sgo.ListParams{Limit: sgo.Int64(1), Single: true}}
	l := cl.api.V1Customers.List(ctx, params)
	if err := l.Err(); err != nil {
		return fmt.Errorf("stripe check: %w", cl.classify(ctx, err, 0))
	}
	return nil
}

// client is one Read's or Check's view of the SDK, with the transport
// recorder that lets errors be classified by status and headers.
type client struct {
	api *sgo.Client
	rec *recorder
	now func() time.Time
}

func (c *Connector) client(conn connector.Connection) (*client, error) {
	if err := ValidateCredentials(conn.Credentials); err != nil {
		return nil, err
	}
	base := conn.HTTP
	if base == nil {
		base = http.DefaultClient
	}
	rec := &recorder{next: base.Transport}
	hc := *base
	hc.Transport = rec
	cfg := &sgo.BackendConfig{
		HTTPClient: &hc,
		// The platform manager owns retries and waiting; the SDK must not
		// sleep or retry on its own.
		MaxNetworkRetries: sgo.Int64(0),
		LeveledLogger:     &sgo.LeveledLogger{Level: sgo.LevelNull},
	}
	if conn.BaseURL != "" {
		cfg.URL = sgo.String(conn.BaseURL)
	}
	backend := sgo.GetBackendWithConfig(sgo.APIBackend, cfg)
	api := sgo.NewClient(conn.Credentials["secret_key"], sgo.WithBackends(&sgo.Backends{
		API: backend, Connect: backend, Uploads: backend, MeterEvents: backend,
	}))
	return &client{api: api, rec: rec, now: c.now}, nil
}

func strikeKey(conn connector.Connection, stream string) string { return conn.ID + "/" + stream }

// strike counts one more back-off in a row and returns how many came before.
func (c *Connector) strike(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.strikes[key]
	c.strikes[key] = n + 1
	return n
}

func (c *Connector) clearStrikes(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.strikes, key)
}
