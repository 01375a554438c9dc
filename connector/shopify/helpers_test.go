package shopify_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
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

func (c *collector) states(t *testing.T) []shopify.State {
	t.Helper()
	out := make([]shopify.State, len(c.checkpoints))
	for i, raw := range c.checkpoints {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			t.Fatalf("checkpoint %d: %v", i, err)
		}
	}
	return out
}

// fakeClock is shared by the connector and the fake server's cost bucket.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

// driveResult says how a driven sync went.
type driveResult struct {
	backoffs []*connector.BackOffError
	waited   time.Duration
}

// drive calls Read until it finishes, resuming from the last checkpoint
// after every back-off and advancing the fake clock by the wait, the way
// the platform manager does.
func drive(t *testing.T, c *shopify.Connector, conn connector.Connection, clk *fakeClock, stream string, state json.RawMessage, e *collector) driveResult {
	t.Helper()
	var res driveResult
	for range 10000 {
		err := c.Read(context.Background(), conn, stream, state, e)
		var bo *connector.BackOffError
		if !errors.As(err, &bo) {
			if err != nil {
				t.Fatalf("read %s: %v", stream, err)
			}
			return res
		}
		if bo.Wait <= 0 || bo.Reason == "" {
			t.Fatalf("back-off without wait or reason: %+v", bo)
		}
		res.backoffs = append(res.backoffs, bo)
		res.waited += bo.Wait
		clk.Advance(bo.Wait)
		if last := e.last(); last != nil {
			state = last
		}
	}
	t.Fatalf("read %s did not finish", stream)
	return res
}

// newShop starts a fake shop and a connector sharing one fake clock.
func newShop(t *testing.T, o shopifytest.Options) (*shopifytest.Server, *shopify.Connector, *fakeClock) {
	t.Helper()
	clk := newClock()
	o.Now = clk.Now
	srv := shopifytest.NewServer(t, o)
	c := shopify.New()
	c.Now = clk.Now
	c.BulkPollInterval = time.Millisecond
	return srv, c, clk
}

// emitted maps legacy ids to updated_at and fails on a duplicate.
func emitted(t *testing.T, recs []connector.Record) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for _, r := range recs {
		if _, dup := out[r.ExternalID]; dup {
			t.Fatalf("record %s %s emitted twice", r.Stream, r.ExternalID)
		}
		out[r.ExternalID] = r.UpdatedAt
	}
	return out
}
