package omnify

import (
	"encoding/json"
	"time"
)

// Health is how a platform connection is doing, as the last sync or check
// left it.
type Health string

// Connection health states.
const (
	// HealthHealthy: the last sync or check succeeded.
	HealthHealthy Health = "healthy"
	// HealthDegraded: a recent attempt failed transiently; retries continue.
	HealthDegraded Health = "degraded"
	// HealthFailing: several attempts in a row failed; retries continue, but
	// someone should look.
	HealthFailing Health = "failing"
	// HealthDisconnected: the platform refused the credentials; nothing is
	// retried until the connection is set up again.
	HealthDisconnected Health = "disconnected"
)

// Connection is an org's link to one account on a platform. Credentials
// are kept only as ciphertext and never leave the server.
type Connection struct {
	ID                    string
	OrgID                 string
	Platform              string // e.g. "shopify"
	Name                  string
	CredentialsCiphertext []byte
	Config                map[string]string
	Health                Health
	LastError             string    // plain words; empty when healthy
	Failures              int       // failed attempts in a row
	NextRetryAt           time.Time // zero when no retry is pending
	LastSyncAt            time.Time // last successful sync; zero before the first
	// ScheduleEvery is the interval of scheduled syncs; 0 turns them off.
	ScheduleEvery time.Duration
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// DefaultScheduleEvery is the interval of scheduled syncs of a new
// connection.
const DefaultScheduleEvery = time.Hour

// SyncMode says where a sync starts reading.
type SyncMode string

// Sync modes.
const (
	// SyncIncremental resumes every stream from its saved state.
	SyncIncremental SyncMode = "incremental"
	// SyncFull rereads the chosen streams (all when none are named) from the
	// start.
	SyncFull SyncMode = "full"
	// SyncBackfill rereads only the named streams from the start, leaving
	// the other streams' states untouched.
	SyncBackfill SyncMode = "backfill"
)

// Valid reports whether m is a known mode.
func (m SyncMode) Valid() bool {
	return m == SyncIncremental || m == SyncFull || m == SyncBackfill
}

// StreamProgress counts one stream's records in a sync run.
type StreamProgress struct {
	Read   int64 `json:"read"`
	Stored int64 `json:"stored"`
	// Total is the vendor's count of records in the stream; 0 when the
	// vendor does not say.
	Total int64 `json:"total,omitempty"`
	// Reset is true once a full or backfill run has cleared the stream's
	// state, so a retried attempt resumes instead of starting over.
	Reset bool `json:"reset,omitempty"`
	Done  bool `json:"done,omitempty"`
}

// SyncRun is one sync of a connection: manual, scheduled or triggered by a
// webhook.
type SyncRun struct {
	ID           string
	OrgID        string
	ConnectionID string
	JobID        string
	Mode         SyncMode
	Streams      []string // the streams read; empty means all
	Trigger      string   // "manual", "schedule" or "webhook"
	Status       JobStatus
	Progress     map[string]StreamProgress
	Error        string
	CreatedAt    time.Time
	StartedAt    time.Time // zero until the run starts
	FinishedAt   *time.Time
}

// StreamState is where an incremental read of one stream resumes. Version
// grows by one on every save, so a writer holding an old version cannot
// move the state backwards.
type StreamState struct {
	OrgID        string
	ConnectionID string
	Stream       string
	State        json.RawMessage // nil: read from the start
	Version      int64
	UpdatedAt    time.Time
}
