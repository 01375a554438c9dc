package identity_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/store"
)

func TestSinkMergesAcrossPlatforms(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	must(t, s.Store(ctx, "org-a", "conn-1", "shopify", []connector.Record{
		cust("s1", " Ana@Example.com", "(415) 555-0123", "granted"),
		cust("s2", "bo@example.com", "", "denied"),
	}), "store shopify")
	must(t, s.Store(ctx, "org-a", "conn-2", "stripe", []connector.Record{
		cust("cus_1", "ana@example.COM", "", "unknown"),
		cust("cus_2", "", "+1 415-555-0199", "unknown"),
	}), "store stripe")
	cs := allCustomers(t, db, "org-a")
	if len(cs) != 3 {
		t.Fatalf("%d customers, want 3: %+v", len(cs), cs)
	}
	ana := identityOf(t, db, "org-a", "stripe", "cus_1")
	c, err := db.GetCustomer(ctx, "org-a", ana.CustomerID)
	must(t, err, "get customer")
	if c.Email != "ana@example.com" || c.Phone != "+14155550123" || c.Consent != omnify.ConsentGranted ||
		!reflect.DeepEqual(c.Platforms, []string{"shopify", "stripe"}) {
		t.Errorf("unified customer = %+v", c)
	}
	links, err := db.ListMergeLinks(ctx, "org-a", c.ID)
	must(t, err, "links")
	if len(links) != 1 || links[0].Reason != "same_email" {
		t.Errorf("links = %+v", links)
	}
	if identityOf(t, db, "org-a", "shopify", "s1").CustomerID != c.ID {
		t.Error("shopify identity not on the unified customer")
	}
}

func TestSinkIsIdempotent(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	batch := []connector.Record{
		cust("s1", "ana@example.com", "", "granted"),
		cust("s2", "bo@example.com", "+14155550123", ""),
		order("o1", "s1", "", 5000, 1000),
		order("o2", "s9", "new@example.com", 700, 0),
		{Stream: "products", ExternalID: "p1", Product: &connector.Product{Title: "Tea"}},
	}
	must(t, s.Store(t.Context(), "org-a", "c", "shopify", batch), "first store")
	cs1, os1 := allCustomers(t, db, "org-a"), allOrders(t, db, "org-a")
	recs1, _, err := db.ListSourceRecords(t.Context(), "org-a", store.SourceRecordFilter{}, store.Page{})
	must(t, err, "records")
	must(t, s.Store(t.Context(), "org-a", "c", "shopify", batch), "second store")
	cs2, os2 := allCustomers(t, db, "org-a"), allOrders(t, db, "org-a")
	recs2, _, err := db.ListSourceRecords(t.Context(), "org-a", store.SourceRecordFilter{}, store.Page{})
	must(t, err, "records")
	if !reflect.DeepEqual(cs1, cs2) || !reflect.DeepEqual(os1, os2) || !reflect.DeepEqual(recs1, recs2) {
		t.Fatalf("second store changed rows:\n%+v\n%+v", cs1, cs2)
	}
	if len(cs1) != 3 || len(os1) != 2 || len(recs1) != 3 {
		t.Fatalf("%d customers, %d orders, %d records; want 3, 2, 3", len(cs1), len(os1), len(recs1))
	}
	if os1[0].AmountMinor+os1[1].AmountMinor != 4000+700 || os1[0].Currency != "USD" {
		t.Errorf("orders = %+v, want amounts net of refunds", os1)
	}
}

func TestSinkOrderBeforeCustomer(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	must(t, s.Store(ctx, "org-a", "c", "shopify", []connector.Record{order("o1", "s7", "Zed@Example.com", 900, 0)}), "orders")
	must(t, s.Store(ctx, "org-a", "c", "shopify", []connector.Record{cust("s7", "zed@example.com", "", "granted")}), "customers")
	cs := allCustomers(t, db, "org-a")
	os := allOrders(t, db, "org-a")
	if len(cs) != 1 || len(os) != 1 || os[0].CustomerID != cs[0].ID || cs[0].Name != "P s7" || cs[0].Consent != omnify.ConsentGranted {
		t.Fatalf("customers %+v orders %+v", cs, os)
	}
	recs, _, err := db.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{CustomerID: cs[0].ID, Stream: "orders"}, store.Page{})
	must(t, err, "records")
	var o identity.OrderPayload
	if len(recs) != 1 || json.Unmarshal(recs[0].Data, &o) != nil || len(o.Lines) != 1 || o.Lines[0].SKU != "sku-1" ||
		o.CustomerExternalID != "s7" || o.TotalMinor != 900 {
		t.Fatalf("order record with lines = %+v", recs)
	}
}

func TestSinkGuestOrderResolvesByEmail(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	must(t, s.Store(ctx, "org-a", "c", "stripe", []connector.Record{cust("cus_1", "ana@example.com", "", "")}), "customers")
	must(t, s.Store(ctx, "org-a", "c", "shopify", []connector.Record{order("o1", "", "ANA@example.com", 100, 0)}), "orders")
	cs, os := allCustomers(t, db, "org-a"), allOrders(t, db, "org-a")
	if len(cs) != 1 || len(os) != 1 || os[0].CustomerID != cs[0].ID {
		t.Fatalf("customers %+v orders %+v", cs, os)
	}
}

func TestSinkBridgeMergesCustomersAndMovesOrders(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	must(t, s.Store(ctx, "org-a", "c", "shopify", []connector.Record{
		cust("s1", "ana@example.com", "", ""), cust("s2", "", "+14155550123", "denied"),
		order("o1", "s1", "", 100, 0), order("o2", "s2", "", 200, 0),
	}), "first batch")
	if n := len(allCustomers(t, db, "org-a")); n != 2 {
		t.Fatalf("%d customers before the bridge", n)
	}
	must(t, s.Store(ctx, "org-a", "c", "stripe", []connector.Record{cust("cus_1", "ana@example.com", "415 555 0123", "granted")}), "bridge")
	cs, os := allCustomers(t, db, "org-a"), allOrders(t, db, "org-a")
	if len(cs) != 1 || cs[0].Consent != omnify.ConsentDenied {
		t.Fatalf("customers after the bridge = %+v", cs)
	}
	for _, o := range os {
		if o.CustomerID != cs[0].ID {
			t.Errorf("order %s still on %s", o.ExternalID, o.CustomerID)
		}
	}
	links, err := db.ListMergeLinks(ctx, "org-a", cs[0].ID)
	must(t, err, "links")
	if len(links) != 2 {
		t.Errorf("links = %+v, want one per merge", links)
	}
}

func TestSplitSticks(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	batch := []connector.Record{
		cust("s1", "shared@example.com", "", "granted"), cust("s2", "shared@example.com", "", "denied"),
		order("o1", "s1", "", 100, 0), order("o2", "s2", "", 200, 0),
	}
	must(t, s.Store(ctx, "org-a", "c", "shopify", batch), "store")
	s2 := identityOf(t, db, "org-a", "shopify", "s2")
	old := s2.CustomerID
	newID, err := s.Split(ctx, "org-a", old, []string{s2.ID})
	must(t, err, "split")
	check := func(when string) {
		t.Helper()
		cs := allCustomers(t, db, "org-a")
		if len(cs) != 2 {
			t.Fatalf("%s: %d customers, want 2", when, len(cs))
		}
		for _, o := range allOrders(t, db, "org-a") {
			want := map[string]string{"o1": old, "o2": newID}[o.ExternalID]
			if o.CustomerID != want {
				t.Errorf("%s: order %s on %s, want %s", when, o.ExternalID, o.CustomerID, want)
			}
		}
		kept, err := db.GetCustomer(ctx, "org-a", old)
		must(t, err, "get kept")
		if kept.Consent != omnify.ConsentGranted {
			t.Errorf("%s: kept customer consent %s, want granted once the denial moved away", when, kept.Consent)
		}
	}
	check("after split")
	must(t, s.Store(ctx, "org-a", "c", "shopify", batch), "store again")
	check("after the same records arrive again")
	must(t, s.Store(ctx, "org-a", "c", "stripe", []connector.Record{cust("cus_9", "shared@example.com", "", "")}), "new identity")
	check("after a new identity with the shared email")
}

func TestSplitRefusesBadInput(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	must(t, s.Store(ctx, "org-a", "c", "shopify", []connector.Record{
		cust("s1", "a@example.com", "", ""), cust("s2", "a@example.com", "", ""), cust("s3", "b@example.com", "", ""),
	}), "store")
	s1, s3 := identityOf(t, db, "org-a", "shopify", "s1"), identityOf(t, db, "org-a", "shopify", "s3")
	s2 := identityOf(t, db, "org-a", "shopify", "s2")
	for name, tc := range map[string]struct {
		org, cust string
		ids       []string
		kind      error
	}{
		"all identities":         {"org-a", s1.CustomerID, []string{s1.ID, s2.ID}, omnify.ErrInvalid},
		"none":                   {"org-a", s1.CustomerID, nil, omnify.ErrInvalid},
		"another customer's":     {"org-a", s1.CustomerID, []string{s3.ID}, omnify.ErrInvalid},
		"unknown customer":       {"org-a", "nope", []string{s1.ID}, omnify.ErrNotFound},
		"another org's customer": {"org-b", s1.CustomerID, []string{s1.ID}, omnify.ErrNotFound},
	} {
		if _, err := s.Split(ctx, tc.org, tc.cust, tc.ids); !errorsIs(err, tc.kind) {
			t.Errorf("%s: error %v, want %v", name, err, tc.kind)
		}
	}
}

func TestSinkKeepsOrgsApart(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	must(t, s.Store(ctx, "org-a", "c", "shopify", []connector.Record{cust("s1", "ana@example.com", "", "granted")}), "org-a")
	must(t, s.Store(ctx, "org-b", "c", "shopify", []connector.Record{cust("s1", "ana@example.com", "", "denied")}), "org-b")
	a, b := allCustomers(t, db, "org-a"), allCustomers(t, db, "org-b")
	if len(a) != 1 || len(b) != 1 || a[0].ID == b[0].ID || a[0].Consent != omnify.ConsentGranted {
		t.Fatalf("org-a %+v org-b %+v", a, b)
	}
}

func TestSinkDeletesOrders(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	must(t, s.Store(ctx, "org-a", "c", "shopify", []connector.Record{
		cust("s1", "ana@example.com", "", ""), order("o1", "s1", "", 100, 0), order("o2", "s1", "", 200, 0)}), "store")
	must(t, s.Store(ctx, "org-a", "c", "shopify", []connector.Record{{Stream: "orders", ExternalID: "o1", Deleted: true}}), "delete")
	os := allOrders(t, db, "org-a")
	if len(os) != 1 || os[0].ExternalID != "o2" {
		t.Fatalf("orders after deleting o1 = %+v", os)
	}
	recs, _, err := db.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{Stream: "orders"}, store.Page{})
	must(t, err, "records")
	if len(recs) != 1 || recs[0].ExternalID != "o2" {
		t.Fatalf("order records after deleting o1 = %+v", recs)
	}
}

// TestSinkConcurrentBatches stores two platforms' batches of the same
// people at once: the result is one customer per person either way.
func TestSinkConcurrentBatches(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	var shop, stripe []connector.Record
	for i := range 200 {
		shop = append(shop, cust(fmt.Sprintf("s%d", i), fmt.Sprintf("p%d@example.com", i), "", "granted"))
		stripe = append(stripe, cust(fmt.Sprintf("cus_%d", i), fmt.Sprintf("P%d@example.com", i), "", ""))
	}
	errs := make(chan error, 2)
	for _, b := range []struct {
		platform string
		recs     []connector.Record
	}{{"shopify", shop}, {"stripe", stripe}} {
		go func() { errs <- s.Store(ctx, "org-a", "c", b.platform, b.recs) }()
	}
	must(t, <-errs, "first batch")
	must(t, <-errs, "second batch")
	if n := len(allCustomers(t, db, "org-a")); n != 200 {
		t.Fatalf("%d customers, want 200", n)
	}
}

// TestSinkIgnoresPlaceholderKeys: a phone number dozens of strangers
// typed in merges none of them, while a real shared key still does.
func TestSinkIgnoresPlaceholderKeys(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	var recs []connector.Record
	for i := range 30 {
		consent := "granted"
		if i == 7 {
			consent = "denied"
		}
		recs = append(recs, cust(fmt.Sprintf("s%d", i), fmt.Sprintf("p%d@example.com", i), "+1 415 555 0000", consent))
	}
	recs = append(recs, cust("s-twin", "p3@example.com", "", "granted"))
	must(t, s.Store(t.Context(), "org-a", "c", "shopify", recs[:15]), "first half")
	must(t, s.Store(t.Context(), "org-a", "c", "shopify", recs[15:]), "second half")
	cs := allCustomers(t, db, "org-a")
	if len(cs) != 30 {
		t.Fatalf("%d customers, want 30 (the twin of p3 merged, the shared phone ignored)", len(cs))
	}
	denied := 0
	for _, c := range cs {
		if c.Consent == omnify.ConsentDenied {
			denied++
		}
	}
	if denied != 1 {
		t.Errorf("%d customers denied consent, want only the one who did", denied)
	}
}

// TestSinkErasesDeletedCustomers: a customer the platform deleted keeps no
// personal data, and merges with nobody through it.
func TestSinkErasesDeletedCustomers(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	must(t, s.Store(ctx, "org-a", "c", "stripe", []connector.Record{cust("cus_1", "bo@example.com", "+14155550123", "granted")}), "store")
	must(t, s.Store(ctx, "org-a", "c", "stripe", []connector.Record{{Stream: "customers", ExternalID: "cus_1", Deleted: true}}), "delete")
	id := identityOf(t, db, "org-a", "stripe", "cus_1")
	if id.Email != "" || id.Phone != "" || id.Name != "" || id.Consent != omnify.ConsentUnknown {
		t.Errorf("deleted identity keeps %+v", id)
	}
	for _, c := range allCustomers(t, db, "org-a") {
		if c.Email != "" || c.Phone != "" || c.Name != "" {
			t.Errorf("customer keeps erased data: %+v", c)
		}
	}
	must(t, s.Store(ctx, "org-a", "c", "shopify", []connector.Record{cust("s1", "bo@example.com", "", "")}), "new identity")
	if c := allCustomers(t, db, "org-a"); len(c) != 2 {
		t.Errorf("%d customers, want the erased one apart from the new one", len(c))
	}
}
