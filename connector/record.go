package connector

import (
	"encoding/json"
	"time"
)

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
	// Campaign is an ad, email or SMS campaign; CampaignMetric one day of
	// a campaign's delivery and results (ads and attribution platforms).
	Campaign       *Campaign
	CampaignMetric *CampaignMetric
	// Event is one engagement of a person (email opened, link clicked,
	// order placed as the platform saw it): a feature for EYES.
	Event *Event
	// Object is any other vendor object worth keeping as sent (companies,
	// deals, lists, segments, workflows, creatives, audiences).
	Object *Object
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

// Campaign is a campaign as one platform knows it. Its ExternalID is the
// platform's campaign ID.
type Campaign struct {
	Name string
	// Channel groups campaigns across platforms: "email", "sms",
	// "paid_social", "paid_search", "display", "affiliate", "organic", ...
	Channel   string
	Status    string
	CreatedAt time.Time
}

// CampaignMetric is one day of a campaign's delivery and results. The
// record's ExternalID is CampaignExternalID + ":" + the day (YYYY-MM-DD).
// Platforms that report per channel rather than per campaign (Triple
// Whale) emit one Campaign per channel and metrics under it.
type CampaignMetric struct {
	CampaignExternalID string
	Day                time.Time // UTC midnight
	Currency           string    // ISO 4217, upper case
	SpendMinor         int64
	Impressions        int64
	Clicks             int64
	Conversions        int64
	RevenueMinor       int64
}

// MetricExternalID is the ExternalID of a campaign's metric for a day.
func MetricExternalID(campaignExternalID string, day time.Time) string {
	return campaignExternalID + ":" + day.UTC().Format("2006-01-02")
}

// Event kinds every platform maps its engagement events to.
const (
	EventEmailOpened  = "email_opened"
	EventEmailClicked = "email_clicked"
	EventOrderPlaced  = "order_placed"
	EventSMSClicked   = "sms_clicked"
	EventUnsubscribed = "unsubscribed"
)

// Event is one engagement of a person. CustomerExternalID is the person's
// ID on the same platform; Email is used when the platform gives no ID.
type Event struct {
	CustomerExternalID string
	Email              string
	Kind               string // one of the Event* kinds, or the platform's own name
	OccurredAt         time.Time
	CampaignExternalID string
	ValueMinor         int64
	Currency           string
}

// Object is a vendor object kept as sent. Kind is e.g. "company", "deal",
// "list", "segment", "workflow", "opportunity", "ad_account",
// "campaign_group", "creative", "audience".
type Object struct {
	Kind string
	Name string
	// Attributes are the object's fields, already JSON.
	Attributes json.RawMessage
}
