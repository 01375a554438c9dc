package syncer_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/fake"
	"github.com/omnify-cloud/omnify/syncer"
)

func TestFullThenIncrementalThenBackfill(t *testing.T) {
	t.Parallel()
	src := fake.New(1, 300, 2000)
	e := newEnv(t, src)
	conn := e.connect()

	run := e.sync(conn.ID, omnify.SyncFull)
	if run.Status != omnify.JobSucceeded {
		t.Fatalf("full sync %s: %s", run.Status, run.Error)
	}
	wantStoreMatchesSource(t, e.db, src)
	wantProgress(t, run, fake.StreamOrders, 2000, 2000, 2000)
	wantProgress(t, run, fake.StreamCustomers, 300, 300, 300)
	c := e.connection(conn.ID)
	if c.Health != omnify.HealthHealthy || c.LastSyncAt.IsZero() {
		t.Fatalf("after a good sync: health %s, last sync %v", c.Health, c.LastSyncAt)
	}

	src.Update(40)
	run = e.sync(conn.ID, omnify.SyncIncremental)
	wantStoreMatchesSource(t, e.db, src)
	if got := run.Progress[fake.StreamOrders].Read; got < 1 || got > 40 {
		t.Fatalf("incremental sync read %d orders after 40 (or fewer distinct) updates", got)
	}
	if got := run.Progress[fake.StreamCustomers].Read; got != 0 {
		t.Fatalf("incremental sync reread %d unchanged customers", got)
	}

	before := states(t, e, conn.ID)
	run = e.sync(conn.ID, omnify.SyncBackfill, fake.StreamOrders)
	wantProgress(t, run, fake.StreamOrders, 2000, 2000, 2000)
	if _, ok := run.Progress[fake.StreamCustomers]; ok {
		t.Fatal("a backfill of orders touched customers")
	}
	after := states(t, e, conn.ID)
	if string(after[fake.StreamCustomers].State) != string(before[fake.StreamCustomers].State) ||
		after[fake.StreamCustomers].Version != before[fake.StreamCustomers].Version {
		t.Fatal("a backfill of orders changed the customers' state")
	}
	if after[fake.StreamOrders].Version <= before[fake.StreamOrders].Version {
		t.Fatal("the backfilled stream's state version did not move on")
	}
	wantStoreMatchesSource(t, e.db, src)
}

func TestFullResyncLeavesNoDuplicates(t *testing.T) {
	t.Parallel()
	src := fake.New(2, 100, 1200)
	e := newEnv(t, src)
	conn := e.connect()
	for range 3 {
		if run := e.sync(conn.ID, omnify.SyncFull); run.Status != omnify.JobSucceeded {
			t.Fatalf("full sync: %s", run.Error)
		}
	}
	wantStoreMatchesSource(t, e.db, src)
	n, err := e.db.CountCustomers(t.Context(), orgID)
	if err != nil || n != 100 {
		t.Fatalf("%d customers after three full syncs, want 100 (%v)", n, err)
	}
}

func wantProgress(t *testing.T, run *omnify.SyncRun, stream string, read, stored, total int64) {
	t.Helper()
	p := run.Progress[stream]
	if p.Read != read || p.Stored != stored || p.Total != total || !p.Done {
		t.Fatalf("%s progress %+v, want read %d stored %d total %d done", stream, p, read, stored, total)
	}
}

func states(t *testing.T, e *env, connID string) map[string]omnify.StreamState {
	t.Helper()
	ss, err := e.db.ListStreamStates(t.Context(), orgID, connID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]omnify.StreamState{}
	for _, s := range ss {
		out[s.Stream] = s
	}
	return out
}

func TestBackOffWaitsAndResumes(t *testing.T) {
	t.Parallel()
	src := fake.New(3, 50, 1000)
	var pages atomic.Int32
	src.BeforePage = func(stream string, page int) error {
		// The third and fourth calls ask for the same page: the second
		// Read resumes from the checkpoint after page two.
		if n := pages.Add(1); stream == fake.StreamOrders && (n == 3 || n == 4) {
			return connector.BackOff(3*time.Second, "the shop throttled the query", nil)
		}
		return nil
	}
	sink := &countingSink{}
	e := newEnv(t, src, func(c *syncer.Config) { c.Sink = sink })
	conn := e.connect()
	run := e.sync(conn.ID, omnify.SyncFull)
	if run.Status != omnify.JobSucceeded {
		t.Fatalf("sync: %s %s", run.Status, run.Error)
	}
	if w := e.sleep.Waits(); len(w) != 2 || w[0] != 3*time.Second || w[1] != 3*time.Second {
		t.Fatalf("waits %v, want two of 3s", w)
	}
	if n := sink.count(fake.StreamOrders); n != 1000 {
		t.Fatalf("stored %d orders, want each of 1000 once", n)
	}
}

func TestTooManyBackOffsFailTheAttempt(t *testing.T) {
	t.Parallel()
	src := fake.New(4, 10, 600)
	var pages atomic.Int32
	src.BeforePage = func(stream string, page int) error {
		if stream == fake.StreamOrders && pages.Add(1) > 1 {
			return connector.BackOff(time.Second, "the shop is down for maintenance", nil)
		}
		return nil
	}
	e := newEnv(t, src, func(c *syncer.Config) { c.MaxBackOffs = 3 })
	conn := e.connect()
	for attempt, want := range []omnify.Health{omnify.HealthDegraded, omnify.HealthDegraded, omnify.HealthFailing} {
		run := e.runFailing(conn.ID)
		c := e.connection(conn.ID)
		if c.Health != want || c.Failures != attempt+1 || !strings.Contains(c.LastError, "maintenance") {
			t.Fatalf("attempt %d: health %s after %d failures, error %q", attempt+1, c.Health, c.Failures, c.LastError)
		}
		if !c.NextRetryAt.After(time.Now()) {
			t.Fatalf("next retry %v is not in the future", c.NextRetryAt)
		}
		if run.Status != omnify.JobFailed {
			t.Fatalf("run status %s, want failed (to be retried)", run.Status)
		}
	}
	if w := len(e.sleep.Waits()); w != 9 {
		t.Fatalf("waited %d times over three attempts, want 3 each", w)
	}
	src.BeforePage = nil
	if !e.jobs.RunOne(t.Context(), "test") { // the job's retry
		t.Fatal("no job to retry")
	}
	rs, _, err := e.db.ListSyncRuns(t.Context(), orgID, conn.ID, storePage1)
	if err != nil {
		t.Fatal(err)
	}
	run := &rs[0]
	if run.Status != omnify.JobSucceeded || e.connection(conn.ID).Health != omnify.HealthHealthy {
		t.Fatalf("recovery: run %s, health %s", run.Status, e.connection(conn.ID).Health)
	}
	wantStoreMatchesSource(t, e.db, src)
}

// runFailing runs one attempt of the connection's current or a new sync
// and returns its run.
func (e *env) runFailing(connID string) *omnify.SyncRun {
	e.t.Helper()
	run, err := e.s.StartSync(context.Background(), orgID, connID, omnify.SyncIncremental, nil)
	if errors.Is(err, syncer.ErrBusy) {
		rs, _, lerr := e.db.ListSyncRuns(context.Background(), orgID, connID, storePage1)
		if lerr != nil || len(rs) == 0 {
			e.t.Fatal(lerr)
		}
		run, err = &rs[0], nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	j, err := e.db.GetJob(context.Background(), orgID, run.JobID)
	if err != nil {
		e.t.Fatal(err)
	}
	j.Attempts++
	if _, err := e.s.Handle(context.Background(), j, nil); err == nil {
		e.t.Fatal("the attempt succeeded")
	}
	got, err := e.db.GetSyncRun(context.Background(), orgID, run.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func TestAuthFailureDisconnects(t *testing.T) {
	t.Parallel()
	src := fake.New(5, 10, 10)
	e := newEnv(t, src)
	conn := e.connect()
	src.Token = "tok_rotatedbyshop"
	run := e.sync(conn.ID, omnify.SyncIncremental)
	if run.Status != omnify.JobDead || run.FinishedAt == nil {
		t.Fatalf("run after refused credentials: %s", run.Status)
	}
	j, err := e.db.GetJob(t.Context(), orgID, run.JobID)
	if err != nil || j.Status != omnify.JobDead || j.Attempts != 1 {
		t.Fatalf("job after refused credentials: %+v %v; want dead after one attempt", j, err)
	}
	c := e.connection(conn.ID)
	if c.Health != omnify.HealthDisconnected || !strings.Contains(c.LastError, "refused the credentials") {
		t.Fatalf("health %s, error %q", c.Health, c.LastError)
	}
	if strings.Contains(c.LastError, fake.Token) || strings.Contains(run.Error, fake.Token) || strings.Contains(j.Error, fake.Token) {
		t.Fatal("an error message carries the token")
	}
	if _, err := e.s.StartSync(t.Context(), orgID, conn.ID, omnify.SyncIncremental, nil); !errors.Is(err, syncer.ErrDisconnected) {
		t.Fatalf("sync of a disconnected connection: %v", err)
	}
	due, err := e.db.ListConnectionsDue(t.Context(), time.Now().Add(24*time.Hour))
	if err != nil || len(due) != 0 {
		t.Fatalf("a disconnected connection is scheduled: %d (%v)", len(due), err)
	}
}

func TestProgressIsSavedWhileRunning(t *testing.T) {
	t.Parallel()
	src := fake.New(6, 0, 3000)
	var seen []int64
	var e *env
	sink := sinkFunc(func(ctx context.Context, _, connID, _ string, recs []connector.Record) error {
		rs, _, err := e.db.ListSyncRuns(ctx, orgID, connID, storePage1)
		if err != nil || len(rs) == 0 {
			return errors.Join(err, errors.New("no run"))
		}
		p := rs[0].Progress[fake.StreamOrders]
		if rs[0].Status != omnify.JobRunning || (p.Stored > 0 && p.Total != 3000) {
			return errors.New("run not running with its total")
		}
		seen = append(seen, p.Stored)
		return nil
	})
	e = newEnv(t, src, func(c *syncer.Config) {
		c.Sink, c.BatchSize, c.ProgressEvery = sink, 200, time.Nanosecond
	})
	conn := e.connect()
	run := e.sync(conn.ID, omnify.SyncFull)
	if run.Status != omnify.JobSucceeded {
		t.Fatalf("sync: %s", run.Error)
	}
	// Batches of 200 within pages of 250: two flushes a page.
	if len(seen) != 24 || seen[0] != 0 || seen[1] != 200 || seen[23] != 2950 {
		t.Fatalf("stored counts seen by the sink: %v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Fatalf("progress went backwards: %v", seen)
		}
	}
	job, err := e.db.GetJob(t.Context(), orgID, run.JobID)
	if err != nil {
		t.Fatal(err)
	}
	var jp map[string]omnify.StreamProgress
	if err := json.Unmarshal(job.Progress, &jp); err != nil || jp[fake.StreamOrders].Stored != 3000 {
		t.Fatalf("job progress %s (%v)", job.Progress, err)
	}
}

func TestWrapDecoratesEveryCall(t *testing.T) {
	t.Parallel()
	src := fake.New(7, 20, 20)
	var calls atomic.Int32
	e := newEnv(t, src, func(c *syncer.Config) {
		c.Wrap = func(inner connector.Connector) connector.Connector { return &countingConnector{inner, &calls} }
	})
	conn := e.connect()
	if run := e.sync(conn.ID, omnify.SyncFull); run.Status != omnify.JobSucceeded {
		t.Fatal(run.Error)
	}
	if calls.Load() != 3 { // one check, two stream reads
		t.Fatalf("decorator saw %d calls, want 3", calls.Load())
	}
	if src.LastBaseURL() != "http://127.0.0.1:9/fake" {
		t.Fatalf("connector got base URL %q", src.LastBaseURL())
	}
}

type countingConnector struct {
	connector.Connector
	n *atomic.Int32
}

func (c *countingConnector) Check(ctx context.Context, conn connector.Connection) error {
	c.n.Add(1)
	return c.Connector.Check(ctx, conn)
}

func (c *countingConnector) Read(ctx context.Context, conn connector.Connection, s string, st json.RawMessage, e connector.Emitter) error {
	c.n.Add(1)
	return c.Connector.Read(ctx, conn, s, st, e)
}

type sinkFunc func(ctx context.Context, orgID, connID, platform string, recs []connector.Record) error

func (f sinkFunc) Store(ctx context.Context, orgID, connID, platform string, recs []connector.Record) error {
	return f(ctx, orgID, connID, platform, recs)
}

// countingSink counts how often each record was stored.
type countingSink struct {
	seen map[string]int
}

func (s *countingSink) Store(_ context.Context, _, _, _ string, recs []connector.Record) error {
	if s.seen == nil {
		s.seen = map[string]int{}
	}
	for _, r := range recs {
		s.seen[r.Stream+"/"+r.ExternalID]++
	}
	return nil
}

func (s *countingSink) count(stream string) int {
	n := 0
	for k, v := range s.seen {
		if strings.HasPrefix(k, stream+"/") {
			if v != 1 {
				return -1
			}
			n++
		}
	}
	return n
}
