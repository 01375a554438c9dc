// Package synctest is the crash-and-resume rig of the connector tests: it
// runs a connector's sync through the real sync engine into a SQLite store
// through the customer graph, kills it at random records, resumes it, and
// lets the test check that every vendor record is stored exactly once.
package synctest

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer"
)

// Org is the org every rig syncs into.
const Org = "org-crash"

// Rig is one connector wired to a fresh store.
type Rig struct {
	DB *sqlite.DB
	// BatchSize is the engine's records per stored batch; small batches
	// put more checkpoints in a short sync. Default: the engine's.
	BatchSize int

	c       *killable
	baseURL string
	http    *http.Client
}

// New opens a migrated SQLite store in t.TempDir() holding Org, for c
// reached at baseURL with client.
func New(t testing.TB, c connector.Connector, baseURL string, client *http.Client) *Rig {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "omnify.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(t.Context(), &omnify.Org{ID: Org, Name: "Crash"}); err != nil {
		t.Fatal(err)
	}
	return &Rig{DB: db, c: &killable{Connector: c}, baseURL: baseURL, http: client}
}

// Syncer is a new sync engine on the rig's store, as a restarted process
// builds it. Back-off waits are skipped.
func (r *Rig) Syncer(t testing.TB) *syncer.Syncer {
	t.Helper()
	reg := connector.NewRegistry()
	if err := reg.Register(r.c); err != nil {
		t.Fatal(err)
	}
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s, err := syncer.New(syncer.Config{Store: r.DB, Registry: reg, Sink: identity.NewSink(r.DB, identity.Options{}), Box: box,
		Jobs: jobs.NewRunner(r.DB, jobs.Config{}, nil, nil), BaseURLs: map[string]string{r.c.Spec().Platform: r.baseURL},
		HTTP: r.http, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, MaxAttempts: 100,
		BatchSize: r.BatchSize})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Connect connects the rig's platform with credentials and config.
func (r *Rig) Connect(t testing.TB, creds, config map[string]any) *omnify.Connection {
	t.Helper()
	conn, err := r.Syncer(t).Connect(t.Context(), Org, syncer.ConnectInput{Platform: r.c.Spec().Platform,
		Credentials: creds, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// Crashes says how a sync dies: Kills times, each at a record drawn up to
// MaxGap records after the previous kill, from a generator seeded by Seed.
type Crashes struct {
	Kills  int
	MaxGap int64
	Seed   uint64
}

// CrashAndResume starts a sync of conn in mode, kills it as cr says, each
// time resuming with a new engine from what the store saved, then lets it
// finish. It returns how many records the connector emitted in all.
func (r *Rig) CrashAndResume(t testing.TB, conn *omnify.Connection, mode omnify.SyncMode, cr Crashes) int64 {
	t.Helper()
	run, err := r.Syncer(t).StartSync(t.Context(), Org, conn.ID, mode, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(cr.Seed, cr.Seed+1))
	var emitted atomic.Int64
	for i := range cr.Kills {
		ctx, cancel := context.WithCancel(t.Context())
		at := emitted.Load() + 1 + rng.Int64N(cr.MaxGap)
		fn := func() {
			if emitted.Add(1) == at {
				cancel()
			}
		}
		r.c.onRecord.Store(&fn)
		if _, err := r.Syncer(t).Handle(ctx, r.job(t, run), nil); err == nil {
			t.Fatalf("crash %d at record %d did not happen", i, at)
		}
		cancel()
	}
	r.c.onRecord.Store(nil)
	if _, err := r.Syncer(t).Handle(t.Context(), r.job(t, run), nil); err != nil {
		t.Fatalf("final attempt: %v", err)
	}
	return emitted.Load()
}

// job is the run's job as a worker claims it again.
func (r *Rig) job(t testing.TB, run *omnify.SyncRun) *omnify.Job {
	t.Helper()
	j, err := r.DB.GetJob(t.Context(), Org, run.JobID)
	if err != nil {
		t.Fatal(err)
	}
	j.Attempts, j.MaxAttempts = 1, 100
	return j
}

// CountRecords counts the source records of a stream in the store.
func (r *Rig) CountRecords(t testing.TB, stream string) int {
	t.Helper()
	n, after := 0, ""
	for {
		recs, next, err := r.DB.ListSourceRecords(t.Context(), Org, store.SourceRecordFilter{Stream: stream}, store.Page{Limit: store.MaxLimit, After: after})
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

// killable is the connector with a hook on every record it emits, so the
// rig can stop the process at any record.
type killable struct {
	connector.Connector
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
