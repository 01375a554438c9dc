package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/omnifytest"
)

// storeScoredRun stores a succeeded EYES run of orgID scoring the given customers.
func storeScoredRun(t *testing.T, srv *omnifytest.Server, orgID string, customerIDs []string) string {
	t.Helper()
	ctx := t.Context()
	run := &omnify.EyesRun{OrgID: orgID, Status: omnify.JobRunning, AsOf: srv.Clock.Now()}
	if err := srv.Store.CreateEyesRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	ss := make([]omnify.EyesScore, len(customerIDs))
	for i, id := range customerIDs {
		ss[i] = omnify.EyesScore{CustomerID: id, SegmentID: "s1", SegmentName: "Loyal", RFMSegment: "champions",
			Churn90: float64(i) / 10, Consent: omnify.ConsentGranted}
	}
	if err := srv.Store.PutEyesScores(ctx, orgID, run.ID, ss); err != nil {
		t.Fatal(err)
	}
	done := srv.Clock.Now().Add(time.Minute)
	run.Status, run.Report, run.FinishedAt = omnify.JobSucceeded, json.RawMessage(`{"status":"ok"}`), &done
	if err := srv.Store.UpdateEyesRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	return run.ID
}

func TestEyesCustomersCarryContacts(t *testing.T) {
	f := newFixture(t)
	org, other := f.owner().OrgID, f.other.OrgID
	mine := []omnify.Customer{
		{ID: "cust-a", Name: "Ada Lovelace", Email: "ada@acme.example.com"},
		{ID: "cust-b", Email: "bob@acme.example.com"},
		{ID: "cust-c", Name: "Cy Nameonly"},
	}
	// The other org holds a customer under one of the run's IDs and one
	// under an ID the run scores but this org does not have (deleted here).
	theirs := []omnify.Customer{
		{ID: "cust-a", Name: "Eve Secret", Email: "eve@umbrella.example.com"},
		{ID: "cust-gone", Name: "Mallory Secret", Email: "mallory@umbrella.example.com"},
	}
	if err := f.srv.Store.UpsertCustomers(t.Context(), org, mine); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Store.UpsertCustomers(t.Context(), other, theirs); err != nil {
		t.Fatal(err)
	}
	runID := storeScoredRun(t, f.srv, org, []string{"cust-a", "cust-b", "cust-c", "cust-gone"})

	var page struct {
		RunID string             `json:"run_id"`
		Items []api.EyesCustomer `json:"items"`
	}
	resp := f.srv.Do(t, "GET", "/v1/eyes/customers", f.team[omnify.RoleViewer].Token, nil)
	body := readAll(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("customers: %d %s", resp.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if page.RunID != runID {
		t.Fatalf("run %s, want %s", page.RunID, runID)
	}
	want := map[string][2]string{
		"cust-a":    {"Ada Lovelace", "ada@acme.example.com"},
		"cust-b":    {"", "bob@acme.example.com"},
		"cust-c":    {"Cy Nameonly", ""},
		"cust-gone": {"", ""}, // deleted since the run: ID only, not an error
	}
	if len(page.Items) != len(want) {
		t.Fatalf("%d items, want %d: %s", len(page.Items), len(want), body)
	}
	for _, it := range page.Items {
		if w, ok := want[it.CustomerID]; !ok || it.Name != w[0] || it.Email != w[1] {
			t.Errorf("%s: name %q email %q, want %q %q", it.CustomerID, it.Name, it.Email, w[0], w[1])
		}
	}
	for _, leak := range []string{"Secret", "umbrella"} {
		if strings.Contains(body, leak) {
			t.Errorf("listing shows the other org's %q: %s", leak, body)
		}
	}
	// Absent contacts are left out of the JSON rather than sent empty.
	if strings.Contains(body, `"name":""`) || strings.Contains(body, `"email":""`) {
		t.Errorf("empty contact fields sent: %s", body)
	}

	// The other org sees none of it.
	resp = f.srv.Do(t, "GET", "/v1/eyes/customers", f.other.Token, nil)
	if b := readAll(t, resp); resp.StatusCode != 404 || strings.Contains(b, "Ada") {
		t.Fatalf("other org: %d %s", resp.StatusCode, b)
	}
}
