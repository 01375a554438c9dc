package gohighlevel_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer"
)

const crashOrg = "org-crash"

// killable is the connector with a hook on every record it emits, so a
// test can stop the process at any record.
type killable struct {
	*gohighlevel.Connector
	onRecord atomic.Pointer[func()]
}

func (k *killable) Read(ctx context.Context, c connector.Connection, stream string, state json.RawMessage, e connector.Emitter) error {
	return k.Connector.Read(ctx, c, stream, state, hooked{e, k})
}

type hooked struct {
	connector.Emitter
	k *killable
}

func (h hooked) Record(ctx context.Context, r connector.Record) error {
	if fn := h.k.onRecord.Load(); fn != nil {
		(*fn)()
	}
	return h.Emitter.Record(ctx, r)
}

// A full sync through the real engine, into SQLite through the identity
// graph, is killed at random records five times; each restart resumes
// from the saved checkpoints, and the store ends with every vendor record
// exactly once.
func TestCrashAndResume(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 1500, Opportunities: 420, Campaigns: 4, Workflows: 3,
		Seed: 31, Burst: 1 << 20})
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "omnify.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(t.Context(), &omnify.Org{ID: crashOrg, Name: "Crash"}); err != nil {
		t.Fatal(err)
	}
	k := &killable{Connector: gohighlevel.New()}
	s := newSyncer(t, db, k, srv)
	conn, err := s.Connect(t.Context(), crashOrg, syncer.ConnectInput{Platform: connector.GoHighLevel,
		Credentials: map[string]any{"location_id": srv.Options().LocationID, "access_token": srv.Options().Token}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartSync(t.Context(), crashOrg, conn.ID, omnify.SyncFull, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(31, 7))
	var emitted atomic.Int64
	for i := range 5 {
		ctx, cancel := context.WithCancel(t.Context())
		at := emitted.Load() + 1 + rng.Int64N(400)
		fn := func() {
			if emitted.Add(1) == at {
				cancel()
			}
		}
		k.onRecord.Store(&fn)
		if _, err := newSyncer(t, db, k, srv).Handle(ctx, job(t, db, run), nil); err == nil {
			t.Fatalf("crash %d at record %d did not happen", i, at)
		}
		cancel()
	}
	k.onRecord.Store(nil)
	if _, err := newSyncer(t, db, k, srv).Handle(t.Context(), job(t, db, run), nil); err != nil {
		t.Fatalf("final attempt: %v", err)
	}
	t.Logf("%d records emitted over 6 attempts", emitted.Load())
	wantStored(t, db, srv)
}

func newSyncer(t *testing.T, db *sqlite.DB, c connector.Connector, srv *gohighleveltest.Server) *syncer.Syncer {
	t.Helper()
	reg := connector.NewRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s, err := syncer.New(syncer.Config{Store: db, Registry: reg, Sink: identity.NewSink(db, identity.Options{}), Box: box,
		Jobs: jobs.NewRunner(db, jobs.Config{}, nil, nil), BaseURLs: map[string]string{connector.GoHighLevel: srv.URL},
		HTTP: srv.Connection().HTTP, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, MaxAttempts: 100})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func job(t *testing.T, db *sqlite.DB, run *omnify.SyncRun) *omnify.Job {
	t.Helper()
	j, err := db.GetJob(t.Context(), crashOrg, run.JobID)
	if err != nil {
		t.Fatal(err)
	}
	j.Attempts, j.MaxAttempts = 1, 100
	return j
}

// wantStored checks the store against the vendor: one customer per
// contact, one source record per other object.
func wantStored(t *testing.T, db *sqlite.DB, srv *gohighleveltest.Server) {
	t.Helper()
	n, err := db.CountCustomers(t.Context(), crashOrg)
	if err != nil {
		t.Fatal(err)
	}
	if n != srv.Len(gohighlevel.StreamContacts) {
		t.Errorf("%d customers stored, the vendor has %d contacts", n, srv.Len(gohighlevel.StreamContacts))
	}
	var ids []string
	for _, c := range srv.Contacts() {
		ids = append(ids, c.ID)
	}
	got, err := db.GetIdentitiesByExternalID(t.Context(), crashOrg, connector.GoHighLevel, ids)
	if err != nil || len(got) != len(ids) {
		t.Errorf("%d of %d contacts have an identity (%v)", len(got), len(ids), err)
	}
	cs, _, err := db.ListCampaigns(t.Context(), crashOrg, store.Page{Limit: 100})
	if err != nil || len(cs) != srv.Len(gohighlevel.StreamCampaigns) {
		t.Errorf("%d campaigns stored, the vendor has %d (%v)", len(cs), srv.Len(gohighlevel.StreamCampaigns), err)
	}
	for _, stream := range []string{gohighlevel.StreamOpportunities, gohighlevel.StreamWorkflows} {
		if n := countRecords(t, db, stream); n != srv.Len(stream) {
			t.Errorf("%d %s stored, the vendor has %d", n, stream, srv.Len(stream))
		}
	}
}

func countRecords(t *testing.T, db *sqlite.DB, stream string) int {
	t.Helper()
	n, after := 0, ""
	for {
		recs, next, err := db.ListSourceRecords(t.Context(), crashOrg, store.SourceRecordFilter{Stream: stream}, store.Page{Limit: 500, After: after})
		if err != nil {
			t.Fatal(err)
		}
		n += len(recs)
		if next == "" {
			return n
		}
		after = next
	}
}
