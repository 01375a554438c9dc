package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/store"
)

// payload is what a sync job carries: enough to create its run if the
// process died between enqueuing the job and storing the run.
type payload struct {
	RunID        string          `json:"run_id"`
	ConnectionID string          `json:"connection_id"`
	Mode         omnify.SyncMode `json:"mode"`
	Streams      []string        `json:"streams,omitempty"`
	Trigger      string          `json:"trigger"`
}

// StartSync queues a manual sync of a connection. No streams means all; a
// backfill needs the streams to reread. It returns ErrBusy when a sync of
// the connection is already queued or running.
func (s *Syncer) StartSync(ctx context.Context, orgID, connectionID string, mode omnify.SyncMode, streams []string) (*omnify.SyncRun, error) {
	return s.start(ctx, orgID, connectionID, mode, streams, TriggerManual, "")
}

// TriggerSync queues an incremental sync of the named streams (all when
// none), as webhook handlers do when a platform reports a change. A sync
// already queued or running absorbs the trigger: its run is returned.
func (s *Syncer) TriggerSync(ctx context.Context, orgID, connectionID string, streams []string) (*omnify.SyncRun, error) {
	r, err := s.start(ctx, orgID, connectionID, omnify.SyncIncremental, streams, TriggerWebhook, "")
	if errors.Is(err, ErrBusy) {
		return s.newestRun(ctx, orgID, connectionID)
	}
	return r, err
}

func (s *Syncer) start(ctx context.Context, orgID, connID string, mode omnify.SyncMode, streams []string, trigger, key string) (*omnify.SyncRun, error) {
	conn, err := s.cfg.Store.GetConnection(ctx, orgID, connID)
	if err != nil {
		return nil, fmt.Errorf("start sync: %w", err)
	}
	if err := s.validateRequest(conn, mode, streams); err != nil {
		return nil, err
	}
	if conn.Health == omnify.HealthDisconnected {
		return nil, ErrDisconnected
	}
	busy, err := s.busy(ctx, orgID, connID)
	if err != nil {
		return nil, fmt.Errorf("start sync: %w", err)
	}
	if busy {
		return nil, ErrBusy
	}
	p := payload{RunID: newID(), ConnectionID: connID, Mode: mode, Streams: streams, Trigger: trigger}
	if key == "" {
		key = "sync.run:" + p.RunID
	}
	jobID := newID()
	j, err := s.cfg.Jobs.Enqueue(ctx, jobs.NewJob{ID: jobID, OrgID: orgID, Kind: JobKind, Payload: p,
		IdempotencyKey: key, MaxAttempts: s.cfg.MaxAttempts})
	if err != nil {
		return nil, fmt.Errorf("start sync: %w", err)
	}
	if j.ID != jobID {
		return nil, fmt.Errorf("start sync: already queued as job %s: %w", j.ID, ErrBusy)
	}
	return s.ensureRun(ctx, orgID, j.ID, p)
}

func (s *Syncer) validateRequest(conn *omnify.Connection, mode omnify.SyncMode, streams []string) error {
	if !mode.Valid() {
		return omnify.Invalid("body.mode", "must be incremental, full or backfill")
	}
	if mode == omnify.SyncBackfill && len(streams) == 0 {
		return omnify.Invalid("body.streams", "a backfill needs the streams to reread")
	}
	c, ok := s.connector(conn.Platform)
	if !ok {
		return fmt.Errorf("platform %s is not available on this server: %w", conn.Platform, omnify.ErrUnavailable)
	}
	known := map[string]bool{}
	for _, st := range c.Streams() {
		known[st.Name] = true
	}
	for i, name := range streams {
		if !known[name] {
			return omnify.Invalid(fmt.Sprintf("body.streams[%d]", i), "%s has no stream %q", conn.Platform, name)
		}
	}
	return nil
}

// busy reports whether the connection's newest run is still queued,
// running or waiting for a retry, with its job not finished.
func (s *Syncer) busy(ctx context.Context, orgID, connID string) (bool, error) {
	r, err := s.newestRun(ctx, orgID, connID)
	if errors.Is(err, omnify.ErrNotFound) {
		return false, nil
	}
	if err != nil || finished(r.Status) {
		return false, err
	}
	j, err := s.cfg.Store.GetJob(ctx, orgID, r.JobID)
	if errors.Is(err, omnify.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sync job of run %s: %w", r.ID, err)
	}
	return j.Status != omnify.JobSucceeded && j.Status != omnify.JobDead, nil
}

func (s *Syncer) newestRun(ctx context.Context, orgID, connID string) (*omnify.SyncRun, error) {
	rs, _, err := s.cfg.Store.ListSyncRuns(ctx, orgID, connID, store.Page{Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("newest sync run: %w", err)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("no sync run: %w", omnify.ErrNotFound)
	}
	return &rs[0], nil
}

func finished(st omnify.JobStatus) bool { return st == omnify.JobSucceeded || st == omnify.JobDead }

// ensureRun returns the job's run, creating it when absent. Creating it
// races with nothing harmful: the loser reads the winner's.
func (s *Syncer) ensureRun(ctx context.Context, orgID, jobID string, p payload) (*omnify.SyncRun, error) {
	r := &omnify.SyncRun{ID: p.RunID, OrgID: orgID, ConnectionID: p.ConnectionID, JobID: jobID, Mode: p.Mode,
		Streams: p.Streams, Trigger: p.Trigger, Status: omnify.JobQueued, CreatedAt: s.now()}
	err := s.cfg.Store.CreateSyncRun(ctx, r)
	if errors.Is(err, omnify.ErrConflict) {
		return s.cfg.Store.GetSyncRun(ctx, orgID, p.RunID)
	}
	if err != nil {
		return nil, fmt.Errorf("store sync run: %w", err)
	}
	return r, nil
}

func decodePayload(j *omnify.Job) (payload, error) {
	var p payload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.RunID == "" || p.ConnectionID == "" {
		return p, fmt.Errorf("sync job %s: malformed payload: %v", j.ID, err)
	}
	return p, nil
}
