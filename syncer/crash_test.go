package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/fake"
	"github.com/omnify-cloud/omnify/syncer"
)

// fault is one way a sync attempt dies.
type fault int

const (
	cancelAtRecord   fault = iota // the process is stopped mid-batch
	panicAtRecord                 // a connector bug panics mid-batch
	sinkFailsBefore               // storing a batch fails
	sinkFailsAfter                // a batch is stored, then the process dies before hearing so
	stateFailsBefore              // saving a checkpoint fails
	stateFailsAfter               // a checkpoint is saved, then the process dies before hearing so
	faults
)

func (f fault) String() string {
	return [...]string{"cancel at record", "panic at record", "sink fails before storing",
		"sink fails after storing", "checkpoint fails before saving", "checkpoint fails after saving"}[f]
}

var errCrash = errors.New("simulated crash")

// crashSink fails its n-th call, before or after storing.
type crashSink struct {
	inner syncer.Sink
	n     int64
	after bool
	calls atomic.Int64
}

func (s *crashSink) Store(ctx context.Context, orgID, connID, platform string, recs []connector.Record) error {
	if s.calls.Add(1) == s.n && !s.after {
		return errCrash
	}
	if err := s.inner.Store(ctx, orgID, connID, platform, recs); err != nil {
		return err
	}
	if s.calls.Load() == s.n {
		return errCrash
	}
	return nil
}

// crashStore fails the n-th checkpoint save, before or after saving.
type crashStore struct {
	syncer.Store
	n     int64
	after bool
	calls atomic.Int64
}

func (s *crashStore) SaveStreamState(ctx context.Context, st *omnify.StreamState, prev int64) error {
	if s.calls.Add(1) == s.n && !s.after {
		return errCrash
	}
	if err := s.Store.SaveStreamState(ctx, st, prev); err != nil {
		return err
	}
	if s.calls.Load() == s.n {
		return errCrash
	}
	return nil
}

// TestCrashAnywhereLosesAndDuplicatesNothing kills a full sync of 20,000
// orders at ten random points, restarting a new syncer on the same SQLite
// file each time; the store must end with exactly the source's records,
// and no saved state may move backwards.
func TestCrashAnywhereLosesAndDuplicatesNothing(t *testing.T) {
	t.Parallel()
	src := fake.New(42, 2000, 20000)
	e := newEnv(t, src)
	conn := e.connect()
	run, err := e.s.StartSync(t.Context(), orgID, conn.ID, omnify.SyncFull, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(42, 7))
	last := map[string]omnify.StreamState{}
	for i := range 10 {
		f := fault(rng.IntN(int(faults)))
		if i < int(faults) {
			f = fault(i) // every kind at least once
		}
		e.reopen()
		err := e.attempt(t, run, f, rng)
		if err == nil {
			t.Fatalf("crash %d (%s) did not happen", i, f)
		}
		t.Logf("crash %d: %s: %v (%d records read so far)", i, f, err, e.src.Emitted())
		last = wantForward(t, e, conn.ID, last)
	}
	e.reopen()
	e.restart()
	j := jobOf(t, e, run)
	if _, err := e.s.Handle(t.Context(), j, nil); err != nil {
		t.Fatalf("final attempt: %v", err)
	}
	wantForward(t, e, conn.ID, last)
	wantStoreMatchesSource(t, e.db, src)
	got, err := e.db.GetSyncRun(t.Context(), orgID, run.ID)
	if err != nil || got.Status != omnify.JobSucceeded {
		t.Fatalf("run after the final attempt: %+v %v", got, err)
	}
}

func jobOf(t *testing.T, e *env, run *omnify.SyncRun) *omnify.Job {
	t.Helper()
	j, err := e.db.GetJob(t.Context(), orgID, run.JobID)
	if err != nil {
		t.Fatal(err)
	}
	j.Attempts, j.MaxAttempts = 1, 100
	return j
}

// attempt runs the sync once with a fault armed at a random point and
// returns how it died.
func (e *env) attempt(t *testing.T, run *omnify.SyncRun, f fault, rng *rand.Rand) (err error) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	at := e.src.Emitted() + 1 + rng.Int64N(3000)
	n := 1 + rng.Int64N(6)
	e.src.OnRecord = nil
	switch f {
	case cancelAtRecord:
		e.src.OnRecord = func(_ string, k int64) {
			if k == at {
				cancel()
			}
		}
		e.restart()
	case panicAtRecord:
		e.src.OnRecord = func(_ string, k int64) {
			if k == at {
				panic(errCrash)
			}
		}
		e.restart()
	case sinkFailsBefore, sinkFailsAfter:
		e.restart(func(c *syncer.Config) { c.Sink = &crashSink{inner: c.Sink, n: n, after: f == sinkFailsAfter} })
	case stateFailsBefore, stateFailsAfter:
		e.restart(func(c *syncer.Config) { c.Store = &crashStore{Store: c.Store, n: n, after: f == stateFailsAfter} })
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %v", p)
		}
		e.src.OnRecord = nil
	}()
	_, err = e.s.Handle(ctx, jobOf(t, e, run), nil)
	return err
}

// wantForward fails if a stream's saved state or version is behind the
// last one seen, and returns the current states.
func wantForward(t *testing.T, e *env, connID string, last map[string]omnify.StreamState) map[string]omnify.StreamState {
	t.Helper()
	now := states(t, e, connID)
	for name, prev := range last {
		cur := now[name]
		a, err1 := fake.ParseState(prev.State)
		b, err2 := fake.ParseState(cur.State)
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		if cur.Version < prev.Version || b.Less(a) {
			t.Fatalf("%s state moved backwards: version %d %+v, then %d %+v", name, prev.Version, a, cur.Version, b)
		}
	}
	return now
}

// TestTwoWorkersOnOneRun runs the same sync twice at once, as happens when
// a job's lease expires while its first worker still runs: the version
// check on checkpoints stops one of them, and the store still ends exact.
func TestTwoWorkersOnOneRun(t *testing.T) {
	t.Parallel()
	src := fake.New(11, 500, 5000)
	src.PageSize = 100
	e := newEnv(t, src)
	conn := e.connect()
	run, err := e.s.StartSync(t.Context(), orgID, conn.ID, omnify.SyncFull, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := e.s.Handle(t.Context(), jobOf(t, e, run), nil)
			errs <- err
		}()
	}
	failed := 0
	for range 2 {
		if err := <-errs; err != nil {
			failed++
			t.Logf("one worker stopped: %v", err)
		}
	}
	if got, _ := e.db.GetSyncRun(t.Context(), orgID, run.ID); got.Status != omnify.JobSucceeded {
		if _, err := e.s.Handle(t.Context(), jobOf(t, e, run), nil); err != nil {
			t.Fatalf("retry after %d stopped workers: %v", failed, err)
		}
	}
	wantStoreMatchesSource(t, e.db, src)
}
