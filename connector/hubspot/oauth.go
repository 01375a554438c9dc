package hubspot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/omnify-cloud/omnify/connector"
)

// refreshEarly refreshes an access token this long before it expires, so
// a request never leaves with a token that dies on the way.
const refreshEarly = time.Minute

// auth holds one connection's credentials. A private-app token is used as
// it is; an OAuth access token is refreshed with the refresh token when it
// has expired or HubSpot refuses it, and the new token is kept in memory
// per connection (and handed to WithTokenRefreshed's function).
type auth struct {
	c            *Connector
	connID, key  string
	static       string
	refreshToken string
	clientID     string
	clientSecret string
	expiry       time.Time
}

func (c *Connector) newAuth(conn connector.Connection) (*auth, error) {
	cr := conn.Credentials
	a := &auth{c: c, connID: conn.ID, static: cr["access_token"], refreshToken: cr["refresh_token"],
		clientID: cr["client_id"], clientSecret: cr["client_secret"]}
	if a.static == "" {
		return nil, fmt.Errorf("hubspot: access_token is required: %w", connector.ErrInvalidConfig)
	}
	if a.refreshToken != "" && (a.clientID == "" || a.clientSecret == "") {
		return nil, fmt.Errorf("hubspot: refresh_token needs client_id and client_secret: %w", connector.ErrInvalidConfig)
	}
	if v := cr["expires_at"]; v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, fmt.Errorf("hubspot: expires_at must be an RFC 3339 time: %w", connector.ErrInvalidConfig)
		}
		a.expiry = t
	}
	sum := sha256.Sum256([]byte(a.refreshToken + "\x00" + a.static))
	a.key = conn.ID + "/" + hex.EncodeToString(sum[:8])
	return a, nil
}

func (a *auth) canRefresh() bool { return a.refreshToken != "" }

// token returns the access token to send, refreshing an expired one.
func (a *auth) token(ctx context.Context, cl *client) (string, error) {
	if !a.canRefresh() {
		return a.static, nil
	}
	a.c.mu.Lock()
	tok := a.c.tokens[a.key]
	a.c.mu.Unlock()
	if tok == nil {
		tok = &oauth2.Token{AccessToken: a.static, Expiry: a.expiry}
	}
	if !tok.Expiry.IsZero() && !a.c.now().Add(refreshEarly).Before(tok.Expiry) {
		if err := a.refresh(ctx, cl, false); err != nil {
			return "", err
		}
		a.c.mu.Lock()
		tok = a.c.tokens[a.key]
		a.c.mu.Unlock()
	}
	return tok.AccessToken, nil
}

// refresh trades the refresh token for a new access token at HubSpot's
// token endpoint. force refreshes even when another call just did (HubSpot
// refused the token in hand).
func (a *auth) refresh(ctx context.Context, cl *client, force bool) error {
	a.c.refreshMu.Lock()
	defer a.c.refreshMu.Unlock()
	a.c.mu.Lock()
	cur := a.c.tokens[a.key]
	a.c.mu.Unlock()
	if !force && cur != nil && a.c.now().Add(refreshEarly).Before(cur.Expiry) {
		return nil // another call refreshed it meanwhile
	}
	refreshToken := a.refreshToken
	if cur != nil && cur.RefreshToken != "" {
		refreshToken = cur.RefreshToken
	}
	cfg := oauth2.Config{ClientID: a.clientID, ClientSecret: a.clientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: cl.base + "/oauth/v1/token", AuthStyle: oauth2.AuthStyleInParams}}
	octx := context.WithValue(ctx, oauth2.HTTPClient, cl.http)
	// An expiry in the past makes the token source refresh at once.
	tok, err := cfg.TokenSource(octx, &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		return refreshError(ctx, err)
	}
	a.c.mu.Lock()
	a.c.tokens[a.key] = tok
	a.c.mu.Unlock()
	if a.c.onRefresh != nil {
		a.c.onRefresh(a.connID, tok)
	}
	return nil
}

// refreshError: HubSpot refusing the refresh token or the client is
// ErrAuth (the app was uninstalled or the secret rotated); a 429, 5xx or
// network failure is transient.
func refreshError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("hubspot token refresh: %w", cerr)
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		st := re.Response.StatusCode
		if st == http.StatusTooManyRequests || st >= 500 {
			return connector.BackOff(serverWait, fmt.Sprintf("HubSpot token endpoint answered %d", st), err)
		}
		return fmt.Errorf("hubspot refused the refresh token (%d): %s: %w", st, re.ErrorDescription+string(re.Body), connector.ErrAuth)
	}
	return connector.BackOff(serverWait, "network error refreshing the HubSpot access token", err)
}

// Token returns the newest access token the connector holds for a
// connection after a refresh (nil when it never refreshed one).
func (c *Connector) Token(connID string) *oauth2.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	var newest *oauth2.Token
	for key, tok := range c.tokens {
		if len(key) > len(connID) && key[:len(connID)+1] == connID+"/" && (newest == nil || tok.Expiry.After(newest.Expiry)) {
			newest = tok
		}
	}
	return newest
}
