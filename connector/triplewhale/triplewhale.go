// Package triplewhale is OmniFy's Triple Whale connector. It reads a
// shop's summary-page metrics (POST /summary-page/get-data, key in
// x-api-key, shop in shopDomain) one day at a time and turns them into one
// Campaign per marketing channel Triple Whale reports (Facebook Ads, Google
// Ads, Klaviyo, ...), a CampaignMetric per channel and day (spend,
// impressions, clicks, attributed orders and revenue), and an Object per
// day with what CampaignMetric has no field for: new and returning
// customers, each channel's ROAS and new-customer orders, blended ROAS.
//
// The summary page answers the totals of the period asked, not a daily
// series, so the connector asks for one day per request (the window is one
// day); reads are incremental by day and re-read the last SettleDays days,
// because Triple Whale's attribution settles late. A record's UpdatedAt is
// AsOf(day, read time): the read time while the day still settles, the
// day plus SettleDays after that. Triple Whale sends no webhooks and
// offers no write-back.
//
// Connection.BaseURL, when set, replaces BaseURL whole, /api/v2 included.
package triplewhale

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/limit"
)

// BaseURL is Triple Whale's API root.
const BaseURL = "https://api.triplewhale.com/api/v2"

// StreamDailyMetrics is the one stream: per-day channel metrics and
// summaries.
const StreamDailyMetrics = "daily_metrics"

// SettleDays is how many days before the last day read an incremental read
// reads again: attribution of orders to channels keeps moving for a few
// days after the day itself.
const SettleDays = 3

// DefaultHistory is how far back a first read starts when the connection
// sets no start_date.
const DefaultHistory = 2 * 365 * 24 * time.Hour

// DefaultRate: Triple Whale publishes no numeric limit. Some answers carry
// RateLimit-Policy: 100;w=60, so the connector paces itself at 60 requests
// a minute with a burst of 5, well inside that, and reads 429 Retry-After
// as a back-off when it is still too fast.
var DefaultRate = limit.Rate{Limit: 60, Period: time.Minute, Burst: 5}

var shopPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`)

// Connector reads Triple Whale shops. Its zero value works.
type Connector struct {
	// Now gives today (UTC) for the end of a read; default time.Now.
	Now func() time.Time
}

var _ connector.Connector = (*Connector)(nil)

// New returns a Triple Whale connector.
func New() *Connector { return &Connector{Now: time.Now} }

func (c *Connector) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Spec declares an API key with the Summary Page: Read scope, the shop, and
// optionally the first day to read.
func (c *Connector) Spec() connector.Spec {
	return connector.Spec{
		Platform:    connector.TripleWhale,
		DisplayName: "Triple Whale",
		Credentials: map[string]any{
			"type":     "object",
			"required": []string{"api_key", "shop_domain"},
			"properties": map[string]any{
				"api_key": map[string]any{"type": "string", "x-secret": true, "minLength": 1,
					"description": "an API key with the Summary Page: Read scope (Data > APIs)"},
				"shop_domain": map[string]any{"type": "string", "pattern": shopPattern.String(),
					"description": "the shop's myshopify.com domain"},
			},
		},
		Config: map[string]any{"type": "object", "properties": map[string]any{
			"start_date": map[string]any{"type": "string", "pattern": `^\d{4}-\d{2}-\d{2}$`,
				"description": "first day to read (YYYY-MM-DD); default two years ago"},
		}},
		Docs: "https://triplewhale.readme.io/reference/get-summary-page-data",
	}
}

// Streams lists the daily metrics, incremental by day.
func (c *Connector) Streams() []connector.Stream {
	return []connector.Stream{{Name: StreamDailyMetrics, CursorField: "day", Incremental: true}}
}

// Actions: Triple Whale takes no write-back.
func (c *Connector) Actions() []connector.Action { return nil }

// Check asks Triple Whale about the key.
func (c *Connector) Check(ctx context.Context, conn connector.Connection) error {
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	if err := cl.call(ctx, http.MethodGet, "/users/api-keys/me", nil, nil); err != nil {
		return fmt.Errorf("triplewhale check: %w", err)
	}
	return nil
}

// Channels maps Triple Whale's service IDs to OmniFy's channels.
var Channels = map[string]string{
	"facebook-ads": "paid_social", "tiktok-ads": "paid_social", "snapchat-ads": "paid_social",
	"pinterest-ads": "paid_social", "twitter-ads": "paid_social", "linkedin-ads": "paid_social", "reddit-ads": "paid_social",
	"google-ads": "paid_search", "bing": "paid_search", "microsoft-ads": "paid_search", "amazon-ads": "paid_search",
	"klaviyo": "email", "omnisend": "email", "mailchimp": "email",
	"attentive": "sms", "postscript": "sms",
	"criteo": "display", "taboola": "display", "outbrain": "display",
	"impact": "affiliate", "google-analytics": "organic", "organic": "organic",
}

// ChannelOf is the OmniFy channel of a Triple Whale service ("other" when
// unknown).
func ChannelOf(service string) string {
	if ch, ok := Channels[service]; ok {
		return ch
	}
	return "other"
}

// CampaignID is the external ID of a service's channel campaign.
func CampaignID(service string) string { return "tw-channel:" + service }

// client talks to one shop.
type client struct {
	c    *Connector
	http *http.Client
	base string
	key  string
	shop string
}

func (c *Connector) client(conn connector.Connection) (*client, error) {
	shop := strings.ToLower(strings.TrimSpace(conn.Credentials["shop_domain"]))
	switch {
	case !shopPattern.MatchString(shop):
		return nil, fmt.Errorf("triplewhale: %w: shop_domain must be a name.myshopify.com domain", connector.ErrInvalidConfig)
	case conn.Credentials["api_key"] == "":
		return nil, fmt.Errorf("triplewhale: %w: api_key is required", connector.ErrInvalidConfig)
	case conn.HTTP == nil:
		return nil, errors.New("triplewhale: connection has no HTTP client")
	}
	base := BaseURL
	if conn.BaseURL != "" {
		base = strings.TrimRight(conn.BaseURL, "/")
	}
	return &client{c: c, http: conn.HTTP, base: base, key: conn.Credentials["api_key"], shop: shop}, nil
}
