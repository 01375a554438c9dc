package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/auth"
	"github.com/omnify-cloud/omnify/cache"
	"github.com/omnify-cloud/omnify/cache/rediscache"
	"github.com/omnify-cloud/omnify/eyes/eyesrun"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/importer"
	"github.com/omnify-cloud/omnify/internal/outage"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/web"
)

// ServeCmd runs the API server, the embedded dashboard and (unless
// --no-worker) the background job workers.
type ServeCmd struct {
	Common
	Addr        string        `name:"addr" env:"OMNIFY_ADDR" default:"127.0.0.1:8080" help:"Address the HTTP server listens on."`
	CORSOrigins []string      `name:"cors-origins" env:"OMNIFY_CORS_ORIGINS" sep:"," help:"Origins allowed to call the API from a browser (comma-separated); empty allows none besides the dashboard itself."`
	JWTKeyFile  string        `name:"jwt-key-file" env:"OMNIFY_JWT_KEY_FILE" help:"PEM Ed25519 key that signs access tokens; default <data-dir>/jwt.key, created with mode 0600 on first start."`
	BodyLimit   int64         `name:"body-limit" env:"OMNIFY_BODY_LIMIT" default:"1048576" help:"Largest accepted request body in bytes."`
	IPRate      int           `name:"ip-rate" env:"OMNIFY_IP_RATE" default:"600" help:"Requests per minute allowed from one IP address."`
	OrgRate     int           `name:"org-rate" env:"OMNIFY_ORG_RATE" default:"1200" help:"Requests per minute allowed for one organisation."`
	TrustProxy  bool          `name:"trust-proxy" env:"OMNIFY_TRUST_PROXY" help:"Take the client IP from X-Forwarded-For (only behind a trusted load balancer)."`
	ImportLimit int64         `name:"import-limit" env:"OMNIFY_IMPORT_LIMIT" default:"104857600" help:"Largest accepted CSV import in bytes."`
	NoWorker    bool          `name:"no-worker" env:"OMNIFY_NO_WORKER" help:"Serve the API only; run no background jobs in this process."`
	RedisURL    string        `name:"redis-url" env:"OMNIFY_REDIS_URL" help:"Redis shared by every replica for rate limits and read caches (redis://[:password@]host:port/db); empty keeps them in-process."`
	Workers     int           `name:"workers" env:"OMNIFY_WORKERS" default:"2" help:"Background jobs run at once in this process."`
	Shutdown    time.Duration `name:"shutdown-timeout" env:"OMNIFY_SHUTDOWN_TIMEOUT" default:"15s" help:"How long to wait for requests and jobs to finish on shutdown."`
	ConnectorFlags
	QueueFlags
}

func (c *ServeCmd) validate() error {
	if err := c.Common.validate(); err != nil {
		return err
	}
	if err := validateAddr(c.Addr); err != nil {
		return err
	}
	if err := validateOrigins(c.CORSOrigins); err != nil {
		return err
	}
	if c.BodyLimit < 1024 {
		return fmt.Errorf("OMNIFY_BODY_LIMIT (--body-limit) must be at least 1024 bytes")
	}
	if c.IPRate <= 0 || c.OrgRate <= 0 || c.Workers <= 0 {
		return fmt.Errorf("OMNIFY_IP_RATE, OMNIFY_ORG_RATE and OMNIFY_WORKERS must be positive")
	}
	if err := validateRedisURL(c.RedisURL); err != nil {
		return err
	}
	return c.QueueFlags.validate()
}

// Run starts the server and blocks until SIGINT or SIGTERM.
func (c *ServeCmd) Run() error {
	if err := c.validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := c.logger(os.Stderr)
	app, err := openAppWith(ctx, &c.Common, log, c.QueueFlags.jobsConfig(c.Workers))
	if err != nil {
		return err
	}
	defer app.Close()
	if err := c.QueueFlags.attach(app); err != nil {
		return err
	}
	srv, err := c.buildServer(app)
	if err != nil {
		return err
	}
	mountWebhooks(app, srv, &c.ConnectorFlags)
	return c.serve(ctx, app, srv)
}

func (c *ServeCmd) buildServer(app *app) (*api.Server, error) {
	keyPath := c.JWTKeyFile
	if keyPath == "" {
		keyPath = filepath.Join(app.dir, "jwt.key")
	}
	key, err := auth.LoadOrCreateKey(keyPath)
	if err != nil {
		return nil, fmt.Errorf("OMNIFY_JWT_KEY_FILE: %w", err)
	}
	reg := prometheus.NewRegistry()
	lim, err := apiLimiter(c.RedisURL, app.log, reg)
	if err != nil {
		return nil, err
	}
	readCache, err := apiCache(c.RedisURL, app.log, reg)
	if err != nil {
		return nil, err
	}
	app.shared = readCache
	cfg := api.Config{
		CORSOrigins: c.CORSOrigins,
		BodyLimit:   c.BodyLimit,
		IPRate:      limit.Rate{Limit: c.IPRate, Period: time.Minute, Burst: c.IPRate / 4},
		OrgRate:     limit.Rate{Limit: c.OrgRate, Period: time.Minute, Burst: c.OrgRate / 4},
		TrustProxy:  c.TrustProxy,
		ImportLimit: c.ImportLimit,
	}
	deps := api.Deps{
		Store:     app.store,
		Hasher:    auth.NewHasher(auth.DefaultArgon2Params(), 0),
		Issuer:    auth.NewIssuer(key, auth.IssuerConfig{}),
		Limiter:   lim,
		Cache:     readCache,
		Logger:    app.log,
		Registry:  reg,
		UI:        web.Handler(),
		Jobs:      app.jobs,
		Eyes:      app.eyes,
		Customers: app.sink,
		Imports:   importer.New(app.sink, importer.Options{}),
		ReadyChecks: map[string]func(context.Context) error{
			"store": app.store.Ping,
		},
	}
	if app.conns, err = setupConnectors(app, &c.ConnectorFlags, &deps); err != nil {
		return nil, err
	}
	return api.New(cfg, deps)
}

// apiCache is the API's read cache (analytics answers): in-process, or
// shared in Redis so every replica reuses one answer, bypassed while Redis
// is unreachable.
func apiCache(redisURL string, log *slog.Logger, reg prometheus.Registerer) (cache.Cache, error) {
	if redisURL == "" {
		return cache.NewMemory(cache.MemoryOptions{MaxBytes: 32 << 20}), nil
	}
	client, err := newRedisClient(redisURL)
	if err != nil {
		return nil, err
	}
	return cache.NewFallback(rediscache.New(client, rediscache.Options{Prefix: "omnify:api:"}),
		outage.Config{Logger: log, Registerer: reg, Component: "api_cache"}), nil
}

func (c *ServeCmd) serve(ctx context.Context, app *app, srv *api.Server) error {
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("OMNIFY_ADDR: %w", err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       15 * time.Minute, // large CSV imports over slow links
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(app.log.Handler(), slog.LevelWarn),
	}
	workCtx, stopWork := context.WithCancel(context.Background())
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		if !c.NoWorker {
			waitScheduler := app.conns.runScheduler(workCtx)
			app.jobs.Run(workCtx)
			waitScheduler()
		}
	}()
	app.log.Info("omnify serving", "addr", "http://"+ln.Addr().String(), "data_dir", app.dir, "worker", !c.NoWorker)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	app.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), c.Shutdown)
	defer cancel()
	_ = hs.Shutdown(sctx)
	stopWork()
	<-workDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// app is the set of long-lived parts every subcommand shares.
type app struct {
	dir   string
	log   *slog.Logger
	store backend
	jobs  *jobs.Runner
	eyes  *eyesrun.Service
	sink  *identity.Sink // the customer graph every source writes through
	conns *connectors    // set by ServeCmd
	// shared is the read cache every replica shares (Redis when
	// configured); set by ServeCmd.
	shared cache.Cache
	// closers run, last first, when the app closes, before the store.
	closers []func() error
}

// openApp opens (and migrates) the store (embedded SQLite, or MongoDB) and builds the job runner
// with every job kind registered.
func openApp(ctx context.Context, c *Common, log *slog.Logger, workers int) (*app, error) {
	return openAppWith(ctx, c, log, jobs.Config{Workers: workers})
}

// openAppWith is openApp with the job runner's whole configuration.
func openAppWith(ctx context.Context, c *Common, log *slog.Logger, cfg jobs.Config) (*app, error) {
	dir, err := c.ensureDataDir()
	if err != nil {
		return nil, err
	}
	db, err := c.openStore(ctx, c.dbPath(dir))
	if err != nil {
		return nil, err
	}
	a := &app{dir: dir, log: log, store: db}
	host, _ := os.Hostname()
	a.sink = newIdentitySink(a)
	if cfg.WorkerID == "" {
		cfg.WorkerID = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	a.jobs = jobs.NewRunner(db, cfg, log, nil)
	registerJobs(a)
	return a, nil
}

func (a *app) Close() error {
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			a.log.Warn("close", "err", err)
		}
	}
	return a.store.Close()
}
