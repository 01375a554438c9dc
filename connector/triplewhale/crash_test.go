package triplewhale_test

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
	"github.com/omnify-cloud/omnify/connector/triplewhale"
	"github.com/omnify-cloud/omnify/connector/triplewhale/triplewhaletest"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer"
)

const crashOrg = "org-crash"

// killable is the connector with a hook on every record it emits.
type killable struct {
	*triplewhale.Connector
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

// A 120-day sync through the real engine into SQLite is killed at random
// records five times; resumed, the store holds every channel, every
// channel-day metric and every day's summary exactly once.
func TestCrashAndResume(t *testing.T) {
	t.Parallel()
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 41, Limit: 1 << 20})
	const days = 120
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
	k := &killable{Connector: newConnector(srv)}
	s := newSyncer(t, db, k, srv)
	conn, err := s.Connect(t.Context(), crashOrg, syncer.ConnectInput{Platform: connector.TripleWhale,
		Credentials: map[string]any{"api_key": "tw-key-test", "shop_domain": triplewhaletest.Shop},
		Config:      map[string]any{"start_date": srv.Today().AddDate(0, 0, -(days - 1)).Format("2006-01-02")}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartSync(t.Context(), crashOrg, conn.ID, omnify.SyncFull, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(41, 9))
	var emitted atomic.Int64
	for i := range 5 {
		ctx, cancel := context.WithCancel(t.Context())
		at := emitted.Load() + 1 + rng.Int64N(300)
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
	wantStored(t, db, srv, days)
}

func newSyncer(t *testing.T, db *sqlite.DB, c connector.Connector, srv *triplewhaletest.Server) *syncer.Syncer {
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
		Jobs: jobs.NewRunner(db, jobs.Config{}, nil, nil), BaseURLs: map[string]string{connector.TripleWhale: srv.URL + "/api/v2"},
		HTTP: srv.Connection(srv.Today()).HTTP, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, MaxAttempts: 100})
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

func wantStored(t *testing.T, db *sqlite.DB, srv *triplewhaletest.Server, days int) {
	t.Helper()
	cs, _, err := db.ListCampaigns(t.Context(), crashOrg, store.Page{Limit: 100})
	if err != nil || len(cs) != len(srv.Channels()) {
		t.Fatalf("%d campaigns stored, want one per channel (%d): %v", len(cs), len(srv.Channels()), err)
	}
	metrics := 0
	for _, c := range cs {
		ms, err := db.ListCampaignMetrics(t.Context(), crashOrg, store.MetricFilter{CampaignID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, m := range ms {
			d := m.Day.Format("2006-01-02")
			if seen[d] {
				t.Fatalf("campaign %s has day %s twice", c.Name, d)
			}
			seen[d] = true
		}
		metrics += len(ms)
	}
	if metrics != days*len(srv.Channels()) {
		t.Errorf("%d metrics stored, want %d", metrics, days*len(srv.Channels()))
	}
	recs, _, err := db.ListSourceRecords(t.Context(), crashOrg, store.SourceRecordFilter{Stream: triplewhale.StreamDailyMetrics}, store.Page{Limit: 500})
	if err != nil || len(recs) != days {
		t.Errorf("%d daily summaries stored, want %d (%v)", len(recs), days, err)
	}
}
