package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/auth"
	"github.com/omnify-cloud/omnify/omnifytest"
)

// fixture is a server with a full team in org "Acme" and an owner of a
// second org "Umbrella".
type fixture struct {
	srv   *omnifytest.Server
	team  map[omnify.Role]omnifytest.Session
	other omnifytest.Session
}

func newFixture(t *testing.T, opts ...omnifytest.Option) *fixture {
	t.Helper()
	srv := omnifytest.NewServer(t, opts...)
	return &fixture{srv: srv, team: srv.Team(t, "Acme"), other: srv.Register(t, "eve@umbrella.example.com", "Umbrella")}
}

func (f *fixture) owner() omnifytest.Session { return f.team[omnify.RoleOwner] }

// path replaces {org}, {other_org} and {<role>_id} placeholders.
func (f *fixture) path(p string) string {
	r := []string{"{org}", f.owner().OrgID, "{other_org}", f.other.OrgID, "{other_user}", f.other.UserID}
	for role, s := range f.team {
		r = append(r, "{"+string(role)+"_id}", s.UserID)
	}
	return strings.NewReplacer(r...).Replace(p)
}

// body fills placeholders in a JSON-encoded body; strings go as they are.
func (f *fixture) body(t *testing.T, body any) any {
	t.Helper()
	if body == nil {
		return nil
	}
	if _, ok := body.(string); ok {
		return body
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return f.path(string(b))
}

// token returns the bearer token a scenario names.
func (f *fixture) token(t *testing.T, name string) string {
	t.Helper()
	o := f.owner()
	switch name {
	case "", "none":
		return ""
	case "other":
		return f.other.Token
	case "expired":
		past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
		return issue(t, auth.NewIssuer(f.srv.Key, auth.IssuerConfig{Now: past}), o.UserID, o.OrgID)
	case "forged":
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		return issue(t, auth.NewIssuer(key, auth.IssuerConfig{}), o.UserID, o.OrgID)
	case "wrong-org":
		return issue(t, f.srv.Issuer, o.UserID, f.other.OrgID)
	case "hs256":
		return algConfusion(t, f.srv.Key, o)
	case "alg-none":
		return algNone(t, o)
	case "garbage":
		return "not.a.token"
	}
	return f.team[omnify.Role(name)].Token
}

func issue(t *testing.T, iss *auth.Issuer, userID, orgID string) string {
	t.Helper()
	tok, _, err := iss.Issue(userID, orgID, omnify.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func claimsFor(s omnifytest.Session) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"sub": s.UserID, "org": s.OrgID, "role": "owner", "iss": auth.DefaultIssuer,
		"aud": auth.DefaultAudience, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "x"}
}

// algConfusion signs an HS256 token keyed with the server's public key, the
// classic attack on verifiers that let the token pick the algorithm.
func algConfusion(t *testing.T, key ed25519.PrivateKey, s omnifytest.Session) string {
	t.Helper()
	pub := key.Public().(ed25519.PublicKey)
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsFor(s)).SignedString([]byte(pub))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func algNone(t *testing.T, s omnifytest.Session) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodNone, claimsFor(s)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// scenario is one request and what must come back.
type scenario struct {
	name     string
	method   string
	path     string // with fixture placeholders
	token    string // a name understood by fixture.token
	body     any
	status   int
	contains []string // substrings of the body
}

func (f *fixture) run(t *testing.T, scs []scenario) {
	t.Helper()
	for _, sc := range scs {
		t.Run(sc.name, func(t *testing.T) {
			resp := f.srv.Do(t, sc.method, f.path(sc.path), f.token(t, sc.token), f.body(t, sc.body))
			body := readAll(t, resp)
			if resp.StatusCode != sc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, sc.status, body)
			}
			for _, want := range sc.contains {
				if !strings.Contains(body, f.path(want)) {
					t.Errorf("body lacks %q: %s", want, body)
				}
			}
			if resp.StatusCode >= 400 {
				assertProblem(t, resp, body)
			}
		})
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertProblem checks an error answer is RFC 9457 problem+json with the
// response's status and a title.
func assertProblem(t *testing.T, resp *http.Response, body string) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("content type %q, want application/problem+json: %s", ct, body)
	}
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("problem is not JSON: %v: %s", err, body)
	}
	if p.Status != resp.StatusCode || p.Title == "" {
		t.Errorf("problem status %d title %q, response status %d", p.Status, p.Title, resp.StatusCode)
	}
}
