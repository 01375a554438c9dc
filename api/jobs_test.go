package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/jobs"
)

func TestJobsListGetRetry(t *testing.T) {
	f := newFixture(t)
	calls := 0
	f.srv.Jobs.Handle("test.flaky", func(context.Context, *omnify.Job, func(any)) (any, error) {
		calls++
		if calls == 1 {
			return nil, jobs.Permanent(errors.New("bad credentials"))
		}
		return map[string]int{"records": 7}, nil
	})
	j, err := f.srv.Jobs.Enqueue(t.Context(), jobs.NewJob{OrgID: f.owner().OrgID, Kind: "test.flaky", Payload: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.srv.Jobs.RunOne(t.Context(), "test") {
		t.Fatal("no job ran")
	}
	viewer, admin, analyst := f.team[omnify.RoleViewer], f.team[omnify.RoleAdmin], f.team[omnify.RoleAnalyst]

	var list struct{ Items []api.JobItem }
	if code := f.srv.DoJSON(t, "GET", "/v1/jobs", viewer.Token, nil, &list); code != 200 || len(list.Items) != 1 {
		t.Fatalf("list jobs: %d %+v", code, list)
	}
	if got := list.Items[0]; got.ID != j.ID || got.Status != "dead" || got.Error != "bad credentials" || got.Attempts != 1 {
		t.Fatalf("listed job %+v, want the dead job with its error", got)
	}
	if code := f.srv.DoJSON(t, "GET", "/v1/jobs", f.other.Token, nil, &list); code != 200 || len(list.Items) != 0 {
		t.Fatalf("another org lists %d jobs (%d), want none", len(list.Items), code)
	}
	if resp := f.srv.Do(t, "GET", "/v1/jobs/"+j.ID, f.other.Token, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another org reads the job: %d", resp.StatusCode)
	}
	for _, s := range []string{viewer.Token, analyst.Token, f.other.Token} {
		if resp := f.srv.Do(t, "POST", "/v1/jobs/"+j.ID+"/retry", s, nil); resp.StatusCode == http.StatusOK {
			t.Fatalf("a non-admin of the org retried the job")
		}
	}
	var retried api.JobItem
	if code := f.srv.DoJSON(t, "POST", "/v1/jobs/"+j.ID+"/retry", admin.Token, nil, &retried); code != 200 ||
		retried.Status != "queued" || retried.Attempts != 0 {
		t.Fatalf("admin retry: %d %+v", code, retried)
	}
	if resp := f.srv.Do(t, "POST", "/v1/jobs/"+j.ID+"/retry", admin.Token, nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("retry of a queued job: %d, want 409", resp.StatusCode)
	}
	if !f.srv.Jobs.RunOne(t.Context(), "test") {
		t.Fatal("retried job did not run")
	}
	var got api.JobItem
	if code := f.srv.DoJSON(t, "GET", "/v1/jobs/"+j.ID, viewer.Token, nil, &got); code != 200 {
		t.Fatalf("get job: %d", code)
	}
	res, _ := got.Result.(map[string]any)
	if got.Status != "succeeded" || res["records"] != float64(7) {
		t.Fatalf("job after retry: %+v, want succeeded with its result", got)
	}
}
