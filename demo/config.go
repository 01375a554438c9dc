package demo

import (
	"errors"
	"fmt"
	"time"
)

// Config describes a synthetic data set. Zero fields take the defaults
// documented on each field (see WithDefaults).
type Config struct {
	// Customers is the number of customers (default 1,000).
	Customers int
	// Start and End bound the period; purchases fall in [Start, End).
	// Defaults: 2024-01-01 and two years later.
	Start, End time.Time
	// Seed makes the data set reproducible; equal configs give equal data.
	Seed int64
	// Currency is the ISO 4217 code of every order (default "USD").
	Currency string
	// Campaigns is the number of marketing campaigns (default 8).
	Campaigns int
	// Growth is the yearly growth of new-customer acquisition: the daily
	// acquisition rate at End is (1+Growth)^years that at Start
	// (default 1, doubling each year).
	Growth float64
	// ConsentGranted and ConsentDenied are the shares of customers whose
	// marketing consent is granted or denied; the rest is unknown
	// (defaults 0.62 and 0.13).
	ConsentGranted, ConsentDenied float64
	// StripeShare is the share of customers buying through Stripe rather
	// than Shopify (default 0.25); BothCommerceShare buy on both (default
	// 0.05).
	StripeShare, BothCommerceShare float64
	// KlaviyoShare, HubSpotShare and GoHighLevelShare are the shares of
	// customers who are also contacts on those platforms (defaults 0.45,
	// 0.2, 0.05).
	KlaviyoShare, HubSpotShare, GoHighLevelShare float64
	// Personas are the latent customer types (default DefaultPersonas()).
	Personas []Persona
}

// MaxInMemoryCustomers caps Generate; larger data sets must be streamed
// with WriteTransactionsCSV.
const MaxInMemoryCustomers = 2_000_000

// WithDefaults returns c with zero fields replaced by their defaults.
func (c Config) WithDefaults() Config {
	if c.Customers == 0 {
		c.Customers = 1000
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.End.IsZero() {
		c.End = c.Start.AddDate(2, 0, 0)
	}
	if c.Currency == "" {
		c.Currency = "USD"
	}
	if c.Campaigns == 0 {
		c.Campaigns = 8
	}
	if c.Growth == 0 {
		c.Growth = 1
	}
	c.ConsentGranted = orDefault(c.ConsentGranted, 0.62)
	c.ConsentDenied = orDefault(c.ConsentDenied, 0.13)
	c.StripeShare = orDefault(c.StripeShare, 0.25)
	c.BothCommerceShare = orDefault(c.BothCommerceShare, 0.05)
	c.KlaviyoShare = orDefault(c.KlaviyoShare, 0.45)
	c.HubSpotShare = orDefault(c.HubSpotShare, 0.2)
	c.GoHighLevelShare = orDefault(c.GoHighLevelShare, 0.05)
	if len(c.Personas) == 0 {
		c.Personas = DefaultPersonas()
	}
	return c
}

func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// ErrInvalidConfig reports a configuration that cannot generate data.
var ErrInvalidConfig = errors.New("invalid demo config")

func (c Config) validate() error {
	var errs []error
	check := func(bad bool, format string, args ...any) {
		if bad {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.Customers < 0, "customers %d is negative", c.Customers)
	check(!c.End.After(c.Start), "end %s is not after start %s", c.End, c.Start)
	check(c.End.After(c.Start.AddDate(100, 0, 0)), "period longer than 100 years")
	check(len(c.Currency) != 3, "currency %q is not an ISO 4217 code", c.Currency)
	check(c.Campaigns < 0, "campaigns %d is negative", c.Campaigns)
	check(c.Growth <= -1, "growth %g would make acquisition vanish", c.Growth)
	check(c.ConsentGranted+c.ConsentDenied > 1, "consent shares sum above 1")
	for _, s := range []float64{c.ConsentGranted, c.ConsentDenied, c.StripeShare, c.BothCommerceShare, c.KlaviyoShare, c.HubSpotShare, c.GoHighLevelShare} {
		check(s < 0 || s > 1, "share %g outside [0, 1]", s)
	}
	check(c.StripeShare+c.BothCommerceShare > 1, "stripe and both-commerce shares sum above 1")
	for _, p := range c.Personas {
		if err := p.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}
