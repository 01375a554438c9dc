// Package eyesrun runs the EYES pipeline over an org's stored customers and
// orders as a background job, and keeps each run as an immutable, versioned
// record with its per-customer scores. It is the bridge between the pure
// pipeline (package eyes) and the store.
package eyesrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/store"
)

// JobKind names EYES runs in the job queue.
const JobKind = "eyes.run"

// Enqueuer puts a job on the queue.
type Enqueuer interface {
	Enqueue(ctx context.Context, nj jobs.NewJob) (*omnify.Job, error)
}

// Service starts EYES runs and does them.
type Service struct {
	Store store.Store
	Jobs  Enqueuer
	Now   func() time.Time
	// Config is the pipeline configuration every run uses (seed aside).
	Config eyes.Config
}

// payload is what an EYES job carries.
type payload struct {
	RunID string    `json:"run_id"`
	AsOf  time.Time `json:"as_of"`
	Seed  int64     `json:"seed"`
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Start records a queued run for the org and enqueues its job. A zero asOf
// means today.
func (s *Service) Start(ctx context.Context, orgID, actorID string, asOf time.Time, seed int64) (*omnify.EyesRun, error) {
	if asOf.IsZero() {
		asOf = s.now()
	}
	asOf = endOfDay(asOf)
	jobID := uuid.Must(uuid.NewV7()).String()
	run := &omnify.EyesRun{ID: uuid.Must(uuid.NewV7()).String(), OrgID: orgID, JobID: jobID,
		Status: omnify.JobQueued, AsOf: asOf, CreatedBy: actorID, CreatedAt: s.now()}
	if err := s.Store.CreateEyesRun(ctx, run); err != nil {
		return nil, fmt.Errorf("start eyes run: %w", err)
	}
	_, err := s.Jobs.Enqueue(ctx, jobs.NewJob{ID: jobID, OrgID: orgID, Kind: JobKind,
		Payload: payload{RunID: run.ID, AsOf: asOf, Seed: seed}, IdempotencyKey: "eyes.run:" + run.ID, MaxAttempts: 2})
	if err != nil {
		return nil, fmt.Errorf("start eyes run: %w", err)
	}
	return run, nil
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 23, 59, 59, 0, time.UTC)
}

// Handle is the job handler for JobKind.
func (s *Service) Handle(ctx context.Context, j *omnify.Job, report func(any)) (any, error) {
	var p payload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return nil, jobs.Permanent(fmt.Errorf("eyes job payload: %w", err))
	}
	run, err := s.Store.GetEyesRun(ctx, j.OrgID, p.RunID)
	if err != nil {
		return nil, jobs.Permanent(fmt.Errorf("eyes job: %w", err))
	}
	run.Status = omnify.JobRunning
	if err := s.Store.UpdateEyesRun(ctx, run); err != nil {
		return nil, jobs.Permanent(fmt.Errorf("eyes job: %w", err))
	}
	report(map[string]string{"step": "loading"})
	res, err := s.execute(ctx, run, p, report)
	if err != nil {
		s.finish(ctx, run, nil, err)
		return nil, jobs.Permanent(err)
	}
	report(map[string]string{"step": "storing"})
	if err := s.saveScores(ctx, run, res); err != nil {
		s.finish(ctx, run, nil, err)
		return nil, jobs.Permanent(err)
	}
	if err := s.finish(ctx, run, res, nil); err != nil {
		return nil, err
	}
	return map[string]any{"run_id": run.ID, "version": run.Version, "status": res.Status}, nil
}

func (s *Service) execute(ctx context.Context, run *omnify.EyesRun, p payload, report func(any)) (*eyes.Result, error) {
	in, err := Load(ctx, s.Store, run.OrgID, p.AsOf)
	if err != nil {
		return nil, err
	}
	in.Previous, err = s.previous(ctx, run.OrgID)
	if err != nil {
		return nil, err
	}
	report(map[string]any{"step": "analysing", "customers": len(in.Customers)})
	cfg := s.Config
	cfg.Seed = p.Seed
	res, err := eyes.Run(ctx, *in, cfg)
	if err != nil {
		return nil, fmt.Errorf("eyes run: %w", err)
	}
	return res, nil
}

// finish stores the run's final state: the report (without per-customer
// rows, which are in the scores) or the error.
func (s *Service) finish(ctx context.Context, run *omnify.EyesRun, res *eyes.Result, runErr error) error {
	ctx = context.WithoutCancel(ctx)
	t := s.now()
	run.FinishedAt = &t
	if runErr != nil {
		run.Status, run.Error = omnify.JobFailed, runErr.Error()
		return s.Store.UpdateEyesRun(ctx, run)
	}
	rep := *res
	rep.Customers = nil
	raw, err := json.Marshal(&rep)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("encode eyes report: %w", err))
	}
	run.Status, run.Report = omnify.JobSucceeded, raw
	if err := s.Store.UpdateEyesRun(ctx, run); err != nil && !errors.Is(err, omnify.ErrConflict) {
		return fmt.Errorf("store eyes run: %w", err)
	}
	return nil
}

// saveScores writes every customer's outcome in batches.
func (s *Service) saveScores(ctx context.Context, run *omnify.EyesRun, res *eyes.Result) error {
	const batch = 5000
	buf := make([]omnify.EyesScore, 0, batch)
	for i := range res.Customers {
		buf = append(buf, scoreOf(run, &res.Customers[i]))
		if len(buf) == batch || i == len(res.Customers)-1 {
			if err := s.Store.PutEyesScores(ctx, run.OrgID, run.ID, buf); err != nil {
				return fmt.Errorf("store eyes scores: %w", err)
			}
			buf = buf[:0]
		}
	}
	return nil
}

func scoreOf(run *omnify.EyesRun, c *eyes.CustomerResult) omnify.EyesScore {
	sc := omnify.EyesScore{RunID: run.ID, OrgID: run.OrgID, CustomerID: c.ID, SegmentID: c.SegmentID,
		SegmentName: c.Segment, Cluster: c.Cluster, RFMSegment: c.RFM.Segment, PAlive: c.PAlive,
		ExpectedCLV: c.ExpectedCLV, Reasons: c.Reasons, X: c.X, Y: c.Y, Consent: c.Consent}
	sc.Churn30, _ = c.ChurnAt(30)
	sc.Churn60, _ = c.ChurnAt(60)
	sc.Churn90, _ = c.ChurnAt(90)
	return sc
}

// previous rebuilds the org's latest run enough for segment migration: its
// as-of date and each customer's segment.
func (s *Service) previous(ctx context.Context, orgID string) (*eyes.Result, error) {
	last, err := s.Store.LatestEyesRun(ctx, orgID)
	if errors.Is(err, omnify.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("previous eyes run: %w", err)
	}
	prev := &eyes.Result{AsOf: last.AsOf}
	page := store.Page{Limit: store.MaxLimit}
	for {
		ss, next, err := s.Store.ListEyesScores(ctx, orgID, last.ID, store.ScoreFilter{}, page)
		if err != nil {
			return nil, fmt.Errorf("previous eyes scores: %w", err)
		}
		for _, sc := range ss {
			prev.Customers = append(prev.Customers, eyes.CustomerResult{ID: sc.CustomerID,
				SegmentID: sc.SegmentID, Segment: sc.SegmentName, Cluster: sc.Cluster})
		}
		if next == "" {
			return prev, nil
		}
		page.After = next
	}
}
