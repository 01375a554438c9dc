package main

import (
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/connector/triplewhale"
	"github.com/omnify-cloud/omnify/limit"
)

// vendorRates is the request budget of one connection on each platform,
// below what the vendor documents so that OmniFy's own pacing, not the
// vendor's 429s, sets the pace. With OMNIFY_REDIS_URL the budget lives in
// Redis and every replica and worker draws on the same one; without it each
// process keeps its own. A platform missing here is paced only by the
// vendor's own back-off signals.
var vendorRates = map[string]limit.Rate{
	// The REST leaky bucket every app call to a shop counts against:
	// 40 requests, leaking 2 a second (the GraphQL cost bucket is
	// handled by the connector from throttleStatus).
	connector.Shopify: {Limit: 2, Period: time.Second, Burst: 40},
	// 25 requests a second: the sandbox limit and the per-endpoint
	// default in live mode (100 a second overall).
	connector.Stripe: {Limit: 25, Period: time.Second, Burst: 25},
	// The connectors' own budgets, each below its vendor's published
	// limit (see the connector packages for the figures and their source).
	connector.HubSpot:     hubspot.DefaultRate,
	connector.Klaviyo:     klaviyo.DefaultRate,
	connector.GoHighLevel: gohighlevel.DefaultRate,
	connector.LinkedInAds: linkedin.DefaultRate,
	connector.TripleWhale: triplewhale.DefaultRate,
}

// paceVendor returns opts pacing platform's connections at its rate in
// rates, with lim holding the budget; opts unchanged when lim is nil or
// the platform has no rate.
func paceVendor(opts manager.Options, rates map[string]limit.Rate, platform string, lim limit.Limiter) manager.Options {
	r, ok := rates[platform]
	if lim == nil || !ok {
		return opts
	}
	opts.Limiter, opts.Rate = lim, r
	return opts
}
