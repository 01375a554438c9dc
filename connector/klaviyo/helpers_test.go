package klaviyo_test

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/omnify-cloud/omnify/connector"
)

// recorder keeps what a read emits.
type recorder struct {
	mu      sync.Mutex
	records []connector.Record
	states  []json.RawMessage
}

func (r *recorder) Record(_ context.Context, rec connector.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	return nil
}

func (r *recorder) Checkpoint(_ context.Context, st json.RawMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, st)
	return nil
}

func (r *recorder) Total(int64) {}
