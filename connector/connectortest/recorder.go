package connectortest

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// event is one thing a Read emitted: a record or a checkpoint.
type event struct {
	rec   *connector.Record
	state json.RawMessage
}

// recorder is an Emitter that keeps the transcript of a read. onRecord, when
// set, runs before each record is kept.
type recorder struct {
	onRecord func(n int)

	mu     sync.Mutex
	events []event
	n      int
}

func (r *recorder) Record(ctx context.Context, rec connector.Record) error {
	r.mu.Lock()
	r.n++
	n := r.n
	r.mu.Unlock()
	if r.onRecord != nil {
		r.onRecord(n)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{rec: &rec})
	return nil
}

func (r *recorder) Checkpoint(ctx context.Context, state json.RawMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{state: append(json.RawMessage(nil), state...)})
	return nil
}

func (r *recorder) Total(int64) {}

// transcript returns a copy of the events so far.
func (r *recorder) transcript() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

// records returns the emitted records in order.
func records(evs []event) []connector.Record {
	var out []connector.Record
	for _, e := range evs {
		if e.rec != nil {
			out = append(out, *e.rec)
		}
	}
	return out
}

// lastState returns the last checkpoint and whether any record followed it.
func lastState(evs []event) (state json.RawMessage, trailing int) {
	for _, e := range evs {
		if e.rec != nil {
			trailing++
			continue
		}
		state, trailing = e.state, 0
	}
	return state, trailing
}

// newest returns the latest UpdatedAt among records.
func newest(recs []connector.Record) time.Time {
	var t time.Time
	for _, r := range recs {
		if r.UpdatedAt.After(t) {
			t = r.UpdatedAt
		}
	}
	return t
}
