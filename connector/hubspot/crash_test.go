package hubspot_test

import (
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/syncer/synctest"
)

const crashOrg = synctest.Org

// crashEnv is the crash rig with the payloads the last look at the store
// found, by stream/ID.
type crashEnv struct {
	db   *sqlite.DB
	rig  *synctest.Rig
	data map[string]string
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
	rig := synctest.New(t, hubspot.New(), srv.URL, srv.Client())
	e := &crashEnv{db: rig.DB, rig: rig}
	conn := rig.Connect(t, map[string]any{"access_token": srv.Options().Token}, nil)
	rig.CrashAndResume(t, conn, omnify.SyncFull, synctest.Crashes{Kills: 6, MaxGap: 600, Seed: 17})
	e.wantExactly(t, srv)

	srv.Mutate()
	rig.CrashAndResume(t, conn, omnify.SyncIncremental, synctest.Crashes{Kills: 1, MaxGap: 3, Seed: 18})
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
