package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var identityTests = []suiteTest{
	{"Identity/ApplyAndRead", testIdentityApplyAndRead},
	{"Identity/ApplyIsIdempotent", testIdentityIdempotent},
	{"Identity/Merge", testIdentityMerge},
	{"Identity/Move", testIdentityMove},
	{"Identity/SourceRecords", testSourceRecords},
	{"Identity/DeleteOrderRecord", testDeleteOrderRecord},
	{"Identity/Invalid", testIdentityInvalid},
	{"Isolation/Identities", testIsolationIdentities},
}

func makeIdentity(org, id, platform, ext, cust, email, phone string) store.Identity {
	return store.Identity{ID: id, OrgID: org, Platform: platform, ExternalID: ext, CustomerID: cust, Email: email,
		Phone: phone, Name: "Name " + id, Consent: omnify.ConsentGranted, UpdatedAt: at(time.Minute)}
}

// graph is two customers: cust-1 with identities id-1 (shopify) and id-2
// (stripe) linked by email, cust-2 with id-3; each has an order and its
// source record.
func graph(org string) store.Resolution {
	return store.Resolution{
		Identities: []store.Identity{
			makeIdentity(org, "id-1", "shopify", "s1", "cust-1", "ana@example.com", ""),
			makeIdentity(org, "id-2", "stripe", "cus_1", "cust-1", "ana@example.com", "+14155550123"),
			makeIdentity(org, "id-3", "shopify", "s2", "cust-2", "bo@example.com", "+14155550199"),
		},
		Customers: []omnify.Customer{
			{ID: "cust-1", OrgID: org, Email: "ana@example.com", Consent: omnify.ConsentGranted,
				Platforms: []string{"shopify", "stripe"}, CreatedAt: t0, UpdatedAt: t0},
			{ID: "cust-2", OrgID: org, Email: "bo@example.com", Consent: omnify.ConsentUnknown,
				Platforms: []string{"shopify"}, CreatedAt: t0, UpdatedAt: t0},
		},
		Links: []store.MergeLink{{OrgID: org, CustomerID: "cust-1", IdentityID: "id-2", OtherIdentityID: "id-1", Reason: "same_email"}},
		Orders: []omnify.Order{
			{ID: "ord-1", OrgID: org, CustomerID: "cust-1", Platform: "shopify", ExternalID: "o1", PlacedAt: t0, AmountMinor: 500, Currency: "USD"},
			{ID: "ord-2", OrgID: org, CustomerID: "cust-2", Platform: "shopify", ExternalID: "o2", PlacedAt: t0, AmountMinor: 700, Currency: "USD"},
		},
		Records: []store.SourceRecord{
			{OrgID: org, Platform: "shopify", Stream: "orders", ExternalID: "o1", CustomerID: "cust-1", IdentityID: "id-1",
				UpdatedAt: t0, Data: json.RawMessage(`{"lines":[{"sku":"a"}]}`)},
			{OrgID: org, Platform: "shopify", Stream: "orders", ExternalID: "o2", CustomerID: "cust-2", IdentityID: "id-3",
				UpdatedAt: t0, Data: json.RawMessage(`{"lines":[]}`)},
		},
	}
}

func mustApply(t *testing.T, s store.Store, org string, r store.Resolution) {
	t.Helper()
	must(t, s.ApplyResolution(t.Context(), org, r), "apply resolution")
}

func testIdentityApplyAndRead(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-a")
	g := graph("org-a")
	mustApply(t, s, "org-a", g)

	got, err := s.GetIdentitiesByExternalID(ctx, "org-a", "shopify", []string{"s2", "s1", "nope"})
	must(t, err, "by external id")
	assertEqual(t, got, []store.Identity{g.Identities[0], g.Identities[2]}, "identities by external id")
	got, err = s.FindIdentitiesByKey(ctx, "org-a", []string{"ana@example.com"}, []string{"+14155550199"})
	must(t, err, "by key")
	wantSameSet(t, ids(got, func(i store.Identity) string { return i.ID }), []string{"id-1", "id-2", "id-3"}, "by key")
	got, err = s.FindIdentitiesByKey(ctx, "org-a", []string{""}, []string{""})
	wantEmpty(t, got, "", err, "empty keys match nothing")
	got, err = s.ListCustomerIdentities(ctx, "org-a", []string{"cust-1"})
	must(t, err, "customer identities")
	assertEqual(t, got, g.Identities[:2], "identities of cust-1")
	one, err := s.GetIdentity(ctx, "org-a", "id-3")
	must(t, err, "get identity")
	assertEqual(t, one, &g.Identities[2], "get identity")
	_, err = s.GetIdentity(ctx, "org-a", "nope")
	wantErr(t, err, omnify.ErrNotFound, "unknown identity")
	links, err := s.ListMergeLinks(ctx, "org-a", "cust-1")
	must(t, err, "links")
	assertEqual(t, links, g.Links, "links")
	c, err := s.GetCustomer(ctx, "org-a", "cust-1")
	must(t, err, "customer")
	assertEqual(t, c, &g.Customers[0], "customer")
	os, _, err := s.ListOrders(ctx, "org-a", "cust-2", store.Page{})
	must(t, err, "orders")
	assertEqual(t, os, g.Orders[1:], "orders of cust-2")
}

func testIdentityIdempotent(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-a")
	mustApply(t, s, "org-a", graph("org-a"))
	mustApply(t, s, "org-a", graph("org-a"))
	n, err := s.CountCustomers(ctx, "org-a")
	must(t, err, "count")
	ids, err := s.ListCustomerIdentities(ctx, "org-a", []string{"cust-1", "cust-2"})
	must(t, err, "identities")
	links, err := s.ListMergeLinks(ctx, "org-a", "cust-1")
	must(t, err, "links")
	if n != 2 || len(ids) != 3 || len(links) != 1 {
		t.Fatalf("after applying twice: %d customers, %d identities, %d links", n, len(ids), len(links))
	}
}

func testIdentityMerge(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-a")
	g := graph("org-a")
	mustApply(t, s, "org-a", g)
	merged := g.Customers[0]
	merged.Platforms = []string{"shopify", "stripe"}
	mustApply(t, s, "org-a", store.Resolution{
		Customers: []omnify.Customer{merged},
		Links: append(g.Links, store.MergeLink{OrgID: "org-a", CustomerID: "cust-1", IdentityID: "id-3",
			OtherIdentityID: "id-2", Reason: "same_phone"}),
		Merged: map[string]string{"cust-2": "cust-1"},
	})
	_, err := s.GetCustomer(ctx, "org-a", "cust-2")
	wantErr(t, err, omnify.ErrNotFound, "merged-away customer")
	os, _, err := s.ListOrders(ctx, "org-a", "cust-1", store.Page{})
	must(t, err, "orders")
	wantSameSet(t, ids(os, func(o omnify.Order) string { return o.ID }), []string{"ord-1", "ord-2"}, "orders moved")
	idents, err := s.ListCustomerIdentities(ctx, "org-a", []string{"cust-1"})
	must(t, err, "identities")
	if len(idents) != 3 {
		t.Fatalf("cust-1 has %d identities after the merge, want 3", len(idents))
	}
	recs, _, err := s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{CustomerID: "cust-1"}, store.Page{})
	must(t, err, "records")
	if len(recs) != 2 {
		t.Fatalf("cust-1 has %d records after the merge, want 2", len(recs))
	}
	links, err := s.ListMergeLinks(ctx, "org-a", "cust-2")
	wantEmpty(t, links, "", err, "links of the merged-away customer")
}

func testIdentityMove(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-a")
	g := graph("org-a")
	mustApply(t, s, "org-a", g)
	moved := g.Identities[0]
	moved.CustomerID, moved.NoMergeGroup = "cust-3", "split:cust-3"
	mustApply(t, s, "org-a", store.Resolution{
		Identities: []store.Identity{moved},
		Customers:  []omnify.Customer{{ID: "cust-3", OrgID: "org-a", Consent: omnify.ConsentUnknown, CreatedAt: t0, UpdatedAt: t0}},
		Moved:      map[string]string{"id-1": "cust-3"},
	})
	os, _, err := s.ListOrders(ctx, "org-a", "cust-3", store.Page{})
	must(t, err, "orders")
	if len(os) != 1 || os[0].ID != "ord-1" {
		t.Fatalf("orders of cust-3 = %+v, want ord-1", os)
	}
	recs, _, err := s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{CustomerID: "cust-3"}, store.Page{})
	must(t, err, "records")
	if len(recs) != 1 || recs[0].ExternalID != "o1" {
		t.Fatalf("records of cust-3 = %+v", recs)
	}
	got, err := s.GetIdentity(ctx, "org-a", "id-1")
	must(t, err, "identity")
	assertEqual(t, got, &moved, "moved identity keeps its no-merge group")
}

func testDeleteOrderRecord(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-a")
	g := graph("org-a")
	mustApply(t, s, "org-a", g)
	mustApply(t, s, "org-a", store.Resolution{DeleteRecords: []store.SourceRecord{
		{Platform: "shopify", Stream: "orders", ExternalID: "o1"},
		{Platform: "shopify", Stream: "products", ExternalID: "o2"}, // another stream: o2 stays
	}})
	os, _, err := s.ListOrders(ctx, "org-a", "cust-1", store.Page{})
	wantEmpty(t, os, "", err, "orders of cust-1 after deleting its order record")
	os, _, err = s.ListOrders(ctx, "org-a", "cust-2", store.Page{})
	must(t, err, "orders of cust-2")
	assertEqual(t, os, g.Orders[1:], "orders of cust-2 untouched")
	recs, _, err := s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{}, store.Page{})
	must(t, err, "records")
	assertEqual(t, recs, g.Records[1:], "records after the delete")
}

func testSourceRecords(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-a")
	var rs []store.SourceRecord
	for i := range 25 {
		rs = append(rs, store.SourceRecord{OrgID: "org-a", Platform: "stripe", Stream: []string{"invoices", "subscriptions"}[i%2],
			ExternalID: fmt.Sprintf("x%03d", i), CustomerID: "cust-1", UpdatedAt: at(time.Duration(i) * time.Second),
			Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
	}
	must(t, s.UpsertSourceRecords(ctx, "org-a", rs), "upsert")
	must(t, s.UpsertSourceRecords(ctx, "org-a", rs), "upsert again")
	all, pages := walk(t, 4, func(p store.Page) ([]store.SourceRecord, string, error) {
		return s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{}, p)
	})
	wantPages(t, pages, 7)
	if len(all) != 25 {
		t.Fatalf("walked %d records, want 25", len(all))
	}
	// A customer's records mix order records with the others, over pages.
	mustApply(t, s, "org-a", store.Resolution{
		Orders: []omnify.Order{{ID: "ord-1", CustomerID: "cust-1", Platform: "stripe", ExternalID: "x010a", PlacedAt: t0, Currency: "USD"}},
		Records: []store.SourceRecord{{Platform: "stripe", Stream: "orders", ExternalID: "x010a", CustomerID: "cust-1",
			UpdatedAt: t0, Data: json.RawMessage(`{}`)}},
	})
	mine, pages := walk(t, 4, func(p store.Page) ([]store.SourceRecord, string, error) {
		return s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{CustomerID: "cust-1"}, p)
	})
	wantPages(t, pages, 7)
	if len(mine) != 26 {
		t.Fatalf("cust-1 has %d records, want 26", len(mine))
	}
	for i := 1; i < len(mine); i++ {
		if mine[i-1].Stream+mine[i-1].ExternalID >= mine[i].Stream+mine[i].ExternalID && mine[i-1].Stream == mine[i].Stream {
			t.Fatalf("records out of order at %d: %s then %s", i, mine[i-1].ExternalID, mine[i].ExternalID)
		}
	}
	orders, _, err := s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{CustomerID: "cust-1", Stream: "orders"}, store.Page{})
	must(t, err, "order records of cust-1")
	if len(orders) != 1 || orders[0].ExternalID != "x010a" {
		t.Fatalf("order records of cust-1 = %+v", orders)
	}
	got, err := s.GetSourceRecords(ctx, "org-a", "stripe", "invoices", []string{"x004", "x000", "x001", "nope"})
	must(t, err, "get records")
	assertEqual(t, got, []store.SourceRecord{rs[0], rs[4]}, "records by external ID (x001 is a subscription)")
	inv, _, err := s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{Stream: "invoices"}, store.Page{})
	must(t, err, "filter")
	if len(inv) != 13 {
		t.Fatalf("%d invoices, want 13", len(inv))
	}
	assertEqual(t, inv[0], rs[0], "first invoice")
	must(t, s.DeleteSourceRecords(ctx, "org-a", "stripe", "invoices", []string{"x000", "x002", "nope"}), "delete")
	inv, _, err = s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{Stream: "invoices"}, store.Page{})
	must(t, err, "list after delete")
	if len(inv) != 11 {
		t.Fatalf("%d invoices after deleting 2, want 11", len(inv))
	}
	_, _, err = s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{}, store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func testIdentityInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-a")
	for name, r := range map[string]store.Resolution{
		"identity without platform": {Identities: []store.Identity{{ID: "id-1", ExternalID: "x"}}},
		"customer without ID":       {Customers: []omnify.Customer{{Email: "a@example.com"}}},
		"order without ID":          {Orders: []omnify.Order{{CustomerID: "c"}}},
		"merge into itself":         {Merged: map[string]string{"c": "c"}},
		"record without stream":     {Records: []store.SourceRecord{{Platform: "p", ExternalID: "x"}}},
	} {
		wantErr(t, s.ApplyResolution(ctx, "org-a", r), omnify.ErrInvalid, name)
	}
	wantErr(t, s.UpsertSourceRecords(ctx, "org-a", []store.SourceRecord{{Platform: "p"}}), omnify.ErrInvalid, "record")
}

func testIsolationIdentities(t *testing.T, s store.Store) {
	ctx := t.Context()
	twoOrgs(t, s)
	g := graph("org-a")
	mustApply(t, s, "org-a", g)

	got, err := s.GetIdentitiesByExternalID(ctx, "org-b", "shopify", []string{"s1", "s2"})
	wantEmpty(t, got, "", err, "identities by external id")
	got, err = s.FindIdentitiesByKey(ctx, "org-b", []string{"ana@example.com"}, []string{"+14155550123"})
	wantEmpty(t, got, "", err, "identities by key")
	got, err = s.ListCustomerIdentities(ctx, "org-b", []string{"cust-1", "cust-2"})
	wantEmpty(t, got, "", err, "customer identities")
	_, err = s.GetIdentity(ctx, "org-b", "id-1")
	wantErr(t, err, omnify.ErrNotFound, "get identity")
	links, err := s.ListMergeLinks(ctx, "org-b", "cust-1")
	wantEmpty(t, links, "", err, "links")
	recs, next, err := s.ListSourceRecords(ctx, "org-b", store.SourceRecordFilter{}, store.Page{})
	wantEmpty(t, recs, next, err, "source records")
	recs, err = s.GetSourceRecords(ctx, "org-b", "shopify", "orders", []string{"o1", "o2"})
	wantEmpty(t, recs, "", err, "source records by external ID")

	// Org B merging, moving and deleting with A's IDs changes nothing of A.
	must(t, s.ApplyResolution(ctx, "org-b", store.Resolution{
		Merged:        map[string]string{"cust-2": "cust-1"},
		Moved:         map[string]string{"id-1": "cust-9"},
		DeleteRecords: []store.SourceRecord{{Platform: "shopify", Stream: "orders", ExternalID: "o1"}},
	}), "org-b resolution")
	must(t, s.DeleteSourceRecords(ctx, "org-b", "shopify", "orders", []string{"o1", "o2"}), "org-b delete")
	after, err := s.ListCustomerIdentities(ctx, "org-a", []string{"cust-1", "cust-2"})
	must(t, err, "org-a identities")
	assertEqual(t, after, g.Identities, "org-a identities untouched")
	os, _, err := s.ListOrders(ctx, "org-a", "cust-1", store.Page{})
	must(t, err, "org-a orders")
	assertEqual(t, os, g.Orders[:1], "org-a orders untouched")
	recs, _, err = s.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{}, store.Page{})
	must(t, err, "org-a records")
	assertEqual(t, recs, g.Records, "org-a records untouched")
	_, err = s.GetCustomer(ctx, "org-a", "cust-2")
	must(t, err, "org-a cust-2 still there")
}
