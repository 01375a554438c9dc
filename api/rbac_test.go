package api_test

import (
	"context"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/omnifytest"
)

// operation is one method and path of the generated OpenAPI document.
type operation struct {
	method, path string
	op           *huma.Operation
}

// operations lists every documented operation, so the tests below cover
// operations added later without being edited.
func operations(t *testing.T, srv *omnifytest.Server) []operation {
	t.Helper()
	var ops []operation
	for path, item := range srv.API.API().OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{
			"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete,
		} {
			if op != nil {
				ops = append(ops, operation{method, path, op})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	if len(ops) < 10 {
		t.Fatalf("only %d operations documented", len(ops))
	}
	return ops
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// fill substitutes path parameters: org_id and user_id from vals, anything
// else a value that names nothing.
func fill(path string, vals map[string]string) string {
	return pathParam.ReplaceAllStringFunc(path, func(m string) string {
		if v, ok := vals[m[1:len(m)-1]]; ok {
			return v
		}
		return "0190aaaa-0000-7000-8000-000000000000"
	})
}

func bodyFor(method string) any {
	if method == http.MethodGet || method == http.MethodDelete {
		return nil
	}
	return map[string]any{}
}

func TestEveryOperationHasAPermission(t *testing.T) {
	srv := omnifytest.NewServer(t)
	perms := api.Permissions()
	for _, o := range operations(t, srv) {
		need, ok := perms[o.op.OperationID]
		if !ok {
			t.Errorf("%s %s (%s) has no permission", o.method, o.path, o.op.OperationID)
		}
		if need != api.Anyone && len(o.op.Security) == 0 {
			t.Errorf("%s needs a token but does not document it", o.op.OperationID)
		}
	}
}

// TestRoleMatrix tries every role on every operation that needs one: roles
// below the operation's permission get 403, the others get past the check.
// Path parameters other than the org name nothing, so allowed calls end in
// 404 or 422 and leave the fixture as it was.
func TestRoleMatrix(t *testing.T) {
	f := newFixture(t)
	perms := api.Permissions()
	for _, o := range operations(t, f.srv) {
		need := perms[o.op.OperationID]
		if need == api.Anyone {
			continue
		}
		for _, role := range omnify.Roles {
			t.Run(o.op.OperationID+"/"+string(role), func(t *testing.T) {
				path := fill(o.path, map[string]string{"org_id": f.owner().OrgID})
				resp := f.srv.Do(t, o.method, path, f.team[role].Token, bodyFor(o.method))
				body := readAll(t, resp)
				allowed := role.AtLeast(need)
				switch {
				case resp.StatusCode >= 500:
					t.Fatalf("%s %s: %d %s", o.method, path, resp.StatusCode, body)
				case allowed && (resp.StatusCode == 401 || resp.StatusCode == 403):
					t.Fatalf("%s needs %s; %s got %d: %s", o.op.OperationID, need, role, resp.StatusCode, body)
				case !allowed && resp.StatusCode != 403:
					t.Fatalf("%s needs %s; %s got %d, want 403: %s", o.op.OperationID, need, role, resp.StatusCode, body)
				}
			})
		}
	}
}

// TestTenantIsolation calls every operation with a valid token of another
// org, aimed at org A's IDs, and checks that nothing of A comes back and
// nothing of A changes.
func TestTenantIsolation(t *testing.T) {
	f := newFixture(t)
	a := f.owner()
	before := snapshot(t, f.srv, a)
	secrets := []string{a.OrgID, a.UserID, "Acme", "acme.example.com"}
	ids := map[string]string{"org_id": a.OrgID, "user_id": f.team[omnify.RoleViewer].UserID}
	for _, o := range operations(t, f.srv) {
		path := fill(o.path, ids)
		bodies := []any{bodyFor(o.method)}
		if bodies[0] != nil {
			bodies = append(bodies, map[string]any{"org_id": a.OrgID}, map[string]any{"org_id": a.OrgID, "role": "viewer", "email": "eve@umbrella.example.com", "name": "Pwned"})
		}
		for _, body := range bodies {
			resp := f.srv.Do(t, o.method, path, f.other.Token, body)
			got := readAll(t, resp)
			if strings.Contains(o.path, "{org_id}") && resp.StatusCode != 404 {
				t.Errorf("%s %s with another org's token: %d, want 404: %s", o.method, path, resp.StatusCode, got)
			}
			if resp.StatusCode >= 500 {
				t.Errorf("%s %s: %d", o.method, path, resp.StatusCode)
			}
			for _, s := range secrets {
				if strings.Contains(got, s) {
					t.Errorf("%s %s leaked %q: %s", o.method, path, s, got)
				}
			}
		}
	}
	if after := snapshot(t, f.srv, a); after != before {
		t.Errorf("org A changed:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot is org A as its owner sees it.
func snapshot(t *testing.T, srv *omnifytest.Server, a omnifytest.Session) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/v1/orgs/" + a.OrgID, "/v1/orgs/" + a.OrgID + "/members?limit=1000", "/v1/orgs/" + a.OrgID + "/audit?limit=1000"} {
		resp := srv.Do(t, "GET", p, a.Token, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("snapshot %s: %d", p, resp.StatusCode)
		}
		b.WriteString(readAll(t, resp))
	}
	return b.String()
}

func TestRegisterRefusesUndeclaredOperations(t *testing.T) {
	srv := omnifytest.NewServer(t)
	defer func() {
		if recover() == nil {
			t.Fatal("an operation missing from the permission table was registered")
		}
	}()
	api.Register(srv.API, huma.Operation{OperationID: "secret.dump", Method: "GET", Path: "/v1/secret"},
		func(context.Context, *struct{}) (*struct{}, error) { return nil, nil })
}
