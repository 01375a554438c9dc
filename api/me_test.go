package api_test

import (
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
)

// TestMeSeesChangesAtOnce: what GET /v1/me shows is cached briefly, but a
// change made through this server shows at once.
func TestMeSeesChangesAtOnce(t *testing.T) {
	f := newFixture(t)
	bo := f.srv.Register(t, "bo@example.com", "Bo's Shop")
	var me api.Me
	if code := f.srv.DoJSON(t, "GET", "/v1/me", bo.Token, nil, &me); code != 200 || len(me.Memberships) != 1 {
		t.Fatalf("before invite: %d, %d memberships", code, len(me.Memberships))
	}
	f.srv.Invite(t, f.owner(), "bo@example.com", omnify.RoleAnalyst)
	if f.srv.DoJSON(t, "GET", "/v1/me", bo.Token, nil, &me); len(me.Memberships) != 2 {
		t.Fatalf("after invite: %d memberships, want 2", len(me.Memberships))
	}
	if code := f.srv.DoJSON(t, "PATCH", "/v1/orgs/"+f.owner().OrgID, f.owner().Token, map[string]any{"name": "Acme Renamed"}, nil); code != 200 {
		t.Fatalf("rename: %d", code)
	}
	f.srv.DoJSON(t, "GET", "/v1/me", bo.Token, nil, &me)
	found := false
	for _, m := range me.Memberships {
		found = found || m.OrgName == "Acme Renamed"
	}
	if !found {
		t.Fatalf("after rename: %+v", me.Memberships)
	}
	if code := f.srv.DoJSON(t, "DELETE", "/v1/orgs/"+f.owner().OrgID+"/members/"+bo.UserID, f.owner().Token, nil, nil); code != 204 {
		t.Fatalf("remove: %d", code)
	}
	if f.srv.DoJSON(t, "GET", "/v1/me", bo.Token, nil, &me); len(me.Memberships) != 1 {
		t.Fatalf("after removal: %d memberships, want 1", len(me.Memberships))
	}
}
