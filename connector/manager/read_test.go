package manager_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
)

func TestReadResumesFromLastCheckpoint(t *testing.T) {
	t.Parallel()
	clk := newClock()
	// The first attempt fails mid-page 4 (after records 30..34), the second
	// mid-page 8; every record must still arrive.
	fail := func(call, i int) error {
		if (call == 1 && i == 35) || (call == 2 && i == 75) {
			return connector.BackOff(2*time.Second, "the platform answered 502", nil)
		}
		return nil
	}
	s := &scripted{read: pagedRead(100, 10, fail)}
	// A threshold of one proves that attempts which saved a checkpoint
	// never open the circuit.
	m := manager.Wrap(s, clk.opts(manager.Options{FailureThreshold: 1, MaxAttempts: 2}))
	var c collector
	if err := m.Read(context.Background(), conn("c1"), "items", nil, &c); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if fmt.Sprint(s.states) != fmt.Sprint([]json.RawMessage{nil, json.RawMessage("30"), json.RawMessage("70")}) {
		t.Fatalf("attempts started from %s, want the start, 30 and 70", s.states)
	}
	seen := map[string]int{}
	for _, id := range c.ids {
		seen[id]++
	}
	mustEqual(t, "distinct records", len(seen), 100)
	mustEqual(t, "records emitted (5 re-emitted per failure)", len(c.ids), 110)
	mustEqual(t, "last state", c.states[len(c.states)-1], "100")
	mustEqual(t, "health", m.Health("c1").State, manager.Healthy)
}

func TestReadGivesUpWithoutProgress(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fail := func(call, i int) error {
		if i == 20 {
			return connector.BackOff(0, "the platform answered 500", nil)
		}
		return nil
	}
	s := &scripted{read: pagedRead(50, 10, fail)}
	m := manager.Wrap(s, clk.opts(manager.Options{MaxAttempts: 3, FailureThreshold: 10}))
	var c collector
	err := m.Read(context.Background(), conn("c1"), "items", nil, &c)
	var be *connector.BackOffError
	if !errors.As(err, &be) {
		t.Fatalf("Read = %v, want the vendor's back-off", err)
	}
	// The attempt that saved checkpoints starts a fresh count of
	// MaxAttempts; the two after it make no progress.
	mustEqual(t, "attempts", s.readCalls, 3)
	mustEqual(t, "state", m.Health("c1").State, manager.Degraded)
}

func TestReadDoesNotRetryTheCallersErrors(t *testing.T) {
	t.Parallel()
	s := &scripted{read: pagedRead(50, 10, func(int, int) error { return nil })}
	m := manager.Wrap(s, manager.Options{})
	c := collector{failOn: "r12"}
	err := m.Read(context.Background(), conn("c1"), "items", nil, &c)
	if err == nil || err.Error() != "store r12: disk full" {
		t.Fatalf("Read = %v, want the emitter's own error", err)
	}
	mustEqual(t, "attempts", s.readCalls, 1)
	mustEqual(t, "health untouched", m.Health("c1").State, manager.Unknown)
}

func TestReadIdleTimeout(t *testing.T) {
	t.Parallel()
	s := &scripted{read: func(ctx context.Context, call int, state json.RawMessage, e connector.Emitter) error {
		if err := e.Record(ctx, connector.Record{Stream: "items", ExternalID: "r0"}); err != nil {
			return err
		}
		if call == 1 {
			<-ctx.Done() // the vendor stalls
			return fmt.Errorf("read page: %w", ctx.Err())
		}
		return e.Checkpoint(ctx, json.RawMessage(`1`))
	}}
	m := manager.Wrap(s, manager.Options{IdleTimeout: 30 * time.Millisecond, BaseDelay: time.Millisecond})
	var c collector
	if err := m.Read(context.Background(), conn("c1"), "items", nil, &c); err != nil {
		t.Fatalf("Read: %v", err)
	}
	mustEqual(t, "attempts", s.readCalls, 2)

	// The first attempt alone reports the stall.
	one := manager.Wrap(&scripted{read: s.read}, manager.Options{IdleTimeout: 30 * time.Millisecond, MaxAttempts: 1})
	err := one.Read(context.Background(), conn("c1"), "items", nil, &collector{})
	if !errors.Is(err, manager.ErrIdle) {
		t.Fatalf("Read = %v, want ErrIdle", err)
	}
}

func TestSlowStoringIsNotIdleness(t *testing.T) {
	t.Parallel()
	s := &scripted{read: pagedRead(3, 1, func(int, int) error { return nil })}
	m := manager.Wrap(s, manager.Options{IdleTimeout: 20 * time.Millisecond})
	c := collector{storeDelay: 40 * time.Millisecond}
	if err := m.Read(context.Background(), conn("c1"), "items", nil, &c); err != nil {
		t.Fatalf("Read: %v", err)
	}
	mustEqual(t, "attempts", s.readCalls, 1)
}

func TestReadCancelStopsPromptly(t *testing.T) {
	t.Parallel()
	s := &scripted{read: func(ctx context.Context, _ int, _ json.RawMessage, e connector.Emitter) error {
		<-ctx.Done()
		return fmt.Errorf("read: %w", ctx.Err())
	}}
	m := manager.Wrap(s, manager.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	if err := m.Read(ctx, conn("c1"), "items", nil, &collector{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read = %v, want context.Canceled", err)
	}
	mustEqual(t, "attempts", s.readCalls, 1)
	mustEqual(t, "health untouched", m.Health("c1").State, manager.Unknown)
}

func TestReadIgnoringItsStateIsNotProgress(t *testing.T) {
	t.Parallel()
	clk := newClock()
	inner := pagedRead(50, 10, func(_, i int) error {
		if i == 25 {
			return connector.BackOff(0, "the platform answered 500", nil)
		}
		return nil
	})
	s := &scripted{read: func(ctx context.Context, call int, _ json.RawMessage, e connector.Emitter) error {
		return inner(ctx, call, nil, e) // always starts over
	}}
	m := manager.Wrap(s, clk.opts(manager.Options{MaxAttempts: 3, FailureThreshold: 10}))
	if err := m.Read(context.Background(), conn("c1"), "items", nil, &collector{}); err == nil {
		t.Fatal("Read succeeded")
	}
	mustEqual(t, "attempts", s.readCalls, 3)
}
