package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
)

func TestInviteTeammateEndToEnd(t *testing.T) {
	f := newFixture(t)
	owner := f.owner()
	bob := f.srv.Register(t, "bob@example.com", "Bob's own")
	var m api.Member
	st := f.srv.DoJSON(t, "POST", "/v1/orgs/"+owner.OrgID+"/members", owner.Token, map[string]any{"email": "BOB@example.com", "role": "analyst"}, &m)
	if st != 201 || m.UserID != bob.UserID || m.Role != omnify.RoleAnalyst || m.Email != "bob@example.com" {
		t.Fatalf("invite: %d %+v", st, m)
	}
	// Bob signs in to Acme and sees it.
	s := f.srv.Login(t, "bob@example.com", owner.OrgID)
	var me api.Me
	f.srv.DoJSON(t, "GET", "/v1/me", s.Token, nil, &me)
	if me.Org.ID != owner.OrgID || me.Org.Name != "Acme" || me.Role != omnify.RoleAnalyst || len(me.Memberships) != 2 {
		t.Fatalf("bob's me: %+v", me)
	}
	var list struct{ Items []api.Member }
	f.srv.DoJSON(t, "GET", "/v1/orgs/"+owner.OrgID+"/members", s.Token, nil, &list)
	if len(list.Items) != 5 {
		t.Fatalf("members: %+v", list.Items)
	}
}

func TestMemberScenarios(t *testing.T) {
	f := newFixture(t)
	const members = "/v1/orgs/{org}/members"
	f.run(t, []scenario{
		{name: "list", method: "GET", path: members, token: "viewer", status: 200,
			contains: []string{`"email":"owner@acme.example.com"`, `"role":"analyst"`}},
		{name: "list page", method: "GET", path: members + "?limit=2", token: "viewer", status: 200, contains: []string{`"next":"`}},
		{name: "list bad cursor", method: "GET", path: members + "?after=garbage", token: "viewer", status: 422, contains: []string{`"location":"query.after"`}},
		{name: "list bad limit", method: "GET", path: members + "?limit=5000", token: "viewer", status: 422, contains: []string{"query.limit"}},
		{name: "invite unknown account", method: "POST", path: members, token: "admin", body: map[string]any{"email": "ghost@example.com", "role": "viewer"},
			status: 404, contains: []string{"sign up"}},
		{name: "invite existing member", method: "POST", path: members, token: "admin", body: map[string]any{"email": "viewer@acme.example.com", "role": "viewer"},
			status: 409},
		{name: "invite bad role", method: "POST", path: members, token: "admin", body: map[string]any{"email": "eve@umbrella.example.com", "role": "god"},
			status: 422, contains: []string{"body.role"}},
		{name: "invite bad email", method: "POST", path: members, token: "admin", body: map[string]any{"email": "eve", "role": "viewer"},
			status: 422, contains: []string{"body.email"}},
		{name: "admin cannot grant owner", method: "POST", path: members, token: "admin", body: map[string]any{"email": "eve@umbrella.example.com", "role": "owner"},
			status: 403},
		{name: "admin cannot promote to owner", method: "PATCH", path: members + "/{viewer_id}", token: "admin", body: map[string]any{"role": "owner"}, status: 403},
		{name: "admin cannot demote owner", method: "PATCH", path: members + "/{owner_id}", token: "admin", body: map[string]any{"role": "viewer"}, status: 403},
		{name: "admin cannot remove owner", method: "DELETE", path: members + "/{owner_id}", token: "admin", status: 403},
		{name: "last owner cannot step down", method: "PATCH", path: members + "/{owner_id}", token: "owner", body: map[string]any{"role": "admin"}, status: 409},
		{name: "last owner cannot leave", method: "DELETE", path: members + "/{owner_id}", token: "owner", status: 409},
		{name: "admin demotes analyst", method: "PATCH", path: members + "/{analyst_id}", token: "admin", body: map[string]any{"role": "viewer"},
			status: 200, contains: []string{`"role":"viewer"`}},
		{name: "unknown member", method: "PATCH", path: members + "/{other_user}", token: "admin", body: map[string]any{"role": "viewer"}, status: 404},
		{name: "owner grants owner", method: "PATCH", path: members + "/{admin_id}", token: "owner", body: map[string]any{"role": "owner"}, status: 200},
		{name: "second owner can now step down", method: "PATCH", path: members + "/{owner_id}", token: "owner", body: map[string]any{"role": "admin"}, status: 200},
		{name: "remove viewer", method: "DELETE", path: members + "/{viewer_id}", token: "admin", status: 204},
		{name: "removed viewer's token is dead", method: "GET", path: "/v1/me", token: "viewer", status: 401},
		{name: "remove again", method: "DELETE", path: members + "/{viewer_id}", token: "admin", status: 404},
	})
}

func TestDemotionTakesEffectAtOnce(t *testing.T) {
	f := newFixture(t)
	admin := f.team[omnify.RoleAdmin]
	path := "/v1/orgs/" + admin.OrgID
	if st := f.srv.DoJSON(t, "PATCH", path, admin.Token, map[string]any{"name": "Acme Two"}, nil); st != 200 {
		t.Fatalf("admin rename: %d", st)
	}
	if st := f.srv.DoJSON(t, "PATCH", path+"/members/"+admin.UserID, f.owner().Token, map[string]any{"role": "viewer"}, nil); st != 200 {
		t.Fatalf("demote: %d", st)
	}
	if st := f.srv.DoJSON(t, "PATCH", path, admin.Token, map[string]any{"name": "Acme Three"}, nil); st != 403 {
		t.Fatalf("demoted admin rename: %d, want 403", st)
	}
}

func TestOrgScenarios(t *testing.T) {
	f := newFixture(t)
	f.run(t, []scenario{
		{name: "get", method: "GET", path: "/v1/orgs/{org}", token: "viewer", status: 200, contains: []string{`"name":"Acme"`, `"id":"{org}"`}},
		{name: "get other org", method: "GET", path: "/v1/orgs/{other_org}", token: "owner", status: 404},
		{name: "get unknown org", method: "GET", path: "/v1/orgs/nope", token: "owner", status: 404},
		{name: "rename as analyst", method: "PATCH", path: "/v1/orgs/{org}", token: "analyst", body: map[string]any{"name": "X"}, status: 403},
		{name: "rename blank", method: "PATCH", path: "/v1/orgs/{org}", token: "admin", body: map[string]any{"name": "  "}, status: 422, contains: []string{"body.name"}},
		{name: "rename too long", method: "PATCH", path: "/v1/orgs/{org}", token: "admin", body: map[string]any{"name": strings.Repeat("x", 101)}, status: 422},
		{name: "rename", method: "PATCH", path: "/v1/orgs/{org}", token: "admin", body: map[string]any{"name": " Acme Ltd "}, status: 200, contains: []string{`"name":"Acme Ltd"`}},
		{name: "renamed", method: "GET", path: "/v1/orgs/{org}", token: "viewer", status: 200, contains: []string{`"name":"Acme Ltd"`}},
	})
}

// TestRoleChangeByAnotherReplica: a role changed behind this server's back
// (another replica, an admin command) applies within the role cache TTL.
func TestRoleChangeByAnotherReplica(t *testing.T) {
	f := newFixture(t)
	admin := f.team[omnify.RoleAdmin]
	audit := "/v1/orgs/" + admin.OrgID + "/audit"
	if st := f.srv.DoJSON(t, "GET", audit, admin.Token, nil, nil); st != 200 {
		t.Fatalf("admin reads audit: %d", st)
	}
	if err := f.srv.Store.SetRole(context.Background(), admin.OrgID, admin.UserID, omnify.RoleViewer); err != nil {
		t.Fatal(err)
	}
	f.srv.Clock.Advance(api.DefaultRoleTTL)
	if st := f.srv.DoJSON(t, "GET", audit, admin.Token, nil, nil); st != 403 {
		t.Fatalf("after the role TTL, demoted admin reads audit: %d", st)
	}
}
