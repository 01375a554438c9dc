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
// nothing of A changes. A's IDs are harvested from every listing A's owner
// can read, so path parameters of operations added later are tried with
// real IDs of A too.
func TestTenantIsolation(t *testing.T) {
	f := newFixture(t)
	a := f.owner()
	ops := operations(t, f.srv)
	seedThroughAPI(t, f.srv, a, ops)
	before := snapshot(t, f.srv, a, ops)
	ids := harvestIDs(t, f.srv, a, ops)
	if len(ids) < 8 { // the org, four members, their audit events
		t.Fatalf("harvested only %d IDs of org A", len(ids))
	}
	secrets := append([]string{"Acme", "acme.example.com"}, ids...)
	calls := 0
	for _, o := range ops {
		for _, path := range aimedAt(o.path, a, ids) {
			for _, body := range bodiesFor(o.method, a.OrgID) {
				calls++
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
	}
	t.Logf("%d calls with another org's token, %d IDs of org A", calls, len(ids))
	if after := snapshot(t, f.srv, a, ops); after != before {
		t.Errorf("org A changed:\nbefore %s\nafter  %s", before, after)
	}
}

// seedThroughAPI gives org A a record of every kind an operation creates
// from an empty body (an EYES run, say), and lets queued jobs finish, so
// the walk below has more of A's IDs to aim at.
func seedThroughAPI(t *testing.T, srv *omnifytest.Server, a omnifytest.Session, ops []operation) {
	t.Helper()
	for _, o := range ops {
		path := strings.ReplaceAll(o.path, "{org_id}", a.OrgID)
		if o.method == http.MethodPost && !strings.Contains(path, "{") && !strings.HasPrefix(path, "/v1/auth/") {
			srv.Do(t, o.method, path, a.Token, map[string]any{})
		}
	}
	for srv.Jobs.RunOne(context.Background(), "test") {
	}
}

var uuidish = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// harvestIDs reads every parameterless GET operation as A's owner and
// collects the IDs in the answers.
func harvestIDs(t *testing.T, srv *omnifytest.Server, a omnifytest.Session, ops []operation) []string {
	t.Helper()
	seen := map[string]bool{a.OrgID: true, a.UserID: true}
	for _, o := range ops {
		path := strings.ReplaceAll(o.path, "{org_id}", a.OrgID)
		if o.method != http.MethodGet || strings.Contains(path, "{") {
			continue
		}
		for _, id := range uuidish.FindAllString(readAll(t, srv.Do(t, "GET", path, a.Token, nil)), -1) {
			seen[id] = true
		}
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// aimedAt fills a path's org_id with A's org and each other parameter
// with every harvested ID in turn.
func aimedAt(path string, a omnifytest.Session, ids []string) []string {
	path = strings.ReplaceAll(path, "{org_id}", a.OrgID)
	if !strings.Contains(path, "{") {
		return []string{path}
	}
	var out []string
	for _, id := range ids {
		out = append(out, pathParam.ReplaceAllString(path, id))
	}
	return out
}

func bodiesFor(method, orgID string) []any {
	if method == http.MethodGet || method == http.MethodDelete {
		return []any{nil}
	}
	return []any{map[string]any{}, map[string]any{"org_id": orgID},
		map[string]any{"org_id": orgID, "role": "viewer", "email": "eve@umbrella.example.com", "name": "Pwned"}}
}

// snapshot is org A as its owner sees it through every parameterless GET
// operation, listings at their largest page.
func snapshot(t *testing.T, srv *omnifytest.Server, a omnifytest.Session, ops []operation) string {
	t.Helper()
	var b strings.Builder
	for _, o := range ops {
		path := strings.ReplaceAll(o.path, "{org_id}", a.OrgID)
		if o.method != http.MethodGet || strings.Contains(path, "{") || strings.HasPrefix(path, "/health") {
			continue
		}
		resp := srv.Do(t, "GET", path+"?limit=1000", a.Token, nil)
		b.WriteString(path + " " + resp.Status + " " + readAll(t, resp) + "\n")
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
