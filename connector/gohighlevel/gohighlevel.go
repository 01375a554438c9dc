// Package gohighlevel is OmniFy's HighLevel (GoHighLevel) connector, on
// API v2 with the Version 2021-07-28 header. It reads one location's
// contacts (incrementally: POST /contacts/search sorted by dateUpdated with
// a dateUpdated range filter and searchAfter deep paging), opportunities
// (GET /opportunities/search with startAfter/startAfterId cursors, full
// reads resumable by position), campaigns and workflows (single lists, full
// reads); tags contacts as write-back (bulk tag endpoints, contacts found
// or created by POST /contacts/upsert); and verifies X-GHL-Signature
// Ed25519 webhook signatures.
//
// Credentials are a location's Private Integration Token or an OAuth access
// token with its refresh token and the app's client ID and secret; an
// expired OAuth token is refreshed through /oauth/token (HighLevel rotates
// the refresh token on every use; OnTokenRefresh hears of the new pair).
//
// The connector only talks to https://services.leadconnectorhq.com or to
// Connection.BaseURL, which comes from the operator's environment.
package gohighlevel

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/limit"
)

// APIVersion is the Version header every request carries.
const APIVersion = "2021-07-28"

// BaseURL is HighLevel's API host.
const BaseURL = "https://services.leadconnectorhq.com"

// Stream names.
const (
	StreamContacts      = "contacts"
	StreamOpportunities = "opportunities"
	StreamCampaigns     = "campaigns"
	StreamWorkflows     = "workflows"
)

// ActionAddTag puts the pushed members under a tag (Destination is the tag
// name) and takes the removed ones out of it.
const ActionAddTag = "add_tag"

// Scopes an OAuth install needs.
var Scopes = []string{"contacts.readonly", "contacts.write", "opportunities.readonly", "campaigns.readonly", "workflows.readonly"}

// DefaultRate paces one connection under HighLevel's burst limit of 100
// requests per 10 seconds per location: 95 per 10 s with a burst of 4, so
// that no 10-second window ever holds more than 99 requests whatever the
// timing. The daily limit (200,000 per location) is left to the vendor's
// X-RateLimit-Daily-Remaining header, which turns into a back-off.
var DefaultRate = limit.Rate{Limit: 95, Period: 10 * time.Second, Burst: 4}

// Connector reads HighLevel locations. Its zero value is not usable; call
// New.
type Connector struct {
	// Now is the clock for token expiry and daily-limit waits.
	Now func() time.Time
	// OnTokenRefresh, when set, is called with the new token pair after an
	// OAuth refresh, so the caller can store the rotated refresh token in
	// the connection's credentials (HighLevel invalidates the old one).
	OnTokenRefresh func(connID string, tok *oauth2.Token)

	mu     sync.Mutex
	tokens map[string]*oauth2.Token // latest OAuth token by connection
}

var (
	_ connector.Connector = (*Connector)(nil)
	_ connector.Pusher    = (*Connector)(nil)
)

// New returns a HighLevel connector.
func New() *Connector { return &Connector{Now: time.Now, tokens: map[string]*oauth2.Token{}} }

// Spec declares the credentials.
func (c *Connector) Spec() connector.Spec {
	str := func(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }
	secret := func(desc string) map[string]any {
		return map[string]any{"type": "string", "x-secret": true, "description": desc}
	}
	return connector.Spec{
		Platform:    connector.GoHighLevel,
		DisplayName: "HighLevel",
		Credentials: map[string]any{
			"type":     "object",
			"required": []string{"location_id", "access_token"},
			"properties": map[string]any{
				"location_id":   map[string]any{"type": "string", "minLength": 1, "pattern": `^[A-Za-z0-9_-]+$`, "description": "the sub-account (location) ID"},
				"access_token":  secret("a Private Integration Token of the location, or an OAuth access token"),
				"refresh_token": secret("OAuth only: the refresh token"),
				"client_id":     str("OAuth only: the Marketplace app's client ID"),
				"client_secret": secret("OAuth only: the Marketplace app's client secret"),
				"expires_at":    map[string]any{"type": "string", "description": "OAuth only: when the access token expires (RFC 3339)"},
				"webhook_public_key": str("HighLevel's Ed25519 webhook public key (PEM or base64) that " +
					"verifies X-GHL-Signature; when empty, the server-wide key is used"),
			},
		},
		Config: map[string]any{"type": "object", "properties": map[string]any{}},
		OAuth:  &connector.OAuthSpec{Scopes: Scopes},
		Docs:   "https://marketplace.gohighlevel.com/docs/Authorization/PrivateIntegrationsToken",
	}
}

// Streams lists contacts (incremental on dateUpdated) and the objects read
// in full.
func (c *Connector) Streams() []connector.Stream {
	return []connector.Stream{
		{Name: StreamContacts, CursorField: "dateUpdated", Incremental: true},
		{Name: StreamOpportunities},
		{Name: StreamCampaigns},
		{Name: StreamWorkflows},
	}
}

// Actions offers tagging contacts.
func (c *Connector) Actions() []connector.Action {
	return []connector.Action{{
		Name: ActionAddTag,
		Description: "Tag the segment's contacts in HighLevel (the destination is the tag name); contacts missing " +
			"in HighLevel are created by email; removed members lose the tag",
		Params: map[string]any{"type": "object", "properties": map[string]any{}},
	}}
}

// Check lists the location's workflows, the cheapest read there is.
func (c *Connector) Check(ctx context.Context, conn connector.Connection) error {
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	var out struct {
		Workflows []any `json:"workflows"`
	}
	if err := cl.get(ctx, "/workflows/", map[string][]string{"locationId": {cl.location}}, &out); err != nil {
		return fmt.Errorf("gohighlevel check: %w", err)
	}
	return nil
}

func (c *Connector) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}
