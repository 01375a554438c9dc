package syncer_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/fake"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer"
)

const orgID = "org-1"

var testKey = make([]byte, secret.KeySize) // all zero: fine for tests

// openDB opens (migrating) the SQLite file at path.
func openDB(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// env is a syncer over one SQLite file with a fake source registered.
type env struct {
	t     testing.TB
	path  string
	db    *sqlite.DB
	src   *fake.Source
	reg   *connector.Registry
	jobs  *jobs.Runner
	sleep *fakeSleep
	s     *syncer.Syncer
}

func newEnv(t testing.TB, src *fake.Source, edit ...func(*syncer.Config)) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "omnify.db"), src: src, reg: connector.NewRegistry(),
		sleep: &fakeSleep{}}
	if err := e.reg.Register(src); err != nil {
		t.Fatal(err)
	}
	e.db = openDB(t, e.path)
	t.Cleanup(func() { e.db.Close() })
	if err := e.db.CreateOrg(context.Background(), &omnify.Org{ID: orgID, Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	e.restart(edit...)
	return e
}

// restart builds a new syncer (and job runner) over the same database
// file, as a restarted process would.
func (e *env) restart(edit ...func(*syncer.Config)) {
	e.t.Helper()
	box, err := secret.New(testKey)
	if err != nil {
		e.t.Fatal(err)
	}
	e.jobs = jobs.NewRunner(e.db, jobs.Config{}, nil, nil)
	cfg := syncer.Config{Store: e.db, Registry: e.reg, Sink: &storeSink{db: e.db}, Box: box, Jobs: e.jobs,
		BaseURLs: map[string]string{fake.Platform: "http://127.0.0.1:9/fake"}, Sleep: e.sleep.Sleep,
		MaxAttempts: 100}
	for _, fn := range edit {
		fn(&cfg)
	}
	if e.s, err = syncer.New(cfg); err != nil {
		e.t.Fatal(err)
	}
	e.jobs.Handle(syncer.JobKind, e.s.Handle)
}

// reopen closes the database and opens the same file again.
func (e *env) reopen() {
	e.t.Helper()
	if err := e.db.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.db = openDB(e.t, e.path)
}

func (e *env) connect() *omnify.Connection {
	e.t.Helper()
	c, err := e.s.Connect(context.Background(), orgID, syncer.ConnectInput{Platform: fake.Platform,
		Credentials: map[string]any{"access_token": fake.Token}, Config: map[string]any{"shop": "acme"},
		ScheduleEvery: time.Hour})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// sync starts a sync and runs its job to the end through the job runner.
func (e *env) sync(connID string, mode omnify.SyncMode, streams ...string) *omnify.SyncRun {
	e.t.Helper()
	run, err := e.s.StartSync(context.Background(), orgID, connID, mode, streams)
	if err != nil {
		e.t.Fatalf("start %s sync: %v", mode, err)
	}
	if !e.jobs.RunOne(context.Background(), "test") {
		e.t.Fatal("no sync job to run")
	}
	got, err := e.db.GetSyncRun(context.Background(), orgID, run.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func (e *env) connection(id string) *omnify.Connection {
	e.t.Helper()
	c, err := e.db.GetConnection(context.Background(), orgID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// storeSink stores customers and orders in the store's tables, keyed by
// platform and external ID, as identity resolution would.
type storeSink struct {
	db    *sqlite.DB
	mu    sync.Mutex
	calls int
	recs  int
}

func (s *storeSink) Store(ctx context.Context, orgID, _, platform string, recs []connector.Record) error {
	var cs []omnify.Customer
	var os []omnify.Order
	for _, r := range recs {
		switch {
		case r.Customer != nil:
			cs = append(cs, customerOf(platform, r))
		case r.Order != nil:
			os = append(os, orderOf(platform, r))
		default:
			return fmt.Errorf("record %s/%s has no payload", r.Stream, r.ExternalID)
		}
	}
	if err := s.db.UpsertCustomers(ctx, orgID, cs); err != nil {
		return err
	}
	if err := s.db.UpsertOrders(ctx, orgID, os); err != nil {
		return err
	}
	s.mu.Lock()
	s.calls, s.recs = s.calls+1, s.recs+len(recs)
	s.mu.Unlock()
	return nil
}

func customerOf(platform string, r connector.Record) omnify.Customer {
	c := r.Customer
	return omnify.Customer{ID: platform + ":" + r.ExternalID, Email: c.Email, Name: c.FirstName + " " + c.LastName,
		Consent: omnify.Consent(c.Consent), Platforms: []string{platform}, CreatedAt: c.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func orderOf(platform string, r connector.Record) omnify.Order {
	o := r.Order
	return omnify.Order{ID: platform + ":" + r.ExternalID, CustomerID: platform + ":" + o.CustomerExternalID,
		Platform: platform, ExternalID: r.ExternalID, PlacedAt: o.PlacedAt, AmountMinor: o.TotalMinor - o.RefundedMinor,
		Currency: o.Currency}
}

// digest is a count and a checksum over external IDs and content.
type digest struct {
	Customers, Orders int
	Sum               string
}

func orderLine(o omnify.Order) string {
	return fmt.Sprintf("o|%s|%s|%d|%s|%d", o.ExternalID, o.CustomerID, o.AmountMinor, o.Currency, o.PlacedAt.UnixMicro())
}

func customerLine(c omnify.Customer) string {
	return fmt.Sprintf("c|%s|%s|%s|%s|%d", c.ID, c.Email, c.Name, c.Consent, c.UpdatedAt.UnixMicro())
}

func digestOf(lines []string, customers, orders int) digest {
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l + "\n"))
	}
	return digest{customers, orders, fmt.Sprintf("%x", h.Sum(nil))}
}

func sourceDigest(src *fake.Source) digest {
	var lines []string
	cs, os := src.Records(fake.StreamCustomers), src.Records(fake.StreamOrders)
	for _, r := range cs {
		lines = append(lines, customerLine(customerOf(fake.Platform, r)))
	}
	for _, r := range os {
		lines = append(lines, orderLine(orderOf(fake.Platform, r)))
	}
	return digestOf(lines, len(cs), len(os))
}

func storeDigest(t testing.TB, db *sqlite.DB) digest {
	t.Helper()
	var lines []string
	var nc, no int
	err := errors.Join(
		db.ScanCustomers(context.Background(), orgID, func(c omnify.Customer) error {
			nc++
			lines = append(lines, customerLine(c))
			return nil
		}),
		db.ScanOrders(context.Background(), orgID, func(o omnify.Order) error {
			no++
			lines = append(lines, orderLine(o))
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return digestOf(lines, nc, no)
}

func wantStoreMatchesSource(t testing.TB, db *sqlite.DB, src *fake.Source) {
	t.Helper()
	got, want := storeDigest(t, db), sourceDigest(src)
	if got != want {
		t.Fatalf("store holds %d customers and %d orders (sum %.12s), source %d and %d (sum %.12s)",
			got.Customers, got.Orders, got.Sum, want.Customers, want.Orders, want.Sum)
	}
}

// fakeSleep records waits instead of sleeping.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeSleep) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	return ctx.Err()
}

func (f *fakeSleep) Waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

var storePage1 = store.Page{Limit: 1}
