// Package omnifytest starts a whole OmniFy API server for end-to-end tests:
// SQLite in a temporary directory, the real middleware and operations, fast
// password hashing, and a clock tests can move. A test reads like a few
// lines:
//
//	srv := omnifytest.NewServer(t)
//	ana := srv.Register(t, "ana@example.com", "Acme")
//	resp := srv.Do(t, "GET", "/v1/me", ana.Token, nil)
package omnifytest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/auth"
	"github.com/omnify-cloud/omnify/eyes/eyesrun"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/importer"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

// Password is the password Register uses; it passes the password policy.
const Password = "omnify test password 7391"

// FastArgon2 is a cheap argon2id setting that keeps tests quick. Never use
// it outside tests.
var FastArgon2 = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Clock is real time plus an offset tests can advance, so token expiry and
// rate limits can be crossed without sleeping.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Server is a running API server and what it was built from.
type Server struct {
	URL      string
	HTTP     *httptest.Server
	API      *api.Server
	Store    *sqlite.DB
	Issuer   *auth.Issuer
	Key      ed25519.PrivateKey
	Clock    *Clock
	Limiter  limit.Limiter
	Registry *prometheus.Registry
	Client   *http.Client
	// Jobs runs no workers: a test processes queued jobs with
	// Jobs.RunOne, so background work happens exactly when it says.
	Jobs *jobs.Runner
	Eyes *eyesrun.Service
	// Sink is the customer graph imports (and, WithConnectors, syncs) write
	// through.
	Sink *identity.Sink
}

// Option adjusts the server NewServer builds.
type Option func(*options)

type options struct {
	cfg    api.Config
	deps   []func(*api.Deps)
	before []func(*api.Server)
}

// WithConfig edits the API configuration before the server is built.
func WithConfig(fn func(*api.Config)) Option {
	return func(o *options) { fn(&o.cfg) }
}

// WithDeps edits the API's dependencies before the server is built.
func WithDeps(fn func(*api.Deps)) Option {
	return func(o *options) { o.deps = append(o.deps, fn) }
}

// WithSetup runs fn on the built API before it starts serving, e.g. to
// register extra operations.
func WithSetup(fn func(*api.Server)) Option {
	return func(o *options) { o.before = append(o.before, fn) }
}

// NewServer starts a server that is shut down when the test ends. Rate
// limits are generous unless an option lowers them.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	o := &options{cfg: api.Config{
		IPRate:  limit.Rate{Limit: 1_000_000, Period: time.Second, Burst: 1_000_000},
		OrgRate: limit.Rate{Limit: 1_000_000, Period: time.Second, Burst: 1_000_000},
	}}
	for _, opt := range opts {
		opt(o)
	}
	s := &Server{Clock: &Clock{}, Registry: prometheus.NewRegistry()}
	s.Store = openStore(tb, s.Clock.Now)
	s.Key = newKey(tb)
	s.Issuer = auth.NewIssuer(s.Key, auth.IssuerConfig{Now: s.Clock.Now})
	s.Limiter = limit.NewMemory(s.Clock.Now)
	s.Jobs = jobs.NewRunner(s.Store, jobs.Config{}, nil, s.Clock.Now)
	s.Eyes = &eyesrun.Service{Store: s.Store, Jobs: s.Jobs, Now: s.Clock.Now}
	s.Jobs.Handle(eyesrun.JobKind, s.Eyes.Handle)
	s.Sink = identity.NewSink(s.Store, identity.Options{Now: s.Clock.Now})
	deps := api.Deps{
		Store: s.Store, Hasher: auth.NewHasher(FastArgon2, 0), Issuer: s.Issuer, Limiter: s.Limiter,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: s.Registry, Now: s.Clock.Now,
		Jobs: s.Jobs, Eyes: s.Eyes, Customers: s.Sink, Imports: importer.New(s.Sink, importer.Options{}),
	}
	for _, fn := range o.deps {
		fn(&deps)
	}
	srv, err := api.New(o.cfg, deps)
	if err != nil {
		tb.Fatalf("omnifytest: build api: %v", err)
	}
	for _, fn := range o.before {
		fn(srv)
	}
	s.API = srv
	s.HTTP = httptest.NewServer(srv.Handler())
	tb.Cleanup(s.HTTP.Close)
	s.URL, s.Client = s.HTTP.URL, s.HTTP.Client()
	return s
}

func openStore(tb testing.TB, now func() time.Time) *sqlite.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "omnify.db"), sqlite.Options{Now: now})
	if err != nil {
		tb.Fatalf("omnifytest: open store: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("omnifytest: migrate store: %v", err)
	}
	return db
}

func newKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatalf("omnifytest: signing key: %v", err)
	}
	return key
}

// Do sends a request and returns the response with its body read into
// memory, so callers need not close it. body may be nil, a string or
// []byte sent as is, or any value sent as JSON.
func (s *Server) Do(tb testing.TB, method, path, token string, body any) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(method, s.URL+path, encodeBody(tb, body))
	if err != nil {
		tb.Fatalf("omnifytest: %s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		tb.Fatalf("omnifytest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("omnifytest: read %s %s: %v", method, path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func encodeBody(tb testing.TB, body any) io.Reader {
	tb.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(b)
	case []byte:
		return bytes.NewReader(b)
	}
	b, err := json.Marshal(body)
	if err != nil {
		tb.Fatalf("omnifytest: encode body: %v", err)
	}
	return bytes.NewReader(b)
}

// DoJSON sends a request, decodes a JSON answer into out (when out is not
// nil and there is a body) and returns the status.
func (s *Server) DoJSON(tb testing.TB, method, path, token string, body, out any) int {
	tb.Helper()
	resp := s.Do(tb, method, path, token, body)
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			tb.Fatalf("omnifytest: decode %s %s (%d): %v: %s", method, path, resp.StatusCode, err, b)
		}
	}
	return resp.StatusCode
}

// Session is a signed-in user: tokens and the user's and org's IDs.
type Session struct {
	Token   string
	Refresh string
	UserID  string
	OrgID   string
	Email   string
	Role    omnify.Role
}

func sessionOf(s *api.Session) Session {
	return Session{Token: s.AccessToken, Refresh: s.RefreshToken, UserID: s.User.ID, OrgID: s.Org.ID,
		Email: s.User.Email, Role: s.Role}
}

// Register signs up email with Password and a new org named org.
func (s *Server) Register(tb testing.TB, email, org string) Session {
	tb.Helper()
	var out api.Session
	body := map[string]string{"email": email, "password": Password, "org_name": org}
	if st := s.DoJSON(tb, http.MethodPost, "/v1/auth/register", "", body, &out); st != http.StatusCreated {
		tb.Fatalf("omnifytest: register %s: status %d", email, st)
	}
	return sessionOf(&out)
}

// Login signs email in with Password to orgID ("" for the first org).
func (s *Server) Login(tb testing.TB, email, orgID string) Session {
	tb.Helper()
	var out api.Session
	body := map[string]string{"email": email, "password": Password}
	if orgID != "" {
		body["org_id"] = orgID
	}
	if st := s.DoJSON(tb, http.MethodPost, "/v1/auth/login", "", body, &out); st != http.StatusOK {
		tb.Fatalf("omnifytest: login %s: status %d", email, st)
	}
	return sessionOf(&out)
}

// Invite adds an existing account to by's org with role.
func (s *Server) Invite(tb testing.TB, by Session, email string, role omnify.Role) {
	tb.Helper()
	body := map[string]string{"email": email, "role": string(role)}
	if st := s.DoJSON(tb, http.MethodPost, "/v1/orgs/"+by.OrgID+"/members", by.Token, body, nil); st != http.StatusCreated {
		tb.Fatalf("omnifytest: invite %s as %s: status %d", email, role, st)
	}
}

// Team creates an org named org with one signed-in member of each role,
// keyed by role. Emails are <role>@<slug>.example.com.
func (s *Server) Team(tb testing.TB, org string) map[omnify.Role]Session {
	tb.Helper()
	domain := slug(org) + ".example.com"
	owner := s.Register(tb, "owner@"+domain, org)
	team := map[omnify.Role]Session{omnify.RoleOwner: owner}
	for _, role := range omnify.Roles[1:] {
		email := string(role) + "@" + domain
		s.Register(tb, email, org+" "+string(role)+" own")
		s.Invite(tb, owner, email, role)
		team[role] = s.Login(tb, email, owner.OrgID)
	}
	return team
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "org"
	}
	return b.String()
}
