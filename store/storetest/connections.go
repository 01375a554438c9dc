package storetest

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var connectionTests = []suiteTest{
	{"Connection/CRUD", testConnectionCRUD},
	{"Connection/FindAcrossOrgs", testFindConnection},
	{"Connection/Pagination", testConnectionPagination},
	{"Connection/Due", testConnectionsDue},
	{"Connection/StreamStateVersions", testStreamStateVersions},
	{"Connection/DeleteCascades", testConnectionDeleteCascades},
	{"SyncRun/CRUD", testSyncRunCRUD},
	{"SyncRun/Pagination", testSyncRunPagination},
	{"Isolation/Connections", testIsolationConnections},
}

func testFindConnection(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	mustOrg(t, s, "org-2")
	a := mustConnection(t, s, "org-1", "conn-1", t0)
	mustConnection(t, s, "org-2", "conn-2", t0)
	got, err := s.FindConnection(t.Context(), "conn-1")
	must(t, err, "find connection")
	if got.OrgID != "org-1" || got.ID != a.ID || got.Platform != a.Platform {
		t.Fatalf("found %+v, want conn-1 of org-1", got)
	}
	_, err = s.FindConnection(t.Context(), "missing")
	wantErr(t, err, omnify.ErrNotFound, "find a missing connection")
}

func mustConnection(t *testing.T, s store.Store, org, id string, created time.Time) *omnify.Connection {
	t.Helper()
	c := &omnify.Connection{
		ID: id, OrgID: org, Platform: "shopify", Name: "Shop " + id,
		CredentialsCiphertext: []byte{1, 0, 0xfe, 0xff, 7},
		Config:                map[string]string{"shop": id + ".myshopify.com"},
		Health:                omnify.HealthHealthy, ScheduleEvery: time.Hour, CreatedAt: created, UpdatedAt: created,
	}
	must(t, s.CreateConnection(t.Context(), c), "create connection "+id)
	return c
}

func testConnectionCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	c := mustConnection(t, s, "org-1", "conn-1", t0)
	got, err := s.GetConnection(ctx, "org-1", "conn-1")
	must(t, err, "get connection")
	assertEqual(t, got, c, "connection")

	wantErr(t, s.CreateConnection(ctx, c), omnify.ErrConflict, "create same ID twice")
	_, err = s.GetConnection(ctx, "org-1", "nope")
	wantErr(t, err, omnify.ErrNotFound, "get missing connection")

	c.Name, c.CredentialsCiphertext, c.Config = "Renamed", []byte("new ciphertext"), nil
	c.ScheduleEvery, c.UpdatedAt = 0, at(time.Minute)
	must(t, s.UpdateConnection(ctx, c), "update connection")
	c.Health, c.LastError, c.Failures = omnify.HealthDegraded, "the platform timed out", 2
	c.NextRetryAt, c.LastSyncAt, c.UpdatedAt = at(time.Hour), at(-time.Hour), at(2*time.Minute)
	must(t, s.SetConnectionHealth(ctx, c), "set health")
	got, err = s.GetConnection(ctx, "org-1", "conn-1")
	must(t, err, "get connection")
	assertEqual(t, got, c, "updated connection")

	fresh := &omnify.Connection{OrgID: "org-1", Platform: "stripe", Name: "Stripe"}
	must(t, s.CreateConnection(ctx, fresh), "create with defaults")
	if fresh.ID == "" || fresh.CreatedAt.IsZero() || fresh.Health != omnify.HealthHealthy {
		t.Fatalf("defaults not assigned: %+v", fresh)
	}
	ghost := &omnify.Connection{ID: "ghost", OrgID: "org-1", Name: "x"}
	wantErr(t, s.UpdateConnection(ctx, ghost), omnify.ErrNotFound, "update missing")
	wantErr(t, s.SetConnectionHealth(ctx, ghost), omnify.ErrNotFound, "health of missing")
	wantErr(t, s.DeleteConnection(ctx, "org-1", "ghost"), omnify.ErrNotFound, "delete missing")
}

func testConnectionPagination(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	var want []string
	for i := range 7 {
		// Equal creation times make the ID the tie-breaker.
		c := mustConnection(t, s, "org-1", fmt.Sprintf("conn-%d", i), at(time.Duration(i/2)*time.Minute))
		want = append(want, c.ID)
	}
	got, pages := walk(t, 3, func(p store.Page) ([]omnify.Connection, string, error) {
		return s.ListConnections(t.Context(), "org-1", p)
	})
	wantPages(t, pages, 3)
	assertEqual(t, ids(got, func(c omnify.Connection) string { return c.ID }), want, "connections oldest first")
	_, _, err := s.ListConnections(t.Context(), "org-1", store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func testConnectionsDue(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustOrg(t, s, "org-2")
	now := at(10 * time.Hour)
	set := func(c *omnify.Connection, edit func(*omnify.Connection)) {
		edit(c)
		must(t, s.UpdateConnection(ctx, c), "update "+c.ID)
		must(t, s.SetConnectionHealth(ctx, c), "health "+c.ID)
	}
	mustConnection(t, s, "org-1", "never-synced", t0)
	set(mustConnection(t, s, "org-2", "synced-long-ago", t0), func(c *omnify.Connection) { c.LastSyncAt = at(8 * time.Hour) })
	set(mustConnection(t, s, "org-1", "exactly-due", t0), func(c *omnify.Connection) { c.LastSyncAt = at(9 * time.Hour) })
	set(mustConnection(t, s, "org-1", "synced-recently", t0), func(c *omnify.Connection) { c.LastSyncAt = at(9*time.Hour + time.Minute) })
	set(mustConnection(t, s, "org-1", "schedule-off", t0), func(c *omnify.Connection) { c.ScheduleEvery = 0 })
	set(mustConnection(t, s, "org-2", "disconnected", t0), func(c *omnify.Connection) { c.Health = omnify.HealthDisconnected })
	set(mustConnection(t, s, "org-2", "retry-later", t0), func(c *omnify.Connection) {
		c.Health, c.NextRetryAt = omnify.HealthDegraded, now.Add(time.Minute)
	})
	set(mustConnection(t, s, "org-2", "retry-now", t0), func(c *omnify.Connection) {
		c.Health, c.NextRetryAt = omnify.HealthFailing, now
	})
	due, err := s.ListConnectionsDue(ctx, now)
	must(t, err, "list due")
	got := ids(due, func(c omnify.Connection) string { return c.ID })
	sort.Strings(got)
	assertEqual(t, got, []string{"exactly-due", "never-synced", "retry-now", "synced-long-ago"}, "due connections")
}

func mustState(t *testing.T, s store.Store, org, conn, stream, state string, prev int64) *omnify.StreamState {
	t.Helper()
	st := &omnify.StreamState{OrgID: org, ConnectionID: conn, Stream: stream, State: json.RawMessage(state), UpdatedAt: t0}
	must(t, s.SaveStreamState(t.Context(), st, prev), fmt.Sprintf("save %s at version %d", stream, prev))
	return st
}

func testStreamStateVersions(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustConnection(t, s, "org-1", "conn-1", t0)
	st := mustState(t, s, "org-1", "conn-1", "orders", `{"cursor": "a"}`, 0)
	if st.Version != 1 {
		t.Fatalf("first save gave version %d", st.Version)
	}
	mustState(t, s, "org-1", "conn-1", "orders", `{"cursor": "b"}`, 1)
	stale := &omnify.StreamState{OrgID: "org-1", ConnectionID: "conn-1", Stream: "orders", State: json.RawMessage(`{"cursor": "old"}`)}
	wantErr(t, s.SaveStreamState(ctx, stale, 1), omnify.ErrConflict, "save from a stale version")
	wantErr(t, s.SaveStreamState(ctx, stale, 0), omnify.ErrConflict, "save as if none were stored")
	customers := mustState(t, s, "org-1", "conn-1", "customers", `{"cursor": "c"}`, 0)

	v, err := s.ResetStreamState(ctx, "org-1", "conn-1", "orders", at(time.Minute))
	must(t, err, "reset")
	if v != 3 {
		t.Fatalf("reset gave version %d, want 3", v)
	}
	wantErr(t, s.SaveStreamState(ctx, stale, 2), omnify.ErrConflict, "save from before the reset")
	states, err := s.ListStreamStates(ctx, "org-1", "conn-1")
	must(t, err, "list states")
	want := []omnify.StreamState{*customers,
		{OrgID: "org-1", ConnectionID: "conn-1", Stream: "orders", Version: 3, UpdatedAt: at(time.Minute)}}
	assertEqual(t, states, want, "states after reset")

	_, err = s.ResetStreamState(ctx, "org-1", "ghost", "orders", t0)
	wantErr(t, err, omnify.ErrNotFound, "reset on a missing connection")
	ghost := &omnify.StreamState{OrgID: "org-1", ConnectionID: "ghost", Stream: "orders"}
	wantErr(t, s.SaveStreamState(ctx, ghost, 0), omnify.ErrNotFound, "save on a missing connection")
}

func mustSyncRun(t *testing.T, s store.Store, org, conn, id string, created time.Time) *omnify.SyncRun {
	t.Helper()
	r := &omnify.SyncRun{ID: id, OrgID: org, ConnectionID: conn, JobID: "job-" + id, Mode: omnify.SyncIncremental,
		Streams: []string{"orders"}, Trigger: "manual", Status: omnify.JobQueued, CreatedAt: created}
	must(t, s.CreateSyncRun(t.Context(), r), "create sync run "+id)
	return r
}

func testConnectionDeleteCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustConnection(t, s, "org-1", "conn-1", t0)
	mustState(t, s, "org-1", "conn-1", "orders", `{"page": 3}`, 0)
	mustSyncRun(t, s, "org-1", "conn-1", "run-1", t0)
	must(t, s.DeleteConnection(ctx, "org-1", "conn-1"), "delete")
	_, err := s.GetConnection(ctx, "org-1", "conn-1")
	wantErr(t, err, omnify.ErrNotFound, "get deleted")
	_, err = s.GetSyncRun(ctx, "org-1", "run-1")
	wantErr(t, err, omnify.ErrNotFound, "run of a deleted connection")
	states, err := s.ListStreamStates(ctx, "org-1", "conn-1")
	wantEmpty(t, states, "", err, "states of a deleted connection")
	// The same ID can be used again and starts with no state.
	mustConnection(t, s, "org-1", "conn-1", t0)
	states, err = s.ListStreamStates(ctx, "org-1", "conn-1")
	wantEmpty(t, states, "", err, "states of a recreated connection")
}

func testSyncRunCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustConnection(t, s, "org-1", "conn-1", t0)
	r := mustSyncRun(t, s, "org-1", "conn-1", "run-1", t0)
	got, err := s.GetSyncRun(ctx, "org-1", "run-1")
	must(t, err, "get run")
	assertEqual(t, got, r, "run")
	wantErr(t, s.CreateSyncRun(ctx, r), omnify.ErrConflict, "create same ID twice")
	orphan := &omnify.SyncRun{OrgID: "org-1", ConnectionID: "ghost", Mode: omnify.SyncFull}
	wantErr(t, s.CreateSyncRun(ctx, orphan), omnify.ErrNotFound, "run of a missing connection")

	r.Status, r.StartedAt = omnify.JobRunning, at(time.Second)
	r.Progress = map[string]omnify.StreamProgress{"orders": {Read: 750, Stored: 500, Total: 20000, Reset: true}}
	must(t, s.UpdateSyncRun(ctx, r), "update running")
	r.Status, r.Error = omnify.JobFailed, "Shopify throttled the query"
	must(t, s.UpdateSyncRun(ctx, r), "a failed attempt is not final")
	done := at(time.Minute)
	r.Status, r.Error, r.FinishedAt = omnify.JobSucceeded, "", &done
	r.Progress["orders"] = omnify.StreamProgress{Read: 20000, Stored: 20000, Total: 20000, Done: true}
	must(t, s.UpdateSyncRun(ctx, r), "finish")
	got, err = s.GetSyncRun(ctx, "org-1", "run-1")
	must(t, err, "get finished run")
	assertEqual(t, got, r, "finished run")
	r.Status = omnify.JobRunning
	wantErr(t, s.UpdateSyncRun(ctx, r), omnify.ErrConflict, "update a finished run")
	wantErr(t, s.UpdateSyncRun(ctx, &omnify.SyncRun{OrgID: "org-1", ID: "ghost"}), omnify.ErrNotFound, "update missing")
}

func testSyncRunPagination(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	mustConnection(t, s, "org-1", "conn-1", t0)
	mustConnection(t, s, "org-1", "conn-2", t0)
	var want []string
	for i := range 7 {
		r := mustSyncRun(t, s, "org-1", "conn-1", fmt.Sprintf("run-%d", i), at(time.Duration(i/2)*time.Minute))
		want = append([]string{r.ID}, want...)
		mustSyncRun(t, s, "org-1", "conn-2", fmt.Sprintf("other-%d", i), at(time.Duration(i)*time.Minute))
	}
	got, pages := walk(t, 3, func(p store.Page) ([]omnify.SyncRun, string, error) {
		return s.ListSyncRuns(t.Context(), "org-1", "conn-1", p)
	})
	wantPages(t, pages, 3)
	assertEqual(t, ids(got, func(r omnify.SyncRun) string { return r.ID }), want, "runs newest first")
	_, _, err := s.ListSyncRuns(t.Context(), "org-1", "conn-1", store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func testIsolationConnections(t *testing.T, s store.Store) {
	ctx := t.Context()
	twoOrgs(t, s)
	c := mustConnection(t, s, "org-a", "conn-a", t0)
	st := mustState(t, s, "org-a", "conn-a", "orders", `{"page": 1}`, 0)
	r := mustSyncRun(t, s, "org-a", "conn-a", "run-a", t0)

	_, err := s.GetConnection(ctx, "org-b", c.ID)
	wantErr(t, err, omnify.ErrNotFound, "get connection")
	list, next, err := s.ListConnections(ctx, "org-b", store.Page{})
	wantEmpty(t, list, next, err, "list connections")
	hijack := *c
	hijack.OrgID, hijack.Name, hijack.Health = "org-b", "hijacked", omnify.HealthDisconnected
	wantErr(t, s.UpdateConnection(ctx, &hijack), omnify.ErrNotFound, "update connection")
	wantErr(t, s.SetConnectionHealth(ctx, &hijack), omnify.ErrNotFound, "set health")
	wantErr(t, s.DeleteConnection(ctx, "org-b", c.ID), omnify.ErrNotFound, "delete connection")

	states, err := s.ListStreamStates(ctx, "org-b", c.ID)
	wantEmpty(t, states, "", err, "list stream states")
	bad := &omnify.StreamState{OrgID: "org-b", ConnectionID: c.ID, Stream: "orders", State: json.RawMessage(`{"page": 99}`)}
	wantErr(t, s.SaveStreamState(ctx, bad, 1), omnify.ErrNotFound, "save stream state")
	_, err = s.ResetStreamState(ctx, "org-b", c.ID, "orders", t0)
	wantErr(t, err, omnify.ErrNotFound, "reset stream state")

	_, err = s.GetSyncRun(ctx, "org-b", r.ID)
	wantErr(t, err, omnify.ErrNotFound, "get sync run")
	runs, next, err := s.ListSyncRuns(ctx, "org-b", c.ID, store.Page{})
	wantEmpty(t, runs, next, err, "list sync runs")
	wantErr(t, s.CreateSyncRun(ctx, &omnify.SyncRun{OrgID: "org-b", ConnectionID: c.ID}), omnify.ErrNotFound, "create sync run")
	badRun := *r
	badRun.OrgID, badRun.Status = "org-b", omnify.JobDead
	wantErr(t, s.UpdateSyncRun(ctx, &badRun), omnify.ErrNotFound, "update sync run")

	got, err := s.GetConnection(ctx, "org-a", c.ID)
	must(t, err, "get own connection")
	assertEqual(t, got, c, "org-a connection untouched")
	states, err = s.ListStreamStates(ctx, "org-a", c.ID)
	must(t, err, "own states")
	assertEqual(t, states, []omnify.StreamState{*st}, "org-a state untouched")
	gotRun, err := s.GetSyncRun(ctx, "org-a", r.ID)
	must(t, err, "own run")
	assertEqual(t, gotRun, r, "org-a run untouched")
}
