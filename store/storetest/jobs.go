package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var jobTests = []suiteTest{
	{"Job/EnqueueGet", testJobEnqueueGet},
	{"Job/Idempotency", testJobIdempotency},
	{"Job/ClaimOrder", testJobClaimOrder},
	{"Job/LeaseExpiry", testJobLeaseExpiry},
	{"Job/ExtendLease", testJobExtendLease},
	{"Job/FailRetryDead", testJobFailRetryDead},
	{"Job/CompleteAndProgress", testJobComplete},
	{"Job/StateGuards", testJobStateGuards},
	{"Job/Pagination", testJobPagination},
	{"Job/ConcurrentClaim", testJobConcurrentClaim},
	{"Job/ClaimByID", testJobClaimByID},
}

func newJob(id, kind string, runAt time.Time) *omnify.Job {
	return &omnify.Job{
		ID: id, OrgID: "org-1", Kind: kind, Payload: json.RawMessage(`{"platform": "shopify", "full": true}`),
		MaxAttempts: 3, RunAt: runAt, CreatedAt: runAt, UpdatedAt: runAt,
	}
}

func mustEnqueue(t *testing.T, s store.Store, j *omnify.Job) *omnify.Job {
	t.Helper()
	got, err := s.EnqueueJob(t.Context(), j)
	must(t, err, "enqueue "+j.ID)
	return got
}

func mustClaim(t *testing.T, s store.Store, kinds []string, worker string, now time.Time) *omnify.Job {
	t.Helper()
	j, err := s.ClaimJob(t.Context(), kinds, worker, now, time.Minute)
	must(t, err, "claim")
	return j
}

func wantNoClaim(t *testing.T, s store.Store, kinds []string, now time.Time) {
	t.Helper()
	j, err := s.ClaimJob(t.Context(), kinds, "w", now, time.Minute)
	if !errors.Is(err, omnify.ErrNotFound) {
		t.Fatalf("claim at %v: got job %+v err %v, want ErrNotFound", now, j, err)
	}
}

func mustGetJob(t *testing.T, s store.Store, id string) *omnify.Job {
	t.Helper()
	j, err := s.GetJob(t.Context(), "org-1", id)
	must(t, err, "get job "+id)
	return j
}

func testJobEnqueueGet(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	j := newJob("job-1", "sync", t0)
	j.IdempotencyKey = "sync:shopify:2026-03-14"
	got := mustEnqueue(t, s, j)
	want := *j
	want.Status = omnify.JobQueued
	assertEqual(t, got, want, "enqueued job")
	assertEqual(t, mustGetJob(t, s, "job-1"), want, "stored job")

	d, err := s.EnqueueJob(t.Context(), &omnify.Job{OrgID: "org-1", Kind: "sync"})
	must(t, err, "enqueue with defaults")
	if d.ID == "" || d.Status != omnify.JobQueued || d.MaxAttempts < 1 || d.CreatedAt.IsZero() || d.Attempts != 0 {
		t.Fatalf("defaults not applied: %+v", d)
	}
	_, err = s.GetJob(t.Context(), "org-1", "missing")
	wantErr(t, err, omnify.ErrNotFound, "missing job")
	_, err = s.EnqueueJob(t.Context(), newJob("job-1", "sync", t0))
	wantErr(t, err, omnify.ErrConflict, "same job ID twice")
}

func testJobIdempotency(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	mustOrg(t, s, "org-2")
	first := newJob("job-1", "sync", t0)
	first.IdempotencyKey = "key-1"
	mustEnqueue(t, s, first)

	again := newJob("job-2", "sync", at(time.Minute))
	again.IdempotencyKey = "key-1"
	got, err := s.EnqueueJob(t.Context(), again)
	wantErr(t, err, omnify.ErrConflict, "same idempotency key")
	if got == nil || got.ID != "job-1" {
		t.Fatalf("conflicting enqueue returned %+v, want the existing job-1", got)
	}
	_, err = s.GetJob(t.Context(), "org-1", "job-2")
	wantErr(t, err, omnify.ErrNotFound, "duplicate stored")

	other := newJob("job-3", "sync", t0)
	other.OrgID, other.IdempotencyKey = "org-2", "key-1"
	mustEnqueue(t, s, other)
	mustEnqueue(t, s, newJob("job-4", "sync", t0)) // empty keys never collide
	mustEnqueue(t, s, newJob("job-5", "sync", t0))
}

func testJobClaimOrder(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	mustEnqueue(t, s, newJob("job-late", "sync", at(time.Minute)))
	mustEnqueue(t, s, newJob("job-early", "sync", t0))
	mustEnqueue(t, s, newJob("job-future", "sync", at(time.Hour)))
	mustEnqueue(t, s, newJob("job-other", "eyes.run", t0))

	now := at(2 * time.Minute)
	j := mustClaim(t, s, []string{"sync"}, "worker-1", now)
	if j.ID != "job-early" || j.Status != omnify.JobRunning || j.Attempts != 1 || j.LockedBy != "worker-1" {
		t.Fatalf("claimed %+v, want job-early running, attempt 1, locked by worker-1", j)
	}
	assertEqual(t, j.LockedUntil, now.Add(time.Minute), "lease end")
	assertEqual(t, mustGetJob(t, s, j.ID), j, "stored claimed job")
	if j := mustClaim(t, s, []string{"sync"}, "worker-2", now); j.ID != "job-late" {
		t.Fatalf("second claim took %s, want job-late", j.ID)
	}
	wantNoClaim(t, s, []string{"sync"}, now)
	if j := mustClaim(t, s, []string{"nothing", "eyes.run"}, "w", now); j.ID != "job-other" {
		t.Fatalf("claim by kind took %s", j.ID)
	}
	for _, id := range []string{"job-early", "job-late", "job-other"} {
		must(t, s.CompleteJob(t.Context(), id, nil, now), "complete "+id)
	}
	if j := mustClaim(t, s, []string{"sync"}, "w", at(time.Hour)); j.ID != "job-future" {
		t.Fatalf("claim at RunAt took %s", j.ID)
	}
}

func testJobExtendLease(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustEnqueue(t, s, newJob("job-1", "sync", t0))
	mustClaim(t, s, nil, "worker-1", t0) // lease one minute
	must(t, s.ExtendJobLease(ctx, "job-1", "worker-1", at(10*time.Minute)), "extend lease")
	wantNoClaim(t, s, nil, at(5*time.Minute))
	wantErr(t, s.ExtendJobLease(ctx, "job-1", "worker-2", at(time.Hour)), omnify.ErrConflict, "extend another worker's lease")
	if j := mustClaim(t, s, nil, "worker-2", at(11*time.Minute)); j.ID != "job-1" {
		t.Fatalf("after the extended lease expired, claimed %s", j.ID)
	}
	wantErr(t, s.ExtendJobLease(ctx, "job-1", "worker-1", at(time.Hour)), omnify.ErrConflict, "extend a lost lease")
	wantErr(t, s.ExtendJobLease(ctx, "missing", "worker-1", at(time.Hour)), omnify.ErrNotFound, "extend a missing job")
}

func testJobLeaseExpiry(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	mustEnqueue(t, s, newJob("job-1", "sync", t0))
	mustClaim(t, s, nil, "worker-1", t0)
	wantNoClaim(t, s, nil, at(30*time.Second))
	j := mustClaim(t, s, nil, "worker-2", at(2*time.Minute))
	if j.ID != "job-1" || j.Attempts != 2 || j.LockedBy != "worker-2" {
		t.Fatalf("reclaimed %+v, want job-1 attempt 2 by worker-2", j)
	}

	last := newJob("job-2", "once", t0)
	last.MaxAttempts = 1
	mustEnqueue(t, s, last)
	mustClaim(t, s, []string{"once"}, "worker-1", t0)
	wantNoClaim(t, s, []string{"once"}, at(time.Hour))
	if got := mustGetJob(t, s, "job-2"); got.Status != omnify.JobDead {
		t.Fatalf("job whose last lease expired is %s, want dead", got.Status)
	}
}

func testJobFailRetryDead(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	j := newJob("job-1", "sync", t0)
	j.MaxAttempts = 2
	mustEnqueue(t, s, j)
	mustClaim(t, s, nil, "w", t0)
	retryAt := at(10 * time.Minute)
	must(t, s.FailJob(ctx, "job-1", "vendor said 503", retryAt), "fail")
	got := mustGetJob(t, s, "job-1")
	if got.Status != omnify.JobFailed || got.Error != "vendor said 503" || got.Attempts != 1 {
		t.Fatalf("after first failure: %+v", got)
	}
	assertEqual(t, got.RunAt, retryAt, "retry time")
	wantNoClaim(t, s, nil, at(5*time.Minute))

	mustClaim(t, s, nil, "w", retryAt)
	must(t, s.FailJob(ctx, "job-1", "still 503", at(time.Hour)), "fail again")
	if got := mustGetJob(t, s, "job-1"); got.Status != omnify.JobDead || got.Attempts != 2 {
		t.Fatalf("after last attempt: %+v, want dead", got)
	}
	wantNoClaim(t, s, nil, at(48*time.Hour))

	now := at(50 * time.Hour)
	must(t, s.RetryJob(ctx, "org-1", "job-1", now), "retry dead job")
	got = mustGetJob(t, s, "job-1")
	if got.Status != omnify.JobQueued || got.Attempts != 0 {
		t.Fatalf("retried job: %+v", got)
	}
	if c := mustClaim(t, s, nil, "w", now); c.ID != "job-1" || c.Attempts != 1 {
		t.Fatalf("claim after retry: %+v", c)
	}
	wantErr(t, s.RetryJob(ctx, "org-1", "job-1", now), omnify.ErrConflict, "retry a running job")
	wantErr(t, s.RetryJob(ctx, "org-1", "missing", now), omnify.ErrNotFound, "retry missing job")

	// A zero retry time is a permanent failure: dead with attempts left.
	must(t, s.FailJob(ctx, "job-1", "bad payload", time.Time{}), "fail permanently")
	if got := mustGetJob(t, s, "job-1"); got.Status != omnify.JobDead || got.Attempts != 1 {
		t.Fatalf("after permanent failure: %+v, want dead after one attempt", got)
	}
}

func testJobComplete(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustEnqueue(t, s, newJob("job-1", "sync", t0))
	mustClaim(t, s, nil, "w", t0)
	progress := json.RawMessage(`{"done": 40, "total": 100}`)
	must(t, s.SetJobProgress(ctx, "job-1", progress), "progress")
	assertEqual(t, mustGetJob(t, s, "job-1").Progress, progress, "progress")

	result := json.RawMessage(`{"customers": 1200, "orders": [1, 2, 3]}`)
	done := at(time.Minute)
	must(t, s.CompleteJob(ctx, "job-1", result, done), "complete")
	got := mustGetJob(t, s, "job-1")
	if got.Status != omnify.JobSucceeded {
		t.Fatalf("status after complete = %s", got.Status)
	}
	assertEqual(t, got.Result, result, "result")
	assertEqual(t, got.UpdatedAt, done, "updated at")
	wantNoClaim(t, s, nil, at(time.Hour))
}

func testJobStateGuards(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustEnqueue(t, s, newJob("job-1", "sync", t0))
	wantErr(t, s.CompleteJob(ctx, "job-1", nil, t0), omnify.ErrConflict, "complete a queued job")
	wantErr(t, s.FailJob(ctx, "job-1", "x", t0), omnify.ErrConflict, "fail a queued job")
	wantErr(t, s.SetJobProgress(ctx, "job-1", json.RawMessage(`{}`)), omnify.ErrConflict, "progress of a queued job")
	wantErr(t, s.RetryJob(ctx, "org-1", "job-1", t0), omnify.ErrConflict, "retry a queued job")
	wantErr(t, s.CompleteJob(ctx, "missing", nil, t0), omnify.ErrNotFound, "complete missing")
	wantErr(t, s.FailJob(ctx, "missing", "x", t0), omnify.ErrNotFound, "fail missing")
	wantErr(t, s.SetJobProgress(ctx, "missing", nil), omnify.ErrNotFound, "progress of missing")
	if got := mustGetJob(t, s, "job-1"); got.Status != omnify.JobQueued {
		t.Fatalf("guarded calls changed the job: %+v", got)
	}
}

func testJobPagination(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	var want []string
	for i := range 9 {
		j := newJob(fmt.Sprintf("job-%d", i), "sync", at(time.Duration(i/3)*time.Minute))
		want = append(want, mustEnqueue(t, s, j).ID)
	}
	got, pages := walk(t, 2, func(p store.Page) ([]omnify.Job, string, error) {
		return s.ListJobs(t.Context(), "org-1", p)
	})
	wantPages(t, pages, 5)
	wantSameSet(t, ids(got, func(j omnify.Job) string { return j.ID }), want, "jobs")
	for i := 1; i < len(got); i++ {
		if got[i].CreatedAt.After(got[i-1].CreatedAt) {
			t.Fatalf("jobs not newest first at %d", i)
		}
	}
	_, _, err := s.ListJobs(t.Context(), "org-1", store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

// testJobConcurrentClaim has 8 workers drain the queue at once: every job
// must be handed out exactly once.
func testJobConcurrentClaim(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	var want []string
	for i := range 48 {
		want = append(want, mustEnqueue(t, s, newJob(fmt.Sprintf("job-%02d", i), "sync", t0)).ID)
	}
	var (
		mu      sync.Mutex
		claimed []string
		wg      sync.WaitGroup
	)
	for w := range 8 {
		wg.Go(func() {
			for {
				j, err := s.ClaimJob(t.Context(), []string{"sync"}, fmt.Sprintf("worker-%d", w), at(time.Minute), time.Hour)
				if errors.Is(err, omnify.ErrNotFound) {
					return
				}
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				mu.Lock()
				claimed = append(claimed, j.ID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	wantSameSet(t, claimed, want, "claimed jobs")
}

func testJobClaimByID(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	mustEnqueue(t, s, newJob("job-now", "sync", t0))
	mustEnqueue(t, s, newJob("job-later", "sync", at(time.Hour)))
	claim := func(id, worker string, now time.Time) (*omnify.Job, error) {
		return s.ClaimJobByID(t.Context(), id, worker, now, time.Minute)
	}
	j, err := claim("job-now", "worker-1", t0)
	must(t, err, "claim job-now")
	if j.Status != omnify.JobRunning || j.Attempts != 1 || j.LockedBy != "worker-1" {
		t.Fatalf("claimed %+v, want running attempt 1 by worker-1", j)
	}
	cases := []struct {
		id     string
		now    time.Time
		want   error
		status omnify.JobStatus
	}{
		{"job-now", at(30 * time.Second), omnify.ErrConflict, omnify.JobRunning},
		{"job-later", t0, omnify.ErrConflict, omnify.JobQueued},
		{"job-missing", t0, omnify.ErrNotFound, ""},
	}
	for _, c := range cases {
		got, err := claim(c.id, "worker-2", c.now)
		if !errors.Is(err, c.want) {
			t.Fatalf("claim %s: err %v, want %v", c.id, err, c.want)
		}
		if c.status != "" && (got == nil || got.Status != c.status || got.ID != c.id) {
			t.Fatalf("claim %s: got %+v, want it back %s", c.id, got, c.status)
		}
	}
	j, err = claim("job-now", "worker-2", at(2*time.Minute))
	must(t, err, "reclaim after lease expiry")
	if j.Attempts != 2 || j.LockedBy != "worker-2" {
		t.Fatalf("reclaimed %+v, want attempt 2 by worker-2", j)
	}
	must(t, s.CompleteJob(t.Context(), "job-now", json.RawMessage(`{}`), at(2*time.Minute)), "complete")
	if got, err := claim("job-now", "worker-3", at(time.Hour)); !errors.Is(err, omnify.ErrConflict) || got.Status != omnify.JobSucceeded {
		t.Fatalf("claim of a succeeded job: %+v %v, want it back with ErrConflict", got, err)
	}

	last := newJob("job-last", "sync", t0)
	last.MaxAttempts = 1
	mustEnqueue(t, s, last)
	if _, err := claim("job-last", "worker-1", t0); err != nil {
		t.Fatalf("claim job-last: %v", err)
	}
	if got, err := claim("job-last", "worker-2", at(time.Hour)); !errors.Is(err, omnify.ErrConflict) || got.Status != omnify.JobDead {
		t.Fatalf("claim after the last lease expired: %+v %v, want dead with ErrConflict", got, err)
	}
}
