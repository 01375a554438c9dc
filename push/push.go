// Package push owns segment write-back: it puts the consented customers of
// an EYES segment into an audience on a marketing platform (a Klaviyo list,
// a HubSpot static list, a GoHighLevel tag, a LinkedIn matched audience)
// and keeps that audience in step on every later push.
//
// A push is a job. Its handler loads the segment from the org's latest
// successful EYES run, keeps only customers whose marketing consent is
// granted (unknown is not consent; a denial on any platform already makes
// the unified customer's consent denied), and diffs them against what the
// audience store says is on the platform: it adds the newcomers and removes
// those who left the segment or withdrew consent. Batches go to the
// connection's connector.Pusher one at a time, and each batch the platform
// accepted is recorded at once, so a push interrupted anywhere resumes with
// only what is left, adding no one twice and losing no one.
package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/store"
)

// JobKind names segment pushes in the job queue.
const JobKind = "segment.push"

// MaxDestination bounds the length of a destination name.
const MaxDestination = 200

// Errors of Start and the handler, besides field errors.
var (
	// ErrNoRun: the org has no successful EYES run to take segments from.
	ErrNoRun = fmt.Errorf("no EYES run has succeeded yet: %w", omnify.ErrNotFound)
	// ErrNoSegment: the latest EYES run has no segment with that ID.
	ErrNoSegment = fmt.Errorf("no such segment in the latest EYES run: %w", omnify.ErrNotFound)
	// ErrBusy: a push to the same audience is queued, running or waiting
	// for its retry; two pushes to one audience would race.
	ErrBusy = fmt.Errorf("a push to this audience is already queued or running: %w", omnify.ErrConflict)
)

// Store is what the engine reads and writes.
type Store interface {
	store.AudienceStore
	GetConnection(ctx context.Context, orgID, id string) (*omnify.Connection, error)
	LatestEyesRun(ctx context.Context, orgID string) (*omnify.EyesRun, error)
	ListEyesScores(ctx context.Context, orgID, runID string, f store.ScoreFilter, p store.Page) ([]omnify.EyesScore, string, error)
	ListJobs(ctx context.Context, orgID string, p store.Page) ([]omnify.Job, string, error)
	GetCustomers(ctx context.Context, orgID string, ids []string) ([]omnify.Customer, error)
	ListCustomerIdentities(ctx context.Context, orgID string, customerIDs []string) ([]store.Identity, error)
}

// Credentials opens a connection's stored credentials (*syncer.Syncer does).
type Credentials interface {
	Credentials(ctx context.Context, orgID, connectionID string) (*omnify.Connection, map[string]string, error)
}

// Enqueuer puts a job on the queue (*jobs.Runner does).
type Enqueuer interface {
	Enqueue(ctx context.Context, nj jobs.NewJob) (*omnify.Job, error)
}

// Config holds the engine's collaborators and tuning. Store, Registry,
// Credentials and Jobs are required; the rest default as documented.
type Config struct {
	Store       Store
	Registry    *connector.Registry
	Credentials Credentials
	Jobs        Enqueuer
	// BaseURLs overrides vendor base URLs per platform (sandboxes, tests).
	BaseURLs map[string]string
	// HTTP is the client connectors use. Default: a client with a 60s
	// timeout.
	HTTP *http.Client
	// BatchSize bounds the members (adds plus removes) of one batch;
	// default and maximum connector.MaxPushBatch.
	BatchSize int
	// MaxBackOffs is how many back-offs in a row one batch waits out before
	// the attempt fails and the job retries later; default 5.
	MaxBackOffs int
	// MaxWait caps one back-off wait; a longer one fails the attempt.
	// Default 5 minutes.
	MaxWait time.Duration
	// MaxAttempts is each push job's attempt budget; default 5.
	MaxAttempts int
	// MaxFailures bounds the per-member failures a result lists; the count
	// is always complete. Default 1000.
	MaxFailures int
	// Now defaults to time.Now; Sleep waits d or until ctx ends (default a
	// timer); Logger defaults to discarding.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 60 * time.Second}
	}
	if c.BatchSize <= 0 || c.BatchSize > connector.MaxPushBatch {
		c.BatchSize = connector.MaxPushBatch
	}
	c.MaxBackOffs = positive(c.MaxBackOffs, 5)
	c.MaxWait = positive(c.MaxWait, 5*time.Minute)
	c.MaxAttempts = positive(c.MaxAttempts, 5)
	c.MaxFailures = positive(c.MaxFailures, 1000)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func positive[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Engine runs segment pushes.
type Engine struct {
	cfg Config
}

// New returns an Engine; it fails when a required collaborator is missing.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Registry == nil || cfg.Credentials == nil || cfg.Jobs == nil {
		return nil, errors.New("push: store, registry, credentials and jobs are required")
	}
	return &Engine{cfg: cfg.withDefaults()}, nil
}

// CanPush reports whether a connector writes audiences back: it implements
// connector.Pusher, offers an action, and, when it is a decorator such as
// the platform manager, says its inner connector can (CanPush).
func CanPush(c connector.Connector) bool {
	if d, ok := c.(interface{ CanPush() bool }); ok && !d.CanPush() {
		return false
	}
	_, ok := c.(connector.Pusher)
	return ok && len(c.Actions()) > 0
}
