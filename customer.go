package omnify

import "time"

// Consent is a customer's marketing-consent state. Only ConsentGranted
// customers are ever exported or pushed to a marketing platform.
type Consent string

// Consent states.
const (
	ConsentGranted Consent = "granted"
	ConsentDenied  Consent = "denied"
	ConsentUnknown Consent = "unknown"
)

// Valid reports whether c is a known consent state.
func (c Consent) Valid() bool {
	return c == ConsentGranted || c == ConsentDenied || c == ConsentUnknown
}

// Customer is one unified person of an org, possibly seen on several platforms.
type Customer struct {
	ID        string
	OrgID     string
	Email     string
	Name      string
	Phone     string
	Consent   Consent
	Platforms []string // source platforms the person was seen on, sorted
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Order is one purchase. Money is integer minor units plus an ISO currency.
type Order struct {
	ID          string
	OrgID       string
	CustomerID  string
	Platform    string
	ExternalID  string
	PlacedAt    time.Time
	AmountMinor int64
	Currency    string
}

// Campaign is a marketing campaign on one platform.
type Campaign struct {
	ID       string
	OrgID    string
	Platform string
	Channel  string // e.g. "email", "paid_social", "search"
	Name     string
}

// CampaignMetric is one day of a campaign's delivery and results.
type CampaignMetric struct {
	OrgID        string
	CampaignID   string
	Day          time.Time // UTC midnight
	SpendMinor   int64
	Impressions  int64
	Clicks       int64
	Conversions  int64
	RevenueMinor int64
	Currency     string
}
