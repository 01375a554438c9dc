package klaviyo_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer"
)

const crashOrg = "org-klaviyo"

// killSink stores through the customer graph and cancels the sync after
// a chosen number of records, as a killed process would stop mid-stream.
type killSink struct {
	inner  syncer.Sink
	mu     sync.Mutex
	at     int64 // cancel once this many records were handed over (0: never)
	cancel func()
	stored atomic.Int64
	seen   map[string]int // deliveries per stream/ID
}

func (k *killSink) Store(ctx context.Context, orgID, connID, platform string, recs []connector.Record) error {
	k.mu.Lock()
	at, cancel := k.at, k.cancel
	for _, r := range recs {
		k.seen[r.Stream+"/"+r.ExternalID]++
	}
	k.mu.Unlock()
	n := k.stored.Add(int64(len(recs)))
	if at > 0 && n >= at {
		cancel()
		return context.Canceled
	}
	return k.inner.Store(ctx, orgID, connID, platform, recs)
}

// TestCrashAndResume kills a full sync of every stream at random records,
// restarts the syncer on the same SQLite file each time, and expects the
// customer graph to end with every Klaviyo record exactly once.
func TestCrashAndResume(t *testing.T) {
	t.Parallel()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 800, Lists: 25, Segments: 12, Campaigns: 14,
		Events: 1200, Seed: 31, RateScale: 1000})
	path := filepath.Join(t.TempDir(), "omnify.db")
	db := openDB(t, path)
	if err := db.CreateOrg(context.Background(), &omnify.Org{ID: crashOrg, Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	sink := &killSink{inner: identity.NewSink(db, identity.Options{}), seen: map[string]int{}}
	s, _ := newSyncer(t, db, srv, sink)
	conn, err := s.Connect(context.Background(), crashOrg, syncer.ConnectInput{Platform: connector.Klaviyo,
		Credentials: map[string]any{"api_key": klaviyotest.Key}, Config: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartSync(context.Background(), crashOrg, conn.ID, omnify.SyncFull, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(31, 5))
	crashes := 0
	for attempt := 0; ; attempt++ {
		if attempt == 40 {
			t.Fatal("the sync never finished")
		}
		ctx, cancel := context.WithCancel(context.Background())
		sink.mu.Lock()
		sink.at, sink.cancel = sink.stored.Load()+1+rng.Int64N(300), cancel
		sink.mu.Unlock()
		s, _ = newSyncer(t, db, srv, sink) // a restarted process
		_, err := s.Handle(ctx, jobOf(t, db, run), nil)
		cancel()
		if err == nil {
			break
		}
		crashes++
		t.Logf("crash %d after %d records handed over: %v", crashes, sink.stored.Load(), err)
	}
	if crashes < 4 { // about 1,750 records, a crash every 150 on average
		t.Fatalf("only %d crashes", crashes)
	}
	wantStored(t, db, srv)
	redelivered := 0
	for _, n := range sink.seen {
		redelivered += n - 1
	}
	t.Logf("%d records, %d handed over again after %d crashes", len(sink.seen), redelivered, crashes)
	// A resume rereads at most what followed the last saved checkpoint:
	// the syncer's batch (500 records) that was being stored.
	if redelivered > crashes*500 {
		t.Errorf("%d records handed over again after %d crashes: resumes start too early", redelivered, crashes)
	}
}

func openDB(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newSyncer(t *testing.T, db *sqlite.DB, srv *klaviyotest.Server, sink syncer.Sink) (*syncer.Syncer, *jobs.Runner) {
	t.Helper()
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	reg := connector.NewRegistry()
	if err := reg.Register(klaviyo.New()); err != nil {
		t.Fatal(err)
	}
	runner := jobs.NewRunner(db, jobs.Config{}, nil, nil)
	s, err := syncer.New(syncer.Config{Store: db, Registry: reg, Sink: sink, Box: box, Jobs: runner,
		BaseURLs: map[string]string{connector.Klaviyo: srv.URL}, MaxAttempts: 100,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	runner.Handle(syncer.JobKind, s.Handle)
	return s, runner
}

func jobOf(t *testing.T, db *sqlite.DB, run *omnify.SyncRun) *omnify.Job {
	t.Helper()
	j, err := db.GetJob(context.Background(), crashOrg, run.JobID)
	if err != nil {
		t.Fatal(err)
	}
	j.Attempts, j.MaxAttempts = 1, 100
	return j
}

// wantStored checks that the store holds each of the fake's records once:
// one identity per profile, one customer per profile (their emails
// differ), one campaign per campaign, and one source record per list,
// segment and event.
func wantStored(t *testing.T, db *sqlite.DB, srv *klaviyotest.Server) {
	t.Helper()
	ctx := context.Background()
	profiles := srv.IDs("profiles")
	ids, err := db.GetIdentitiesByExternalID(ctx, crashOrg, connector.Klaviyo, profiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(profiles) {
		t.Errorf("%d identities for %d profiles", len(ids), len(profiles))
	}
	n, err := db.CountCustomers(ctx, crashOrg)
	if err != nil || n != len(profiles) {
		t.Errorf("%d customers (%v) for %d profiles", n, err, len(profiles))
	}
	cs, _, err := db.ListCampaigns(ctx, crashOrg, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	campaigns := map[string]bool{}
	for _, c := range cs {
		if c.Platform == connector.Klaviyo && (c.Channel == "email" || c.Channel == "sms") {
			campaigns[c.ID] = true
		}
	}
	if want := len(srv.IDs("campaigns")); len(campaigns) != want || len(cs) != want {
		t.Errorf("%d Klaviyo campaigns stored (%d in all) of %d", len(campaigns), len(cs), want)
	}
	for _, stream := range []string{"lists", "segments", "events"} {
		want := srv.IDs(stream)
		got, err := db.GetSourceRecords(ctx, crashOrg, connector.Klaviyo, stream, want)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range got {
			if seen[r.ExternalID] {
				t.Errorf("%s %s stored twice", stream, r.ExternalID)
			}
			seen[r.ExternalID] = true
		}
		if len(seen) != len(want) {
			t.Errorf("%s: %d stored of %d", stream, len(seen), len(want))
		}
	}
}
