package jobs_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

func newStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "jobs.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

// clock is a settable time source shared by the runner and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestRunnerOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		handler    jobs.Handler
		maxAttempt int
		runs       int // RunOne calls, advancing the clock past any retry delay between them
		want       omnify.JobStatus
		wantCalls  int32
	}{
		{"success", func(context.Context, *omnify.Job, func(any)) (any, error) { return map[string]int{"n": 1}, nil },
			3, 1, omnify.JobSucceeded, 1},
		{"retried then succeeds", failTimes(1), 3, 2, omnify.JobSucceeded, 2},
		{"dead after max attempts", failTimes(10), 2, 3, omnify.JobDead, 2},
		{"permanent error is dead at once", func(context.Context, *omnify.Job, func(any)) (any, error) {
			return nil, jobs.Permanent(errors.New("bad payload"))
		}, 5, 2, omnify.JobDead, 1},
		{"panic is dead, not a crash", func(context.Context, *omnify.Job, func(any)) (any, error) {
			panic("boom")
		}, 3, 1, omnify.JobDead, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newStore(t)
			clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			r := jobs.NewRunner(db, jobs.Config{BaseDelay: time.Second}, nil, clk.Now)
			var calls atomic.Int32
			r.Handle("test", func(ctx context.Context, j *omnify.Job, report func(any)) (any, error) {
				calls.Add(1)
				report(map[string]int{"done": 1})
				return tt.handler(ctx, j, report)
			})
			j, err := r.Enqueue(t.Context(), jobs.NewJob{OrgID: "org-1", Kind: "test", Payload: map[string]string{"a": "b"}, MaxAttempts: tt.maxAttempt})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < tt.runs; i++ {
				r.RunOne(t.Context(), "w")
				clk.Add(time.Hour)
			}
			got, err := db.GetJob(t.Context(), "org-1", j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.want || calls.Load() != tt.wantCalls {
				t.Fatalf("status %s after %d calls, want %s after %d (error %q)", got.Status, calls.Load(), tt.want, tt.wantCalls, got.Error)
			}
		})
	}
}

func failTimes(n int32) jobs.Handler {
	var seen atomic.Int32
	return func(context.Context, *omnify.Job, func(any)) (any, error) {
		if seen.Add(1) <= n {
			return nil, errors.New("vendor returned 503")
		}
		return "ok", nil
	}
}

func TestEnqueueIdempotent(t *testing.T) {
	db := newStore(t)
	r := jobs.NewRunner(db, jobs.Config{}, nil, nil)
	nj := jobs.NewJob{OrgID: "org-1", Kind: "test", Payload: 1, IdempotencyKey: "k"}
	a, err := r.Enqueue(t.Context(), nj)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Enqueue(t.Context(), nj)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID {
		t.Fatalf("same idempotency key gave two jobs: %s and %s", a.ID, b.ID)
	}
}

func TestRunProcessesEveryJobOnce(t *testing.T) {
	db := newStore(t)
	r := jobs.NewRunner(db, jobs.Config{Workers: 4, Poll: 5 * time.Millisecond}, nil, nil)
	var mu sync.Mutex
	seen := map[string]int{}
	const n = 40
	done := make(chan struct{})
	r.Handle("count", func(_ context.Context, j *omnify.Job, _ func(any)) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		seen[j.ID]++
		if len(seen) == n {
			close(done)
		}
		return nil, nil
	})
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan struct{})
	go func() { r.Run(ctx); close(stopped) }()
	for i := 0; i < n; i++ {
		if _, err := r.Enqueue(t.Context(), jobs.NewJob{OrgID: "org-1", Kind: "count", Payload: i}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("jobs not processed in time")
	}
	cancel()
	<-stopped
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("job %s ran %d times", id, c)
		}
	}
}

func TestLongJobKeepsItsLease(t *testing.T) {
	db := newStore(t)
	const lease = 150 * time.Millisecond
	r := jobs.NewRunner(db, jobs.Config{Lease: lease}, nil, nil)
	release := make(chan struct{})
	started := make(chan struct{})
	r.Handle("long", func(ctx context.Context, _ *omnify.Job, _ func(any)) (any, error) {
		close(started)
		<-release
		return nil, nil
	})
	j, err := r.Enqueue(t.Context(), jobs.NewJob{OrgID: "org-1", Kind: "long", Payload: 1})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { r.RunOne(t.Context(), "w1"); close(done) }()
	<-started
	time.Sleep(3 * lease) // several leases pass while the handler runs
	if other, err := db.ClaimJob(t.Context(), []string{"long"}, "w2", time.Now(), lease); err == nil {
		t.Fatalf("a second worker took the running job %s", other.ID)
	}
	close(release)
	<-done
	got, err := db.GetJob(t.Context(), "org-1", j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != omnify.JobSucceeded || got.Attempts != 1 {
		t.Fatalf("job ended %s after %d attempts, want succeeded after 1", got.Status, got.Attempts)
	}
}
