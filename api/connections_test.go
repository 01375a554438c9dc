package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/connector/fake"
	"github.com/omnify-cloud/omnify/omnifytest"
)

// connFixture is a team with the fake shop connectable, recording every
// answer and log line so tests can look for leaked credentials.
type connFixture struct {
	*fixture
	src     *fake.Source
	logs    *syncBuffer
	answers strings.Builder
}

func newConnFixture(t *testing.T) *connFixture {
	t.Helper()
	src := fake.New(1, 30, 120)
	logs := &syncBuffer{}
	f := newFixture(t, omnifytest.WithConnectors(nil, src), omnifytest.WithDeps(func(d *api.Deps) {
		d.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}))
	return &connFixture{fixture: f, src: src, logs: logs}
}

// do sends a request as role ("other" for the other org's owner) and
// returns the status and the decoded answer.
func (f *connFixture) do(t *testing.T, role, method, path string, body any) (int, map[string]any) {
	t.Helper()
	token := f.other.Token
	if role != "other" {
		token = f.team[omnify.Role(role)].Token
	}
	resp := f.srv.Do(t, method, path, token, body)
	text := readAll(t, resp)
	f.answers.WriteString(text + "\n")
	var out map[string]any
	if text != "" {
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, text)
		}
	}
	return resp.StatusCode, out
}

func connectBody(token string) map[string]any {
	return map[string]any{"platform": "fake", "name": "Acme shop",
		"credentials": map[string]any{"access_token": token}, "config": map[string]any{"shop": "acme"}}
}

func (f *connFixture) connect(t *testing.T) string {
	t.Helper()
	st, out := f.do(t, "admin", "POST", "/v1/platforms/connect", connectBody(fake.Token))
	if st != http.StatusCreated {
		t.Fatalf("connect: %d %v", st, out)
	}
	return out["id"].(string)
}

func TestConnectSyncAndDelete(t *testing.T) {
	f := newConnFixture(t)
	st, out := f.do(t, "admin", "POST", "/v1/platforms/connect", connectBody(fake.Token))
	if st != http.StatusCreated || out["health"] != "healthy" || out["name"] != "Acme shop" ||
		out["sync_every_minutes"] != float64(60) {
		t.Fatalf("connect: %d %v", st, out)
	}
	id := out["id"].(string)
	if _, ok := out["credentials"]; ok {
		t.Fatal("the answer carries credentials")
	}
	st, out = f.do(t, "viewer", "GET", "/v1/connections", nil)
	if items := out["items"].([]any); st != 200 || len(items) != 1 || items[0].(map[string]any)["id"] != id {
		t.Fatalf("list: %d %v", st, out)
	}
	st, out = f.do(t, "analyst", "POST", "/v1/connections/"+id+"/sync", map[string]any{"mode": "full"})
	if st != http.StatusAccepted || out["status"] != "queued" || out["mode"] != "full" || out["trigger"] != "manual" {
		t.Fatalf("sync: %d %v", st, out)
	}
	runID := out["id"].(string)
	if st, out = f.do(t, "analyst", "POST", "/v1/connections/"+id+"/sync", map[string]any{}); st != http.StatusConflict {
		t.Fatalf("a second sync while one is queued: %d %v", st, out)
	}
	for f.srv.Jobs.RunOne(t.Context(), "test") {
	}
	st, out = f.do(t, "viewer", "GET", "/v1/connections/"+id+"/syncs", nil)
	run := out["items"].([]any)[0].(map[string]any)
	orders := run["progress"].(map[string]any)["orders"].(map[string]any)
	if st != 200 || run["id"] != runID || run["status"] != "succeeded" || orders["stored"] != float64(120) ||
		orders["total"] != float64(120) {
		t.Fatalf("syncs: %d %v", st, out)
	}
	st, out = f.do(t, "viewer", "GET", "/v1/connections/"+id, nil)
	if st != 200 || out["last_sync_at"] == nil || out["health"] != "healthy" {
		t.Fatalf("get after sync: %d %v", st, out)
	}
	if st, _ = f.do(t, "admin", "DELETE", "/v1/connections/"+id, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	if st, _ = f.do(t, "viewer", "GET", "/v1/connections/"+id, nil); st != http.StatusNotFound {
		t.Fatalf("get after delete: %d", st)
	}
	f.wantNoSecret(t, fake.Token)
}

func (f *connFixture) wantNoSecret(t *testing.T, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(f.answers.String(), s) {
			t.Errorf("an API answer carries the credential %q", s)
		}
		if strings.Contains(f.logs.String(), s) {
			t.Errorf("the log carries the credential %q", s)
		}
	}
	if !strings.Contains(f.logs.String(), "/v1/platforms/connect") {
		t.Error("the access log was not captured")
	}
}

func TestConnectValidationNamesTheField(t *testing.T) {
	f := newConnFixture(t)
	const wrong = "tok_notthetoken42"
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown platform", map[string]any{"platform": "myspace"}, "body.platform"},
		{"no platform", map[string]any{"credentials": map[string]any{}}, "body"}, // huma names the object
		{"missing token", map[string]any{"platform": "fake", "config": map[string]any{"shop": "acme"}}, "body.credentials.access_token"},
		{"malformed token", connectBody("sk_live_1234567890"), "body.credentials.access_token"},
		{"token as a number", connectBody(""), "body.credentials.access_token"},
		{"unknown config", func() map[string]any {
			b := connectBody(fake.Token)
			b["config"] = map[string]any{"shop": "acme", "region": "eu"}
			return b
		}(), "body.config.region"},
		{"refused token", connectBody(wrong), "body.credentials"},
	}
	tests[4].body["credentials"] = map[string]any{"access_token": 12345678}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, out := f.do(t, "admin", "POST", "/v1/platforms/connect", tt.body)
			if st != http.StatusUnprocessableEntity || !hasLocation(out, tt.field) {
				t.Fatalf("%d %v, want 422 naming %s", st, out, tt.field)
			}
		})
	}
	if _, out := f.do(t, "viewer", "GET", "/v1/connections", nil); len(out["items"].([]any)) != 0 {
		t.Fatal("a refused connection was stored")
	}
	f.wantNoSecret(t, wrong, "sk_live_1234567890")
}

func hasLocation(problem map[string]any, field string) bool {
	errs, _ := problem["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok && m["location"] == field {
			return true
		}
	}
	return false
}

func TestSyncRequestValidation(t *testing.T) {
	f := newConnFixture(t)
	id := f.connect(t)
	tests := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"mode": "sideways"}, "body.mode"},
		{map[string]any{"mode": "backfill"}, "body.streams"},
		{map[string]any{"mode": "full", "streams": []string{"refunds"}}, "body.streams[0]"},
	}
	for _, tt := range tests {
		st, out := f.do(t, "analyst", "POST", "/v1/connections/"+id+"/sync", tt.body)
		if st != http.StatusUnprocessableEntity || !hasLocation(out, tt.field) {
			t.Errorf("%v: %d %v, want 422 naming %s", tt.body, st, out, tt.field)
		}
	}
}

func TestConnectionRoles(t *testing.T) {
	f := newConnFixture(t)
	id := f.connect(t)
	tests := []struct {
		role, method, path string
		body               any
		want               int
	}{
		{"analyst", "POST", "/v1/platforms/connect", connectBody(fake.Token), 403},
		{"viewer", "POST", "/v1/connections/" + id + "/sync", map[string]any{}, 403},
		{"analyst", "DELETE", "/v1/connections/" + id, nil, 403},
		{"viewer", "GET", "/v1/platforms", nil, 200},
		{"viewer", "GET", "/v1/connections/" + id + "/syncs", nil, 200},
	}
	for _, tt := range tests {
		if st, out := f.do(t, tt.role, tt.method, tt.path, tt.body); st != tt.want {
			t.Errorf("%s %s %s: %d %v, want %d", tt.role, tt.method, tt.path, st, out, tt.want)
		}
	}
}

func TestConnectionsAreTenantIsolated(t *testing.T) {
	f := newConnFixture(t)
	id := f.connect(t)
	_, before := f.do(t, "owner", "GET", "/v1/connections/"+id, nil)
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/connections/" + id},
		{"GET", "/v1/connections/" + id + "/syncs"},
		{"POST", "/v1/connections/" + id + "/sync"},
		{"DELETE", "/v1/connections/" + id},
	} {
		var body any
		if c.method == "POST" {
			body = map[string]any{"mode": "full"}
		}
		if st, out := f.do(t, "other", c.method, c.path, body); st != http.StatusNotFound {
			t.Errorf("%s %s with another org's token: %d %v", c.method, c.path, st, out)
		}
	}
	if _, out := f.do(t, "other", "GET", "/v1/connections", nil); len(out["items"].([]any)) != 0 {
		t.Error("another org lists the connection")
	}
	_, after := f.do(t, "owner", "GET", "/v1/connections/"+id, nil)
	if b, a := must(json.Marshal(before)), must(json.Marshal(after)); string(a) != string(b) {
		t.Errorf("the connection changed:\n%s\n%s", b, a)
	}
	if f.srv.Jobs.RunOne(t.Context(), "test") {
		t.Error("another org's request queued a sync")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPlatformCatalog(t *testing.T) {
	f := newConnFixture(t)
	st, out := f.do(t, "viewer", "GET", "/v1/platforms", nil)
	items := out["items"].([]any)
	if st != 200 || len(items) != 1 {
		t.Fatalf("catalog: %d %v", st, out)
	}
	p := items[0].(map[string]any)
	secrets, _ := json.Marshal(p["secret_fields"])
	if p["platform"] != "fake" || string(secrets) != `["access_token"]` || len(p["streams"].([]any)) != 2 ||
		len(p["actions"].([]any)) != 1 || p["credentials_schema"] == nil {
		t.Fatalf("catalog entry %v", p)
	}
}

// TestConnectionRoleMatrixWithConnectors repeats the role matrix over the
// connection operations with connectors enabled and a real connection ID,
// so allowed calls reach the handlers.
func TestConnectionRoleMatrixWithConnectors(t *testing.T) {
	f := newConnFixture(t)
	id := f.connect(t)
	perms := api.Permissions()
	for _, o := range operations(t, f.srv) {
		if !strings.HasPrefix(o.path, "/v1/connections") && !strings.HasPrefix(o.path, "/v1/platforms") {
			continue
		}
		if o.method == http.MethodDelete {
			continue // would remove the connection the other calls aim at
		}
		need := perms[o.op.OperationID]
		for _, role := range omnify.Roles {
			path := strings.ReplaceAll(o.path, "{connection_id}", id)
			st, out := f.do(t, string(role), o.method, path, bodyFor(o.method))
			allowed := role.AtLeast(need)
			switch {
			case st >= 500:
				t.Errorf("%s %s as %s: %d %v", o.method, path, role, st, out)
			case allowed && (st == 401 || st == 403):
				t.Errorf("%s needs %s; %s got %d", o.op.OperationID, need, role, st)
			case !allowed && st != 403:
				t.Errorf("%s needs %s; %s got %d, want 403", o.op.OperationID, need, role, st)
			}
		}
		for f.srv.Jobs.RunOne(t.Context(), "test") {
		}
	}
	f.wantNoSecret(t, fake.Token)
}

func TestReconnectThroughUpdate(t *testing.T) {
	f := newConnFixture(t)
	id := f.connect(t)
	const rotated = "tok_rotatedsecret7"
	f.src.Token = rotated
	f.do(t, "analyst", "POST", "/v1/connections/"+id+"/sync", map[string]any{})
	for f.srv.Jobs.RunOne(t.Context(), "test") {
	}
	if _, out := f.do(t, "viewer", "GET", "/v1/connections/"+id, nil); out["health"] != "disconnected" {
		t.Fatalf("after refused credentials: %v", out)
	}
	body := map[string]any{"name": "Main shop", "credentials": map[string]any{"access_token": rotated}}
	if st, _ := f.do(t, "analyst", "PATCH", "/v1/connections/"+id, body); st != http.StatusForbidden {
		t.Fatalf("analyst update: %d", st)
	}
	if st, _ := f.do(t, "other", "PATCH", "/v1/connections/"+id, body); st != http.StatusNotFound {
		t.Fatalf("another org's update: %d", st)
	}
	bad := map[string]any{"credentials": map[string]any{"access_token": "tok_wrongagain1"}}
	if st, out := f.do(t, "admin", "PATCH", "/v1/connections/"+id, bad); st != 422 || !hasLocation(out, "body.credentials") {
		t.Fatalf("update with refused credentials: %d %v", st, out)
	}
	st, out := f.do(t, "admin", "PATCH", "/v1/connections/"+id, body)
	if st != 200 || out["health"] != "healthy" || out["name"] != "Main shop" {
		t.Fatalf("reconnect: %d %v", st, out)
	}
	f.wantNoSecret(t, rotated, fake.Token, "tok_wrongagain1")
}
