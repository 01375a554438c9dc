package shopify

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// App is OmniFy's Shopify app as the operator registered it: what the
// install-by-OAuth flow needs. It has the shape the API's OAuth routes use.
type App struct {
	ClientID     string
	ClientSecret string
	RedirectURI  string // the OmniFy callback URL registered with Shopify
	// BaseURL replaces https://{shop} for the token exchange (tests and
	// sandboxes; from the operator's environment only).
	BaseURL string
	HTTP    *http.Client
	Now     func() time.Time
}

// AuthorizeURL is where to send the merchant; params must hold "shop".
func (a *App) AuthorizeURL(params url.Values, state string) (string, error) {
	return AuthorizeURL(params.Get("shop"), a.ClientID, a.RedirectURI, Scopes, state)
}

// Complete checks Shopify's redirect (HMAC, state, freshness, shop) and
// exchanges its code for an offline token. It returns the connection's
// credentials and a name for it.
func (a *App) Complete(ctx context.Context, query url.Values, state string) (map[string]any, string, error) {
	now := time.Now()
	if a.Now != nil {
		now = a.Now()
	}
	if err := VerifyCallback(query, a.ClientSecret, state, now); err != nil {
		return nil, "", err
	}
	shop := query.Get("shop")
	token, _, err := ExchangeCode(ctx, a.HTTP, a.BaseURL, shop, a.ClientID, a.ClientSecret, query.Get("code"))
	if err != nil {
		return nil, "", fmt.Errorf("shopify install: %w", err)
	}
	creds := map[string]any{"shop": shop, "access_token": token, "client_secret": a.ClientSecret}
	return creds, shop, nil
}
