// Package jobs is OmniFy's embedded job queue: durable jobs in the store,
// claimed with a lease by in-process workers, retried with growing delay and
// declared dead after their last attempt. Syncs and EYES runs go through it.
// Job state always lives in the store; a Transport (RabbitMQ, in package
// amqpqueue) may replace store polling as the way workers learn that a job
// is ready, without changing the handlers.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// Handler does one job. It returns a result document, or an error: a
// Permanent error makes the job dead at once, any other error is retried.
// report stores a progress document the API shows while the job runs.
type Handler func(ctx context.Context, j *omnify.Job, report func(progress any)) (result any, err error)

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent wraps err so the job is not retried.
func Permanent(err error) error { return permanentError{err} }

// Config tunes a Runner. Zero fields take the documented defaults.
type Config struct {
	Workers   int           // concurrent jobs; default 2
	Poll      time.Duration // idle poll interval; default 500ms
	Lease     time.Duration // how long a claim holds before another worker may take the job; default 10m
	BaseDelay time.Duration // first retry delay, doubled per attempt with jitter; default 5s
	MaxDelay  time.Duration // cap on the retry delay; default 10m
	WorkerID  string        // names this process in job locks; default "worker"
	// Sweep is how often a runner fed by a Transport claims, from the store,
	// jobs that have been runnable for longer than Sweep with no message
	// (lost between the store and the broker); default 30s.
	Sweep time.Duration
}

// WithDefaults returns c with zero fields defaulted.
func (c Config) WithDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.Poll <= 0 {
		c.Poll = 500 * time.Millisecond
	}
	if c.Lease <= 0 {
		c.Lease = 10 * time.Minute
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = 5 * time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 10 * time.Minute
	}
	if c.Sweep <= 0 {
		c.Sweep = 30 * time.Second
	}
	if c.WorkerID == "" {
		c.WorkerID = "worker"
	}
	return c
}

// Runner claims and runs jobs from a store.
type Runner struct {
	store    store.JobStore
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	mu       sync.RWMutex
	handlers map[string]Handler
	wake     chan struct{}
	tr       Transport // nil: workers poll the store
}

// NewRunner returns a Runner over s. now may be nil (time.Now).
func NewRunner(s store.JobStore, cfg Config, log *slog.Logger, now func() time.Time) *Runner {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{store: s, cfg: cfg.WithDefaults(), log: log, now: now,
		handlers: map[string]Handler{}, wake: make(chan struct{}, 1)}
}

// Handle registers the handler for a job kind.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[kind] = h
}

// NewJob describes a job to enqueue.
type NewJob struct {
	ID             string // optional; the store assigns one when empty
	OrgID          string
	Kind           string
	Payload        any // encoded as JSON
	IdempotencyKey string
	MaxAttempts    int // default 3
}

// Enqueue stores a new job and wakes an idle worker. A job with an
// idempotency key already used in its org is not enqueued twice: the existing
// job is returned (with a nil error).
func (r *Runner) Enqueue(ctx context.Context, nj NewJob) (*omnify.Job, error) {
	raw, err := json.Marshal(nj.Payload)
	if err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", nj.Kind, err)
	}
	if nj.MaxAttempts <= 0 {
		nj.MaxAttempts = 3
	}
	now := r.now().UTC()
	j := &omnify.Job{ID: nj.ID, OrgID: nj.OrgID, Kind: nj.Kind, Payload: raw, Status: omnify.JobQueued,
		MaxAttempts: nj.MaxAttempts, RunAt: now, IdempotencyKey: nj.IdempotencyKey, CreatedAt: now, UpdatedAt: now}
	got, err := r.store.EnqueueJob(ctx, j)
	if errors.Is(err, omnify.ErrConflict) && got != nil {
		return got, nil
	}
	if err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", nj.Kind, err)
	}
	r.announce(ctx, got, 0)
	return got, nil
}

// Run works until ctx is cancelled, then waits for running jobs to return.
func (r *Runner) Run(ctx context.Context) {
	if r.tr != nil {
		r.runTransport(ctx)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < r.cfg.Workers; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			r.loop(ctx, fmt.Sprintf("%s-%d", r.cfg.WorkerID, n))
		}(i)
	}
	wg.Wait()
}

func (r *Runner) loop(ctx context.Context, worker string) {
	for ctx.Err() == nil {
		if r.RunOne(ctx, worker) {
			continue
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-time.After(r.cfg.Poll):
		}
	}
}

func (r *Runner) kinds() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ks := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		ks = append(ks, k)
	}
	return ks
}

// RunOne claims and runs at most one job. It reports whether it ran one.
func (r *Runner) RunOne(ctx context.Context, worker string) bool {
	j, err := r.store.ClaimJob(ctx, r.kinds(), worker, r.now().UTC(), r.cfg.Lease)
	if errors.Is(err, omnify.ErrNotFound) {
		return false
	}
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("claim job", "err", err)
		}
		return false
	}
	r.execute(ctx, j)
	return true
}

// outcome is what became of one attempt of a job.
type outcome struct {
	status  omnify.JobStatus // succeeded, failed (retry at retryAt), dead; empty when nothing was recorded
	retryAt time.Time
}

func (r *Runner) execute(ctx context.Context, j *omnify.Job) outcome {
	r.mu.RLock()
	h := r.handlers[j.Kind]
	r.mu.RUnlock()
	log := r.log.With("job_id", j.ID, "kind", j.Kind, "org_id", j.OrgID, "attempt", j.Attempts)
	report := func(p any) {
		raw, err := json.Marshal(p)
		if err == nil {
			err = r.store.SetJobProgress(context.WithoutCancel(ctx), j.ID, raw)
		}
		if err != nil {
			log.Warn("job progress", "err", err)
		}
	}
	stop := r.heartbeat(ctx, j, log)
	res, err := safeCall(ctx, h, j, report)
	stop()
	if err == nil {
		err = r.complete(ctx, j, res)
		if err == nil {
			log.Info("job succeeded")
			return outcome{status: omnify.JobSucceeded}
		}
	}
	return r.fail(ctx, j, err, log)
}

// heartbeat keeps extending the job's lease while its handler runs, so a
// long job is not taken over by another worker; the returned func stops it.
func (r *Runner) heartbeat(ctx context.Context, j *omnify.Job, log *slog.Logger) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(r.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				until := r.now().UTC().Add(r.cfg.Lease)
				if err := r.store.ExtendJobLease(context.WithoutCancel(ctx), j.ID, j.LockedBy, until); err != nil {
					log.Warn("extend job lease", "err", err)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

func safeCall(ctx context.Context, h Handler, j *omnify.Job, report func(any)) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("job panicked: %v", p))
		}
	}()
	return h(ctx, j, report)
}

func (r *Runner) complete(ctx context.Context, j *omnify.Job, res any) error {
	raw, err := json.Marshal(res)
	if err != nil {
		return Permanent(fmt.Errorf("encode result: %w", err))
	}
	return r.store.CompleteJob(context.WithoutCancel(ctx), j.ID, raw, r.now().UTC())
}

func (r *Runner) fail(ctx context.Context, j *omnify.Job, err error, log *slog.Logger) outcome {
	retryAt := r.now().UTC().Add(r.delay(j.Attempts))
	var perm permanentError
	permanent := errors.As(err, &perm)
	if permanent {
		retryAt = time.Time{} // dead at once
	}
	if ctx.Err() != nil && !permanent {
		// Shutting down: leave the lease to expire so another worker retries.
		log.Warn("job interrupted by shutdown", "err", err)
		return outcome{}
	}
	if ferr := r.failInStore(ctx, j, err, retryAt); ferr != nil {
		log.Error("record job failure", "err", ferr)
		return outcome{}
	}
	log.Warn("job failed", "err", err, "retry_at", retryAt)
	if permanent || j.Attempts >= j.MaxAttempts {
		return outcome{status: omnify.JobDead}
	}
	return outcome{status: omnify.JobFailed, retryAt: retryAt}
}

func (r *Runner) failInStore(ctx context.Context, j *omnify.Job, err error, retryAt time.Time) error {
	return r.store.FailJob(context.WithoutCancel(ctx), j.ID, err.Error(), retryAt)
}

// delay is the retry delay after the given attempt: doubling from BaseDelay,
// capped at MaxDelay, with ±25% jitter so retries of many jobs spread out.
// A broker-fed runner skips the jitter: each distinct delay is a broker
// queue, so delays are kept to a few values.
func (r *Runner) delay(attempt int) time.Duration {
	d := r.cfg.BaseDelay
	for i := 1; i < attempt && d < r.cfg.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, r.cfg.MaxDelay)
	if r.tr != nil {
		return d
	}
	jitter := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + jitter
}
