package api_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/demo"
	"github.com/omnify-cloud/omnify/omnifytest"
)

// seedCustomers stores a generated customer base in the org and returns how
// many customers granted marketing consent, by ID.
func seedCustomers(t *testing.T, srv *omnifytest.Server, orgID string, n int) map[string]bool {
	t.Helper()
	end := srv.Clock.Now().UTC().Truncate(24 * time.Hour)
	ds, err := demo.Generate(demo.Config{Customers: n, Seed: 3, Start: end.AddDate(-2, 0, 0), End: end})
	if err != nil {
		t.Fatal(err)
	}
	granted := map[string]bool{}
	var cs []omnify.Customer
	for _, c := range ds.Customers {
		cs = append(cs, omnify.Customer{ID: c.ID, Email: c.Email, Name: c.Name, Consent: omnify.Consent(c.Consent), Platforms: c.Platforms})
		granted[c.ID] = c.Consent == "granted"
	}
	var os []omnify.Order
	for _, o := range ds.Orders {
		os = append(os, omnify.Order{ID: o.ID, CustomerID: o.CustomerID, Platform: o.Platform, PlacedAt: o.PlacedAt, AmountMinor: o.AmountMinor, Currency: o.Currency})
	}
	if err := srv.Store.UpsertCustomers(t.Context(), orgID, cs); err != nil {
		t.Fatal(err)
	}
	if err := srv.Store.UpsertOrders(t.Context(), orgID, os); err != nil {
		t.Fatal(err)
	}
	return granted
}

// runEyes starts a run as the given session and works its job.
func runEyes(t *testing.T, srv *omnifytest.Server, s omnifytest.Session) api.EyesRunItem {
	t.Helper()
	var run api.EyesRunItem
	if code := srv.DoJSON(t, "POST", "/v1/eyes/runs", s.Token, map[string]any{"seed": 1}, &run); code != http.StatusAccepted {
		t.Fatalf("start run: %d", code)
	}
	if run.Status != "queued" || run.Version < 1 {
		t.Fatalf("new run: %+v", run)
	}
	if !srv.Jobs.RunOne(t.Context(), "test") {
		t.Fatal("no EYES job was queued")
	}
	var got api.EyesReport
	if code := srv.DoJSON(t, "GET", "/v1/eyes/runs/"+run.ID, s.Token, nil, &got); code != 200 {
		t.Fatalf("get run: %d", code)
	}
	if got.Run.Status != "succeeded" || got.Report == nil {
		t.Fatalf("run ended %s: %s", got.Run.Status, got.Run.Error)
	}
	return got.Run
}

func TestEyesEndToEnd(t *testing.T) {
	f := newFixture(t)
	granted := seedCustomers(t, f.srv, f.owner().OrgID, 600)
	analyst, viewer := f.team[omnify.RoleAnalyst], f.team[omnify.RoleViewer]

	if resp := f.srv.Do(t, "POST", "/v1/eyes/runs", viewer.Token, map[string]any{}); resp.StatusCode != 403 {
		t.Fatalf("viewer started a run: %d", resp.StatusCode)
	}
	run := runEyes(t, f.srv, analyst)

	var segs api.EyesSegments
	if code := f.srv.DoJSON(t, "GET", "/v1/eyes/segments", viewer.Token, nil, &segs); code != 200 {
		t.Fatalf("segments: %d", code)
	}
	if segs.Run.ID != run.ID || len(segs.Segments) < 2 || segs.Clustering.Chosen == "" || len(segs.Churn) != 3 {
		t.Fatalf("segments of run %s: %d segments, chosen %q, %d model cards", segs.Run.ID, len(segs.Segments), segs.Clustering.Chosen, len(segs.Churn))
	}
	total := 0
	for _, s := range segs.Segments {
		if s.Name == "" || s.Action == "" {
			t.Errorf("segment %s has no name or action", s.ID)
		}
		total += s.Size
	}
	if total != len(granted) {
		t.Errorf("segments hold %d customers, want all %d", total, len(granted))
	}

	seg := segs.Segments[0].ID
	var page struct {
		Items []api.EyesCustomer `json:"items"`
		Next  string             `json:"next"`
	}
	path := fmt.Sprintf("/v1/eyes/customers?segment=%s&min_churn_90=0.5&limit=20", seg)
	if code := f.srv.DoJSON(t, "GET", path, viewer.Token, nil, &page); code != 200 {
		t.Fatalf("customers: %d", code)
	}
	for _, c := range page.Items {
		if c.SegmentID != seg || c.Churn90 < 0.5 {
			t.Fatalf("filter leaked %+v", c)
		}
	}

	rows := exportRows(t, f.srv, viewer.Token, seg)
	if len(rows) == 0 {
		t.Fatal("export has no rows")
	}
	for _, r := range rows {
		if !granted[r[0]] {
			t.Fatalf("exported customer %s has not granted marketing consent", r[0])
		}
	}
	if want := countGranted(t, f.srv, f.owner().OrgID, run.ID, seg, granted); len(rows) != want {
		t.Fatalf("export has %d rows, want the segment's %d consented customers", len(rows), want)
	}
}

func exportRows(t *testing.T, srv *omnifytest.Server, token, seg string) [][]string {
	t.Helper()
	resp := srv.Do(t, "GET", "/v1/eyes/segments/"+seg+"/export.csv", token, nil)
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("export: %d %s", resp.StatusCode, b)
	}
	recs, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][0] != "customer_id" {
		t.Fatalf("export header %v", recs[0])
	}
	return recs[1:]
}

func countGranted(t *testing.T, srv *omnifytest.Server, orgID, runID, seg string, granted map[string]bool) int {
	t.Helper()
	n := 0
	for id, ok := range granted {
		sc, err := srv.Store.GetEyesScore(t.Context(), orgID, runID, id)
		if err != nil {
			t.Fatal(err)
		}
		if ok && sc.SegmentID == seg {
			n++
		}
	}
	return n
}

func TestEyesIsolation(t *testing.T) {
	f := newFixture(t)
	seedCustomers(t, f.srv, f.owner().OrgID, 300)
	run := runEyes(t, f.srv, f.owner())
	var segs api.EyesSegments
	f.srv.DoJSON(t, "GET", "/v1/eyes/segments", f.owner().Token, nil, &segs)

	for _, path := range []string{
		"/v1/eyes/runs/" + run.ID,
		"/v1/eyes/segments",
		"/v1/eyes/customers",
		"/v1/eyes/segments/" + segs.Segments[0].ID + "/export.csv",
	} {
		resp := f.srv.Do(t, "GET", path, f.other.Token, nil)
		body := readAll(t, resp)
		if resp.StatusCode != 404 {
			t.Errorf("%s with another org's token: %d, want 404: %s", path, resp.StatusCode, body)
		}
		if strings.Contains(body, run.ID) || strings.Contains(body, "c0000001") {
			t.Errorf("%s leaked org A's data: %s", path, body)
		}
	}
	var list struct {
		Items []api.EyesRunItem `json:"items"`
	}
	f.srv.DoJSON(t, "GET", "/v1/eyes/runs", f.other.Token, nil, &list)
	if len(list.Items) != 0 {
		t.Fatalf("another org lists %d of org A's runs", len(list.Items))
	}
}

func TestEyesBadInput(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		body any
		want int
	}{
		{map[string]any{"as_of": "2025-13-45"}, 422},
		{map[string]any{"as_of": "yesterday"}, 422},
		{map[string]any{"seed": "one"}, 422},
		{map[string]any{"horizon": 30}, 422},
		{"{not json", 400},
	} {
		resp := f.srv.Do(t, "POST", "/v1/eyes/runs", f.owner().Token, tc.body)
		body := readAll(t, resp)
		if resp.StatusCode != tc.want || !strings.Contains(resp.Header.Get("Content-Type"), "problem+json") {
			t.Errorf("body %v: %d %s, want %d problem+json", tc.body, resp.StatusCode, body, tc.want)
		}
	}
	resp := f.srv.Do(t, "GET", "/v1/eyes/segments", f.owner().Token, nil)
	if body := readAll(t, resp); resp.StatusCode != 404 || !strings.Contains(body, "no EYES run") {
		t.Fatalf("segments before any run: %d %s", resp.StatusCode, body)
	}
}
