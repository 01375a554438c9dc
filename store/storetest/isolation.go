package storetest

import (
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var isolationTests = []suiteTest{
	{"Isolation/Members", testIsolationMembers},
	{"Isolation/AuditAndCampaigns", testIsolationAuditCampaigns},
	{"Isolation/CustomersAndOrders", testIsolationCustomers},
	{"Isolation/Jobs", testIsolationJobs},
	{"Isolation/Eyes", testIsolationEyes},
	{"Isolation/Audiences", testIsolationAudiences},
}

// Every test here writes records for org-a and then goes through org-b with
// org-a's IDs: reads find nothing, writes leave org-a's records untouched.

func twoOrgs(t *testing.T, s store.Store) {
	t.Helper()
	mustOrg(t, s, "org-a")
	mustOrg(t, s, "org-b")
}

func wantEmpty[T any](t *testing.T, got []T, next string, err error, what string) {
	t.Helper()
	must(t, err, what)
	if len(got) != 0 || next != "" {
		t.Fatalf("%s through another org: %d records, next %q", what, len(got), next)
	}
}

func testIsolationMembers(t *testing.T, s store.Store) {
	ctx := t.Context()
	twoOrgs(t, s)
	mustUser(t, s, "user-a")
	mustUser(t, s, "user-b")
	m := mustMember(t, s, "org-a", "user-a", omnify.RoleAdmin, t0)
	mustMember(t, s, "org-a", "user-b", omnify.RoleOwner, t0)
	mustMember(t, s, "org-b", "user-b", omnify.RoleOwner, t0)

	_, err := s.GetMembership(ctx, "org-b", "user-a")
	wantErr(t, err, omnify.ErrNotFound, "get membership")
	ms, next, err := s.ListMembers(ctx, "org-b", store.Page{})
	must(t, err, "list members")
	if len(ms) != 1 || ms[0].UserID != "user-b" || next != "" {
		t.Fatalf("org-b members = %+v", ms)
	}
	wantErr(t, s.SetRole(ctx, "org-b", "user-a", omnify.RoleOwner), omnify.ErrNotFound, "set role")
	wantErr(t, s.RemoveMember(ctx, "org-b", "user-a"), omnify.ErrNotFound, "remove member")
	got, err := s.GetMembership(ctx, "org-a", "user-a")
	must(t, err, "get membership")
	assertEqual(t, got, m, "org-a membership untouched")
}

func testIsolationAuditCampaigns(t *testing.T, s store.Store) {
	ctx := t.Context()
	twoOrgs(t, s)
	must(t, s.AppendAudit(ctx, &omnify.AuditEvent{ID: "ev-1", OrgID: "org-a", Action: "org.update", CreatedAt: t0}), "append")
	es, next, err := s.ListAudit(ctx, "org-b", store.AuditFilter{}, store.Page{})
	wantEmpty(t, es, next, err, "list audit")

	cs := makeCampaigns("org-a", 2)
	must(t, s.UpsertCampaigns(ctx, "org-a", cs), "upsert campaigns")
	must(t, s.UpsertCampaignMetrics(ctx, "org-a", makeMetrics("org-a", cs, 2)), "upsert metrics")
	got, next, err := s.ListCampaigns(ctx, "org-b", store.Page{})
	wantEmpty(t, got, next, err, "list campaigns")
	metrics, err := s.ListCampaignMetrics(ctx, "org-b", store.MetricFilter{})
	wantEmpty(t, metrics, "", err, "list metrics")
	wantErr(t, s.UpsertCampaignMetrics(ctx, "org-b", makeMetrics("org-b", cs, 1)), omnify.ErrNotFound,
		"metrics for another org's campaign")

	hijack := makeCampaigns("org-a", 2)
	hijack[0].Name = "hijacked"
	must(t, s.UpsertCampaigns(ctx, "org-b", hijack[:1]), "upsert same ID in org-b")
	mine, _, err := s.ListCampaigns(ctx, "org-a", store.Page{})
	must(t, err, "list org-a campaigns")
	assertEqual(t, mine, cs, "org-a campaigns untouched")
	theirs, _, err := s.ListCampaigns(ctx, "org-b", store.Page{})
	must(t, err, "list org-b campaigns")
	hijack[0].OrgID = "org-b"
	assertEqual(t, theirs, hijack[:1], "org-b's own copy")
}

func testIsolationCustomers(t *testing.T, s store.Store) {
	ctx := t.Context()
	twoOrgs(t, s)
	cs := makeCustomers("org-a", 3)
	mustUpsertCustomers(t, s, "org-a", cs)
	orders := makeOrders("org-a", cs[0].ID, 3)
	must(t, s.UpsertOrders(ctx, "org-a", orders), "upsert orders")

	_, err := s.GetCustomer(ctx, "org-b", cs[0].ID)
	wantErr(t, err, omnify.ErrNotFound, "get customer")
	list, next, err := s.ListCustomers(ctx, "org-b", store.CustomerFilter{}, store.Page{})
	wantEmpty(t, list, next, err, "list customers")
	os, next, err := s.ListOrders(ctx, "org-b", cs[0].ID, store.Page{})
	wantEmpty(t, os, next, err, "list orders")
	n, err := s.CountCustomers(ctx, "org-b")
	must(t, err, "count")
	if n != 0 {
		t.Fatalf("org-b counts %d customers", n)
	}
	must(t, s.ScanCustomers(ctx, "org-b", func(omnify.Customer) error {
		t.Fatal("scan customers saw another org's customer")
		return nil
	}), "scan customers")
	must(t, s.ScanOrders(ctx, "org-b", func(omnify.Order) error {
		t.Fatal("scan orders saw another org's order")
		return nil
	}), "scan orders")

	// Records claiming org-a but written through org-b belong to org-b.
	hijack := cs[0]
	hijack.Name = "hijacked"
	mustUpsertCustomers(t, s, "org-b", []omnify.Customer{hijack})
	badOrder := orders[0]
	badOrder.AmountMinor = 1
	must(t, s.UpsertOrders(ctx, "org-b", []omnify.Order{badOrder}), "upsert order in org-b")

	got, err := s.GetCustomer(ctx, "org-a", cs[0].ID)
	must(t, err, "get org-a customer")
	assertEqual(t, got, cs[0], "org-a customer untouched")
	gotOrders, _, err := s.ListOrders(ctx, "org-a", cs[0].ID, store.Page{})
	must(t, err, "list org-a orders")
	assertEqual(t, gotOrders, orders, "org-a orders untouched")
	theirs, err := s.GetCustomer(ctx, "org-b", cs[0].ID)
	must(t, err, "get org-b copy")
	if theirs.OrgID != "org-b" || theirs.Name != "hijacked" {
		t.Fatalf("org-b copy = %+v", theirs)
	}
}

func testIsolationJobs(t *testing.T, s store.Store) {
	ctx := t.Context()
	twoOrgs(t, s)
	j := newJob("job-1", "sync", t0)
	j.OrgID, j.IdempotencyKey, j.MaxAttempts = "org-a", "key-1", 1
	mustEnqueue(t, s, j)
	_, err := s.ClaimJob(ctx, nil, "w", t0, time.Minute)
	must(t, err, "claim")
	must(t, s.FailJob(ctx, "job-1", "boom", t0), "fail to dead")

	_, err = s.GetJob(ctx, "org-b", "job-1")
	wantErr(t, err, omnify.ErrNotFound, "get job")
	js, next, err := s.ListJobs(ctx, "org-b", store.Page{})
	wantEmpty(t, js, next, err, "list jobs")
	wantErr(t, s.RetryJob(ctx, "org-b", "job-1", t0), omnify.ErrNotFound, "retry job")
	got, err := s.GetJob(ctx, "org-a", "job-1")
	must(t, err, "get org-a job")
	if got.Status != omnify.JobDead {
		t.Fatalf("org-a job retried through org-b: %s", got.Status)
	}

	k := newJob("job-2", "sync", t0)
	k.OrgID, k.IdempotencyKey = "org-b", "key-1"
	if got := mustEnqueue(t, s, k); got.ID != "job-2" || got.OrgID != "org-b" {
		t.Fatalf("org-b enqueue with org-a's key returned %+v", got)
	}
}

func testIsolationEyes(t *testing.T, s store.Store) {
	ctx := t.Context()
	twoOrgs(t, s)
	r := mustRun(t, s, "org-a", "run-a", t0)
	scores := makeScores("org-a", "run-a", 3)
	must(t, s.PutEyesScores(ctx, "org-a", "run-a", scores), "put scores")
	done := mustRun(t, s, "org-a", "run-done", t0)
	finish(t, s, done, omnify.JobSucceeded, at(time.Minute))

	_, err := s.GetEyesRun(ctx, "org-b", "run-a")
	wantErr(t, err, omnify.ErrNotFound, "get run")
	rs, next, err := s.ListEyesRuns(ctx, "org-b", store.Page{})
	wantEmpty(t, rs, next, err, "list runs")
	_, err = s.LatestEyesRun(ctx, "org-b")
	wantErr(t, err, omnify.ErrNotFound, "latest run")
	hijack := *r
	hijack.OrgID, hijack.Status, hijack.Error = "org-b", omnify.JobFailed, "hijacked"
	wantErr(t, s.UpdateEyesRun(ctx, &hijack), omnify.ErrNotFound, "update run")
	wantErr(t, s.PutEyesScores(ctx, "org-b", "run-a", makeScores("org-b", "run-a", 5)), omnify.ErrNotFound, "put scores")
	ss, next, err := s.ListEyesScores(ctx, "org-b", "run-a", store.ScoreFilter{}, store.Page{})
	wantEmpty(t, ss, next, err, "list scores")
	_, err = s.GetEyesScore(ctx, "org-b", "run-a", scores[0].CustomerID)
	wantErr(t, err, omnify.ErrNotFound, "get score")

	got, err := s.GetEyesRun(ctx, "org-a", "run-a")
	must(t, err, "get org-a run")
	assertEqual(t, got, r, "org-a run untouched")
	gotScores, _, err := s.ListEyesScores(ctx, "org-a", "run-a", store.ScoreFilter{}, store.Page{})
	must(t, err, "list org-a scores")
	assertEqual(t, gotScores, scores, "org-a scores untouched")
	b := mustRun(t, s, "org-b", "run-b", t0)
	if b.Version != 1 {
		t.Fatalf("org-b's first run has version %d", b.Version)
	}
}
