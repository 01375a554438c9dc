package connector

import "time"

// Record is one source record, already mapped from the vendor's shape to
// OmniFy's. Exactly one of the pointers is set. Upserts are idempotent on
// (org, platform, Stream, ExternalID).
type Record struct {
	Stream     string
	ExternalID string
	UpdatedAt  time.Time

	Customer     *Customer
	Order        *Order
	Product      *Product
	Subscription *Subscription
	Invoice      *Invoice
	// Deleted marks a record the vendor deleted or redacted; the engine
	// removes or anonymises it.
	Deleted bool
}

// Customer is a person as one platform knows them.
type Customer struct {
	Email     string
	Phone     string
	FirstName string
	LastName  string
	// Consent is the platform's marketing consent: "granted", "denied" or
	// "unknown" (platforms without a consent notion say "unknown").
	Consent   string
	CreatedAt time.Time
	Tags      []string
}

// Order is a purchase. Money is integer minor units with an ISO currency.
type Order struct {
	CustomerExternalID string
	Email              string
	PlacedAt           time.Time
	Currency           string
	TotalMinor         int64
	DiscountMinor      int64
	RefundedMinor      int64
	Status             string
	Lines              []LineItem
}

// LineItem is one product line of an order.
type LineItem struct {
	ProductExternalID string
	SKU               string
	Title             string
	Quantity          int64
	PriceMinor        int64 // unit price
}

// Product is an item a shop sells.
type Product struct {
	Title     string
	Vendor    string
	Type      string
	Status    string
	CreatedAt time.Time
}

// Subscription is a recurring plan of a customer (e.g. Stripe).
type Subscription struct {
	CustomerExternalID string
	Status             string
	Currency           string
	AmountMinor        int64 // per period
	Interval           string
	StartedAt          time.Time
	CanceledAt         *time.Time
}

// Invoice is a billed amount or a charge (Stripe invoices and charges).
type Invoice struct {
	CustomerExternalID string
	Kind               string // "invoice" or "charge"
	Status             string
	Currency           string
	AmountMinor        int64
	PaidAt             *time.Time
	CreatedAt          time.Time
}
