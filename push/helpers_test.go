package push_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/push"
	"github.com/omnify-cloud/omnify/push/pushtest"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer"
)

// clock is a settable clock; Sleep records the wait and moves it on.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// env is one org on a real SQLite store with a Recorder connection, a job
// runner without workers, and the push engine.
type env struct {
	t     testing.TB
	db    *sqlite.DB
	clk   *clock
	sink  *identity.Sink
	jobs  *jobs.Runner
	sync  *syncer.Syncer
	eng   *push.Engine
	rec   *pushtest.Recorder
	reg   *connector.Registry
	org   string
	conn  string
	email map[string]string // customer ID by email
}

// target is the connector a test pushes through and how to reach it.
type target struct {
	c       connector.Connector
	creds   map[string]string
	config  map[string]string
	baseURL string
	http    *http.Client
}

func newEnv(t testing.TB, cfg push.Config) *env {
	t.Helper()
	rec := &pushtest.Recorder{}
	e := newEnvFor(t, cfg, func(*clock) target {
		return target{c: rec, creds: map[string]string{"token": pushtest.Token}}
	})
	e.rec = rec
	return e
}

// newEnvFor builds an env whose one connection goes through the connector
// mk returns; mk gets the env's clock first, so a fake vendor can share it.
func newEnvFor(t testing.TB, cfg push.Config, mk func(*clock) target) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, clk: &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}, org: "org-1",
		reg: connector.NewRegistry(), email: map[string]string{}}
	tg := mk(e.clk)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "omnify.db"), sqlite.Options{Now: e.clk.Now})
	must(t, err, "open store")
	t.Cleanup(func() { _ = db.Close() })
	must(t, db.Migrate(ctx), "migrate")
	e.db = db
	must(t, db.CreateOrg(ctx, &omnify.Org{ID: e.org, Name: "Acme"}), "create org")
	e.sink = identity.NewSink(db, identity.Options{Now: e.clk.Now})
	e.jobs = jobs.NewRunner(db, jobs.Config{}, nil, e.clk.Now)
	must(t, e.reg.Register(tg.c), "register connector")
	platform := tg.c.Spec().Platform
	key, err := secret.NewKey()
	must(t, err, "key")
	box, err := secret.New(key)
	must(t, err, "box")
	urls := map[string]string{}
	if tg.baseURL != "" {
		urls[platform] = tg.baseURL
	}
	e.sync, err = syncer.New(syncer.Config{Store: db, Registry: e.reg, Sink: e.sink, Box: box, Jobs: e.jobs,
		Now: e.clk.Now, BaseURLs: urls, HTTP: tg.http})
	must(t, err, "syncer")
	conn, err := e.sync.Connect(ctx, e.org, syncer.ConnectInput{Platform: platform, Credentials: anyMap(tg.creds),
		Config: anyMap(tg.config)})
	must(t, err, "connect "+platform)
	e.conn = conn.ID
	cfg.Store, cfg.Registry, cfg.Credentials, cfg.Jobs = db, e.reg, e.sync, e.jobs
	cfg.Now, cfg.Sleep, cfg.BaseURLs, cfg.HTTP = e.clk.Now, e.clk.Sleep, urls, tg.http
	e.eng, err = push.New(cfg)
	must(t, err, "push engine")
	e.jobs.Handle(push.JobKind, e.eng.Handle)
	return e
}

func anyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// person is one platform's record of a customer.
type person struct {
	platform, ext, email, name, phone, consent string
}

// seed stores people through the customer graph and remembers the unified
// customer ID of each email.
func (e *env) seed(ps ...person) {
	e.t.Helper()
	ctx := context.Background()
	for _, p := range ps {
		first, last := splitName(p.name)
		rec := connector.Record{Stream: "customers", ExternalID: p.ext, UpdatedAt: e.clk.Now(),
			Customer: &connector.Customer{Email: p.email, Phone: p.phone, FirstName: first, LastName: last, Consent: p.consent}}
		must(e.t, e.sink.Store(ctx, e.org, e.conn, p.platform, []connector.Record{rec}), "store "+p.email)
		cs, _, err := e.db.ListCustomers(ctx, e.org, store.CustomerFilter{Email: strings.ToLower(p.email)}, store.Page{})
		must(e.t, err, "find "+p.email)
		if len(cs) != 1 {
			e.t.Fatalf("%s is %d customers", p.email, len(cs))
		}
		e.email[p.email] = cs[0].ID
	}
}

func splitName(n string) (string, string) {
	for i := range n {
		if n[i] == ' ' {
			return n[:i], n[i+1:]
		}
	}
	return n, ""
}

// ids maps emails to customer IDs, sorted.
func (e *env) ids(emails ...string) []string {
	out := make([]string, 0, len(emails))
	for _, m := range emails {
		id, ok := e.email[m]
		if !ok {
			e.t.Fatalf("no customer %s", m)
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// segment stores an EYES run whose segment "seg-a" holds the emails.
func (e *env) segment(emails ...string) {
	e.t.Helper()
	pushtest.Run(e.t, e.db, e.org, map[string][]string{"seg-a": e.ids(emails...), "seg-b": nil})
}

// start enqueues a push of seg-a to dest.
func (e *env) start(dest string) *omnify.Job {
	e.t.Helper()
	j, err := e.eng.Start(context.Background(), e.org, "user-1",
		push.Request{SegmentID: "seg-a", ConnectionID: e.conn, Destination: dest})
	must(e.t, err, "start push")
	return j
}

// runJob runs queued jobs until none is runnable and returns the job.
func (e *env) runJob(ctx context.Context, id string) *omnify.Job {
	e.t.Helper()
	for e.jobs.RunOne(ctx, "w") {
	}
	j, err := e.db.GetJob(context.Background(), e.org, id)
	must(e.t, err, "get job")
	return j
}

func result(t testing.TB, j *omnify.Job) push.Result {
	t.Helper()
	if j.Status != omnify.JobSucceeded {
		t.Fatalf("job %s: %s", j.Status, j.Error)
	}
	var r push.Result
	must(t, json.Unmarshal(j.Result, &r), "decode result")
	return r
}

// recorded returns the audience's members as the store has them.
func (e *env) recorded(dest string) []string {
	e.t.Helper()
	ids, _, err := e.db.ListAudienceMembers(context.Background(), e.org, e.conn, dest, store.Page{Limit: store.MaxLimit})
	must(e.t, err, "list audience members")
	return ids
}

// sent returns the customer IDs added and removed over the calls.
func sent(calls []pushtest.Call) (added, removed []string) {
	for _, c := range calls {
		for _, m := range c.Add {
			added = append(added, m.CustomerID)
		}
		for _, m := range c.Remove {
			removed = append(removed, m.CustomerID)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
}
