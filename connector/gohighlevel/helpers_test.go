package gohighlevel_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// collector is an Emitter that keeps everything.
type collector struct {
	mu          sync.Mutex
	records     []connector.Record
	checkpoints []json.RawMessage
	total       int64
}

func (c *collector) Record(ctx context.Context, r connector.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = append(c.records, r)
	return ctx.Err()
}

func (c *collector) Checkpoint(ctx context.Context, s json.RawMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
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

// ids returns the external IDs emitted, failing on a repeat.
func (c *collector) ids(t *testing.T) map[string]connector.Record {
	t.Helper()
	out := map[string]connector.Record{}
	for _, r := range c.records {
		if _, dup := out[r.ExternalID]; dup {
			t.Fatalf("%s %s emitted twice", r.Stream, r.ExternalID)
		}
		out[r.ExternalID] = r
	}
	return out
}

// clock is a settable clock shared by the connector and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
