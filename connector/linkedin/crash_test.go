package linkedin_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/linkedin/linkedintest"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer/synctest"
)

const crashOrg = synctest.Org

// killer wraps the connector and runs onRecord before every record it
// emits, so a test can stop the process at any record.
// crashEnv is the store a crash test synced into and the fake it read.
type crashEnv struct {
	db  *sqlite.DB
	srv *linkedintest.Server
}

// TestCrashAndResumeStoresEverythingOnce syncs every stream through the
// real sync engine into SQLite, killing the process (cancelling its
// context) at random records several times, then lets it finish: the store
// must hold exactly LinkedIn's objects, campaigns and metrics, each once,
// with the fake's figures.
func TestCrashAndResumeStoresEverythingOnce(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Seed: 21, Accounts: 2, Campaigns: 24, Segments: 3, Days: 30})
	rig := synctest.New(t, linkedin.New(linkedin.WithClock(srv.Now)), srv.URL, nil)
	rig.BatchSize = 60
	creds := srv.Connection().Credentials
	conn := rig.Connect(t, map[string]any{"client_id": creds["client_id"], "client_secret": creds["client_secret"],
		"refresh_token": creds["refresh_token"]}, nil)
	total := int64(expectedTotal(srv))
	rig.CrashAndResume(t, conn, omnify.SyncFull, synctest.Crashes{Kills: 5, MaxGap: total / 6, Seed: 21})
	runs, _, err := rig.DB.ListSyncRuns(t.Context(), crashOrg, conn.ID, store.Page{})
	if err != nil || len(runs) != 1 || runs[0].Status != omnify.JobSucceeded {
		t.Fatalf("runs after the final attempt: %+v %v", runs, err)
	}
	wantStored(t, &crashEnv{db: rig.DB, srv: srv})
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
