package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// dumpTests run on every backend that implements store.Dumper.
var dumpTests = []suiteTest{
	{"DumpOneOrgOfEveryKind", testDumpOneOrg},
}

// fixture is one org with one or more records of every kind, written
// through the store's ordinary methods.
type fixture struct {
	org                     omnify.Org
	owner, admin            omnify.User
	customers               []omnify.Customer
	doneJob, queuedJob      omnify.Job
	run                     omnify.EyesRun
	conn                    omnify.Connection
	syncRun                 omnify.SyncRun
	tokenUsed, tokenFresh   string // token hashes
	identityExt, campaignID string
	destination, jobKind    string
	idemKey, shared         string
}

// writeFixture fills org tag with every kind of record. shared, when not
// nil, is a user who also becomes a member (of several orgs).
func writeFixture(t *testing.T, s store.Store, tag string, shared *omnify.User) fixture {
	t.Helper()
	ctx := t.Context()
	f := fixture{jobKind: "dump.test." + tag, idemKey: "key-" + tag, destination: "list-" + tag,
		identityExt: "ext-" + tag, campaignID: "camp-" + tag}
	f.org = omnify.Org{ID: "org-" + tag, Name: "Org " + tag, CreatedAt: at(0),
		Branding: omnify.Branding{DisplayName: "Shop " + tag, PrimaryColor: "#123456"}}
	f.owner = omnify.User{ID: "owner-" + tag, Email: "owner-" + tag + "@example.com", PasswordHash: "h", CreatedAt: at(0)}
	must(t, s.CreateAccount(ctx, &f.owner, &f.org), "create account")
	must(t, s.UpdateOrg(ctx, &f.org), "brand org")
	f.admin = omnify.User{ID: "admin-" + tag, Email: "admin-" + tag + "@example.com", PasswordHash: "h", CreatedAt: at(time.Second)}
	must(t, s.CreateUser(ctx, &f.admin), "create admin")
	must(t, s.AddMember(ctx, &omnify.Membership{OrgID: f.org.ID, UserID: f.admin.ID, Role: omnify.RoleAdmin, CreatedAt: at(time.Second)}), "add admin")
	if shared != nil {
		f.shared = shared.ID
		must(t, s.AddMember(ctx, &omnify.Membership{OrgID: f.org.ID, UserID: shared.ID, Role: omnify.RoleViewer, CreatedAt: at(2 * time.Second)}), "add shared")
	}
	writeAccountRecords(t, s, &f)
	writeCustomerRecords(t, s, &f)
	writeJobRecords(t, s, &f)
	writeConnectionRecords(t, s, &f)
	return f
}

func writeAccountRecords(t *testing.T, s store.Store, f *fixture) {
	ctx := t.Context()
	f.tokenUsed, f.tokenFresh = "hash-used-"+f.org.ID, "hash-fresh-"+f.org.ID
	for i, h := range []string{f.tokenUsed, f.tokenFresh} {
		must(t, s.CreateRefreshToken(ctx, &omnify.RefreshToken{FamilyID: "fam-" + f.org.ID, UserID: f.owner.ID, OrgID: f.org.ID,
			TokenHash: h, CreatedAt: at(time.Duration(i) * time.Second), ExpiresAt: at(time.Hour)}), "create token")
	}
	_, err := s.UseRefreshToken(ctx, f.tokenUsed, at(time.Minute))
	must(t, err, "use token")
	must(t, s.AppendAudit(ctx, &omnify.AuditEvent{OrgID: f.org.ID, ActorID: f.owner.ID, Action: "member.invite",
		Target: "user:" + f.admin.ID, Details: map[string]string{"role": "admin"}, CreatedAt: at(time.Minute)}), "append audit")
}

func writeCustomerRecords(t *testing.T, s store.Store, f *fixture) {
	ctx := t.Context()
	org := f.org.ID
	for i, n := range []string{"a", "b", "c"} {
		f.customers = append(f.customers, omnify.Customer{ID: "cust-" + n, Email: n + "@" + org + ".example",
			Name: strings.ToUpper(n), Consent: omnify.ConsentGranted, Platforms: []string{"shopify"},
			CreatedAt: at(time.Duration(i) * time.Hour), UpdatedAt: at(time.Duration(i) * time.Hour)})
	}
	id := store.Identity{ID: "ident-" + org, Platform: "shopify", ExternalID: f.identityExt, CustomerID: "cust-a",
		Email: "a@" + org + ".example", Consent: omnify.ConsentGranted, UpdatedAt: at(0)}
	id2 := id
	id2.ID, id2.ExternalID, id2.Platform = "ident2-"+org, f.identityExt+"-2", "stripe"
	must(t, s.ApplyResolution(ctx, org, store.Resolution{
		Identities: []store.Identity{id, id2}, Customers: f.customers,
		Links: []store.MergeLink{{CustomerID: "cust-a", IdentityID: id2.ID, OtherIdentityID: id.ID, Reason: "same_email"}},
		Orders: []omnify.Order{{ID: "ord-1", CustomerID: "cust-a", Platform: "shopify", ExternalID: "o1",
			PlacedAt: at(time.Hour), AmountMinor: 1250, Currency: "EUR"}},
		Records: []store.SourceRecord{{Platform: "shopify", Stream: "orders", ExternalID: "o1", CustomerID: "cust-a",
			IdentityID: id.ID, UpdatedAt: at(time.Hour), Data: json.RawMessage(`{"total":"12.50","lines":[1,2]}`)}},
	}), "apply resolution")
	must(t, s.UpsertCampaigns(ctx, org, []omnify.Campaign{{ID: f.campaignID, Platform: "klaviyo", Channel: "email", Name: "Spring"}}), "campaigns")
	var ms []omnify.CampaignMetric
	for d := range 2 {
		ms = append(ms, omnify.CampaignMetric{CampaignID: f.campaignID, Day: time.Date(2026, 3, 1+d, 0, 0, 0, 0, time.UTC),
			SpendMinor: int64(100 * (d + 1)), Clicks: 7, Currency: "EUR"})
	}
	must(t, s.UpsertCampaignMetrics(ctx, org, ms), "metrics")
}

func writeJobRecords(t *testing.T, s store.Store, f *fixture) {
	ctx := t.Context()
	org := f.org.ID
	j, err := s.EnqueueJob(ctx, &omnify.Job{OrgID: org, Kind: f.jobKind, Payload: json.RawMessage(`{"n":1}`), CreatedAt: at(0)})
	must(t, err, "enqueue")
	claimed, err := s.ClaimJobByID(ctx, j.ID, "w1", at(time.Minute), time.Minute)
	must(t, err, "claim")
	must(t, s.CompleteJob(ctx, claimed.ID, json.RawMessage(`{"ok":true}`), at(2*time.Minute)), "complete")
	done, err := s.GetJob(ctx, org, j.ID)
	must(t, err, "get job")
	f.doneJob = *done
	q, err := s.EnqueueJob(ctx, &omnify.Job{OrgID: org, Kind: f.jobKind, IdempotencyKey: f.idemKey, CreatedAt: at(time.Second)})
	must(t, err, "enqueue keyed")
	f.queuedJob = *q

	f.run = omnify.EyesRun{OrgID: org, JobID: j.ID, AsOf: at(0), CreatedBy: f.owner.ID, CreatedAt: at(0)}
	must(t, s.CreateEyesRun(ctx, &f.run), "create run")
	must(t, s.PutEyesScores(ctx, org, f.run.ID, []omnify.EyesScore{{CustomerID: "cust-a", SegmentID: "s1", SegmentName: "Loyal",
		Churn90: 0.25, Reasons: []string{"recency"}, X: 1.5, Consent: omnify.ConsentGranted}}), "scores")
	fin := at(time.Hour)
	f.run.Status, f.run.FinishedAt, f.run.Report = omnify.JobSucceeded, &fin, json.RawMessage(`{"k":3}`)
	must(t, s.UpdateEyesRun(ctx, &f.run), "finish run")
}

func writeConnectionRecords(t *testing.T, s store.Store, f *fixture) {
	ctx := t.Context()
	org := f.org.ID
	f.conn = omnify.Connection{OrgID: org, Platform: "shopify", Name: "Shop", CredentialsCiphertext: []byte{1, 2, 3},
		Config: map[string]string{"shop": "x"}, ScheduleEvery: time.Hour, CreatedAt: at(0)}
	must(t, s.CreateConnection(ctx, &f.conn), "create connection")
	st := omnify.StreamState{OrgID: org, ConnectionID: f.conn.ID, Stream: "orders", State: json.RawMessage(`{"since":"x"}`), UpdatedAt: at(0)}
	must(t, s.SaveStreamState(ctx, &st, 0), "save stream state")
	f.syncRun = omnify.SyncRun{OrgID: org, ConnectionID: f.conn.ID, JobID: f.doneJob.ID, Mode: omnify.SyncIncremental,
		Trigger: "manual", CreatedAt: at(0)}
	must(t, s.CreateSyncRun(ctx, &f.syncRun), "create sync run")
	f.syncRun.Status, f.syncRun.StartedAt = omnify.JobRunning, at(time.Second)
	f.syncRun.Progress = map[string]omnify.StreamProgress{"orders": {Read: 3, Stored: 3}}
	must(t, s.UpdateSyncRun(ctx, &f.syncRun), "update sync run")
	must(t, s.RecordAudienceChange(ctx, org, store.AudienceChange{ConnectionID: f.conn.ID, Destination: f.destination,
		DestinationID: "v-1", Added: []string{"cust-a", "cust-b"}, At: at(time.Hour)}), "audience change")
}

// dumpAll collects a dump.
func dumpAll(t *testing.T, d store.Dumper, orgIDs ...string) []store.Item {
	t.Helper()
	var items []store.Item
	must(t, d.Dump(t.Context(), orgIDs, func(it store.Item) error {
		items = append(items, it)
		return nil
	}), "dump")
	return items
}

func testDumpOneOrg(t *testing.T, s store.Store) {
	d, ok := s.(store.Dumper)
	if !ok {
		t.Skip("backend cannot dump")
	}
	shared := omnify.User{ID: "shared", Email: "shared@example.com", PasswordHash: "h", CreatedAt: at(0)}
	must(t, s.CreateUser(t.Context(), &shared), "create shared user")
	a := writeFixture(t, s, "a", &shared)
	b := writeFixture(t, s, "b", &shared)
	items := dumpAll(t, d, a.org.ID)
	checkDumpOf(t, items, a, b)
	if none := dumpAll(t, d, "no-such-org"); len(none) != 0 {
		t.Fatalf("dump of an unknown org: %d items", len(none))
	}
	both := dumpAll(t, d, a.org.ID, b.org.ID)
	if n := countKind(both, store.KindUser); n != 5 {
		t.Fatalf("dump of both orgs: %d users, want 5 (the shared one once)", n)
	}
	stop := errors.New("stop")
	if err := d.Dump(t.Context(), []string{a.org.ID}, func(store.Item) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("dump callback error: got %v", err)
	}
}

// checkDumpOf checks a dump of org a: every kind present, kinds in order,
// keys unique, nothing of org b.
func checkDumpOf(t *testing.T, items []store.Item, a, b fixture) {
	t.Helper()
	rank := map[string]int{}
	for i, k := range store.Kinds {
		rank[k] = i
	}
	seen := map[string]bool{}
	last := -1
	for _, it := range items {
		r, ok := rank[it.Kind]
		if !ok || r < last {
			t.Fatalf("item %s %s out of kind order", it.Kind, it.Key)
		}
		last = r
		if seen[it.Kind+" "+it.Key] {
			t.Fatalf("item %s %s twice", it.Kind, it.Key)
		}
		seen[it.Kind+" "+it.Key] = true
		if bytes.Contains(it.Data, []byte(b.org.ID)) || bytes.Contains(it.Data, []byte(b.owner.ID)) {
			t.Fatalf("dump of %s holds %s %s of %s: %s", a.org.ID, it.Kind, it.Key, b.org.ID, it.Data)
		}
	}
	want := map[string]int{store.KindUser: 3, store.KindMembership: 3, store.KindRefreshToken: 2, store.KindCustomer: 3,
		store.KindCampaignMetric: 2, store.KindJob: 2, store.KindIdentity: 2, store.KindAudienceMember: 2}
	for _, k := range store.Kinds {
		n, ok := want[k]
		if !ok {
			n = 1
		}
		if got := countKind(items, k); got != n {
			t.Errorf("dump of %s: %d %s items, want %d", a.org.ID, got, k, n)
		}
	}
}

func countKind(items []store.Item, kind string) int {
	n := 0
	for _, it := range items {
		if it.Kind == kind {
			n++
		}
	}
	return n
}

// RunCopy copies one org from a store of newSrc into a fresh store of
// newDst, which must be a store.Loader, and checks that everything of the
// org, and nothing of another, reads back through the ordinary methods and
// that the copy keeps working (guards, owner counts, idempotency keys,
// versions). Both stores must be store.Dumpers.
func RunCopy(t *testing.T, newSrc, newDst NewStore) {
	t.Helper()
	src, dst := newSrc(t), newDst(t)
	shared := omnify.User{ID: "shared", Email: "shared@example.com", PasswordHash: "h", CreatedAt: at(0)}
	must(t, src.CreateUser(t.Context(), &shared), "create shared user")
	a := writeFixture(t, src, "a", &shared)
	writeFixture(t, src, "b", &shared)
	items := dumpAll(t, src.(store.Dumper), a.org.ID)
	loader := dst.(store.Loader)
	for range 2 { // twice: loading is idempotent
		for start := 0; start < len(items); start += 7 {
			must(t, loader.Load(t.Context(), items[start:min(start+7, len(items))]), "load")
		}
	}
	sameItems(t, dumpAll(t, dst.(store.Dumper), a.org.ID), items)
	if n := len(dumpAll(t, dst.(store.Dumper), "org-b")); n != 0 {
		t.Fatalf("target holds %d items of org-b", n)
	}
	checkCopiedReads(t, dst, a)
	checkCopiedWrites(t, dst, a)
}

// sameItems compares two dumps item by item in canonical JSON.
func sameItems(t *testing.T, got, want []store.Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("target dump has %d items, source %d", len(got), len(want))
	}
	for i := range want {
		g, err := store.CanonicalJSON(got[i].Data)
		must(t, err, "canonical target item")
		w, err := store.CanonicalJSON(want[i].Data)
		must(t, err, "canonical source item")
		if got[i].Kind != want[i].Kind || got[i].Key != want[i].Key || !bytes.Equal(g, w) {
			t.Fatalf("item %d: target %s %s %s, source %s %s %s", i, got[i].Kind, got[i].Key, g, want[i].Kind, want[i].Key, w)
		}
	}
}

func checkCopiedReads(t *testing.T, s store.Store, a fixture) {
	ctx := t.Context()
	org := a.org.ID
	o, err := s.GetOrg(ctx, org)
	must(t, err, "get org")
	assertEqual(t, *o, a.org, "org")
	_, err = s.GetOrg(ctx, "org-b")
	wantErr(t, err, omnify.ErrNotFound, "get org of another org")
	u, err := s.GetUserByEmail(ctx, a.owner.Email)
	must(t, err, "get user by email")
	assertEqual(t, *u, a.owner, "owner")
	ms, err := s.ListUserMemberships(ctx, "shared")
	must(t, err, "shared memberships")
	if len(ms) != 1 || ms[0].OrgID != org {
		t.Fatalf("shared user's memberships in target: %+v", ms)
	}
	es, _, err := s.ListAudit(ctx, org, store.AuditFilter{}, store.Page{})
	must(t, err, "list audit")
	if len(es) != 1 || es[0].Details["role"] != "admin" {
		t.Fatalf("audit: %+v", es)
	}
	for _, c := range a.customers {
		got, err := s.GetCustomer(ctx, org, c.ID)
		must(t, err, "get customer")
		c.OrgID = org
		assertEqual(t, *got, c, "customer "+c.ID)
	}
	if n, err := s.CountCustomers(ctx, "org-b"); err != nil || n != 0 {
		t.Fatalf("customers of org-b in target: %d, %v", n, err)
	}
	os, _, err := s.ListOrders(ctx, org, "cust-a", store.Page{})
	must(t, err, "list orders")
	if len(os) != 1 || os[0].AmountMinor != 1250 {
		t.Fatalf("orders: %+v", os)
	}
	mets, err := s.ListCampaignMetrics(ctx, org, store.MetricFilter{})
	must(t, err, "metrics")
	if len(mets) != 2 || mets[1].SpendMinor != 200 {
		t.Fatalf("metrics: %+v", mets)
	}
	checkCopiedGraph(t, s, a)
}

func checkCopiedGraph(t *testing.T, s store.Store, a fixture) {
	ctx := t.Context()
	org := a.org.ID
	is, err := s.GetIdentitiesByExternalID(ctx, org, "shopify", []string{a.identityExt})
	must(t, err, "identities")
	if len(is) != 1 || is[0].CustomerID != "cust-a" {
		t.Fatalf("identities: %+v", is)
	}
	ls, err := s.ListMergeLinks(ctx, org, "cust-a")
	must(t, err, "merge links")
	if len(ls) != 1 || ls[0].Reason != "same_email" {
		t.Fatalf("merge links: %+v", ls)
	}
	rs, _, err := s.ListSourceRecords(ctx, org, store.SourceRecordFilter{CustomerID: "cust-a"}, store.Page{})
	must(t, err, "source records")
	if len(rs) != 1 {
		t.Fatalf("source records: %+v", rs)
	}
	assertEqual(t, rs[0].Data, json.RawMessage(`{"total":"12.50","lines":[1,2]}`), "record data")
	sc, err := s.GetEyesScore(ctx, org, a.run.ID, "cust-a")
	must(t, err, "eyes score")
	if sc.Churn90 != 0.25 || len(sc.Reasons) != 1 {
		t.Fatalf("eyes score: %+v", sc)
	}
	latest, err := s.LatestEyesRun(ctx, org)
	must(t, err, "latest run")
	if latest.ID != a.run.ID || latest.Version != 1 {
		t.Fatalf("latest run: %+v", latest)
	}
	c, err := s.GetConnection(ctx, org, a.conn.ID)
	must(t, err, "connection")
	assertEqual(t, *c, a.conn, "connection")
	sts, err := s.ListStreamStates(ctx, org, a.conn.ID)
	must(t, err, "stream states")
	if len(sts) != 1 || sts[0].Version != 1 {
		t.Fatalf("stream states: %+v", sts)
	}
	sr, err := s.GetSyncRun(ctx, org, a.syncRun.ID)
	must(t, err, "sync run")
	if sr.Progress["orders"].Stored != 3 {
		t.Fatalf("sync run: %+v", sr)
	}
	aud, err := s.GetAudience(ctx, org, a.conn.ID, a.destination)
	must(t, err, "audience")
	ids, _, err := s.ListAudienceMembers(ctx, org, a.conn.ID, a.destination, store.Page{})
	must(t, err, "audience members")
	if aud.DestinationID != "v-1" || len(ids) != 2 {
		t.Fatalf("audience %+v members %v", aud, ids)
	}
}

// checkCopiedWrites uses the copy the way the product does, so side data
// (owner counts, job attempts and keys, versions) must have come along.
func checkCopiedWrites(t *testing.T, s store.Store, a fixture) {
	ctx := t.Context()
	org := a.org.ID
	_, err := s.UseRefreshToken(ctx, a.tokenUsed, at(time.Hour))
	wantErr(t, err, omnify.ErrConflict, "reuse a used token")
	_, err = s.UseRefreshToken(ctx, a.tokenFresh, at(time.Hour))
	must(t, err, "use a fresh token")
	// Two owners after the promotion: the first may leave only if the
	// copied org counts its owner.
	must(t, s.SetRole(ctx, org, a.admin.ID, omnify.RoleOwner), "promote admin")
	must(t, s.RemoveMember(ctx, org, a.owner.ID), "remove first owner")
	wantErr(t, s.RemoveMember(ctx, org, a.admin.ID), omnify.ErrConflict, "remove last owner")
	j, err := s.EnqueueJob(ctx, &omnify.Job{OrgID: org, Kind: a.jobKind, IdempotencyKey: a.idemKey})
	wantErr(t, err, omnify.ErrConflict, "enqueue with a copied idempotency key")
	if j == nil || j.ID != a.queuedJob.ID {
		t.Fatalf("enqueue with a copied key returned %+v, want job %s", j, a.queuedJob.ID)
	}
	claimed, err := s.ClaimJob(ctx, []string{a.jobKind}, "w2", at(time.Hour), time.Minute)
	must(t, err, "claim copied job")
	if claimed.ID != a.queuedJob.ID || claimed.Attempts != 1 {
		t.Fatalf("claimed %+v", claimed)
	}
	st := omnify.StreamState{OrgID: org, ConnectionID: a.conn.ID, Stream: "orders", State: json.RawMessage(`{"since":"y"}`)}
	must(t, s.SaveStreamState(ctx, &st, 1), "save stream state after copy")
	r := omnify.EyesRun{OrgID: org, AsOf: at(0)}
	must(t, s.CreateEyesRun(ctx, &r), "create run after copy")
	if r.Version != 2 {
		t.Fatalf("run after copy has version %d, want 2", r.Version)
	}
}
