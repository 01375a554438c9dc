package eyes

import (
	"time"

	omnify "github.com/omnify-cloud/omnify"
)

// Input is the in-memory dataset one run analyses: every customer with their
// orders, plus the previous run's result (optional) for segment migration.
type Input struct {
	Customers []Customer
	// AsOf is the analysis date: orders after it are ignored and churn is
	// scored for the days that follow it.
	AsOf time.Time
	// Previous is the last run's result for the same customers, if any; only
	// its AsOf and its customers' ID and Segment are read, so a result
	// rebuilt from stored scores will do.
	Previous *Result
}

// Customer is one person with their purchase history.
type Customer struct {
	ID        string
	Email     string
	Platforms []string // source platforms the person was seen on
	Consent   omnify.Consent
	Orders    []Order // any order; the pipeline sorts a copy when needed
	// Engagement holds platform engagement counts when the data has them.
	Engagement *Engagement
}

// Order is one purchase.
type Order struct {
	Time   time.Time
	Amount float64
}

// Engagement is what marketing and support platforms know about a customer
// beyond purchases. Zero values mean "none seen".
type Engagement struct {
	EmailsSent    int
	EmailOpens    int
	EmailClicks   int
	SupportTicket int
	Subscriptions int
}
