package triplewhale_test

import (
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector/triplewhale"
	"github.com/omnify-cloud/omnify/connector/triplewhale/triplewhaletest"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/syncer/synctest"
)

// A 120-day sync through the real engine into SQLite is killed at random
// records five times; resumed, the store holds every channel, every
// channel-day metric and every day's summary exactly once.
func TestCrashAndResume(t *testing.T) {
	t.Parallel()
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 41, Limit: 1 << 20})
	const days = 120
	rig := synctest.New(t, newConnector(srv), srv.URL+"/api/v2", srv.Connection(srv.Today()).HTTP)
	conn := rig.Connect(t, map[string]any{"api_key": "tw-key-test", "shop_domain": triplewhaletest.Shop},
		map[string]any{"start_date": srv.Today().AddDate(0, 0, -(days - 1)).Format("2006-01-02")})
	rig.CrashAndResume(t, conn, omnify.SyncFull, synctest.Crashes{Kills: 5, MaxGap: 300, Seed: 41})
	wantStored(t, rig, srv, days)
}

func wantStored(t *testing.T, rig *synctest.Rig, srv *triplewhaletest.Server, days int) {
	t.Helper()
	db, crashOrg := rig.DB, synctest.Org
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
