package hubspot_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer"
)

const crashOrg = "org-crash"

// killable is the HubSpot connector with a kill switch: the sync's context
// is cancelled when the n-th record of the run is emitted, as a stopped
// process would be.
type killable struct {
	*hubspot.Connector
	seen   atomic.Int64
	killAt atomic.Int64
	kill   atomic.Pointer[context.CancelFunc]
}

func (k *killable) Read(ctx context.Context, c connector.Connection, stream string, state json.RawMessage, e connector.Emitter) error {
	return k.Connector.Read(ctx, c, stream, state, &killEmitter{Emitter: e, k: k})
}

type killEmitter struct {
	connector.Emitter
	k *killable
}

func (e *killEmitter) Record(ctx context.Context, r connector.Record) error {
	if e.k.seen.Add(1) == e.k.killAt.Load() {
		if cancel := e.k.kill.Load(); cancel != nil {
			(*cancel)()
		}
	}
	return e.Emitter.Record(ctx, r)
}

type crashEnv struct {
	db   *sqlite.DB
	s    *syncer.Syncer
	src  *killable
	data map[string]string // stored payloads by stream/ID
}

func newCrashEnv(t *testing.T, srv *hubspottest.Server) *crashEnv {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "omnify.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(t.Context(), &omnify.Org{ID: crashOrg, Name: "Crash Co"}); err != nil {
		t.Fatal(err)
	}
	src := &killable{Connector: hubspot.New()}
	reg := connector.NewRegistry()
	if err := reg.Register(src); err != nil {
		t.Fatal(err)
	}
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	runner := jobs.NewRunner(db, jobs.Config{}, nil, nil)
	s, err := syncer.New(syncer.Config{Store: db, Registry: reg, Sink: identity.NewSink(db, identity.Options{}), Box: box,
		Jobs: runner, BaseURLs: map[string]string{connector.HubSpot: srv.URL}, HTTP: srv.Client(), MaxAttempts: 100,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	runner.Handle(syncer.JobKind, s.Handle)
	return &crashEnv{db: db, s: s, src: src}
}

// attempt runs the sync's job once, killed at record killAt of the run
// (0: never), and returns how it ended.
func (e *crashEnv) attempt(t *testing.T, run *omnify.SyncRun, killAt int64) error {
	t.Helper()
	j, err := e.db.GetJob(t.Context(), crashOrg, run.JobID)
	if err != nil {
		t.Fatal(err)
	}
	j.Attempts, j.MaxAttempts = 1, 100
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e.src.seen.Store(0)
	e.src.killAt.Store(killAt)
	e.src.kill.Store(&cancel)
	_, err = e.s.Handle(ctx, j, nil)
	return err
}

func (e *crashEnv) sourceRecords(t *testing.T, stream string) map[string]int {
	t.Helper()
	out := map[string]int{}
	e.data = map[string]string{}
	page := store.Page{Limit: store.MaxLimit}
	for {
		recs, next, err := e.db.ListSourceRecords(t.Context(), crashOrg, store.SourceRecordFilter{Stream: stream}, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			out[r.ExternalID]++
			e.data[stream+"/"+r.ExternalID] = string(r.Data)
		}
		if next == "" {
			return out
		}
		page.After = next
	}
}

// A full sync of contacts, companies and deals through the real sync
// engine, SQLite store and customer graph, killed at random records and
// resumed each time, then an incremental sync after changes: the store
// ends with every HubSpot object exactly once and its newest version.
func TestCrashAndResumeStoresEverythingOnce(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 900, Companies: 250, Deals: 200, Seed: 17,
		IntervalMax: 1000000, SearchPerSecond: 1000000})
	e := newCrashEnv(t, srv)
	conn, err := e.s.Connect(t.Context(), crashOrg, syncer.ConnectInput{Platform: connector.HubSpot,
		Credentials: map[string]any{"access_token": srv.Options().Token}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.s.StartSync(t.Context(), crashOrg, conn.ID, omnify.SyncFull, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(17, 1))
	for i := range 6 {
		at := 1 + rng.Int64N(600)
		if err := e.attempt(t, run, at); err == nil {
			t.Fatalf("attempt %d killed at record %d finished anyway", i, at)
		}
	}
	if err := e.attempt(t, run, 0); err != nil {
		t.Fatalf("final attempt: %v", err)
	}
	e.wantExactly(t, srv)

	srv.Mutate()
	inc, err := e.s.StartSync(t.Context(), crashOrg, conn.ID, omnify.SyncIncremental, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.attempt(t, inc, 3); err == nil {
		t.Fatal("incremental attempt killed at record 3 finished anyway")
	}
	if err := e.attempt(t, inc, 0); err != nil {
		t.Fatalf("incremental: %v", err)
	}
	e.wantExactly(t, srv)
	n, err := e.db.CountCustomers(t.Context(), crashOrg)
	if err != nil || n != srv.Len(hubspottest.Contacts) {
		t.Fatalf("%d customers (%v), want one per contact: %d", n, err, srv.Len(hubspottest.Contacts))
	}
}

// identities counts the stored HubSpot identities (contacts) by ID.
func (e *crashEnv) identities(t *testing.T) map[string]int {
	t.Helper()
	var custs []string
	err := e.db.ScanCustomers(t.Context(), crashOrg, func(c omnify.Customer) error {
		custs = append(custs, c.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := e.db.ListCustomerIdentities(t.Context(), crashOrg, custs)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, id := range ids {
		if id.Platform == connector.HubSpot {
			out[id.ExternalID]++
		}
	}
	return out
}

// wantExactly checks that every object of the portal is stored once:
// contacts as identities of the customer graph, the rest as source
// records.
func (e *crashEnv) wantExactly(t *testing.T, srv *hubspottest.Server) {
	t.Helper()
	for stream, typ := range streamType {
		var got map[string]int
		if stream == hubspot.StreamContacts {
			got = e.identities(t)
		} else {
			got = e.sourceRecords(t, stream)
		}
		if len(got) != srv.Len(typ) {
			t.Errorf("%s: %d stored, HubSpot has %d", stream, len(got), srv.Len(typ))
		}
		for id, n := range got {
			if n != 1 {
				t.Errorf("%s %s stored %d times", stream, id, n)
			}
			if d, ok := e.data[stream+"/"+id]; ok && !strings.Contains(d, srv.Modified(typ, id)) {
				t.Errorf("%s %s stored as %s, not its version modified %s", stream, id, d, srv.Modified(typ, id))
			}
		}
	}
}
