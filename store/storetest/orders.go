package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var orderTests = []suiteTest{
	{"Order/UpsertList", testOrderUpsertList},
	{"Order/Pagination", testOrderPagination},
	{"Order/ScanLargeBatch", testOrderScanLarge},
	{"Order/ScanStops", testOrderScanStops},
	{"Order/WriteDuringScan", testOrderWriteDuringScan},
	{"Order/Invalid", testOrderInvalid},
}

// makeOrders makes n orders for customer, a few minutes apart, triples
// sharing a time so that pages end inside a tie.
func makeOrders(org, customer string, n int) []omnify.Order {
	out := make([]omnify.Order, n)
	for i := range out {
		out[i] = omnify.Order{
			ID: fmt.Sprintf("%s-ord-%04d", customer, i), OrgID: org, CustomerID: customer,
			Platform: "shopify", ExternalID: fmt.Sprintf("#%d", 1000+i),
			PlacedAt:    at(time.Duration(i/3) * 7 * time.Minute),
			AmountMinor: int64(1999 + 100*i), Currency: "EUR",
		}
	}
	return out
}

func orderID(o omnify.Order) string { return o.ID }

func listOrders(t *testing.T, s store.Store, org, customer string, limit int) ([]omnify.Order, int) {
	t.Helper()
	return walk(t, limit, func(p store.Page) ([]omnify.Order, string, error) {
		return s.ListOrders(t.Context(), org, customer, p)
	})
}

func testOrderUpsertList(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	a, b := makeOrders("org-1", "cust-a", 3), makeOrders("org-1", "cust-b", 2)
	// A large amount checks money keeps all 64 bits.
	a[2].AmountMinor = 1<<62 + 3
	all := append(slices.Clone(a), b...)
	must(t, s.UpsertOrders(ctx, "org-1", all), "upsert orders")
	must(t, s.UpsertOrders(ctx, "org-1", all), "upsert orders again")

	got, _ := listOrders(t, s, "org-1", "cust-a", 10)
	assertEqual(t, got, a, "orders of cust-a")

	a[1].AmountMinor, a[1].Currency, a[1].PlacedAt = 42, "USD", at(-time.Hour)
	must(t, s.UpsertOrders(ctx, "org-1", a[1:2]), "update order")
	got, _ = listOrders(t, s, "org-1", "cust-a", 10)
	assertEqual(t, got, []omnify.Order{a[1], a[0], a[2]}, "orders after update, oldest first")
	got, _ = listOrders(t, s, "org-1", "nobody", 10)
	if len(got) != 0 {
		t.Fatalf("orders of unknown customer: %d", len(got))
	}
	must(t, s.UpsertOrders(ctx, "org-1", nil), "upsert nothing")

	first, last := b[0], b[0]
	last.AmountMinor = 7
	must(t, s.UpsertOrders(ctx, "org-1", []omnify.Order{first, last}), "upsert one ID twice in a batch")
	got, _ = listOrders(t, s, "org-1", "cust-b", 10)
	assertEqual(t, got, []omnify.Order{last, b[1]}, "the later copy wins")
}

func testOrderPagination(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	want := makeOrders("org-1", "cust-a", 9)
	must(t, s.UpsertOrders(t.Context(), "org-1", append(makeOrders("org-1", "cust-b", 4), want...)), "upsert")
	got, pages := listOrders(t, s, "org-1", "cust-a", 2)
	wantPages(t, pages, 5)
	wantSameSet(t, ids(got, orderID), ids(want, orderID), "orders")
	for i := 1; i < len(got); i++ {
		if got[i].PlacedAt.Before(got[i-1].PlacedAt) {
			t.Fatalf("orders not oldest first at %d", i)
		}
	}
	_, _, err := s.ListOrders(t.Context(), "org-1", "cust-a", store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func testOrderScanLarge(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	var all []omnify.Order
	for c := range 50 {
		all = append(all, makeOrders("org-1", fmt.Sprintf("cust-%02d", c), 60)...)
	}
	must(t, s.UpsertOrders(t.Context(), "org-1", all), "upsert large batch")
	must(t, s.UpsertOrders(t.Context(), "org-1", all[:500]), "upsert overlap")
	byID := make(map[string]omnify.Order, len(all))
	var seen []string
	must(t, s.ScanOrders(t.Context(), "org-1", func(o omnify.Order) error {
		seen = append(seen, o.ID)
		byID[o.ID] = o
		return nil
	}), "scan orders")
	wantSameSet(t, seen, ids(all, orderID), "scanned orders")
	for _, o := range all[:20] {
		assertEqual(t, byID[o.ID], o, "scanned order "+o.ID)
	}
}

func testOrderScanStops(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	must(t, s.UpsertOrders(t.Context(), "org-1", makeOrders("org-1", "cust-a", 30)), "upsert")
	stop := errors.New("enough")
	calls := 0
	err := s.ScanOrders(t.Context(), "org-1", func(omnify.Order) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	wantErr(t, err, stop, "scan stopped by fn")
	if calls != 3 {
		t.Fatalf("fn called %d times, want 3", calls)
	}
}

// testOrderWriteDuringScan writes from inside a scan, as a pipeline that
// stores results while it streams input does; it must not deadlock.
func testOrderWriteDuringScan(t *testing.T, s store.Store) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	mustOrg(t, s, "org-1")
	var all []omnify.Order
	for c := range 5 {
		all = append(all, makeOrders("org-1", fmt.Sprintf("cust-%d", c), 20)...)
	}
	must(t, s.UpsertOrders(ctx, "org-1", all), "upsert")
	must(t, s.ScanOrders(ctx, "org-1", func(o omnify.Order) error {
		return s.UpsertCustomers(ctx, "org-1", []omnify.Customer{{ID: o.CustomerID, Consent: omnify.ConsentUnknown}})
	}), "scan while writing")
	n, err := s.CountCustomers(ctx, "org-1")
	must(t, err, "count")
	if n != 5 {
		t.Fatalf("customers written during the scan: %d, want 5", n)
	}
}

func testOrderInvalid(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	os := makeOrders("org-1", "cust-a", 3)
	os[1].ID = ""
	wantErr(t, s.UpsertOrders(t.Context(), "org-1", os), omnify.ErrInvalid, "order without ID")
	got, _ := listOrders(t, s, "org-1", "cust-a", 10)
	if len(got) != 0 {
		t.Fatalf("a rejected batch stored %d orders", len(got))
	}
}
