// Package api owns OmniFy's HTTP interface under /v1: sign-up, sign-in and
// token rotation, organisations and their members, the audit log, health
// and metrics. Every operation is a huma operation registered through
// Register, which declares its permission in the one table in rbac.go,
// authenticates the caller, pins the org to the token's org and writes the
// audit event, so a handler only does its own work.
package api

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api/middleware"
	"github.com/omnify-cloud/omnify/auth"
	"github.com/omnify-cloud/omnify/cache"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/store"
)

// Config is the API's plain-data configuration. Zero fields take the
// defaults documented on each field (see WithDefaults).
type Config struct {
	// CORSOrigins lists the browser origins allowed to call the API.
	// Default: none (same-origin only).
	CORSOrigins []string
	// BodyLimit caps a request body in bytes. Default: 1 MiB.
	BodyLimit int64
	// ImportLimit caps an import file in bytes. Default: 100 MiB.
	ImportLimit int64
	// IPRate limits requests per client IP. Default: 1200 a minute, burst 200.
	IPRate limit.Rate
	// OrgRate limits authenticated requests per org. Default: 3000 a minute,
	// burst 300.
	OrgRate limit.Rate
	// TrustProxy takes the client IP from X-Forwarded-For. Default: false.
	TrustProxy bool
	// AccessTTL is the access-token lifetime used when Deps.Issuer is nil.
	// Default: 15 minutes.
	AccessTTL time.Duration
	// RefreshTTL is the refresh-token lifetime. Default: 30 days.
	RefreshTTL time.Duration
	// RoleCacheTTL is how long a member's role, read from the store to
	// authorise a request, is reused. Role changes made through this server
	// apply at once; through another replica, within this time. Default: 2
	// seconds; negative disables the cache.
	RoleCacheTTL time.Duration
	// AnalyticsTTL is how long an analytics answer is reused per org, so
	// numbers may lag new data by this much. Default: 30 seconds.
	AnalyticsTTL time.Duration
}

// Defaults applied by WithDefaults.
const (
	DefaultBodyLimit  = 1 << 20
	DefaultAccessTTL  = 15 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour
	DefaultRoleTTL    = 2 * time.Second
	DefaultAnalytics  = 30 * time.Second
)

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.BodyLimit == 0 {
		c.BodyLimit = DefaultBodyLimit
	}
	if c.ImportLimit == 0 {
		c.ImportLimit = DefaultImportLimit
	}
	if c.IPRate == (limit.Rate{}) {
		c.IPRate = limit.Rate{Limit: 1200, Period: time.Minute, Burst: 200}
	}
	if c.OrgRate == (limit.Rate{}) {
		c.OrgRate = limit.Rate{Limit: 3000, Period: time.Minute, Burst: 300}
	}
	if c.AccessTTL == 0 {
		c.AccessTTL = DefaultAccessTTL
	}
	if c.RefreshTTL == 0 {
		c.RefreshTTL = DefaultRefreshTTL
	}
	if c.RoleCacheTTL == 0 {
		c.RoleCacheTTL = DefaultRoleTTL
	}
	if c.AnalyticsTTL <= 0 {
		c.AnalyticsTTL = DefaultAnalytics
	}
	return c
}

// Validate reports the first nonsensical setting.
func (c Config) Validate() error {
	switch {
	case c.BodyLimit < 0:
		return errors.New("body limit must not be negative")
	case c.ImportLimit < 0:
		return errors.New("import limit must not be negative")
	case c.IPRate.Limit <= 0 || c.IPRate.Period <= 0:
		return errors.New("ip rate needs a positive limit and period")
	case c.OrgRate.Limit <= 0 || c.OrgRate.Period <= 0:
		return errors.New("org rate needs a positive limit and period")
	case c.AccessTTL <= 0 || c.RefreshTTL <= 0:
		return errors.New("token lifetimes must be positive")
	}
	return nil
}

// Deps are the API's collaborators. Store is required; the rest default.
type Deps struct {
	Store store.Store
	// Hasher defaults to argon2id with auth.DefaultArgon2Params.
	Hasher *auth.Hasher
	// Issuer defaults to one with a fresh key, so tokens do not survive a
	// restart: production wiring passes one built from a key file.
	Issuer *auth.Issuer
	// Limiter defaults to an in-process limiter.
	Limiter limit.Limiter
	// Cache holds read caches (analytics answers); it defaults to a 16 MiB
	// in-process cache. Production passes Redis when replicas share one.
	Cache cache.Cache
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Registry defaults to a fresh registry; Go runtime and process
	// collectors are added to it.
	Registry *prometheus.Registry
	// Jobs is the runner background work (EYES runs) is enqueued on;
	// operations that enqueue need it, the rest do not.
	Jobs *jobs.Runner
	// Eyes starts EYES runs; the EYES operations need it.
	Eyes EyesStarter
	// OAuth holds the platforms this server can install by OAuth, with
	// OAuthStateKey (≥ 32 bytes, the same on every replica) signing the
	// state that carries the org from start to callback.
	OAuth         map[string]OAuthProvider
	OAuthStateKey []byte
	// Customers splits wrong merges; the split operation needs it.
	Customers CustomerSplitter
	// Imports validates and writes import files; the import operation
	// needs it.
	Imports FileImporter
	// Connectors is the platform catalog; nil lists no platforms.
	Connectors *connector.Registry
	// Syncer connects platforms and starts syncs; the connect and sync
	// operations need it.
	Syncer ConnectionSyncer
	// Push starts segment pushes to platform audiences; the push
	// operation needs it.
	Push SegmentPusher
	// UI, when set, serves every path the API does not own.
	UI http.Handler
	// ReadyChecks are the named dependency checks of /health/ready; the
	// store's Ping is always checked as "store".
	ReadyChecks map[string]func(ctx context.Context) error
	Now         func() time.Time
	// NewID defaults to UUIDv7.
	NewID func() string
}

// Server is the HTTP API.
type Server struct {
	cfg      Config
	deps     Deps
	throttle *auth.Throttle
	cache    *authCache
	mux      *http.ServeMux
	api      huma.API
	handler  http.Handler
	regErrs  []error
	built    bool
}

// New builds the API with every operation of this package registered.
func New(cfg Config, deps Deps) (*Server, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("api config: %w", err)
	}
	deps, err := depsWithDefaults(cfg, deps)
	if err != nil {
		return nil, err
	}
	installErrorModel()
	s := &Server{cfg: cfg, deps: deps, mux: http.NewServeMux(), cache: newAuthCache(deps.Now, cfg.RoleCacheTTL)}
	s.throttle = auth.NewThrottle(deps.Limiter, auth.ThrottleConfig{})
	s.api = humago.New(s.mux, apiConfig())
	s.routes()
	if err := errors.Join(s.regErrs...); err != nil {
		return nil, fmt.Errorf("register operations: %w", err)
	}
	s.handler = s.middleware()
	s.built = true
	return s, nil
}

func depsWithDefaults(cfg Config, d Deps) (Deps, error) {
	if d.Store == nil {
		return d, errors.New("api: a store is required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.NewID == nil {
		d.NewID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if d.Hasher == nil {
		d.Hasher = auth.NewHasher(auth.DefaultArgon2Params(), runtime.NumCPU())
	}
	if d.Limiter == nil {
		d.Limiter = limit.NewMemory(d.Now)
	}
	if d.Cache == nil {
		d.Cache = cache.NewMemory(cache.MemoryOptions{MaxBytes: 16 << 20, Now: d.Now})
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	registerRuntimeCollectors(d.Registry)
	if d.Issuer == nil {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return d, fmt.Errorf("api: signing key: %w", err)
		}
		d.Issuer = auth.NewIssuer(key, auth.IssuerConfig{TTL: cfg.AccessTTL, Now: d.Now})
	}
	return d, nil
}

// registerRuntimeCollectors adds the Go and process collectors. Register
// fails only when the caller already added them, which is fine.
func registerRuntimeCollectors(reg *prometheus.Registry) {
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

func apiConfig() huma.Config {
	c := huma.DefaultConfig("OmniFy Cloud Connect API", omnify.Version)
	// No $schema links in bodies: responses stay exactly the documented shape.
	c.CreateHooks = nil
	c.OpenAPIPath = "/openapi"
	c.DocsPath = "/docs"
	c.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
	}
	return c
}

func (s *Server) routes() {
	s.registerHealth()
	s.registerAuth()
	s.registerMe()
	s.registerOrgs()
	s.registerMembers()
	s.registerAudit()
	s.registerEyes()
	s.registerJobs()
	s.registerOAuth()
	s.registerCustomers()
	s.registerImports()
	s.registerConnections()
	s.registerPush()
	s.registerAnalytics()
	s.registerDemo()
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.deps.Registry, promhttp.HandlerOpts{}))
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.WriteProblem(w, r, http.StatusNotFound, "", "no such endpoint")
	})
	for _, p := range []string{"/v1/", "/health/", "/webhooks/"} {
		s.mux.Handle(p, notFound)
	}
	if s.deps.UI != nil {
		s.mux.Handle("/", s.deps.UI)
	} else {
		s.mux.Handle("/", notFound)
	}
}

// middleware wraps the router in the request pipeline, outermost first.
func (s *Server) middleware() http.Handler {
	metrics := middleware.Metrics(s.deps.Registry)
	log := s.deps.Logger
	return middleware.Chain(s.mux,
		middleware.RequestID(),
		middleware.Recover(log),
		middleware.AccessLog(log),
		middleware.SecureHeadersFunc(cspFor),
		middleware.CORS(s.cfg.CORSOrigins),
		metrics.Handler,
		middleware.RateLimit(s.deps.Limiter, middleware.ByIP(s.cfg.TrustProxy), s.cfg.IPRate),
		s.bodyLimit(),
	)
}

// cspFor relaxes the content security policy for the docs page, which
// loads its renderer from a CDN; "" is the default policy.
func cspFor(path string) string {
	if path == "/docs" {
		return middleware.DocsCSP
	}
	return ""
}

// clientIP is the caller's address as the audit log records it.
func (s *Server) clientIP(r *http.Request) string {
	return middleware.ClientIP(r, s.cfg.TrustProxy)
}

// Handler is the whole HTTP surface, middleware included.
func (s *Server) Handler() http.Handler { return s.handler }

// API is the huma API, for registering more operations with Register.
func (s *Server) API() huma.API { return s.api }

// Mux is the router under the middleware, for handlers that are not huma
// operations (webhooks).
func (s *Server) Mux() *http.ServeMux { return s.mux }

// Store is the store the API was built with.
func (s *Server) Store() store.Store { return s.deps.Store }
