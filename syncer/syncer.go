// Package syncer owns platform connections and the sync engine. It checks
// and stores connections (credentials validated against the connector's
// Spec, then encrypted), runs syncs as jobs (manual, scheduled or triggered
// by a webhook), hands records in batches to a Sink and saves each stream's
// checkpoint only after every record before it is stored, so a sync killed
// at any point resumes with nothing lost and nothing duplicated. It keeps
// each connection's health from what the syncs meet.
package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/store"
)

// JobKind names sync runs in the job queue.
const JobKind = "sync.run"

// Triggers of a sync run.
const (
	TriggerManual   = "manual"
	TriggerSchedule = "schedule"
	TriggerWebhook  = "webhook"
)

// Sink is where synced records go. Store must be idempotent on (org,
// platform, stream, external ID): the engine hands a record over again
// after a crash. It may keep recs.
type Sink interface {
	Store(ctx context.Context, orgID, connectionID, platform string, recs []connector.Record) error
}

// Store is what the syncer persists.
type Store interface {
	store.ConnectionStore
	store.SyncRunStore
	GetJob(ctx context.Context, orgID, id string) (*omnify.Job, error)
}

// Enqueuer puts a job on the queue.
type Enqueuer interface {
	Enqueue(ctx context.Context, nj jobs.NewJob) (*omnify.Job, error)
}

// ErrBusy: the connection already has a sync queued or running.
var ErrBusy = fmt.Errorf("a sync of this connection is already queued or running: %w", omnify.ErrConflict)

// ErrDisconnected: the platform refused the connection's credentials; it
// must be connected again before it syncs.
var ErrDisconnected = fmt.Errorf("the platform refused this connection's credentials; give it new credentials first: %w", omnify.ErrConflict)

// Config holds the syncer's collaborators and tuning. Store, Registry,
// Sink, Box and Jobs are required; the rest default as documented.
type Config struct {
	Store    Store
	Registry *connector.Registry
	Sink     Sink
	Box      *secret.Box
	Jobs     Enqueuer
	// BaseURLs overrides vendor base URLs per platform (sandboxes, tests).
	// It comes from the operator's environment, never from API input.
	BaseURLs map[string]string
	// HTTP is the client connectors use. Default: a client with a 60s
	// timeout.
	HTTP *http.Client
	// Wrap, when set, decorates every connector before use (the platform
	// manager's circuit breaker, rate limiter and retries).
	Wrap func(connector.Connector) connector.Connector
	// Now defaults to time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx ends; default a timer. Tests pass a fake.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger defaults to discarding.
	Logger *slog.Logger
	// BatchSize is how many records the Sink gets at most per call; default
	// 500.
	BatchSize int
	// MaxBackOffs is how many back-offs in a row, without a checkpoint in
	// between, an attempt waits out before failing; default 5.
	MaxBackOffs int
	// MaxWait caps one back-off wait; a longer one fails the attempt and
	// the job retries later. Default 5 minutes.
	MaxWait time.Duration
	// ProgressEvery is how often a running sync saves its progress; default
	// 2 seconds.
	ProgressEvery time.Duration
	// CheckTimeout bounds the connection check of Connect; default 30s.
	CheckTimeout time.Duration
	// MaxAttempts is each sync job's attempt budget; default 5.
	MaxAttempts int
	// RetryDelay estimates when a failed sync is retried, for the
	// connection's NextRetryAt; default 5s doubled per failure, capped at
	// 10 minutes (the job runner's defaults).
	RetryDelay func(failures int) time.Duration
}

func (c Config) withDefaults() Config {
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 60 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.BatchSize = positive(c.BatchSize, 500)
	c.MaxBackOffs = positive(c.MaxBackOffs, 5)
	c.MaxAttempts = positive(c.MaxAttempts, 5)
	c.MaxWait = positive(c.MaxWait, 5*time.Minute)
	c.ProgressEvery = positive(c.ProgressEvery, 2*time.Second)
	c.CheckTimeout = positive(c.CheckTimeout, 30*time.Second)
	if c.RetryDelay == nil {
		c.RetryDelay = defaultRetryDelay
	}
	return c
}

func positive[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func defaultRetryDelay(failures int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < failures && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
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

// Syncer connects platforms and runs syncs.
type Syncer struct {
	cfg Config
}

// New returns a Syncer; it fails when a required collaborator is missing.
func New(cfg Config) (*Syncer, error) {
	switch {
	case cfg.Store == nil, cfg.Registry == nil, cfg.Sink == nil, cfg.Box == nil, cfg.Jobs == nil:
		return nil, errors.New("syncer: store, registry, sink, box and jobs are required")
	}
	return &Syncer{cfg: cfg.withDefaults()}, nil
}

// Registry is the connector registry the syncer uses.
func (s *Syncer) Registry() *connector.Registry { return s.cfg.Registry }

func (s *Syncer) now() time.Time { return s.cfg.Now().UTC() }

// connector returns the platform's connector, decorated by Wrap.
func (s *Syncer) connector(platform string) (connector.Connector, bool) {
	c, ok := s.cfg.Registry.Get(platform)
	if !ok {
		return nil, false
	}
	if s.cfg.Wrap != nil {
		c = s.cfg.Wrap(c)
	}
	return c, true
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
