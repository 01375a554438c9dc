// Package linkedin is OmniFy's LinkedIn Ads connector. It reads ad
// accounts, campaign groups, campaigns, creatives (with their ad copy),
// matched audiences (DMP segments) and daily campaign analytics from
// LinkedIn's versioned Marketing API (Rest.li 2.0, /rest), refreshing the
// member's OAuth access token itself; it writes audiences back by streaming
// SHA-256 hashed emails into a DMP segment, and verifies LinkedIn webhook
// challenges and signatures.
//
// Every request carries LinkedIn-Version (APIVersion) and
// X-Restli-Protocol-Version: 2.0.0, and query values are Rest.li 2.0
// encoded (restli.go). LinkedIn publishes no rate-limit figures and sends no
// rate-limit headers, so a 429 is answered with a wait chosen from the
// limit LinkedIn names in its message (throttleWait), and DefaultRate is
// a conservative pace of our own choosing.
//
// Streams: ad_accounts, campaign_groups, creatives and audiences
// (Object records), campaigns (Campaign, channel paid_social) read in full
// with a checkpoint per page (FullState); ad_analytics (CampaignMetric per
// campaign and day) reads incrementally, re-reading AnalyticsLookback days
// (AnalyticsState).
//
// The connector talks only to https://api.linkedin.com and
// https://www.linkedin.com (token refresh), or to Connection.BaseURL, which
// replaces both and comes from the operator's environment.
package linkedin

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/limit"
)

// APIVersion is the LinkedIn-Version every request sends. LinkedIn keeps a
// monthly version for at least a year, then answers 426.
const APIVersion = "202609"

// Stream names.
const (
	StreamAdAccounts     = "ad_accounts"
	StreamCampaignGroups = "campaign_groups"
	StreamCampaigns      = "campaigns"
	StreamCreatives      = "creatives"
	StreamAdAnalytics    = "ad_analytics"
	StreamAudiences      = "audiences"
)

// ActionAddToAudience streams members into a matched audience.
const ActionAddToAudience = "add_to_audience"

// Default endpoints; Connection.BaseURL replaces both hosts.
const (
	defaultAPIBase   = "https://api.linkedin.com"
	defaultOAuthBase = "https://www.linkedin.com"
)

// DefaultRate paces one connection at one request a second with bursts of
// five. LinkedIn counts its limits per day (per app and per member) and does
// not publish them; typical approved apps get tens of thousands of calls a
// day, and 86,400 a day at most at this pace keeps a full backfill (a few
// hundred calls) far below any of them while leaving room for other members
// of the same app.
var DefaultRate = limit.Rate{Limit: 1, Period: time.Second, Burst: 5}

// Scopes the OAuth install asks for.
var Scopes = []string{"r_ads", "r_ads_reporting", "rw_dmp_segments"}

var (
	accountIDsPattern = regexp.MustCompile(`^\s*\d+(\s*,\s*\d+)*\s*$`)
	datePattern       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	sourcePattern     = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// Connector reads LinkedIn ad accounts. It is safe for concurrent use.
type Connector struct {
	now    func() time.Time
	budget int // campaign-days per analytics request

	mu        sync.Mutex
	tokens    map[string]cachedToken // access tokens by connection and refresh token
	confirmed *confirmations
}

var (
	_ connector.Connector = (*Connector)(nil)
	_ connector.Pusher    = (*Connector)(nil)
)

// Option configures a Connector.
type Option func(*Connector)

// WithClock sets the clock that decides "today" for analytics, token
// expiry and webhook ages.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithAnalyticsRowBudget sets how many campaign-days one adAnalytics
// request may cover (default 10,000, two thirds of LinkedIn's 15,000
// element cap). Above the cap the connector finds truncated answers and
// halves its windows.
func WithAnalyticsRowBudget(n int) Option { return func(c *Connector) { c.budget = n } }

// New returns the LinkedIn Ads connector.
func New(opts ...Option) *Connector {
	c := &Connector{now: time.Now, budget: rowBudget, tokens: map[string]cachedToken{}, confirmed: newConfirmations()}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Spec declares the OAuth app's client ID and secret (the secret also signs
// webhooks), the member's refresh token, and optional settings.
func (c *Connector) Spec() connector.Spec {
	str := func(title string, extra ...any) map[string]any {
		m := map[string]any{"type": "string", "title": title}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	return connector.Spec{
		Platform:    connector.LinkedInAds,
		DisplayName: "LinkedIn Ads",
		Docs:        "https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens",
		Credentials: map[string]any{
			"type":     "object",
			"required": []string{"client_id", "client_secret", "refresh_token"},
			"properties": map[string]any{
				"client_id":     str("App client ID", "minLength", 1, "maxLength", 200),
				"client_secret": str("App client secret (also verifies webhooks)", "x-secret", true, "minLength", 1),
				"refresh_token": str("Member refresh token", "x-secret", true, "minLength", 1),
				"access_token":  str("Current access token (optional; refreshed when it expires)", "x-secret", true),
			},
		},
		Config: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"account_ids": str("Ad account IDs to read, comma separated (default: every account the member sees)",
					"pattern", accountIDsPattern.String()),
				"start_date": str("First day of analytics to backfill, YYYY-MM-DD (default: 365 days ago)",
					"pattern", datePattern.String()),
				"dmp_source_platform": str("The DMP sourcePlatform LinkedIn assigned to this app, needed to create audiences",
					"pattern", sourcePattern.String()),
				"audience_account_id": str("Ad account that owns pushed audiences (default: the only account, or the first of account_ids)",
					"pattern", `^\d+$`),
			},
		},
		OAuth: &connector.OAuthSpec{Scopes: Scopes},
	}
}

var streamDefs = []connector.Stream{
	{Name: StreamAdAccounts},
	{Name: StreamCampaignGroups},
	{Name: StreamCampaigns},
	{Name: StreamCreatives},
	{Name: StreamAudiences},
	{Name: StreamAdAnalytics, CursorField: "day", Incremental: true},
}

// Streams lists five full-read streams and the incremental daily analytics.
func (c *Connector) Streams() []connector.Stream {
	return append([]connector.Stream(nil), streamDefs...)
}

// Actions offers add_to_audience.
func (c *Connector) Actions() []connector.Action {
	return []connector.Action{{
		Name: ActionAddToAudience,
		Description: "Add or remove people in a LinkedIn matched audience (a USER DMP segment, created when missing). " +
			"Only SHA-256 hashes of lower-cased emails are sent.",
		Params: map[string]any{"type": "object", "properties": map[string]any{
			"destination": map[string]any{"type": "string", "description": "audience name, or the numeric ID of an existing DMP segment"},
		}},
	}}
}

// Check lists one ad account, which proves the token refresh and the r_ads
// permission.
func (c *Connector) Check(ctx context.Context, conn connector.Connection) error {
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	q := query{}.add("q", "search").raw("pageSize", "1")
	var p searchPage
	if err := cl.get(ctx, "/adAccounts", q, &p); err != nil {
		return fmt.Errorf("linkedin check: %w", err)
	}
	return nil
}

// settings is the parsed Config.
type settings struct {
	accountIDs []int64
	startDate  time.Time
	source     string
	audience   int64
}

func parseSettings(cfg map[string]string) (settings, error) {
	var s settings
	if raw := cfg["account_ids"]; raw != "" {
		if !accountIDsPattern.MatchString(raw) {
			return s, fmt.Errorf("linkedin config account_ids must be numeric IDs separated by commas: %w", connector.ErrInvalidConfig)
		}
		for _, part := range strings.Split(raw, ",") {
			id, _ := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			s.accountIDs = append(s.accountIDs, id)
		}
	}
	if raw := cfg["start_date"]; raw != "" {
		t, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			return s, fmt.Errorf("linkedin config start_date must be YYYY-MM-DD: %w", connector.ErrInvalidConfig)
		}
		s.startDate = t
	}
	if raw := cfg["dmp_source_platform"]; raw != "" && !sourcePattern.MatchString(raw) {
		return s, fmt.Errorf("linkedin config dmp_source_platform must be an upper-case enum name: %w", connector.ErrInvalidConfig)
	}
	s.source = cfg["dmp_source_platform"]
	if raw := cfg["audience_account_id"]; raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return s, fmt.Errorf("linkedin config audience_account_id must be numeric: %w", connector.ErrInvalidConfig)
		}
		s.audience = id
	}
	return s, nil
}
