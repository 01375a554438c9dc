package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var customerTests = []suiteTest{
	{"Customer/UpsertGet", testCustomerUpsertGet},
	{"Customer/Pagination", testCustomerPagination},
	{"Customer/DefaultAndMaxLimit", testCustomerLimits},
	{"Customer/Filters", testCustomerFilters},
	{"Customer/Scan", testCustomerScan},
	{"Customer/GetMany", testCustomerGetMany},
	{"Customer/Invalid", testCustomerInvalid},
}

func makeCustomers(org string, n int) []omnify.Customer {
	out := make([]omnify.Customer, n)
	platforms := [][]string{{"shopify"}, {"klaviyo", "shopify"}, nil, {"stripe"}}
	consents := []omnify.Consent{omnify.ConsentGranted, omnify.ConsentDenied, omnify.ConsentUnknown}
	for i := range out {
		out[i] = omnify.Customer{
			ID: fmt.Sprintf("cust-%04d", i), OrgID: org,
			Email: fmt.Sprintf("c%d@example.com", i), Name: fmt.Sprintf("Customer %d", i),
			Phone: "+4915112345678", Consent: consents[i%len(consents)],
			Platforms: platforms[i%len(platforms)],
			CreatedAt: at(time.Duration(i) * time.Second), UpdatedAt: at(time.Hour),
		}
	}
	return out
}

func mustUpsertCustomers(t *testing.T, s store.Store, org string, cs []omnify.Customer) {
	t.Helper()
	must(t, s.UpsertCustomers(t.Context(), org, cs), "upsert customers")
}

func listCustomers(t *testing.T, s store.Store, org string, f store.CustomerFilter, limit int) ([]omnify.Customer, int) {
	t.Helper()
	return walk(t, limit, func(p store.Page) ([]omnify.Customer, string, error) {
		return s.ListCustomers(t.Context(), org, f, p)
	})
}

func customerID(c omnify.Customer) string { return c.ID }

func testCustomerUpsertGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	cs := makeCustomers("org-1", 4)
	mustUpsertCustomers(t, s, "org-1", cs)
	mustUpsertCustomers(t, s, "org-1", cs)
	for _, c := range cs {
		got, err := s.GetCustomer(ctx, "org-1", c.ID)
		must(t, err, "get customer")
		assertEqual(t, got, c, "customer "+c.ID)
	}

	changed := cs[1]
	changed.Name, changed.Email, changed.Consent = "New Name", "new@example.com", omnify.ConsentGranted
	changed.Platforms, changed.UpdatedAt = []string{"hubspot", "klaviyo", "shopify"}, at(2*time.Hour)
	mustUpsertCustomers(t, s, "org-1", []omnify.Customer{changed})
	got, err := s.GetCustomer(ctx, "org-1", changed.ID)
	must(t, err, "get updated customer")
	changed.CreatedAt = got.CreatedAt // either the first or the latest creation time is fine
	assertEqual(t, got, changed, "updated customer")

	n, err := s.CountCustomers(ctx, "org-1")
	must(t, err, "count")
	if n != len(cs) {
		t.Fatalf("count after repeated upserts = %d, want %d", n, len(cs))
	}
	_, err = s.GetCustomer(ctx, "org-1", "missing")
	wantErr(t, err, omnify.ErrNotFound, "missing customer")
	must(t, s.UpsertCustomers(ctx, "org-1", nil), "upsert nothing")
}

func testCustomerPagination(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	want := makeCustomers("org-1", 10)
	// Written out of order: the listing must sort by ID.
	mustUpsertCustomers(t, s, "org-1", append(slices.Clone(want[5:]), want[:5]...))
	got, pages := listCustomers(t, s, "org-1", store.CustomerFilter{}, 3)
	wantPages(t, pages, 4)
	assertEqual(t, got, want, "customers by ID")
	_, _, err := s.ListCustomers(t.Context(), "org-1", store.CustomerFilter{}, store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func testCustomerLimits(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	all := makeCustomers("org-1", store.MaxLimit+5)
	mustUpsertCustomers(t, s, "org-1", all)
	tests := []struct {
		limit, want int
	}{{0, store.DefaultLimit}, {-3, store.DefaultLimit}, {store.MaxLimit * 5, store.MaxLimit}, {7, 7}}
	for _, tc := range tests {
		got, next, err := s.ListCustomers(ctx, "org-1", store.CustomerFilter{}, store.Page{Limit: tc.limit})
		must(t, err, "list")
		if len(got) != tc.want || next == "" {
			t.Fatalf("limit %d: got %d records (next %q), want %d and a cursor", tc.limit, len(got), next, tc.want)
		}
	}
	got, pages := listCustomers(t, s, "org-1", store.CustomerFilter{}, store.MaxLimit)
	wantPages(t, pages, 2)
	wantSameSet(t, ids(got, customerID), ids(all, customerID), "all customers")
}

func testCustomerFilters(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	all := makeCustomers("org-1", 12)
	mustUpsertCustomers(t, s, "org-1", all)
	tests := []struct {
		name string
		f    store.CustomerFilter
		keep func(omnify.Customer) bool
	}{
		{"email", store.CustomerFilter{Email: all[3].Email}, func(c omnify.Customer) bool { return c.ID == all[3].ID }},
		{"platform", store.CustomerFilter{Platform: "shopify"}, func(c omnify.Customer) bool {
			return slices.Contains(c.Platforms, "shopify")
		}},
		{"platform prefix is not a match", store.CustomerFilter{Platform: "shop"}, func(omnify.Customer) bool { return false }},
		{"both", store.CustomerFilter{Platform: "klaviyo", Email: all[5].Email}, func(c omnify.Customer) bool {
			return c.ID == all[5].ID
		}},
	}
	for _, tc := range tests {
		want := slices.DeleteFunc(slices.Clone(all), func(c omnify.Customer) bool { return !tc.keep(c) })
		got, _ := listCustomers(t, s, "org-1", tc.f, 2)
		assertEqual(t, got, want, tc.name)
	}
}

func testCustomerScan(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	all := makeCustomers("org-1", 25)
	mustUpsertCustomers(t, s, "org-1", all)
	var seen []string
	must(t, s.ScanCustomers(ctx, "org-1", func(c omnify.Customer) error {
		seen = append(seen, c.ID)
		return nil
	}), "scan")
	wantSameSet(t, seen, ids(all, customerID), "scanned customers")

	stop := errors.New("stop here")
	calls := 0
	err := s.ScanCustomers(ctx, "org-1", func(omnify.Customer) error {
		calls++
		return stop
	})
	wantErr(t, err, stop, "scan stopped by fn")
	if calls != 1 {
		t.Fatalf("fn called %d times after returning an error", calls)
	}
}

func testCustomerInvalid(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	cs := makeCustomers("org-1", 3)
	cs[2].ID = ""
	wantErr(t, s.UpsertCustomers(t.Context(), "org-1", cs), omnify.ErrInvalid, "customer without ID")
	n, err := s.CountCustomers(t.Context(), "org-1")
	must(t, err, "count")
	if n != 0 {
		t.Fatalf("a rejected batch stored %d customers", n)
	}
}

func testCustomerGetMany(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustOrg(t, s, "org-2")
	all := makeCustomers("org-1", 8)
	mustUpsertCustomers(t, s, "org-1", all)
	// org-2 holds customers under the same IDs and one of its own.
	other := append(makeCustomers("org-2", 3), omnify.Customer{ID: "only-org-2", OrgID: "org-2", Name: "Other"})
	mustUpsertCustomers(t, s, "org-2", other)
	tests := []struct {
		name string
		org  string
		ids  []string
		want []omnify.Customer
	}{
		{"none asked", "org-1", nil, nil},
		{"some", "org-1", []string{all[6].ID, all[1].ID, all[3].ID}, []omnify.Customer{all[1], all[3], all[6]}},
		{"missing IDs left out", "org-1", []string{"missing", all[2].ID, "deleted"}, []omnify.Customer{all[2]}},
		{"another org's ID finds nothing", "org-1", []string{"only-org-2"}, nil},
		{"same IDs give the asking org's records", "org-2", []string{all[0].ID, all[1].ID, all[5].ID},
			[]omnify.Customer{other[0], other[1]}},
		{"unknown org finds nothing", "org-3", []string{all[0].ID}, nil},
	}
	for _, tc := range tests {
		got, err := s.GetCustomers(ctx, tc.org, tc.ids)
		must(t, err, tc.name)
		slices.SortFunc(got, func(a, b omnify.Customer) int { return strings.Compare(a.ID, b.ID) })
		if len(tc.want) == 0 {
			if len(got) != 0 {
				t.Fatalf("%s: got %v, want nothing", tc.name, ids(got, customerID))
			}
			continue
		}
		assertEqual(t, got, tc.want, tc.name)
	}

	many := make([]string, store.MaxLimit)
	for i := range many {
		many[i] = fmt.Sprintf("cust-%04d", i)
	}
	got, err := s.GetCustomers(ctx, "org-1", many)
	must(t, err, "MaxLimit IDs")
	wantSameSet(t, ids(got, customerID), ids(all, customerID), "MaxLimit IDs")
	_, err = s.GetCustomers(ctx, "org-1", append(many, "one-too-many"))
	wantErr(t, err, omnify.ErrInvalid, "more than MaxLimit IDs")
}
