// Package hubspot is OmniFy's HubSpot connector. It reads contacts (as
// customers), companies and deals (as objects) from the CRM v3 API — in
// full through the object list endpoints, then incrementally through the
// CRM search endpoint sorted on each object's last-modified property —
// authenticates with a private-app token or an OAuth access token it
// refreshes itself, honours HubSpot's X-HubSpot-RateLimit-* headers and
// 429s by returning back-off errors instead of sleeping, writes segments
// back to static contact lists (lists v3), and verifies v3 webhook
// signatures.
//
// The connector talks to https://api.hubapi.com, or to Connection.BaseURL,
// which comes from the operator's environment, never from user input.
package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/limit"
)

// BaseURL is HubSpot's API host.
const BaseURL = "https://api.hubapi.com"

// Stream names.
const (
	StreamContacts  = "contacts"
	StreamCompanies = "companies"
	StreamDeals     = "deals"
)

// ActionAddToList is the write-back action: put a segment into a static
// (MANUAL) contact list, created when missing.
const ActionAddToList = "add_to_list"

// DefaultRate paces every request of one connection. HubSpot's lowest
// published limit for a private app is 100 requests per rolling 10 s
// (Free and Starter portals; Professional and Enterprise allow 190, public
// OAuth apps 110 per installed portal), so pacing at it never overruns any
// portal. Burst is 1 because HubSpot counts a rolling window: a bucket with
// burst B lets B-1 requests beyond the limit into some 10-s window. The
// search endpoint's own limit (about 5 requests/s) is not paced here; its
// 429s come back as back-offs.
var DefaultRate = limit.Rate{Limit: 100, Period: 10 * time.Second, Burst: 1}

// Scopes an OAuth install asks for.
var Scopes = []string{"crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read",
	"crm.objects.deals.read", "crm.lists.read", "crm.lists.write"}

// Connector reads HubSpot portals. It is safe for concurrent use.
type Connector struct {
	now       func() time.Time
	onRefresh func(connID string, tok *oauth2.Token)

	mu     sync.Mutex
	tokens map[string]*oauth2.Token // refreshed OAuth tokens by connection and credentials
	// refreshMu serialises refreshes, so concurrent reads of one
	// connection trade the refresh token once.
	refreshMu sync.Mutex
}

var (
	_ connector.Connector = (*Connector)(nil)
	_ connector.Pusher    = (*Connector)(nil)
)

// Option configures a Connector.
type Option func(*Connector)

// WithClock sets the clock for token expiry and the full read's start.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithTokenRefreshed registers a function called with every token an OAuth
// refresh returns, so the caller can store it with the connection.
// HubSpot keeps the refresh token; the access token lives 30 minutes.
func WithTokenRefreshed(fn func(connID string, tok *oauth2.Token)) Option {
	return func(c *Connector) { c.onRefresh = fn }
}

// New returns the HubSpot connector.
func New(opts ...Option) *Connector {
	c := &Connector{now: time.Now, tokens: map[string]*oauth2.Token{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Spec declares a private-app or OAuth access token, and for OAuth the
// refresh token and the app's client ID and secret. The client secret
// also verifies webhook signatures (private apps have one too).
func (c *Connector) Spec() connector.Spec {
	secret := func(title string) map[string]any {
		return map[string]any{"type": "string", "title": title, "x-secret": true, "minLength": 1}
	}
	return connector.Spec{
		Platform:    connector.HubSpot,
		DisplayName: "HubSpot",
		Docs:        "https://developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview",
		Credentials: map[string]any{
			"type":     "object",
			"required": []string{"access_token"},
			"properties": map[string]any{
				"access_token":  secret("Private-app token or OAuth access token"),
				"refresh_token": secret("OAuth refresh token"),
				"client_id":     map[string]any{"type": "string", "title": "OAuth app client ID"},
				"client_secret": secret("App client secret (OAuth refresh and webhook signatures)"),
				"expires_at": map[string]any{"type": "string", "maxLength": 64,
					"title": "When the OAuth access token expires (RFC 3339)"},
			},
		},
		Config: map[string]any{"type": "object", "properties": map[string]any{}},
		OAuth:  &connector.OAuthSpec{Scopes: Scopes},
	}
}

// Streams lists contacts, companies and deals, all incremental on their
// last-modified property.
func (c *Connector) Streams() []connector.Stream {
	out := make([]connector.Stream, 0, len(streamOrder))
	for _, name := range streamOrder {
		out = append(out, connector.Stream{Name: name, CursorField: streams[name].modified, Incremental: true})
	}
	return out
}

// Actions offers add_to_list.
func (c *Connector) Actions() []connector.Action {
	return []connector.Action{{
		Name: ActionAddToList,
		Description: "Add the segment's contacts to a static HubSpot contact list and remove those who left it; " +
			"the list is found by ID or name and created (processing type MANUAL) when missing. " +
			"People HubSpot does not know yet are created as contacts by email.",
		Params: map[string]any{"type": "object", "properties": map[string]any{}},
	}}
}

// Check reads one contact to prove the token works and has the scope.
func (c *Connector) Check(ctx context.Context, conn connector.Connection) error {
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	var out listPage
	if err := cl.do(ctx, http.MethodGet, "/crm/v3/objects/contacts?limit=1&archived=false", nil, &out); err != nil {
		return fmt.Errorf("hubspot check: %w", err)
	}
	return nil
}
