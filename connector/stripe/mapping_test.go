package stripe_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/stripe"
	"github.com/omnify-cloud/omnify/connector/stripe/stripemock"
)

// fixtureWith returns a golden fixture with fields replaced.
func fixtureWith(t *testing.T, name string, set map[string]any) json.RawMessage {
	t.Helper()
	obj, err := stripemock.Fixture(name)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		obj[k] = v
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func item(amount, qty int64, interval, usage string) map[string]any {
	return map[string]any{
		"id": "si_x", "object": "subscription_item", "quantity": qty,
		"price": map[string]any{
			"id": "price_x", "object": "price", "currency": "eur", "unit_amount": amount, "type": "recurring",
			"recurring": map[string]any{"interval": interval, "interval_count": 1, "usage_type": usage},
		},
	}
}

func TestSubscriptionAmount(t *testing.T) {
	cases := []struct {
		name     string
		items    []any
		amount   int64
		interval string
	}{
		{"one item times quantity", []any{item(1450, 2, "month", "licensed")}, 2900, "month"},
		{"two monthly items", []any{item(1000, 1, "month", "licensed"), item(250, 4, "month", "licensed")}, 2000, "month"},
		{"metered item has no fixed amount", []any{item(1000, 1, "month", "licensed"), item(5, 0, "month", "metered")}, 1000, "month"},
		{"other interval left out", []any{item(9900, 1, "year", "licensed"), item(1000, 1, "month", "licensed")}, 9900, "year"},
		{"quantity absent counts once", []any{item(700, 0, "week", "licensed")}, 700, "week"},
		{"no items", []any{}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := fixtureWith(t, "subscription", map[string]any{
				"items": map[string]any{"object": "list", "data": tc.items, "has_more": false},
			})
			rec, err := stripe.DecodeObject(stripe.Subscriptions, raw)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Subscription.AmountMinor != tc.amount || rec.Subscription.Interval != tc.interval {
				t.Fatalf("got %d %q, want %d %q", rec.Subscription.AmountMinor, rec.Subscription.Interval, tc.amount, tc.interval)
			}
		})
	}
}

func TestChargeAndInvoiceMapping(t *testing.T) {
	created := time.Unix(1767229200, 0).UTC()
	cases := []struct {
		name     string
		stream   string
		fixture  string
		set      map[string]any
		status   string
		paid     bool
		customer string
		amount   int64
	}{
		{"paid charge", stripe.Charges, "charge", nil, "succeeded", true, "cus_TEMPLATE", 4999},
		{"refunded charge", stripe.Charges, "charge", map[string]any{"refunded": true, "amount_refunded": 4999}, "refunded", true, "cus_TEMPLATE", 4999},
		{"failed guest charge", stripe.Charges, "charge", map[string]any{"paid": false, "status": "failed", "customer": nil}, "failed", false, "", 4999},
		{"expanded customer", stripe.Charges, "charge", map[string]any{"customer": map[string]any{"id": "cus_X", "object": "customer"}}, "succeeded", true, "cus_X", 4999},
		{"paid invoice", stripe.Invoices, "invoice", nil, "paid", true, "cus_TEMPLATE", 2900},
		{"open invoice", stripe.Invoices, "invoice", map[string]any{
			"status": "open", "status_transitions": map[string]any{"finalized_at": 1767236400, "paid_at": nil},
		}, "open", false, "cus_TEMPLATE", 2900},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := stripe.DecodeObject(tc.stream, fixtureWith(t, tc.fixture, tc.set))
			if err != nil {
				t.Fatal(err)
			}
			inv := rec.Invoice
			if inv.Status != tc.status || (inv.PaidAt != nil) != tc.paid || inv.CustomerExternalID != tc.customer ||
				inv.AmountMinor != tc.amount || inv.Currency != "EUR" {
				t.Fatalf("got %+v", inv)
			}
			if tc.stream == stripe.Charges && inv.PaidAt != nil && !inv.PaidAt.Equal(created) {
				t.Fatalf("charge paid at %s, want its creation %s", inv.PaidAt, created)
			}
		})
	}
}

func TestCustomerNameSplit(t *testing.T) {
	cases := map[string][2]string{
		"Ada Lovelace":        {"Ada", "Lovelace"},
		"  Grace  B. Hopper ": {"Grace", "B. Hopper"},
		"Cher":                {"Cher", ""},
		"":                    {"", ""},
	}
	for name, want := range cases {
		rec, err := stripe.DecodeObject(stripe.Customers, fixtureWith(t, "customer", map[string]any{"name": name}))
		if err != nil {
			t.Fatal(err)
		}
		if rec.Customer.FirstName != want[0] || rec.Customer.LastName != want[1] {
			t.Errorf("%q → %q %q, want %q", name, rec.Customer.FirstName, rec.Customer.LastName, want)
		}
	}
}
