package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/fake"
	"github.com/omnify-cloud/omnify/omnifytest"
	"github.com/omnify-cloud/omnify/push/pushtest"
	"github.com/omnify-cloud/omnify/store"
)

// pushFixture is a team whose org has a Recorder connection (write-back),
// a fake shop connection (none) and an EYES run whose segment "seg-a" holds
// four customers, two of them with marketing consent; the other org has a
// Recorder connection of its own.
type pushFixture struct {
	*fixture
	rec                     *pushtest.Recorder
	conn, shopConn, other   string
	consented, notConsented []string
}

func newPushFixture(t *testing.T) *pushFixture {
	t.Helper()
	rec := &pushtest.Recorder{}
	f := &pushFixture{fixture: newFixture(t, omnifytest.WithConnectors(nil, rec, fake.New(1, 0, 0))), rec: rec}
	recBody := map[string]any{"platform": pushtest.Platform, "credentials": map[string]any{"token": pushtest.Token}}
	f.conn = f.connectAs(t, f.team[omnify.RoleAdmin].Token, recBody)
	f.shopConn = f.connectAs(t, f.team[omnify.RoleAdmin].Token, connectBody(fake.Token))
	f.other = f.connectAs(t, f.fixture.other.Token, recBody)
	org := f.owner().OrgID
	for i, consent := range []string{"granted", "denied", "unknown", "granted"} {
		email := fmt.Sprintf("p%d@example.com", i)
		rec := connector.Record{Stream: "customers", ExternalID: fmt.Sprint(i),
			Customer: &connector.Customer{Email: email, Consent: consent}}
		if err := f.srv.Sink.Store(context.Background(), org, f.shopConn, fake.Platform, []connector.Record{rec}); err != nil {
			t.Fatalf("store customer: %v", err)
		}
		cs, _, err := f.srv.Store.ListCustomers(context.Background(), org, store.CustomerFilter{Email: email}, store.Page{})
		if err != nil || len(cs) != 1 {
			t.Fatalf("customer %s: %v %v", email, cs, err)
		}
		if consent == "granted" {
			f.consented = append(f.consented, cs[0].ID)
		} else {
			f.notConsented = append(f.notConsented, cs[0].ID)
		}
	}
	sort.Strings(f.consented)
	pushtest.Run(t, f.srv.Store, org, map[string][]string{"seg-a": append(append([]string{}, f.consented...), f.notConsented...)})
	return f
}

func (f *pushFixture) connectAs(t *testing.T, token string, body any) string {
	t.Helper()
	var out map[string]any
	if st := f.srv.DoJSON(t, "POST", "/v1/platforms/connect", token, body, &out); st != http.StatusCreated {
		t.Fatalf("connect: %d %v", st, out)
	}
	return out["id"].(string)
}

func TestPushSegmentValidation(t *testing.T) {
	t.Parallel()
	f := newPushFixture(t)
	ok := map[string]any{"connection_id": f.conn, "destination": "VIP"}
	f.run(t, []scenario{
		{name: "viewer may not push", method: "POST", path: "/v1/eyes/segments/seg-a/push", token: "viewer", body: ok, status: 403},
		{name: "no token", method: "POST", path: "/v1/eyes/segments/seg-a/push", token: "", body: ok, status: 401},
		{name: "unknown segment", method: "POST", path: "/v1/eyes/segments/nope/push", token: "analyst", body: ok,
			status: 404, contains: []string{"no such segment"}},
		{name: "another org's connection", method: "POST", path: "/v1/eyes/segments/seg-a/push", token: "analyst",
			body: map[string]any{"connection_id": f.other, "destination": "VIP"}, status: 404, contains: []string{"no such connection"}},
		{name: "connection without write-back", method: "POST", path: "/v1/eyes/segments/seg-a/push", token: "analyst",
			body: map[string]any{"connection_id": f.shopConn, "destination": "VIP"}, status: 422,
			contains: []string{`"location":"body.connection_id"`, "cannot receive audiences"}},
		{name: "missing connection", method: "POST", path: "/v1/eyes/segments/seg-a/push", token: "analyst",
			body: map[string]any{"destination": "VIP"}, status: 422, contains: []string{"required property connection_id"}},
		{name: "blank destination", method: "POST", path: "/v1/eyes/segments/seg-a/push", token: "analyst",
			body: map[string]any{"connection_id": f.conn, "destination": "   "}, status: 422, contains: []string{`"location":"body.destination"`}},
		{name: "missing destination", method: "POST", path: "/v1/eyes/segments/seg-a/push", token: "analyst",
			body: map[string]any{"connection_id": f.conn}, status: 422, contains: []string{"required property destination"}},
		{name: "destination too long", method: "POST", path: "/v1/eyes/segments/seg-a/push", token: "analyst",
			body: map[string]any{"connection_id": f.conn, "destination": strings.Repeat("x", 201)}, status: 422,
			contains: []string{"body.destination"}},
		{name: "other org has no EYES run", method: "POST", path: "/v1/eyes/segments/seg-a/push", token: "other",
			body: map[string]any{"connection_id": f.other, "destination": "VIP"}, status: 404, contains: []string{"no EYES run"}},
	})
	if calls := f.rec.Calls(); len(calls) != 0 {
		t.Fatalf("refused requests reached the platform: %v", calls)
	}
}

func TestPushSegmentRoles(t *testing.T) {
	t.Parallel()
	f := newPushFixture(t)
	for _, tt := range []struct {
		role omnify.Role
		want int
	}{{omnify.RoleViewer, 403}, {omnify.RoleAnalyst, 202}, {omnify.RoleAdmin, 202}, {omnify.RoleOwner, 202}} {
		st := f.srv.DoJSON(t, "POST", "/v1/eyes/segments/seg-a/push", f.team[tt.role].Token,
			map[string]any{"connection_id": f.conn, "destination": "VIP by " + string(tt.role)}, nil)
		if st != tt.want {
			t.Errorf("%s: %d, want %d", tt.role, st, tt.want)
		}
	}
}

func TestPushSegmentEndToEnd(t *testing.T) {
	t.Parallel()
	f := newPushFixture(t)
	analyst := f.team[omnify.RoleAnalyst]
	resp := f.srv.Do(t, "POST", "/v1/eyes/segments/seg-a/push", analyst.Token,
		map[string]any{"connection_id": f.conn, "destination": "VIP"})
	var job api.JobItem
	if err := json.Unmarshal([]byte(readAll(t, resp)), &job); err != nil {
		t.Fatalf("decode job: %v", err)
	}
	if resp.StatusCode != http.StatusAccepted || job.Kind != "segment.push" || job.Status != "queued" {
		t.Fatalf("push: %d %+v", resp.StatusCode, job)
	}
	if loc := resp.Header.Get("Location"); loc != "/v1/jobs/"+job.ID {
		t.Fatalf("Location %q, want /v1/jobs/%s", loc, job.ID)
	}
	if st := f.srv.DoJSON(t, "POST", "/v1/eyes/segments/seg-a/push", analyst.Token,
		map[string]any{"connection_id": f.conn, "destination": "VIP"}, nil); st != http.StatusConflict {
		t.Fatalf("second push to the same audience while the first is queued: %d, want 409", st)
	}
	for f.srv.Jobs.RunOne(t.Context(), "w") {
	}
	var done struct {
		Status string `json:"status"`
		Result struct {
			Added            int `json:"added"`
			SkippedNoConsent int `json:"skipped_no_consent"`
			DestinationID    string
		} `json:"result"`
	}
	if st := f.srv.DoJSON(t, "GET", "/v1/jobs/"+job.ID, f.team[omnify.RoleViewer].Token, nil, &done); st != 200 ||
		done.Status != "succeeded" || done.Result.Added != 2 || done.Result.SkippedNoConsent != 2 {
		t.Fatalf("job: %d %+v", st, done)
	}
	if got := f.rec.AudienceIDs("VIP"); fmt.Sprint(got) != fmt.Sprint(f.consented) {
		t.Fatalf("platform audience %v, want only the consented %v", got, f.consented)
	}
	// The other org sees neither the job nor the push in its audit log.
	if st := f.srv.DoJSON(t, "GET", "/v1/jobs/"+job.ID, f.fixture.other.Token, nil, nil); st != 404 {
		t.Fatalf("other org reads the job: %d", st)
	}
	var pushes struct{ Items []api.SegmentPush }
	if st := f.srv.DoJSON(t, "GET", "/v1/eyes/segments/seg-a/pushes", f.team[omnify.RoleViewer].Token, nil, &pushes); st != 200 ||
		len(pushes.Items) != 1 || pushes.Items[0].Job.ID != job.ID || pushes.Items[0].Destination != "VIP" ||
		pushes.Items[0].ConnectionID != f.conn || pushes.Items[0].Job.Status != "succeeded" {
		t.Fatalf("pushes of seg-a: %d %+v", st, pushes)
	}
	if st := f.srv.DoJSON(t, "GET", "/v1/eyes/segments/seg-a/pushes", f.fixture.other.Token, nil, &pushes); st != 200 ||
		len(pushes.Items) != 0 {
		t.Fatalf("other org lists pushes: %d %+v", st, pushes)
	}
	audit := listAudit(t, f.fixture, "/v1/orgs/"+f.owner().OrgID+"/audit?action=eyes.push")
	if len(audit.Items) != 1 {
		t.Fatalf("audit events %+v, want one", audit.Items)
	}
	ev := audit.Items[0]
	if ev.ActorID != analyst.UserID || ev.Target != "segment:seg-a" || ev.Details["connection_id"] != f.conn ||
		ev.Details["destination"] != "VIP" || ev.Details["job_id"] != job.ID {
		t.Fatalf("audit event %+v", ev)
	}
}
