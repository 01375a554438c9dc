package gohighlevel_test

import (
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/syncer/synctest"
)

// A full sync through the real engine, into SQLite through the identity
// graph, is killed at random records five times; each restart resumes
// from the saved checkpoints, and the store ends with every vendor record
// exactly once.
func TestCrashAndResume(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 1500, Opportunities: 420, Campaigns: 4, Workflows: 3,
		Seed: 31, Burst: 1 << 20})
	rig := synctest.New(t, gohighlevel.New(), srv.URL, srv.Connection().HTTP)
	conn := rig.Connect(t, map[string]any{"location_id": srv.Options().LocationID, "access_token": srv.Options().Token}, nil)
	emitted := rig.CrashAndResume(t, conn, omnify.SyncFull, synctest.Crashes{Kills: 5, MaxGap: 400, Seed: 31})
	t.Logf("%d records emitted over 6 attempts", emitted)
	wantStored(t, rig, srv)
}

// wantStored checks the store against the vendor: one customer per
// contact, one source record per other object.
func wantStored(t *testing.T, rig *synctest.Rig, srv *gohighleveltest.Server) {
	t.Helper()
	db, crashOrg := rig.DB, synctest.Org
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
		if n := rig.CountRecords(t, stream); n != srv.Len(stream) {
			t.Errorf("%d %s stored, the vendor has %d", n, stream, srv.Len(stream))
		}
	}
}
