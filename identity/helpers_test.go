package identity_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// mustStore opens a migrated store with orgs org-a and org-b.
func mustStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "omnify.db"), sqlite.Options{})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(tb.Context()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	for _, id := range []string{"org-a", "org-b"} {
		if err := db.CreateOrg(tb.Context(), &omnify.Org{ID: id, Name: id, CreatedAt: t0}); err != nil {
			tb.Fatalf("create org: %v", err)
		}
	}
	return db
}

func newSink(db *sqlite.DB) *identity.Sink {
	n := 0
	return identity.NewSink(db, identity.Options{Now: func() time.Time { return t0 }, NewID: func() string {
		n++
		return "split-" + string(rune('a'+n-1))
	}})
}

func cust(ext, email, phone, consent string) connector.Record {
	return connector.Record{Stream: "customers", ExternalID: ext, UpdatedAt: t0,
		Customer: &connector.Customer{Email: email, Phone: phone, FirstName: "P", LastName: ext, Consent: consent}}
}

func order(ext, custExt, email string, total, refunded int64) connector.Record {
	return connector.Record{Stream: "orders", ExternalID: ext, UpdatedAt: t0, Order: &connector.Order{
		CustomerExternalID: custExt, Email: email, PlacedAt: t0, Currency: "usd", TotalMinor: total,
		RefundedMinor: refunded, Lines: []connector.LineItem{{SKU: "sku-1", Title: "Tea", Quantity: 2, PriceMinor: total / 2}}}}
}

func must(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

func allCustomers(tb testing.TB, db *sqlite.DB, org string) []omnify.Customer {
	tb.Helper()
	var out []omnify.Customer
	must(tb, db.ScanCustomers(tb.Context(), org, func(c omnify.Customer) error {
		out = append(out, c)
		return nil
	}), "scan customers")
	return out
}

func allOrders(tb testing.TB, db *sqlite.DB, org string) []omnify.Order {
	tb.Helper()
	var out []omnify.Order
	must(tb, db.ScanOrders(tb.Context(), org, func(o omnify.Order) error {
		out = append(out, o)
		return nil
	}), "scan orders")
	return out
}

func identityOf(tb testing.TB, db *sqlite.DB, org, platform, ext string) store.Identity {
	tb.Helper()
	ids, err := db.GetIdentitiesByExternalID(tb.Context(), org, platform, []string{ext})
	must(tb, err, "get identity")
	if len(ids) != 1 {
		tb.Fatalf("identity %s/%s: found %d", platform, ext, len(ids))
	}
	return ids[0]
}

func errorsIs(err, kind error) bool { return err != nil && errors.Is(err, kind) }
