// Package klaviyo is OmniFy's Klaviyo connector (API revision 2026-07-15).
// It reads profiles (customers with their email marketing consent), lists
// and segments (kept as objects), email and SMS campaigns, and engagement
// events (Opened Email, Clicked Email, Placed Order) through Klaviyo's
// JSON:API endpoints, following links.next cursors; profiles and events
// resume incrementally from their update and event times. It writes
// segments back to Klaviyo lists (Pusher, action "add_to_list") and
// verifies system-webhook signatures.
//
// Like every connector it never sleeps or retries: 429s, 5xx and network
// failures come back as *connector.BackOffError with Klaviyo's Retry-After.
package klaviyo

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/limit"
)

// Revision is the API revision every request names.
const Revision = "2026-07-15"

// BaseURL is Klaviyo's API host.
const BaseURL = "https://a.klaviyo.com"

// Stream names.
const (
	StreamProfiles  = "profiles"
	StreamLists     = "lists"
	StreamSegments  = "segments"
	StreamCampaigns = "campaigns"
	StreamEvents    = "events"
)

// ActionAddToList is the Pusher action: put members into a list (created
// when missing) and take others out.
const ActionAddToList = "add_to_list"

// DefaultRate is the pace the platform manager keeps per connection, from
// get_profiles' published limits (x-klaviyo-ratelimit in the 2026-07-15
// spec: burst 75/s, steady 750/m). Klaviyo counts in fixed windows, and a
// token bucket lets through at most Burst + Period/interval requests in any
// window of Period, so 745 a minute with a burst of 5 never puts more than
// 750 into one of Klaviyo's minutes, while the small burst lets a request
// that was a little late catch up instead of losing its slot. Endpoints
// with smaller limits (campaigns and metrics 10/s and 150/m, list writes
// 10/s and 150/m) answer 429 with Retry-After, which the connector returns
// as a back-off.
var DefaultRate = limit.Rate{Limit: 745, Period: time.Minute, Burst: 5}

var apiKeyPattern = regexp.MustCompile(`^pk_[A-Za-z0-9]+$`)

// Connector reads and writes one Klaviyo account per Connection. It is
// safe for concurrent use.
type Connector struct {
	now func() time.Time

	mu      sync.Mutex
	lists   map[string]string        // connection + destination → list ID
	pending map[string]*pendingBatch // bulk imports in flight, by batch key
}

var (
	_ connector.Connector = (*Connector)(nil)
	_ connector.Pusher    = (*Connector)(nil)
)

// Option configures a Connector.
type Option func(*Connector)

// WithClock sets the clock for Retry-After dates.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// New returns the Klaviyo connector.
func New(opts ...Option) *Connector {
	c := &Connector{now: time.Now, lists: map[string]string{}, pending: map[string]*pendingBatch{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Spec declares a private API key and an optional webhook signing secret
// (the secret_key given when the system webhook was created).
func (c *Connector) Spec() connector.Spec {
	return connector.Spec{
		Platform:    connector.Klaviyo,
		DisplayName: "Klaviyo",
		Docs:        "https://help.klaviyo.com/hc/en-us/articles/7423954176283",
		Credentials: map[string]any{
			"type":     "object",
			"required": []string{"api_key"},
			"properties": map[string]any{
				"api_key": map[string]any{
					"type": "string", "title": "Private API key", "x-secret": true,
					"pattern": apiKeyPattern.String(),
					"description": "Scopes: profiles:read/write, lists:read/write, segments:read, campaigns:read, " +
						"events:read, metrics:read.",
				},
				"webhook_secret": map[string]any{
					"type": "string", "title": "Webhook secret key", "x-secret": true, "minLength": 8,
				},
			},
		},
		Config: map[string]any{"type": "object", "properties": map[string]any{
			"currency": map[string]any{"type": "string", "title": "Account currency (for order values without one)",
				"pattern": "^[A-Z]{3}$"},
		}},
	}
}

// Streams lists the five streams; profiles and events are incremental.
func (c *Connector) Streams() []connector.Stream {
	return []connector.Stream{
		{Name: StreamProfiles, CursorField: "updated", Incremental: true},
		{Name: StreamLists},
		{Name: StreamSegments},
		{Name: StreamCampaigns},
		{Name: StreamEvents, CursorField: "datetime", Incremental: true},
	}
}

// Actions offers add_to_list.
func (c *Connector) Actions() []connector.Action {
	return []connector.Action{{
		Name: ActionAddToList,
		Description: "Add people to a Klaviyo list (found by name or ID, created when missing) and remove others; " +
			"people without a Klaviyo profile are created by a bulk profile import.",
		Params: map[string]any{"type": "object", "properties": map[string]any{
			"destination": map[string]any{"type": "string", "minLength": 1, "description": "list name or ID"},
		}, "required": []string{"destination"}},
	}}
}

// ValidateCredentials checks the key's shape.
func ValidateCredentials(creds map[string]string) error {
	if !apiKeyPattern.MatchString(creds["api_key"]) {
		return fmt.Errorf("klaviyo api_key must be a private key like pk_…: %w", connector.ErrInvalidConfig)
	}
	return nil
}

// Check reads one profile to prove the key works.
func (c *Connector) Check(ctx context.Context, conn connector.Connection) error {
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	var page jsonAPIPage
	if err := cl.get(ctx, "/api/profiles", map[string]string{"page[size]": "1", "fields[profile]": "email"}, &page); err != nil {
		return fmt.Errorf("klaviyo check: %w", err)
	}
	return nil
}

func (c *Connector) client(conn connector.Connection) (*client, error) {
	if err := ValidateCredentials(conn.Credentials); err != nil {
		return nil, err
	}
	hc := conn.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	base := conn.BaseURL
	if base == "" {
		base = BaseURL
	}
	return &client{http: hc, base: base, key: conn.Credentials["api_key"], now: c.now}, nil
}
