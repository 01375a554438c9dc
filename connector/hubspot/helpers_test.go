package hubspot_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/hubspot"
)

// collector is an Emitter that keeps everything.
type collector struct {
	mu          sync.Mutex
	records     []connector.Record
	checkpoints []json.RawMessage
	total       int64
}

func (c *collector) Record(_ context.Context, r connector.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = append(c.records, r)
	return nil
}

func (c *collector) Checkpoint(_ context.Context, s json.RawMessage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checkpoints = append(c.checkpoints, append(json.RawMessage(nil), s...))
	return nil
}

func (c *collector) Total(n int64) { c.total = n }

func (c *collector) last() json.RawMessage {
	if len(c.checkpoints) == 0 {
		return nil
	}
	return c.checkpoints[len(c.checkpoints)-1]
}

func (c *collector) state(t testing.TB) hubspot.State {
	t.Helper()
	var st hubspot.State
	if err := json.Unmarshal(c.last(), &st); err != nil {
		t.Fatalf("last checkpoint %s: %v", c.last(), err)
	}
	return st
}

// ids returns the emitted external IDs, failing on a duplicate.
func (c *collector) ids(t testing.TB) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, r := range c.records {
		if out[r.ExternalID] {
			t.Fatalf("record %s %s emitted twice", r.Stream, r.ExternalID)
		}
		out[r.ExternalID] = true
	}
	return out
}

func backOff(t testing.TB, err error) *connector.BackOffError {
	t.Helper()
	var bo *connector.BackOffError
	if !errors.As(err, &bo) {
		t.Fatalf("error %v is not a back-off", err)
	}
	if bo.Wait <= 0 || bo.Reason == "" {
		t.Fatalf("back-off without wait or reason: %+v", bo)
	}
	return bo
}

// counter is an Emitter that only counts.
type counter struct{ n int }

func (c *counter) Record(context.Context, connector.Record) error    { c.n++; return nil }
func (c *counter) Checkpoint(context.Context, json.RawMessage) error { return nil }
func (c *counter) Total(int64)                                       {}
