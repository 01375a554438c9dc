package linkedin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/linkedin/linkedintest"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer"
)

const crashOrg = "org-linkedin"

// killer wraps the connector and runs onRecord before every record it
// emits, so a test can stop the process at any record.
type killer struct {
	connector.Connector
	onRecord func()
}

func (k *killer) Read(ctx context.Context, c connector.Connection, s string, st json.RawMessage, e connector.Emitter) error {
	return k.Connector.Read(ctx, c, s, st, &killEmitter{Emitter: e, k: k})
}

type killEmitter struct {
	connector.Emitter
	k *killer
}

func (e *killEmitter) Record(ctx context.Context, r connector.Record) error {
	if f := e.k.onRecord; f != nil {
		f()
	}
	return e.Emitter.Record(ctx, r)
}

// crashEnv is a syncer over a SQLite file with the LinkedIn connector
// registered and pointed at the fake.
type crashEnv struct {
	db  *sqlite.DB
	s   *syncer.Syncer
	k   *killer
	srv *linkedintest.Server
}

func newCrashEnv(t *testing.T, srv *linkedintest.Server) *crashEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "omnify.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(ctx, &omnify.Org{ID: crashOrg, Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	k := &killer{Connector: linkedin.New(linkedin.WithClock(srv.Now))}
	reg := connector.NewRegistry()
	if err := reg.Register(k); err != nil {
		t.Fatal(err)
	}
	s, err := syncer.New(syncer.Config{Store: db, Registry: reg, Sink: identity.NewSink(db, identity.Options{}), Box: box,
		Jobs: jobs.NewRunner(db, jobs.Config{}, nil, nil), BaseURLs: map[string]string{connector.LinkedInAds: srv.URL},
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, BatchSize: 60, MaxAttempts: 100})
	if err != nil {
		t.Fatal(err)
	}
	return &crashEnv{db: db, s: s, k: k, srv: srv}
}

// TestCrashAndResumeStoresEverythingOnce syncs every stream through the
// real sync engine into SQLite, killing the process (cancelling its
// context) at random records several times, then lets it finish: the store
// must hold exactly LinkedIn's objects, campaigns and metrics, each once,
// with the fake's figures.
func TestCrashAndResumeStoresEverythingOnce(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Seed: 21, Accounts: 2, Campaigns: 24, Segments: 3, Days: 30})
	e := newCrashEnv(t, srv)
	ctx := context.Background()
	creds := srv.Connection().Credentials
	conn, err := e.s.Connect(ctx, crashOrg, syncer.ConnectInput{Platform: connector.LinkedInAds,
		Credentials: map[string]any{"client_id": creds["client_id"], "client_secret": creds["client_secret"],
			"refresh_token": creds["refresh_token"]}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.s.StartSync(ctx, crashOrg, conn.ID, omnify.SyncFull, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(21, 4))
	var seen atomic.Int64
	total := int64(expectedTotal(srv))
	for i := range 6 {
		runCtx, cancel := context.WithCancel(ctx)
		at := seen.Load() + 1 + rng.Int64N(total/6)
		e.k.onRecord = func() {
			if seen.Add(1) == at {
				cancel()
			}
		}
		_, err := e.s.Handle(runCtx, job(t, e.db, run), nil)
		cancel()
		if err == nil {
			t.Logf("attempt %d finished before record %d", i, at)
			break
		}
		t.Logf("killed at record %d: %v", at, err)
	}
	e.k.onRecord = nil
	if _, err := e.s.Handle(ctx, job(t, e.db, run), nil); err != nil {
		t.Fatalf("final attempt: %v", err)
	}
	got, err := e.db.GetSyncRun(ctx, crashOrg, run.ID)
	if err != nil || got.Status != omnify.JobSucceeded {
		t.Fatalf("run after the final attempt: %+v %v", got, err)
	}
	wantStored(t, e)
}

func job(t *testing.T, db *sqlite.DB, run *omnify.SyncRun) *omnify.Job {
	t.Helper()
	j, err := db.GetJob(context.Background(), crashOrg, run.JobID)
	if err != nil {
		t.Fatal(err)
	}
	j.Attempts, j.MaxAttempts = 1, 100
	return j
}

func expectedTotal(srv *linkedintest.Server) int {
	n := 0
	for _, s := range linkedin.New().Streams() {
		n += expected(srv, s.Name)
	}
	return n
}

// wantStored compares the store with the fake.
func wantStored(t *testing.T, e *crashEnv) {
	t.Helper()
	ctx := context.Background()
	n := e.srv.Counts()
	for stream, want := range map[string]int{"ad_accounts": n.Accounts, "campaign_groups": n.CampaignGroups,
		"creatives": n.Creatives, "audiences": n.Segments} {
		ids := map[string]bool{}
		after := ""
		for {
			recs, next, err := e.db.ListSourceRecords(ctx, crashOrg, store.SourceRecordFilter{Stream: stream}, store.Page{Limit: store.MaxLimit, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if ids[r.ExternalID] {
					t.Errorf("%s %s stored twice", stream, r.ExternalID)
				}
				ids[r.ExternalID] = true
			}
			if after = next; next == "" {
				break
			}
		}
		if len(ids) != want {
			t.Errorf("%s: %d stored, LinkedIn has %d", stream, len(ids), want)
		}
	}
	campaigns, _, err := e.db.ListCampaigns(ctx, crashOrg, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(campaigns) != n.Campaigns {
		t.Errorf("%d campaigns stored, LinkedIn has %d", len(campaigns), n.Campaigns)
	}
	wantMetrics(t, e, campaigns)
}

func wantMetrics(t *testing.T, e *crashEnv, campaigns []omnify.Campaign) {
	t.Helper()
	ms, err := e.db.ListCampaignMetrics(context.Background(), crashOrg, store.MetricFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := e.srv.MetricRows(time.Time{}); len(ms) != want {
		t.Errorf("%d metric rows stored, LinkedIn has %d", len(ms), want)
	}
	ext := map[string]int64{}
	for _, id := range e.srv.CampaignIDs() {
		ext[identity.CampaignID(crashOrg, connector.LinkedInAds, fmt.Sprint(id))] = id
	}
	seen := map[string]bool{}
	for _, m := range ms {
		key := m.CampaignID + m.Day.Format(time.DateOnly)
		if seen[key] {
			t.Fatalf("metric %s stored twice", key)
		}
		seen[key] = true
		want, ok := e.srv.MetricOf(ext[m.CampaignID], m.Day)
		if !ok || want.Impressions != m.Impressions || want.Clicks != m.Clicks {
			t.Fatalf("stored %+v, LinkedIn has %+v", m, want)
		}
	}
}
