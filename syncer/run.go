package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/jobs"
)

// runner is one attempt of one sync run.
type runner struct {
	s      *Syncer
	job    *omnify.Job
	run    *omnify.SyncRun
	conn   *omnify.Connection
	c      connector.Connector
	cc     connector.Connection
	report func(any)
	prog   map[string]*omnify.StreamProgress
	saved  int64 // unix nanoseconds of the last progress save
}

// Handle is the job handler for JobKind. A run whose connection was
// deleted, or that already finished, ends at once; otherwise each chosen
// stream is read from its saved state, skipping streams an earlier attempt
// finished.
func (s *Syncer) Handle(ctx context.Context, j *omnify.Job, report func(any)) (any, error) {
	p, err := decodePayload(j)
	if err != nil {
		return nil, jobs.Permanent(err)
	}
	run, err := s.ensureRun(ctx, j.OrgID, j.ID, p)
	if errors.Is(err, omnify.ErrNotFound) {
		return map[string]string{"skipped": "connection deleted"}, nil
	}
	if err != nil {
		return nil, err
	}
	if finished(run.Status) {
		return map[string]string{"skipped": "run already finished"}, nil
	}
	conn, err := s.cfg.Store.GetConnection(ctx, j.OrgID, p.ConnectionID)
	if errors.Is(err, omnify.ErrNotFound) {
		return map[string]string{"skipped": "connection deleted"}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load connection: %w", err)
	}
	r := &runner{s: s, job: j, run: run, conn: conn, report: report, prog: map[string]*omnify.StreamProgress{}}
	return r.safeDo(ctx)
}

// safeDo turns a panic (a connector or sink bug) into a failed attempt
// that is retried from the last checkpoint, and records it on the run.
func (r *runner) safeDo(ctx context.Context) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.s.cfg.Logger.Error("sync panicked", "run_id", r.run.ID, "connection_id", r.conn.ID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			res, err = nil, r.finish(ctx, internal(fmt.Errorf("panic: %v", p)))
		}
	}()
	return r.do(ctx)
}

func (r *runner) do(ctx context.Context) (any, error) {
	if r.conn.Health == omnify.HealthDisconnected {
		return nil, r.finish(ctx, permanent(connector.ErrAuth))
	}
	streams, err := r.prepare(ctx)
	if err != nil {
		return nil, r.finish(ctx, err)
	}
	for _, name := range streams {
		if err := r.stream(ctx, name); err != nil {
			return nil, r.finish(ctx, err)
		}
	}
	if err := r.finish(ctx, nil); err != nil {
		return nil, err
	}
	return map[string]any{"run_id": r.run.ID, "progress": r.run.Progress}, nil
}

// prepare marks the run running, opens the credentials, picks the streams
// and, for a full or backfill run, resets their states once per run.
func (r *runner) prepare(ctx context.Context) ([]string, error) {
	for name, p := range r.run.Progress {
		r.prog[name] = &p
	}
	r.run.Status, r.run.Error = omnify.JobRunning, ""
	if r.run.StartedAt.IsZero() {
		r.run.StartedAt = r.s.now()
	}
	if err := r.save(ctx); err != nil {
		return nil, internal(err)
	}
	c, ok := r.s.connector(r.conn.Platform)
	if !ok {
		return nil, permanent(fmt.Errorf("platform %s is not available on this server", r.conn.Platform))
	}
	creds, err := r.s.open(r.conn)
	if err != nil {
		return nil, permanent(internal(err))
	}
	r.c, r.cc = c, r.s.connection(r.conn, creds)
	streams := r.run.Streams
	if len(streams) == 0 {
		for _, st := range c.Streams() {
			streams = append(streams, st.Name)
		}
	}
	return streams, r.reset(ctx, streams)
}

func (r *runner) reset(ctx context.Context, streams []string) error {
	if r.run.Mode == omnify.SyncIncremental {
		return nil
	}
	for _, name := range streams {
		p := r.progress(name)
		if p.Reset {
			continue
		}
		if _, err := r.s.cfg.Store.ResetStreamState(ctx, r.run.OrgID, r.run.ConnectionID, name, r.s.now()); err != nil {
			return internal(fmt.Errorf("reset stream %s: %w", name, err))
		}
		p.Reset = true
		if err := r.save(ctx); err != nil {
			return internal(err)
		}
	}
	return nil
}

func (r *runner) progress(stream string) *omnify.StreamProgress {
	p, ok := r.prog[stream]
	if !ok {
		p = &omnify.StreamProgress{}
		r.prog[stream] = p
	}
	return p
}

// save writes the run with its progress and reports it to the job.
func (r *runner) save(ctx context.Context) error {
	r.run.Progress = make(map[string]omnify.StreamProgress, len(r.prog))
	for name, p := range r.prog {
		r.run.Progress[name] = *p
	}
	r.saved = r.s.cfg.Now().UnixNano()
	if r.report != nil {
		r.report(r.run.Progress)
	}
	if err := r.s.cfg.Store.UpdateSyncRun(context.WithoutCancel(ctx), r.run); err != nil {
		return fmt.Errorf("save sync run %s: %w", r.run.ID, err)
	}
	return nil
}

// tick saves progress when ProgressEvery has passed since the last save.
func (r *runner) tick(ctx context.Context) error {
	if r.s.cfg.Now().UnixNano()-r.saved < int64(r.s.cfg.ProgressEvery) {
		return nil
	}
	return r.save(ctx)
}

// stream reads one stream to its end from its saved state, waiting out
// back-offs: each new Read starts from the last saved checkpoint.
func (r *runner) stream(ctx context.Context, name string) error {
	p := r.progress(name)
	if p.Done {
		return nil
	}
	st, err := r.state(ctx, name)
	if err != nil {
		return internal(err)
	}
	e := &emitter{r: r, stream: name, state: st.State, version: st.Version, prog: p,
		buf: make([]connector.Record, 0, r.s.cfg.BatchSize), pos: make(map[string]int, r.s.cfg.BatchSize)}
	if err := r.readAll(ctx, e); err != nil {
		return err
	}
	p.Done = true
	if err := r.save(ctx); err != nil {
		return internal(err)
	}
	return nil
}

func (r *runner) readAll(ctx context.Context, e *emitter) error {
	backOffs := 0
	for {
		e.checkpoints = 0
		err := r.c.Read(ctx, r.cc, e.stream, e.state, e)
		if e.err != nil {
			return e.err
		}
		if err == nil {
			return e.flush(ctx)
		}
		var bo *connector.BackOffError
		if ctx.Err() != nil || !errors.As(err, &bo) {
			return err
		}
		if e.checkpoints > 0 {
			backOffs = 0
		}
		if backOffs++; backOffs > r.s.cfg.MaxBackOffs || bo.Wait > r.s.cfg.MaxWait {
			return fmt.Errorf("stream %s: gave up after %d back-offs: %w", e.stream, backOffs, err)
		}
		e.discard()
		r.s.cfg.Logger.Info("sync backing off", "run_id", r.run.ID, "stream", e.stream, "wait", bo.Wait,
			"reason", redact(bo.Reason, r.cc.Credentials))
		if err := r.s.cfg.Sleep(ctx, bo.Wait); err != nil {
			return err
		}
	}
}

func (r *runner) state(ctx context.Context, stream string) (omnify.StreamState, error) {
	states, err := r.s.cfg.Store.ListStreamStates(ctx, r.run.OrgID, r.run.ConnectionID)
	if err != nil {
		return omnify.StreamState{}, fmt.Errorf("load stream states: %w", err)
	}
	for _, st := range states {
		if st.Stream == stream {
			return st, nil
		}
	}
	return omnify.StreamState{OrgID: r.run.OrgID, ConnectionID: r.run.ConnectionID, Stream: stream}, nil
}

// finish records the attempt's outcome on the run and the connection and
// returns the error for the job runner: permanent when retrying cannot
// help.
func (r *runner) finish(ctx context.Context, err error) error {
	if err == nil {
		return r.succeed(ctx)
	}
	if ctx.Err() != nil {
		// Shutting down or cancelled: the job is retried from the last
		// checkpoint; the run stays running meanwhile.
		return err
	}
	var ie internalError
	if errors.As(err, &ie) {
		r.s.cfg.Logger.Error("sync failed", "run_id", r.run.ID, "connection_id", r.conn.ID, "err", ie.err)
	}
	permanent := r.s.recordFailure(ctx, r.conn, err, r.cc.Credentials)
	msg := failureMessage(err, r.cc.Credentials)
	now := r.s.now()
	r.run.Status, r.run.Error = omnify.JobFailed, msg
	if permanent || r.job.Attempts >= r.job.MaxAttempts {
		r.run.Status, r.run.FinishedAt = omnify.JobDead, &now
	}
	if serr := r.save(ctx); serr != nil {
		r.s.cfg.Logger.Error("save failed sync run", "run_id", r.run.ID, "err", serr)
	}
	out := errors.New(msg)
	if permanent {
		return jobs.Permanent(out)
	}
	return out
}

func (r *runner) succeed(ctx context.Context) error {
	now := r.s.now()
	r.run.Status, r.run.Error, r.run.FinishedAt = omnify.JobSucceeded, "", &now
	if err := r.save(ctx); err != nil {
		return err
	}
	r.s.recordSuccess(ctx, r.conn)
	return nil
}

// stateJSON keeps a checkpoint's state: connectors may reuse their buffer.
func stateJSON(s json.RawMessage) json.RawMessage {
	if len(s) == 0 {
		return nil
	}
	return append(json.RawMessage(nil), s...)
}
