package manager_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
)

// fakeClock is a clock whose Sleep advances it instantly.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// opts returns options on the fake clock with a fixed jitter draw.
func (c *fakeClock) opts(o manager.Options) manager.Options {
	o.Now, o.Sleep = c.Now, c.Sleep
	if o.Rand == nil {
		o.Rand = func() float64 { return 0.5 }
	}
	return o
}

// scripted is a connector whose Check and Read answers a test sets.
type scripted struct {
	mu         sync.Mutex
	checkErrs  []error // popped per Check call; nil when empty
	checkCalls int
	check      func(ctx context.Context, c connector.Connection) error
	read       func(ctx context.Context, call int, state json.RawMessage, e connector.Emitter) error
	readCalls  int
	states     []json.RawMessage
}

const goodToken = "tok_abcd1234"

func (s *scripted) Spec() connector.Spec {
	return connector.Spec{Platform: "scripted", DisplayName: "Scripted",
		Credentials: map[string]any{"type": "object", "required": []string{"token"},
			"properties": map[string]any{"token": map[string]any{"type": "string", "x-secret": true, "pattern": `^tok_[a-z0-9]{4,}$`}}},
		Config: map[string]any{"type": "object", "properties": map[string]any{}}}
}

func (s *scripted) Streams() []connector.Stream {
	return []connector.Stream{{Name: "items", CursorField: "updated_at", Incremental: true}}
}

func (s *scripted) Actions() []connector.Action { return nil }

func (s *scripted) Check(ctx context.Context, c connector.Connection) error {
	s.mu.Lock()
	s.checkCalls++
	var err error
	if len(s.checkErrs) > 0 {
		err, s.checkErrs = s.checkErrs[0], s.checkErrs[1:]
	}
	s.mu.Unlock()
	if s.check != nil {
		return s.check(ctx, c)
	}
	return err
}

func (s *scripted) Read(ctx context.Context, c connector.Connection, stream string, state json.RawMessage, e connector.Emitter) error {
	s.mu.Lock()
	s.readCalls++
	call := s.readCalls
	s.states = append(s.states, state)
	s.mu.Unlock()
	return s.read(ctx, call, state, e)
}

func (s *scripted) checks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checkCalls
}

func conn(id string) connector.Connection {
	return connector.Connection{ID: id, Credentials: map[string]string{"token": goodToken}, HTTP: http.DefaultClient}
}

// pagedRead emits n records in pages with a checkpoint (the next index)
// after each; fail(call, i) may fail the attempt before record i.
func pagedRead(n, page int, fail func(call, i int) error) func(context.Context, int, json.RawMessage, connector.Emitter) error {
	return func(ctx context.Context, call int, state json.RawMessage, e connector.Emitter) error {
		start := 0
		if len(state) > 0 {
			if err := json.Unmarshal(state, &start); err != nil {
				return fmt.Errorf("bad state: %w", err)
			}
		}
		for i := start; i < n; i++ {
			if err := fail(call, i); err != nil {
				return err
			}
			if err := e.Record(ctx, connector.Record{Stream: "items", ExternalID: "r" + strconv.Itoa(i)}); err != nil {
				return err
			}
			if (i+1)%page == 0 || i == n-1 {
				if err := e.Checkpoint(ctx, json.RawMessage(strconv.Itoa(i+1))); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// collector is an Emitter that keeps everything.
type collector struct {
	mu         sync.Mutex
	ids        []string
	states     []string
	failOn     string
	storeDelay time.Duration
}

func (c *collector) Record(ctx context.Context, r connector.Record) error {
	if c.storeDelay > 0 {
		time.Sleep(c.storeDelay)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.ExternalID == c.failOn {
		return fmt.Errorf("store %s: disk full", r.ExternalID)
	}
	c.ids = append(c.ids, r.ExternalID)
	return ctx.Err()
}

func (c *collector) Checkpoint(ctx context.Context, state json.RawMessage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.states = append(c.states, string(state))
	return nil
}

func (c *collector) Total(int64) {}

func mustEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}
