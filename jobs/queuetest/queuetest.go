// Package queuetest is the conformance suite every job transport passes:
// store polling (no transport) and RabbitMQ alike. It checks what users of
// the queue rely on: each job runs once, failures are retried with growing
// delay and then dead, redelivery is harmless, a job outlives the worker
// that died running it, and every way a job dies leaves exactly one
// message in the dead-letter queue.
package queuetest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

// Setup is one test's view of a transport.
type Setup struct {
	// Open returns a transport on the test's queues over its own
	// connection, as a separate process would have; nil Open means store
	// polling.
	Open func(t *testing.T) jobs.Transport
	// DeadLetters counts the messages in the dead-letter queue; nil when
	// the transport has none.
	DeadLetters func(t *testing.T) int
}

// Run runs the suite; setup is called once per test, which must get queues
// of its own.
func Run(t *testing.T, setup func(t *testing.T) Setup) {
	tests := []struct {
		name string
		f    func(*testing.T, Setup)
	}{
		{"ExactlyOnce", testExactlyOnce},
		{"RetryThenDead", testRetryThenDead},
		{"RedeliveryIsHarmless", testRedelivery},
		{"WorkerDiesMidJob", testWorkerDies},
		{"LostAnnouncement", testLostAnnouncement},
		{"DeadByPermanentError", testDeadByPermanentError},
		{"DeadOnLastAttemptLease", testDeadOnLastAttemptLease},
		{"DeadInSweeper", testDeadInSweeper},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, setup(t)) })
	}
}

// NewStore opens a migrated SQLite store in a temp dir.
func NewStore(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "jobs.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func newRunner(t *testing.T, s Setup, db *sqlite.DB, cfg jobs.Config) *jobs.Runner {
	if cfg.Poll == 0 {
		cfg.Poll = 10 * time.Millisecond
	}
	r := jobs.NewRunner(db, cfg, nil, nil)
	if s.Open != nil {
		r.UseTransport(s.Open(t))
	}
	return r
}

// start runs r until the test ends or the returned stop is called.
func start(t *testing.T, r *jobs.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// counter records the calls of a handler per job.
type counter struct {
	mu    sync.Mutex
	calls map[string][]time.Time
}

func (c *counter) add(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string][]time.Time{}
	}
	c.calls[id] = append(c.calls[id], time.Now())
	return len(c.calls[id])
}

func (c *counter) get(id string) []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.calls[id]...)
}

// waitStatus polls the store until job id has status want.
func waitStatus(t *testing.T, db *sqlite.DB, id string, want omnify.JobStatus, within time.Duration) *omnify.Job {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j, err := db.GetJob(context.Background(), "org-1", id)
		if err != nil {
			t.Fatalf("get job %s: %v", id, err)
		}
		if j.Status == want {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s after %v, want %s (error %q)", id, j.Status, within, want, j.Error)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func enqueue(t *testing.T, r *jobs.Runner, kind string, maxAttempts int) *omnify.Job {
	t.Helper()
	j, err := r.Enqueue(context.Background(), jobs.NewJob{OrgID: "org-1", Kind: kind, Payload: kind, MaxAttempts: maxAttempts})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return j
}

func testExactlyOnce(t *testing.T, s Setup) {
	db := NewStore(t)
	var c counter
	h := func(_ context.Context, j *omnify.Job, _ func(any)) (any, error) { c.add(j.ID); return nil, nil }
	var runners []*jobs.Runner
	for i := range 2 {
		r := newRunner(t, s, db, jobs.Config{Workers: 3, WorkerID: fmt.Sprintf("proc-%d", i)})
		r.Handle("count", h)
		start(t, r)
		runners = append(runners, r)
	}
	const n = 150
	ids := make([]string, n)
	for i := range ids {
		ids[i] = enqueue(t, runners[i%2], "count", 3).ID
	}
	for _, id := range ids {
		waitStatus(t, db, id, omnify.JobSucceeded, 20*time.Second)
	}
	time.Sleep(100 * time.Millisecond) // room for a stray second run to show up
	for _, id := range ids {
		if got := len(c.get(id)); got != 1 {
			t.Fatalf("job %s ran %d times, want once", id, got)
		}
	}
}

func testRetryThenDead(t *testing.T, s Setup) {
	db := NewStore(t)
	var c counter
	const base = 150 * time.Millisecond
	r := newRunner(t, s, db, jobs.Config{Workers: 2, BaseDelay: base})
	r.Handle("flaky", func(_ context.Context, j *omnify.Job, _ func(any)) (any, error) {
		c.add(j.ID)
		return nil, errors.New("upstream is down")
	})
	start(t, r)
	j := enqueue(t, r, "flaky", 3)
	dead := waitStatus(t, db, j.ID, omnify.JobDead, 15*time.Second)
	calls := c.get(j.ID)
	if len(calls) != 3 || dead.Attempts != 3 || dead.Error != "upstream is down" {
		t.Fatalf("dead job after %d calls: %+v, want 3 attempts with the handler's error", len(calls), dead)
	}
	// Delays of about base and 2×base (±25% jitter when polling).
	gap1, gap2 := calls[1].Sub(calls[0]), calls[2].Sub(calls[1])
	if gap1 < base*3/4 || gap2 < base*3/2 || gap2 <= gap1 {
		t.Fatalf("retry gaps %v then %v, want ≥%v then ≥%v and growing", gap1, gap2, base*3/4, base*3/2)
	}
	if s.DeadLetters != nil {
		deadline := time.Now().Add(5 * time.Second)
		for s.DeadLetters(t) != 1 {
			if time.Now().After(deadline) {
				t.Fatalf("dead-letter queue holds %d messages, want 1", s.DeadLetters(t))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// An admin retry gives the job a fresh budget.
	if _, err := r.Retry(context.Background(), "org-1", j.ID); err != nil {
		t.Fatalf("retry dead job: %v", err)
	}
	waitStatus(t, db, j.ID, omnify.JobDead, 15*time.Second)
	if got := len(c.get(j.ID)); got != 6 {
		t.Fatalf("retried job ran %d times in all, want 6", got)
	}
}

func testRedelivery(t *testing.T, s Setup) {
	db := NewStore(t)
	var c counter
	r := newRunner(t, s, db, jobs.Config{Workers: 2})
	r.Handle("once", func(_ context.Context, j *omnify.Job, _ func(any)) (any, error) { c.add(j.ID); return nil, nil })
	start(t, r)
	j := enqueue(t, r, "once", 3)
	waitStatus(t, db, j.ID, omnify.JobSucceeded, 10*time.Second)
	if s.Open != nil {
		tr := s.Open(t)
		for range 3 {
			if err := tr.Publish(context.Background(), j.ID, 0); err != nil {
				t.Fatalf("publish again: %v", err)
			}
		}
		if err := tr.Publish(context.Background(), "no-such-job", 0); err != nil {
			t.Fatalf("publish unknown job: %v", err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if got := len(c.get(j.ID)); got != 1 {
		t.Fatalf("redelivered job ran %d times, want once", got)
	}
	if got := waitStatus(t, db, j.ID, omnify.JobSucceeded, time.Second); got.Attempts != 1 {
		t.Fatalf("redelivered job has %d attempts, want 1", got.Attempts)
	}
}

func testWorkerDies(t *testing.T, s Setup) {
	db := NewStore(t)
	var c counter
	h := func(ctx context.Context, j *omnify.Job, _ func(any)) (any, error) {
		if c.add(j.ID) == 1 {
			<-ctx.Done() // the first worker hangs until it is killed
			return nil, ctx.Err()
		}
		return "done", nil
	}
	cfg := jobs.Config{Workers: 1, Lease: time.Second, Sweep: time.Minute}
	first := newRunner(t, s, db, cfg)
	first.Handle("slow", h)
	stopFirst := start(t, first)
	j := enqueue(t, first, "slow", 3)
	waitStatus(t, db, j.ID, omnify.JobRunning, 10*time.Second)
	second := newRunner(t, s, db, cfg)
	second.Handle("slow", h)
	start(t, second)
	stopFirst() // its channel closes with the message unacknowledged
	got := waitStatus(t, db, j.ID, omnify.JobSucceeded, 15*time.Second)
	if n := len(c.get(j.ID)); n != 2 || got.Attempts != 2 {
		t.Fatalf("job ran %d times with %d attempts, want 2 and 2", n, got.Attempts)
	}
}

func testLostAnnouncement(t *testing.T, s Setup) {
	db := NewStore(t)
	var c counter
	r := newRunner(t, s, db, jobs.Config{Workers: 1, Sweep: 200 * time.Millisecond})
	r.Handle("orphan", func(_ context.Context, j *omnify.Job, _ func(any)) (any, error) { c.add(j.ID); return nil, nil })
	start(t, r)
	// Stored but never announced, as after a crash between the two.
	now := time.Now().UTC()
	j, err := db.EnqueueJob(context.Background(), &omnify.Job{OrgID: "org-1", Kind: "orphan", MaxAttempts: 3,
		RunAt: now, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatalf("store job: %v", err)
	}
	waitStatus(t, db, j.ID, omnify.JobSucceeded, 10*time.Second)
	if n := len(c.get(j.ID)); n != 1 {
		t.Fatalf("orphan job ran %d times, want once", n)
	}
}

// wantDeadLetters waits until the dead-letter queue holds want messages and
// checks that no more arrive shortly after.
func wantDeadLetters(t *testing.T, s Setup, want int) {
	t.Helper()
	if s.DeadLetters == nil {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.DeadLetters(t) < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	if got := s.DeadLetters(t); got != want {
		t.Fatalf("dead-letter queue holds %d messages, want %d", got, want)
	}
}

// testDeadByPermanentError: a permanent error and a panic kill a job at
// its first attempt.
func testDeadByPermanentError(t *testing.T, s Setup) {
	db := NewStore(t)
	r := newRunner(t, s, db, jobs.Config{Workers: 2})
	r.Handle("refused", func(context.Context, *omnify.Job, func(any)) (any, error) {
		return nil, jobs.Permanent(errors.New("credentials revoked"))
	})
	r.Handle("panics", func(context.Context, *omnify.Job, func(any)) (any, error) { panic("bad record") })
	start(t, r)
	for _, kind := range []string{"refused", "panics"} {
		j := enqueue(t, r, kind, 3)
		if got := waitStatus(t, db, j.ID, omnify.JobDead, 10*time.Second); got.Attempts != 1 {
			t.Fatalf("%s job dead after %d attempts, want 1", kind, got.Attempts)
		}
	}
	wantDeadLetters(t, s, 2)
}

// testDeadOnLastAttemptLease: the worker running a job's last attempt
// dies; the store buries the job when the next worker claims it.
func testDeadOnLastAttemptLease(t *testing.T, s Setup) {
	db := NewStore(t)
	var c counter
	h := func(ctx context.Context, j *omnify.Job, _ func(any)) (any, error) {
		c.add(j.ID)
		<-ctx.Done() // hangs until its worker is stopped
		return nil, ctx.Err()
	}
	cfg := jobs.Config{Workers: 1, Lease: time.Second, Sweep: time.Minute, Poll: 50 * time.Millisecond}
	first := newRunner(t, s, db, cfg)
	first.Handle("last", h)
	stopFirst := start(t, first)
	j := enqueue(t, first, "last", 1)
	waitStatus(t, db, j.ID, omnify.JobRunning, 10*time.Second)
	second := newRunner(t, s, db, cfg)
	second.Handle("last", h)
	start(t, second)
	stopFirst()
	dead := waitStatus(t, db, j.ID, omnify.JobDead, 15*time.Second)
	if n := len(c.get(j.ID)); n != 1 || dead.Error == "" {
		t.Fatalf("job ran %d times and died with %q, want once with the lease's error", n, dead.Error)
	}
	wantDeadLetters(t, s, 1)
}

// testDeadInSweeper: a job whose announcement was lost dies in the
// sweeper, which has no delivery to dead-letter.
func testDeadInSweeper(t *testing.T, s Setup) {
	db := NewStore(t)
	r := newRunner(t, s, db, jobs.Config{Workers: 1, Sweep: 200 * time.Millisecond})
	r.Handle("orphan", func(context.Context, *omnify.Job, func(any)) (any, error) {
		return nil, jobs.Permanent(errors.New("unknown platform"))
	})
	start(t, r)
	now := time.Now().UTC()
	j, err := db.EnqueueJob(context.Background(), &omnify.Job{OrgID: "org-1", Kind: "orphan", MaxAttempts: 3,
		RunAt: now, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatalf("store job: %v", err)
	}
	waitStatus(t, db, j.ID, omnify.JobDead, 10*time.Second)
	wantDeadLetters(t, s, 1)
}
