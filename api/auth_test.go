package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/omnifytest"
	"github.com/omnify-cloud/omnify/store"
)

const pw = omnifytest.Password

func reg(email, password, org string) map[string]any {
	return map[string]any{"email": email, "password": password, "org_name": org}
}

func TestRegisterScenarios(t *testing.T) {
	f := newFixture(t)
	f.run(t, []scenario{
		{name: "ok", method: "POST", path: "/v1/auth/register", body: reg(" New@Example.COM ", pw, "Newco"),
			status: 201, contains: []string{`"token_type":"Bearer"`, `"email":"new@example.com"`, `"role":"owner"`, `"name":"Newco"`, `"refresh_token":"`}},
		{name: "duplicate email", method: "POST", path: "/v1/auth/register", body: reg("OWNER@acme.example.com", pw, "Again"),
			status: 409, contains: []string{"already exists"}},
		{name: "invalid email", method: "POST", path: "/v1/auth/register", body: reg("not-an-email", pw, "X"),
			status: 422, contains: []string{`"location":"body.email"`}},
		{name: "short password", method: "POST", path: "/v1/auth/register", body: reg("a@example.com", "short", "X"),
			status: 422, contains: []string{`"location":"body.password"`}},
		{name: "common password", method: "POST", path: "/v1/auth/register", body: reg("b@example.com", "password1234", "X"),
			status: 422, contains: []string{`"location":"body.password"`}},
		{name: "blank org name", method: "POST", path: "/v1/auth/register", body: reg("c@example.com", pw, "   "),
			status: 422, contains: []string{`"location":"body.org_name"`}},
		{name: "empty org name", method: "POST", path: "/v1/auth/register", body: reg("c@example.com", pw, ""),
			status: 422, contains: []string{"body.org_name"}},
		{name: "missing field", method: "POST", path: "/v1/auth/register", body: map[string]any{"email": "d@example.com", "password": pw},
			status: 422, contains: []string{"org_name"}},
		{name: "unknown field", method: "POST", path: "/v1/auth/register", body: map[string]any{"email": "e@example.com", "password": pw, "org_name": "X", "role": "owner"},
			status: 422, contains: []string{"body.role"}},
		{name: "wrong type", method: "POST", path: "/v1/auth/register", body: `{"email": 7, "password": "` + pw + `", "org_name": "X"}`,
			status: 422, contains: []string{"body.email"}},
		{name: "malformed json", method: "POST", path: "/v1/auth/register", body: `{"email": "f@example.com",`,
			status: 400},
		{name: "empty body", method: "POST", path: "/v1/auth/register", body: ``, status: 400},
		{name: "oversized body", method: "POST", path: "/v1/auth/register", body: `{"email":"` + strings.Repeat("a", 2<<20) + `"}`,
			status: 413},
	})
	// Failed registrations left nothing behind: the rejected emails can sign up now.
	for _, email := range []string{"a@example.com", "c@example.com", "d@example.com", "e@example.com"} {
		f.srv.Register(t, email, "Later")
	}
}

func TestRegisterThenMe(t *testing.T) {
	srv := omnifytest.NewServer(t)
	s := srv.Register(t, "ana@example.com", "Acme Coffee")
	var me api.Me
	if st := srv.DoJSON(t, "GET", "/v1/me", s.Token, nil, &me); st != 200 {
		t.Fatalf("me: %d", st)
	}
	want := api.Me{User: api.UserView{ID: s.UserID, Email: "ana@example.com"}, Org: api.OrgView{ID: s.OrgID, Name: "Acme Coffee"},
		Role: omnify.RoleOwner, Memberships: []api.MembershipView{{OrgID: s.OrgID, OrgName: "Acme Coffee", Role: omnify.RoleOwner}}}
	if me.User != want.User || me.Org != want.Org || me.Role != want.Role || len(me.Memberships) != 1 || me.Memberships[0] != want.Memberships[0] {
		t.Fatalf("me = %+v, want %+v", me, want)
	}
}

func login(email, password string) map[string]any {
	return map[string]any{"email": email, "password": password}
}

func TestLoginScenarios(t *testing.T) {
	f := newFixture(t)
	const bad = "invalid email or password"
	f.run(t, []scenario{
		{name: "ok", method: "POST", path: "/v1/auth/login", body: login("Owner@Acme.example.com", pw),
			status: 200, contains: []string{`"role":"owner"`, `"id":"{org}"`}},
		{name: "wrong password", method: "POST", path: "/v1/auth/login", body: login("viewer@acme.example.com", "wrong password 1234"),
			status: 401, contains: []string{bad}},
		{name: "unknown email", method: "POST", path: "/v1/auth/login", body: login("nobody@acme.example.com", pw),
			status: 401, contains: []string{bad}},
		{name: "org not a member of", method: "POST", path: "/v1/auth/login",
			body: map[string]any{"email": "owner@acme.example.com", "password": pw, "org_id": "{other_org}"}, status: 401, contains: []string{bad}},
		{name: "explicit org", method: "POST", path: "/v1/auth/login",
			body: map[string]any{"email": "viewer@acme.example.com", "password": pw, "org_id": "{org}"}, status: 200, contains: []string{`"role":"viewer"`}},
		{name: "invalid email", method: "POST", path: "/v1/auth/login", body: login("@@", pw), status: 422, contains: []string{"body.email"}},
		{name: "unknown field", method: "POST", path: "/v1/auth/login", body: map[string]any{"email": "x@example.com", "password": pw, "mfa": 1},
			status: 422, contains: []string{"body.mfa"}},
		{name: "malformed json", method: "POST", path: "/v1/auth/login", body: `[`, status: 400},
	})
}

// TestLoginFailuresSameAnswer: an unknown email and a wrong password give
// byte-identical answers apart from the request ID.
func TestLoginFailuresSameAnswer(t *testing.T) {
	srv := omnifytest.NewServer(t)
	srv.Register(t, "ana@example.com", "Acme")
	a := srv.Do(t, "POST", "/v1/auth/login", "", login("ana@example.com", "not her password 99"))
	b := srv.Do(t, "POST", "/v1/auth/login", "", login("bob@example.com", "not his password 99"))
	if a.StatusCode != 401 || b.StatusCode != 401 || readAll(t, a) != readAll(t, b) {
		t.Fatalf("answers differ: %d vs %d", a.StatusCode, b.StatusCode)
	}
}

func TestLoginThrottled(t *testing.T) {
	srv := omnifytest.NewServer(t)
	srv.Register(t, "ana@example.com", "Acme")
	var resp *http.Response
	for i := 0; i < 10 && (resp == nil || resp.StatusCode != 429); i++ {
		resp = srv.Do(t, "POST", "/v1/auth/login", "", login("ana@example.com", "guess number 12345"))
	}
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after repeated failures: status %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	assertProblem(t, resp, readAll(t, resp))
	// Even the right password waits until the budget refills.
	if st := srv.DoJSON(t, "POST", "/v1/auth/login", "", login("ana@example.com", pw), nil); st != 429 {
		t.Fatalf("correct password while throttled: %d", st)
	}
	srv.Clock.Advance(time.Hour)
	srv.Login(t, "ana@example.com", "")
}

func TestRefreshRotationAndReuse(t *testing.T) {
	srv := omnifytest.NewServer(t)
	s0 := srv.Register(t, "ana@example.com", "Acme")
	var s1 api.Session
	if st := srv.DoJSON(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": s0.Refresh}, &s1); st != 200 {
		t.Fatalf("refresh: %d", st)
	}
	if s1.RefreshToken == s0.Refresh || s1.AccessToken == "" || s1.Org.ID != s0.OrgID {
		t.Fatalf("refresh did not rotate: %+v", s1)
	}
	// Replaying the spent token revokes the family: the new token dies too.
	if st := srv.DoJSON(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": s0.Refresh}, nil); st != 401 {
		t.Fatalf("reuse: %d, want 401", st)
	}
	if st := srv.DoJSON(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": s1.RefreshToken}, nil); st != 401 {
		t.Fatalf("sibling after reuse: %d, want 401", st)
	}
}

func TestRefreshScenarios(t *testing.T) {
	f := newFixture(t)
	f.run(t, []scenario{
		{name: "unknown token", method: "POST", path: "/v1/auth/refresh", body: map[string]any{"refresh_token": "nope"}, status: 401},
		{name: "empty token", method: "POST", path: "/v1/auth/refresh", body: map[string]any{"refresh_token": ""}, status: 422},
		{name: "wrong type", method: "POST", path: "/v1/auth/refresh", body: map[string]any{"refresh_token": 5}, status: 422},
		{name: "malformed", method: "POST", path: "/v1/auth/refresh", body: `{"refresh_token"`, status: 400},
	})
}

func TestRefreshExpired(t *testing.T) {
	srv := omnifytest.NewServer(t)
	s := srv.Register(t, "ana@example.com", "Acme")
	srv.Clock.Advance(api.DefaultRefreshTTL + time.Minute)
	if st := srv.DoJSON(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": s.Refresh}, nil); st != 401 {
		t.Fatalf("expired refresh: %d", st)
	}
}

func TestLogout(t *testing.T) {
	srv := omnifytest.NewServer(t)
	s := srv.Register(t, "ana@example.com", "Acme")
	body := map[string]any{"refresh_token": s.Refresh}
	resp := srv.Do(t, "POST", "/v1/auth/logout", "", body)
	if resp.StatusCode != 204 || readAll(t, resp) != "" {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if st := srv.DoJSON(t, "POST", "/v1/auth/refresh", "", body, nil); st != 401 {
		t.Fatalf("refresh after logout: %d", st)
	}
	if st := srv.DoJSON(t, "POST", "/v1/auth/logout", "", body, nil); st != 204 {
		t.Fatalf("second logout: %d", st)
	}
}

func TestSwitchOrg(t *testing.T) {
	f := newFixture(t)
	viewer := f.team[omnify.RoleViewer]
	// The viewer also owns the org they registered with.
	var me api.Me
	f.srv.DoJSON(t, "GET", "/v1/me", viewer.Token, nil, &me)
	if len(me.Memberships) != 2 {
		t.Fatalf("viewer memberships: %+v", me.Memberships)
	}
	own := me.Memberships[0].OrgID
	if own == viewer.OrgID {
		own = me.Memberships[1].OrgID
	}
	var s api.Session
	if st := f.srv.DoJSON(t, "POST", "/v1/auth/switch-org", viewer.Token, map[string]any{"org_id": own}, &s); st != 200 {
		t.Fatalf("switch: %d", st)
	}
	if s.Org.ID != own || s.Role != omnify.RoleOwner {
		t.Fatalf("switched session %+v", s)
	}
	f.run(t, []scenario{
		{name: "not a member", method: "POST", path: "/v1/auth/switch-org", token: "viewer", body: map[string]any{"org_id": "{other_org}"}, status: 404},
		{name: "no token", method: "POST", path: "/v1/auth/switch-org", body: map[string]any{"org_id": "{org}"}, status: 401},
	})
}

func TestTokenScenarios(t *testing.T) {
	f := newFixture(t)
	var scs []scenario
	for _, tok := range []string{"none", "expired", "forged", "wrong-org", "hs256", "alg-none", "garbage"} {
		scs = append(scs,
			scenario{name: tok + " me", method: "GET", path: "/v1/me", token: tok, status: 401},
			scenario{name: tok + " members", method: "GET", path: "/v1/orgs/{org}/members", token: tok, status: 401})
	}
	scs = append(scs, scenario{name: "valid", method: "GET", path: "/v1/me", token: "owner", status: 200})
	f.run(t, scs)
}

// failingStore breaks creating accounts, as a full disk or a lost database
// connection would.
type failingStore struct {
	store.Store
}

func (failingStore) CreateAccount(context.Context, *omnify.User, *omnify.Org) error {
	return errors.New("sqlite: disk I/O error at /var/lib/omnify/omnify.db")
}

func TestInternalErrorsStayInternal(t *testing.T) {
	srv := omnifytest.NewServer(t, omnifytest.WithDeps(func(d *api.Deps) { d.Store = failingStore{d.Store} }))
	resp := srv.Do(t, "POST", "/v1/auth/register", "", reg("ana@example.com", pw, "Acme"))
	body := readAll(t, resp)
	if resp.StatusCode != 500 || strings.Contains(body, "disk") || strings.Contains(body, "sqlite") {
		t.Fatalf("store failure answered %d: %s", resp.StatusCode, body)
	}
	assertProblem(t, resp, body)
}

// TestAccessTokenExpires: a token already seen and accepted is refused once
// it expires, and the refresh token then gets a fresh one.
func TestAccessTokenExpires(t *testing.T) {
	srv := omnifytest.NewServer(t)
	s := srv.Register(t, "ana@example.com", "Acme")
	if st := srv.DoJSON(t, "GET", "/v1/me", s.Token, nil, nil); st != 200 {
		t.Fatalf("fresh token: %d", st)
	}
	srv.Clock.Advance(srv.Issuer.TTL() + time.Minute)
	if st := srv.DoJSON(t, "GET", "/v1/me", s.Token, nil, nil); st != 401 {
		t.Fatalf("expired token: %d, want 401", st)
	}
	var next api.Session
	if st := srv.DoJSON(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": s.Refresh}, &next); st != 200 {
		t.Fatalf("refresh: %d", st)
	}
	if st := srv.DoJSON(t, "GET", "/v1/me", next.AccessToken, nil, nil); st != 200 {
		t.Fatalf("refreshed token: %d", st)
	}
}
