package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var eyesTests = []suiteTest{
	{"Eyes/RunCRUD", testEyesRunCRUD},
	{"Eyes/VersionsPerOrg", testEyesVersions},
	{"Eyes/ConcurrentVersions", testEyesConcurrentVersions},
	{"Eyes/FinishedRunImmutable", testEyesImmutable},
	{"Eyes/RunPagination", testEyesRunPagination},
	{"Eyes/Scores", testEyesScores},
	{"Eyes/ScoreFilters", testEyesScoreFilters},
	{"Eyes/ScoreGuards", testEyesScoreGuards},
}

func mustRun(t *testing.T, s store.Store, org, id string, created time.Time) *omnify.EyesRun {
	t.Helper()
	r := &omnify.EyesRun{
		ID: id, OrgID: org, JobID: "job-" + id, Status: omnify.JobRunning,
		AsOf: created.Add(-time.Hour), CreatedBy: "user-1", CreatedAt: created,
	}
	must(t, s.CreateEyesRun(t.Context(), r), "create run "+id)
	return r
}

func finish(t *testing.T, s store.Store, r *omnify.EyesRun, status omnify.JobStatus, when time.Time) {
	t.Helper()
	r.Status, r.FinishedAt = status, &when
	r.Report = json.RawMessage(`{"silhouette": 0.52, "gates": {"cluster": true}}`)
	if status == omnify.JobFailed {
		r.Report, r.Error = nil, "too few customers"
	}
	must(t, s.UpdateEyesRun(t.Context(), r), "finish run "+r.ID)
}

func testEyesRunCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	r := mustRun(t, s, "org-1", "run-1", t0)
	if r.Version != 1 {
		t.Fatalf("first run version = %d", r.Version)
	}
	got, err := s.GetEyesRun(ctx, "org-1", "run-1")
	must(t, err, "get run")
	assertEqual(t, got, r, "run")
	_, err = s.LatestEyesRun(ctx, "org-1")
	wantErr(t, err, omnify.ErrNotFound, "latest without a succeeded run")

	finish(t, s, r, omnify.JobSucceeded, at(time.Minute))
	got, err = s.GetEyesRun(ctx, "org-1", "run-1")
	must(t, err, "get finished run")
	assertEqual(t, got, r, "finished run")

	mustRun(t, s, "org-1", "run-2", at(2*time.Minute)) // newer but still running
	latest, err := s.LatestEyesRun(ctx, "org-1")
	must(t, err, "latest")
	assertEqual(t, latest, r, "latest succeeded run")

	_, err = s.GetEyesRun(ctx, "org-1", "missing")
	wantErr(t, err, omnify.ErrNotFound, "missing run")
	wantErr(t, s.UpdateEyesRun(ctx, &omnify.EyesRun{ID: "missing", OrgID: "org-1", Status: omnify.JobRunning}),
		omnify.ErrNotFound, "update missing run")
	wantErr(t, s.CreateEyesRun(ctx, &omnify.EyesRun{ID: "run-1", OrgID: "org-1", Status: omnify.JobQueued}),
		omnify.ErrConflict, "same run ID twice")

	d := &omnify.EyesRun{OrgID: "org-1"}
	must(t, s.CreateEyesRun(ctx, d), "create with defaults")
	if d.ID == "" || d.CreatedAt.IsZero() || d.Version != 3 || d.Status != omnify.JobQueued {
		t.Fatalf("defaults not applied: %+v", d)
	}
}

func testEyesVersions(t *testing.T, s store.Store) {
	for _, org := range []string{"org-a", "org-b"} {
		mustOrg(t, s, org)
	}
	want := map[string][]int{"org-a": {1, 2, 3}, "org-b": {1, 2}}
	got := map[string][]int{}
	for i, org := range []string{"org-a", "org-b", "org-a", "org-b", "org-a"} {
		r := mustRun(t, s, org, fmt.Sprintf("run-%d", i), at(time.Duration(i)*time.Minute))
		got[org] = append(got[org], r.Version)
	}
	assertEqual(t, got, want, "versions per org")
}

func testEyesConcurrentVersions(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	versions := make([]int, 8)
	var wg sync.WaitGroup
	for i := range versions {
		wg.Go(func() {
			r := &omnify.EyesRun{ID: fmt.Sprintf("run-%d", i), OrgID: "org-1", Status: omnify.JobQueued, CreatedAt: t0}
			if err := s.CreateEyesRun(t.Context(), r); err != nil {
				t.Errorf("create run %d: %v", i, err)
			}
			versions[i] = r.Version
		})
	}
	wg.Wait()
	slices.Sort(versions)
	assertEqual(t, versions, []int{1, 2, 3, 4, 5, 6, 7, 8}, "concurrent versions")
}

func testEyesImmutable(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	for _, status := range []omnify.JobStatus{omnify.JobSucceeded, omnify.JobFailed} {
		r := mustRun(t, s, "org-1", "run-"+string(status), t0)
		finish(t, s, r, status, at(time.Minute))
		changed := *r
		changed.Status, changed.Error, changed.Report = omnify.JobRunning, "rewritten", json.RawMessage(`{"x":1}`)
		wantErr(t, s.UpdateEyesRun(ctx, &changed), omnify.ErrConflict, "update "+string(status)+" run")
		got, err := s.GetEyesRun(ctx, "org-1", r.ID)
		must(t, err, "get run")
		assertEqual(t, got, r, "finished run after rejected update")
	}
}

func testEyesRunPagination(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	var want []string
	for i := range 7 {
		want = append(want, mustRun(t, s, "org-1", fmt.Sprintf("run-%d", i), t0).ID)
	}
	got, pages := walk(t, 2, func(p store.Page) ([]omnify.EyesRun, string, error) {
		return s.ListEyesRuns(t.Context(), "org-1", p)
	})
	wantPages(t, pages, 4)
	slices.Reverse(want)
	assertEqual(t, ids(got, func(r omnify.EyesRun) string { return r.ID }), want, "runs newest first")
	_, _, err := s.ListEyesRuns(t.Context(), "org-1", store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func makeScores(org, run string, n int) []omnify.EyesScore {
	out := make([]omnify.EyesScore, n)
	consents := []omnify.Consent{omnify.ConsentGranted, omnify.ConsentDenied, omnify.ConsentUnknown}
	for i := range out {
		out[i] = omnify.EyesScore{
			RunID: run, OrgID: org, CustomerID: fmt.Sprintf("cust-%03d", i),
			SegmentID: fmt.Sprintf("seg-%d", i%3), SegmentName: []string{"Champions", "At risk", "New"}[i%3],
			Cluster: i % 3, RFMSegment: "555", Churn30: 0.1 + float64(i)/100, Churn60: 0.2 + float64(i)/100,
			Churn90: float64(i) / float64(n), PAlive: 0.8125, ExpectedCLV: 123.456 * float64(i),
			Reasons: []string{"recency 42 days", "frequency low"}, X: -1.5 + float64(i), Y: 2.25,
			Consent: consents[i%len(consents)],
		}
		if i%4 == 0 {
			out[i].Reasons = nil
		}
	}
	return out
}

func listScores(t *testing.T, s store.Store, run string, f store.ScoreFilter, limit int) ([]omnify.EyesScore, int) {
	t.Helper()
	return walk(t, limit, func(p store.Page) ([]omnify.EyesScore, string, error) {
		return s.ListEyesScores(t.Context(), "org-1", run, f, p)
	})
}

func testEyesScores(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustRun(t, s, "org-1", "run-1", t0)
	mustRun(t, s, "org-1", "run-2", t0)
	want := makeScores("org-1", "run-1", 10)
	rev := slices.Clone(want)
	slices.Reverse(rev)
	must(t, s.PutEyesScores(ctx, "org-1", "run-1", rev), "put scores")
	// The run and org come from the arguments, not from the records.
	other := makeScores("", "", 3)
	must(t, s.PutEyesScores(ctx, "org-1", "run-2", other), "put other run")
	got2, _ := listScores(t, s, "run-2", store.ScoreFilter{}, 10)
	assertEqual(t, got2, makeScores("org-1", "run-2", 3), "scores with run and org filled in")
	want[2].Churn90, want[2].SegmentID, want[2].Reasons = 0.99, "seg-9", []string{"changed"}
	must(t, s.PutEyesScores(ctx, "org-1", "run-1", want), "put scores again")

	got, pages := listScores(t, s, "run-1", store.ScoreFilter{}, 3)
	wantPages(t, pages, 4)
	assertEqual(t, got, want, "scores by customer ID")
	one, err := s.GetEyesScore(ctx, "org-1", "run-1", want[2].CustomerID)
	must(t, err, "get score")
	assertEqual(t, one, want[2], "one score")
	_, err = s.GetEyesScore(ctx, "org-1", "run-1", "missing")
	wantErr(t, err, omnify.ErrNotFound, "missing score")
	_, _, err = s.ListEyesScores(ctx, "org-1", "run-1", store.ScoreFilter{}, store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func testEyesScoreFilters(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	mustRun(t, s, "org-1", "run-1", t0)
	all := makeScores("org-1", "run-1", 30)
	must(t, s.PutEyesScores(t.Context(), "org-1", "run-1", all), "put scores")
	tests := []struct {
		name string
		f    store.ScoreFilter
		keep func(omnify.EyesScore) bool
	}{
		{"segment", store.ScoreFilter{SegmentID: "seg-1"}, func(s omnify.EyesScore) bool { return s.SegmentID == "seg-1" }},
		{"min churn inclusive", store.ScoreFilter{MinChurn90: all[20].Churn90}, func(s omnify.EyesScore) bool {
			return s.Churn90 >= all[20].Churn90
		}},
		{"consented", store.ScoreFilter{ConsentedOnly: true}, func(s omnify.EyesScore) bool {
			return s.Consent == omnify.ConsentGranted
		}},
		{"all three", store.ScoreFilter{SegmentID: "seg-0", MinChurn90: 0.5, ConsentedOnly: true}, func(s omnify.EyesScore) bool {
			return s.SegmentID == "seg-0" && s.Churn90 >= 0.5 && s.Consent == omnify.ConsentGranted
		}},
	}
	for _, tc := range tests {
		want := slices.DeleteFunc(slices.Clone(all), func(s omnify.EyesScore) bool { return !tc.keep(s) })
		if len(want) == 0 || len(want) == len(all) {
			t.Fatalf("%s: fixture does not exercise the filter", tc.name)
		}
		got, _ := listScores(t, s, "run-1", tc.f, 4)
		assertEqual(t, got, want, tc.name)
	}
}

func testEyesScoreGuards(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	r := mustRun(t, s, "org-1", "run-1", t0)
	must(t, s.PutEyesScores(ctx, "org-1", "run-1", makeScores("org-1", "run-1", 2)), "put scores")
	finish(t, s, r, omnify.JobSucceeded, at(time.Minute))
	wantErr(t, s.PutEyesScores(ctx, "org-1", "run-1", makeScores("org-1", "run-1", 5)), omnify.ErrConflict,
		"scores of a finished run")
	wantErr(t, s.PutEyesScores(ctx, "org-1", "missing", makeScores("org-1", "missing", 1)), omnify.ErrNotFound,
		"scores of a missing run")
	got, _ := listScores(t, s, "run-1", store.ScoreFilter{}, 10)
	if len(got) != 2 {
		t.Fatalf("finished run has %d scores, want 2", len(got))
	}
}
