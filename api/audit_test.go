package api_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
)

type auditPage struct {
	Items []api.AuditItem `json:"items"`
	Next  string          `json:"next"`
}

func TestAuditRecordsStateChanges(t *testing.T) {
	f := newFixture(t)
	owner, admin := f.owner(), f.team[omnify.RoleAdmin]
	analyst := f.team[omnify.RoleAnalyst]
	path := "/v1/orgs/" + owner.OrgID
	resp := f.srv.Do(t, "PATCH", path+"/members/"+analyst.UserID, admin.Token, map[string]any{"role": "viewer"})
	if resp.StatusCode != 200 {
		t.Fatalf("demote: %d", resp.StatusCode)
	}
	f.srv.Do(t, "PATCH", path, admin.Token, map[string]any{"name": "  "}) // fails: no event
	f.srv.Do(t, "GET", path+"/members", admin.Token, nil)                 // a read: no event

	var page auditPage
	if st := f.srv.DoJSON(t, "GET", path+"/audit?limit=1", owner.Token, nil, &page); st != 200 {
		t.Fatalf("audit: %d", st)
	}
	if len(page.Items) != 1 || page.Next == "" {
		t.Fatalf("first page: %+v", page)
	}
	ev := page.Items[0]
	want := api.AuditItem{ActorID: admin.UserID, Action: "members.update", Target: "user:" + analyst.UserID,
		IP: "127.0.0.1", UserAgent: "Go-http-client/1.1", RequestID: resp.Header.Get("X-Request-Id"),
		Details: map[string]string{"old_role": "analyst", "new_role": "viewer"}}
	if ev.ActorID != want.ActorID || ev.Action != want.Action || ev.Target != want.Target || ev.IP != want.IP ||
		ev.UserAgent != want.UserAgent || ev.RequestID == "" || ev.RequestID != want.RequestID ||
		ev.Details["old_role"] != "analyst" || ev.Details["new_role"] != "viewer" {
		t.Fatalf("event %+v, want %+v", ev, want)
	}
	if time.Since(ev.CreatedAt) > time.Minute {
		t.Errorf("event time %v", ev.CreatedAt)
	}
}

func TestAuditListingFilters(t *testing.T) {
	f := newFixture(t)
	owner := f.owner()
	base := "/v1/orgs/" + owner.OrgID + "/audit"
	all := listAudit(t, f, base+"?limit=1000")
	// The team fixture: register (owner), 3 invites by the owner, 3 logins.
	counts := map[string]int{}
	for _, e := range all.Items {
		counts[e.Action]++
	}
	if counts["auth.register"] != 1 || counts["members.invite"] != 3 || counts["auth.login"] != 3 {
		t.Fatalf("actions %v", counts)
	}
	invites := listAudit(t, f, base+"?action=members.invite")
	if len(invites.Items) != 3 {
		t.Fatalf("invites: %+v", invites.Items)
	}
	byOwner := listAudit(t, f, base+"?actor_id="+owner.UserID)
	if len(byOwner.Items) != 4 {
		t.Fatalf("owner's events: %d", len(byOwner.Items))
	}
	future := url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))
	if got := listAudit(t, f, base+"?since="+future); len(got.Items) != 0 {
		t.Fatalf("since the future: %d", len(got.Items))
	}
	if got := listAudit(t, f, base+"?until="+future); len(got.Items) != len(all.Items) {
		t.Fatalf("until the future: %d of %d", len(got.Items), len(all.Items))
	}
	// Paging walks every event once, newest first.
	var seen []api.AuditItem
	for next := "?limit=2"; ; {
		p := listAudit(t, f, base+next)
		seen = append(seen, p.Items...)
		if p.Next == "" {
			break
		}
		next = "?limit=2&after=" + url.QueryEscape(p.Next)
	}
	if len(seen) != len(all.Items) {
		t.Fatalf("paged %d of %d", len(seen), len(all.Items))
	}
	for i := range seen {
		if seen[i].ID != all.Items[i].ID {
			t.Fatalf("page order differs at %d", i)
		}
	}
	f.run(t, []scenario{
		{name: "bad cursor", method: "GET", path: "/v1/orgs/{org}/audit?after=%00", token: "owner", status: 422, contains: []string{`"location":"query.after"`}},
		{name: "bad since", method: "GET", path: "/v1/orgs/{org}/audit?since=yesterday", token: "owner", status: 422, contains: []string{"query.since"}},
		{name: "analyst may not read", method: "GET", path: "/v1/orgs/{org}/audit", token: "analyst", status: 403},
	})
}

func listAudit(t *testing.T, f *fixture, path string) auditPage {
	t.Helper()
	var p auditPage
	if st := f.srv.DoJSON(t, "GET", path, f.owner().Token, nil, &p); st != 200 {
		t.Fatalf("GET %s: %d", path, st)
	}
	return p
}
