package main

import (
	"golang.org/x/oauth2"

	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/stripe"
	"github.com/omnify-cloud/omnify/connector/triplewhale"
	"github.com/omnify-cloud/omnify/push"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/syncer"
)

// ConnectorFlags are the settings of platform connections and syncs.
type ConnectorFlags struct {
	MasterKey          string `name:"master-key" env:"OMNIFY_MASTER_KEY" help:"Base64 of 32 bytes: the key platform credentials are encrypted with; default the key file <data-dir>/master.key, created with mode 0600 on first start."`
	ShopifyBaseURL     string `name:"shopify-base-url" env:"OMNIFY_SHOPIFY_BASE_URL" help:"Base URL replacing Shopify's (sandboxes and tests only)."`
	StripeBaseURL      string `name:"stripe-base-url" env:"OMNIFY_STRIPE_BASE_URL" help:"Base URL replacing Stripe's API (sandboxes, stripe-mock)."`
	HubSpotBaseURL     string `name:"hubspot-base-url" env:"OMNIFY_HUBSPOT_BASE_URL" help:"Base URL replacing HubSpot's API (sandboxes and tests only)."`
	KlaviyoBaseURL     string `name:"klaviyo-base-url" env:"OMNIFY_KLAVIYO_BASE_URL" help:"Base URL replacing Klaviyo's API (sandboxes and tests only)."`
	GoHighLevelBaseURL string `name:"gohighlevel-base-url" env:"OMNIFY_GOHIGHLEVEL_BASE_URL" help:"Base URL replacing GoHighLevel's API (sandboxes and tests only)."`
	LinkedInAdsBaseURL string `name:"linkedin-ads-base-url" env:"OMNIFY_LINKEDIN_ADS_BASE_URL" help:"Base URL replacing LinkedIn's Marketing API (sandboxes and tests only)."`
	TripleWhaleBaseURL string `name:"triplewhale-base-url" env:"OMNIFY_TRIPLEWHALE_BASE_URL" help:"Base URL replacing Triple Whale's API (sandboxes and tests only)."`

	PublicURL             string `name:"public-url" env:"OMNIFY_PUBLIC_URL" help:"The URL users reach OmniFy at, e.g. https://omnify.example.com; OAuth redirects and webhook addresses are built from it (default http://<addr>)."`
	ShopifyClientID       string `name:"shopify-client-id" env:"OMNIFY_SHOPIFY_CLIENT_ID" help:"Client ID of your Shopify app; with the secret it enables installing Shopify by OAuth."`
	ShopifyClientSecret   string `name:"shopify-client-secret" env:"OMNIFY_SHOPIFY_CLIENT_SECRET" help:"Client secret of your Shopify app."`
	GoHighLevelWebhookKey string `name:"gohighlevel-webhook-key" env:"OMNIFY_GOHIGHLEVEL_WEBHOOK_KEY" help:"HighLevel's Ed25519 public key (PEM, or base64 of 32 bytes) verifying its webhooks' X-GHL-Signature, for connections that carry none of their own."`
}

// baseURLs maps each platform to its override, refusing anything but an
// absolute http(s) URL.
func (f *ConnectorFlags) baseURLs() (map[string]string, error) {
	out := map[string]string{}
	for platform, v := range map[string]string{
		connector.Shopify: f.ShopifyBaseURL, connector.Stripe: f.StripeBaseURL, connector.HubSpot: f.HubSpotBaseURL,
		connector.Klaviyo: f.KlaviyoBaseURL, connector.GoHighLevel: f.GoHighLevelBaseURL,
		connector.LinkedInAds: f.LinkedInAdsBaseURL, connector.TripleWhale: f.TripleWhaleBaseURL,
	} {
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("the %s base URL must be an absolute http(s) URL, not %q", platform, v)
		}
		out[platform] = v
	}
	return out, nil
}

// masterKey is OMNIFY_MASTER_KEY, or the key file in the data dir.
func (f *ConnectorFlags) masterKey(dir string) ([]byte, error) {
	if f.MasterKey != "" {
		k, err := secret.ParseKey(f.MasterKey)
		if err != nil {
			return nil, fmt.Errorf("OMNIFY_MASTER_KEY (--master-key): %w", err)
		}
		return k, nil
	}
	k, err := secret.LoadOrCreateKey(filepath.Join(dir, "master.key"))
	if err != nil {
		return nil, fmt.Errorf("master key file: %w", err)
	}
	return k, nil
}

// connectors is what setupConnectors built.
type connectors struct {
	registry  *connector.Registry
	syncer    *syncer.Syncer
	scheduler *syncer.Scheduler
}

// setupConnectors builds the connector registry (each connector wrapped by
// the platform manager), the syncer writing into the customer graph, the
// sync scheduler and the segment push engine, and registers their job
// handlers; it gives the API its catalog, syncer and pusher through deps.
func setupConnectors(a *app, f *ConnectorFlags, deps *api.Deps) (*connectors, error) {
	key, err := f.masterKey(a.dir)
	if err != nil {
		return nil, err
	}
	box, err := secret.New(key)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	urls, err := f.baseURLs()
	if err != nil {
		return nil, err
	}
	var opts manager.Options
	if deps.Registry != nil { // a nil *Registry in the interface would panic
		opts.Registerer = deps.Registry
	}
	reg := connector.NewRegistry()
	var s *syncer.Syncer
	// Tokens a connector gets by refreshing OAuth are saved with the
	// connection: HighLevel rotates refresh tokens on every use.
	saveToken := func(connID string, tok *oauth2.Token) {
		if err := s.SaveToken(context.Background(), connID, tok); err != nil {
			a.log.Error("save refreshed token", "connection_id", connID, "err", err)
		}
	}
	ghl := gohighlevel.New()
	ghl.OnTokenRefresh = saveToken
	all := []connector.Connector{shopify.New(), stripe.New(), hubspot.New(hubspot.WithTokenRefreshed(saveToken)),
		klaviyo.New(), ghl, linkedin.New(), triplewhale.New()}
	for _, c := range all {
		// Each connection's vendor budget is drawn from the process's
		// limiter: shared in Redis when OMNIFY_REDIS_URL is set.
		paced := paceVendor(opts, vendorRates, c.Spec().Platform, deps.Limiter)
		if err := reg.Register(manager.Wrap(c, paced)); err != nil {
			return nil, err
		}
	}
	s, err = syncer.New(syncer.Config{Store: a.store, Registry: reg, Box: box, Jobs: a.jobs, BaseURLs: urls,
		Sink: syncer.SerialPerOrg(a.sink), Logger: a.log})
	if err != nil {
		return nil, err
	}
	a.jobs.Handle(syncer.JobKind, s.Handle)
	deps.Connectors, deps.Syncer = reg, s
	p, err := push.New(push.Config{Store: a.store, Registry: reg, Credentials: s, Jobs: a.jobs, BaseURLs: urls,
		Logger: a.log})
	if err != nil {
		return nil, err
	}
	a.jobs.Handle(push.JobKind, p.Handle)
	deps.Push = p
	if err := f.oauth(key, urls, deps); err != nil {
		return nil, err
	}
	return &connectors{registry: reg, syncer: s, scheduler: &syncer.Scheduler{Syncer: s, Logger: a.log}}, nil
}

// runScheduler enqueues due syncs until ctx ends; the returned function
// waits for it to stop.
func (c *connectors) runScheduler(ctx context.Context) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.scheduler.Run(ctx)
	}()
	return func() { <-done }
}

// oauth gives the API the platforms it can install by OAuth, and the key
// signing install state, derived from the master key so every replica
// shares it.
func (f *ConnectorFlags) oauth(masterKey []byte, baseURLs map[string]string, deps *api.Deps) error {
	mac := hmac.New(sha256.New, masterKey)
	mac.Write([]byte("omnify oauth state"))
	deps.OAuthStateKey = mac.Sum(nil)
	if f.ShopifyClientID == "" && f.ShopifyClientSecret == "" {
		return nil
	}
	if f.ShopifyClientID == "" || f.ShopifyClientSecret == "" {
		return fmt.Errorf("OMNIFY_SHOPIFY_CLIENT_ID and OMNIFY_SHOPIFY_CLIENT_SECRET must be set together")
	}
	if f.PublicURL == "" {
		return fmt.Errorf("OMNIFY_PUBLIC_URL (--public-url) is needed to install Shopify by OAuth")
	}
	u, err := url.Parse(f.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("OMNIFY_PUBLIC_URL (--public-url) must be an absolute http(s) URL, not %q", f.PublicURL)
	}
	deps.OAuth = map[string]api.OAuthProvider{connector.Shopify: &shopify.App{
		ClientID: f.ShopifyClientID, ClientSecret: f.ShopifyClientSecret, BaseURL: baseURLs[connector.Shopify],
		RedirectURI: strings.TrimRight(f.PublicURL, "/") + "/v1/oauth/shopify/callback"}}
	return nil
}
