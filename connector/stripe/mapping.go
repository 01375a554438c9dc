package stripe

import (
	"strings"
	"time"

	sgo "github.com/stripe/stripe-go/v85"

	"github.com/omnify-cloud/omnify/connector"
)

func unix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

func unixPtr(sec int64) *time.Time {
	if sec == 0 {
		return nil
	}
	t := unix(sec)
	return &t
}

// currency returns the ISO 4217 code; Stripe spells currencies in lower case.
func currency(c sgo.Currency) string { return strings.ToUpper(string(c)) }

func customerID(c *sgo.Customer) string {
	if c == nil {
		return ""
	}
	return c.ID
}

// splitName splits Stripe's single name field at the first space; Stripe
// does not distinguish given and family names.
func splitName(name string) (first, last string) {
	first, last, _ = strings.Cut(strings.TrimSpace(name), " ")
	return first, strings.TrimSpace(last)
}

// Stripe objects carry no update time. A full read stamps a record with the
// object's creation, the only stable time a list gives; an incremental read
// stamps it with the event's creation, the moment of the change.

func mapCustomer(c *sgo.Customer) connector.Record {
	first, last := splitName(c.Name)
	return connector.Record{
		Stream: Customers, ExternalID: c.ID, UpdatedAt: unix(c.Created), Deleted: c.Deleted,
		Customer: &connector.Customer{
			Email: c.Email, Phone: c.Phone, FirstName: first, LastName: last,
			Consent: "unknown", CreatedAt: unix(c.Created),
		},
	}
}

func mapCharge(ch *sgo.Charge) connector.Record {
	inv := &connector.Invoice{
		CustomerExternalID: customerID(ch.Customer), Kind: "charge",
		Status: string(ch.Status), Currency: currency(ch.Currency),
		AmountMinor: ch.Amount, CreatedAt: unix(ch.Created),
	}
	if ch.Refunded {
		inv.Status = "refunded"
	}
	if ch.Paid {
		inv.PaidAt = unixPtr(ch.Created)
	}
	return connector.Record{Stream: Charges, ExternalID: ch.ID, UpdatedAt: unix(ch.Created), Invoice: inv}
}

func mapInvoice(in *sgo.Invoice) connector.Record {
	inv := &connector.Invoice{
		CustomerExternalID: customerID(in.Customer), Kind: "invoice",
		Status: string(in.Status), Currency: currency(in.Currency),
		AmountMinor: in.Total, CreatedAt: unix(in.Created),
	}
	if in.StatusTransitions != nil {
		inv.PaidAt = unixPtr(in.StatusTransitions.PaidAt)
	}
	return connector.Record{
		Stream: Invoices, ExternalID: in.ID, UpdatedAt: unix(in.Created), Deleted: in.Deleted, Invoice: inv,
	}
}

func mapSubscription(s *sgo.Subscription) connector.Record {
	sub := &connector.Subscription{
		CustomerExternalID: customerID(s.Customer), Status: string(s.Status),
		Currency: currency(s.Currency), StartedAt: unix(s.StartDate), CanceledAt: unixPtr(s.CanceledAt),
	}
	sub.AmountMinor, sub.Interval = subscriptionAmount(s)
	return connector.Record{Stream: Subscriptions, ExternalID: s.ID, UpdatedAt: unix(s.Created), Subscription: sub}
}

// subscriptionAmount sums unit price × quantity over licensed items. Items
// billed on other intervals than the first one's are left out rather than
// mixed into one per-period figure; metered items have no fixed amount.
func subscriptionAmount(s *sgo.Subscription) (int64, string) {
	if s.Items == nil {
		return 0, ""
	}
	var total int64
	interval := ""
	for _, it := range s.Items.Data {
		if it == nil || it.Price == nil || it.Price.Recurring == nil {
			continue
		}
		iv := string(it.Price.Recurring.Interval)
		if interval == "" {
			interval = iv
		}
		if iv != interval || it.Price.Recurring.UsageType == sgo.PriceRecurringUsageTypeMetered {
			continue
		}
		total += it.Price.UnitAmount * max(it.Quantity, 1)
	}
	return total, interval
}
