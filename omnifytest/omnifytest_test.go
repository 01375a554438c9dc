package omnifytest_test

import (
	"net/http"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/omnifytest"
)

func TestTeamHasEveryRoleInOneOrg(t *testing.T) {
	srv := omnifytest.NewServer(t)
	team := srv.Team(t, "Acme Coffee")
	owner := team[omnify.RoleOwner]
	for _, role := range omnify.Roles {
		s := team[role]
		var me api.Me
		if st := srv.DoJSON(t, http.MethodGet, "/v1/me", s.Token, nil, &me); st != http.StatusOK {
			t.Fatalf("%s: GET /v1/me %d", role, st)
		}
		if me.Org.ID != owner.OrgID || me.Role != role || s.Role != role || me.User.Email != s.Email {
			t.Errorf("%s: me %+v, session %+v", role, me, s)
		}
	}
}

func TestDoSendsRawAndJSONBodies(t *testing.T) {
	srv := omnifytest.NewServer(t)
	if got := srv.Do(t, http.MethodPost, "/v1/auth/login", "", `{"email":`).StatusCode; got != http.StatusBadRequest {
		t.Errorf("raw malformed body: %d", got)
	}
	if got := srv.Do(t, http.MethodPost, "/v1/auth/login", "", map[string]string{"email": "a@example.com"}).StatusCode; got != http.StatusUnprocessableEntity {
		t.Errorf("JSON body missing the password: %d", got)
	}
}
