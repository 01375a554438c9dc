// Package connector defines how OmniFy talks to a marketing or commerce
// platform, in the shape of the Airbyte protocol: a connector declares its
// Spec (the credentials and settings it needs), Checks a connection, lists
// its Streams and Reads them, incrementally from a saved state, emitting
// records and checkpoints. Write-back (push a segment to a list, tag
// contacts) is declared as Actions.
//
// A connector never sleeps or retries on its own: when the vendor says
// "slow down" or fails transiently it returns a *BackOffError and the
// platform manager (package connector/manager) decides when to call again.
// Connectors register themselves by platform name in a Registry; each lives
// in its own subpackage (connector/shopify, connector/stripe, ...).
package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Platform identifiers, as used in the API, the CLI and configuration.
const (
	Shopify     = "shopify"
	Stripe      = "stripe"
	HubSpot     = "hubspot"
	Klaviyo     = "klaviyo"
	GoHighLevel = "gohighlevel"
	LinkedInAds = "linkedin_ads"
	TripleWhale = "triplewhale"
	CSV         = "csv"
)

// Spec says what a connector needs. Credentials and Config are JSON Schema
// objects; a credential property with "x-secret": true is encrypted at rest
// and never returned by the API.
type Spec struct {
	Platform    string         `json:"platform"`
	DisplayName string         `json:"display_name"`
	Credentials map[string]any `json:"credentials_schema"`
	Config      map[string]any `json:"config_schema"`
	// OAuth is set when the platform installs by OAuth authorization code.
	OAuth *OAuthSpec `json:"oauth,omitempty"`
	// Docs links the vendor's page for creating the credentials.
	Docs string `json:"docs,omitempty"`
}

// OAuthSpec describes a platform's OAuth install.
type OAuthSpec struct {
	Scopes []string `json:"scopes"`
}

// Stream is one kind of record a connector can read.
type Stream struct {
	Name string `json:"name"` // e.g. "customers", "orders"
	// CursorField is the vendor field incremental reads follow, e.g.
	// "updated_at"; empty when the stream only supports full reads.
	CursorField string `json:"cursor_field,omitempty"`
	// Incremental is true when Read resumes from a saved state.
	Incremental bool `json:"incremental"`
}

// Connection is what a connector is given to talk to one account: the
// decrypted credentials and the config, both validated against the Spec.
type Connection struct {
	ID          string
	OrgID       string
	Credentials map[string]string
	Config      map[string]string
	// HTTP is the client to use; the manager sets timeouts and test
	// transports. Never nil.
	HTTP *http.Client
	// BaseURL overrides the vendor's base URL (sandboxes and tests). It comes
	// only from the operator's environment, never from API input.
	BaseURL string
}

// Emitter receives what a Read produces, in order.
type Emitter interface {
	// Record hands over one record. It may block while the sync engine
	// stores a batch.
	Record(ctx context.Context, r Record) error
	// Checkpoint says that reading can resume from state once every record
	// emitted before it is stored. The engine saves the state only after
	// storing those records.
	Checkpoint(ctx context.Context, state json.RawMessage) error
	// Total reports the vendor's count of records in the stream, if known.
	Total(n int64)
}

// Connector is one platform's integration.
type Connector interface {
	Spec() Spec
	// Check verifies that the connection's credentials work (ErrAuth when
	// the vendor refuses them).
	Check(ctx context.Context, c Connection) error
	Streams() []Stream
	// Read emits the stream's records from state (nil state: a full read)
	// and checkpoints as it goes.
	Read(ctx context.Context, c Connection, stream string, state json.RawMessage, e Emitter) error
	// Actions lists the write-back actions the connector offers.
	Actions() []Action
}

// Action is one write-back capability, e.g. "add_to_list".
type Action struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Params      map[string]any `json:"params_schema"`
}

// Errors a connector returns. The manager maps them to connection health.
var (
	// ErrAuth: the vendor refused the credentials (401/403, revoked token).
	ErrAuth = errors.New("credentials refused")
	// ErrInvalidConfig: credentials or config fail the Spec.
	ErrInvalidConfig = errors.New("invalid connection settings")
	// ErrUnknownStream: the stream is not one of Streams().
	ErrUnknownStream = errors.New("unknown stream")
	// ErrPermanent: the vendor answered in a way retrying cannot fix.
	ErrPermanent = errors.New("permanent vendor error")
)

// BackOffError asks the caller to retry after Wait. Connectors return it for
// 429s, vendor throttling signals and transient 5xx or network failures.
type BackOffError struct {
	Wait   time.Duration
	Reason string // plain words, e.g. "Shopify throttled the query (cost 752 of 1000)"
	Err    error
}

func (e *BackOffError) Error() string {
	return fmt.Sprintf("back off %s: %s", e.Wait, e.Reason)
}

func (e *BackOffError) Unwrap() error { return e.Err }

// BackOff returns a *BackOffError.
func BackOff(wait time.Duration, reason string, err error) error {
	return &BackOffError{Wait: wait, Reason: reason, Err: err}
}
