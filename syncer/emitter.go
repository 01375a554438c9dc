package syncer

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
)

// emitter buffers one stream's records and stores them in batches. A
// checkpoint first stores every buffered record, then saves the state with
// a version check, so the saved state never runs ahead of the stored
// records and a stale writer cannot move it backwards.
type emitter struct {
	r      *runner
	stream string
	buf    []connector.Record
	// pos maps the external IDs in buf to their index: a record emitted
	// again before the flush (a decorator retrying from the last
	// checkpoint) replaces the earlier copy instead of being stored twice.
	pos         map[string]int
	state       json.RawMessage
	version     int64
	prog        *omnify.StreamProgress
	checkpoints int   // checkpoints saved during the current Read
	err         error // the engine's own failure, kept for the caller
}

var _ connector.Emitter = (*emitter)(nil)

func (e *emitter) Record(ctx context.Context, rec connector.Record) error {
	if e.err != nil {
		return e.err
	}
	if rec.Stream == "" {
		rec.Stream = e.stream
	}
	e.prog.Read++
	if i, dup := e.pos[rec.ExternalID]; dup {
		e.buf[i] = rec
		return nil
	}
	e.pos[rec.ExternalID] = len(e.buf)
	e.buf = append(e.buf, rec)
	if len(e.buf) < e.r.s.cfg.BatchSize {
		return nil
	}
	if err := e.flush(ctx); err != nil {
		return e.fail(err)
	}
	return e.fail(e.r.tick(ctx))
}

func (e *emitter) Checkpoint(ctx context.Context, state json.RawMessage) error {
	if e.err != nil {
		return e.err
	}
	if err := e.flush(ctx); err != nil {
		return e.fail(err)
	}
	st := &omnify.StreamState{OrgID: e.r.run.OrgID, ConnectionID: e.r.run.ConnectionID, Stream: e.stream,
		State: stateJSON(state), UpdatedAt: e.r.s.now()}
	if err := e.r.s.cfg.Store.SaveStreamState(ctx, st, e.version); err != nil {
		return e.fail(fmt.Errorf("save checkpoint of %s: %w", e.stream, err))
	}
	e.state, e.version = st.State, st.Version
	e.checkpoints++
	return e.fail(e.r.tick(ctx))
}

func (e *emitter) Total(n int64) { e.prog.Total = n }

// flush hands the buffered records to the sink.
func (e *emitter) flush(ctx context.Context) error {
	if len(e.buf) == 0 {
		return nil
	}
	r := e.r
	if err := r.s.cfg.Sink.Store(ctx, r.run.OrgID, r.run.ConnectionID, r.conn.Platform, e.buf); err != nil {
		return internal(fmt.Errorf("store %d %s records: %w", len(e.buf), e.stream, err))
	}
	e.prog.Stored += int64(len(e.buf))
	// The sink may keep the slice it was given.
	e.buf = make([]connector.Record, 0, r.s.cfg.BatchSize)
	clear(e.pos)
	return nil
}

// discard drops records read after the last checkpoint; the next Read
// starts from that checkpoint and reads them again.
func (e *emitter) discard() {
	e.buf = e.buf[:0]
	clear(e.pos)
}

// fail remembers the engine's own error so a connector that swallows it
// still ends the attempt.
func (e *emitter) fail(err error) error {
	if err != nil && e.err == nil {
		e.err = internal(err)
	}
	return err
}
