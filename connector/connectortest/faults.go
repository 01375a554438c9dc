package connectortest

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
)

// testCancellation cancels a read after its first record and expects it to
// return context.Canceled within CancelWithin.
func testCancellation(t *testing.T, h Harness) {
	c := h.New()
	stream, n := largest(t, h, c.Streams())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	waitCancelled(t, "a read started with a cancelled context", func() error {
		return c.Read(ctx, h.Connection(t), stream, nil, &recorder{})
	}, closed())
	if n < 2 {
		t.Skipf("%s has %d records; no read to cancel midway", stream, n)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan struct{})
	var once sync.Once
	rec := &recorder{onRecord: func(int) { once.Do(func() { cancel(); close(cancelled) }) }}
	waitCancelled(t, "a read cancelled after its first record", func() error {
		return c.Read(ctx, h.Connection(t), stream, nil, rec)
	}, cancelled)
}

func closed() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// waitCancelled runs read and expects it to return context.Canceled within
// CancelWithin of cancelled closing.
func waitCancelled(t *testing.T, what string, read func() error, cancelled chan struct{}) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- read() }()
	var err error
	finished := false
	select {
	case <-cancelled:
	case err = <-done:
		finished = true
		select {
		case <-cancelled:
		default:
			t.Fatalf("%s finished (%v) before it was cancelled", what, err)
		}
	case <-time.After(ReadTimeout):
		t.Fatalf("%s emitted nothing in %s", what, ReadTimeout)
	}
	if !finished {
		select {
		case err = <-done:
		case <-time.After(CancelWithin):
			t.Errorf("%s still running %s after the cancel", what, CancelWithin)
			return
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%s returned %v, want context.Canceled", what, err)
	}
}

// largest returns the stream with the most records.
func largest(t *testing.T, h Harness, streams []connector.Stream) (string, int) {
	best, n := streams[0].Name, -1
	for _, s := range streams {
		if m := h.Expected(t, s.Name); m > n {
			best, n = s.Name, m
		}
	}
	return best, n
}

// testFaults reads every stream through the platform manager while the
// fake vendor injects faults, and expects every record to arrive (records
// after a failed attempt's last checkpoint may arrive twice).
func testFaults(t *testing.T, h Harness) {
	if !h.Features.Faults {
		t.Skip("the harness declares no fault injection")
	}
	if h.Faults == nil {
		t.Fatal("connectortest: Features.Faults is set but Harness.Faults is nil")
	}
	var sleeps atomic.Int64
	m := manager.Wrap(h.New(), manager.Options{
		MaxAttempts: 10, MaxWait: 24 * time.Hour, FailureThreshold: 1000, CheckCacheTTL: -1,
		Sleep: func(ctx context.Context, _ time.Duration) error { sleeps.Add(1); return ctx.Err() },
		Rand:  lockedRand(1),
	})
	h.Faults(t, true)
	t.Cleanup(func() { h.Faults(t, false) })
	conn := h.Connection(t)
	if err := m.Check(readCtx(t), conn); err != nil {
		t.Errorf("Check under faults: %v", err)
	}
	for _, s := range m.Streams() {
		var rec recorder
		if err := m.Read(readCtx(t), conn, s.Name, nil, &rec); err != nil {
			t.Errorf("read %s under faults: %v", s.Name, err)
			continue
		}
		ids := map[string]bool{}
		for _, r := range records(rec.transcript()) {
			ids[r.ExternalID] = true
		}
		if want := h.Expected(t, s.Name); len(ids) != want {
			t.Errorf("%s under faults: %d distinct records, the vendor has %d", s.Name, len(ids), want)
		}
	}
	if sleeps.Load() == 0 {
		t.Errorf("faults were on but no call had to be retried")
	}
}

// lockedRand is a seeded jitter source safe for concurrent use.
func lockedRand(seed uint64) func() float64 {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, seed))
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return r.Float64()
	}
}
