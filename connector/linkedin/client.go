package linkedin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/omnify-cloud/omnify/connector"
)

// maxBody bounds what one answer may hold (adAnalytics at its 15,000
// element cap is a few MB).
const maxBody = 64 << 20

// tokenMargin refreshes an access token this long before it expires.
const tokenMargin = 5 * time.Minute

type cachedToken struct {
	access string
	expiry time.Time // zero: unknown, used until refused
}

// client is one Read's, Check's or Push's view of the API.
type client struct {
	c        *Connector
	http     *http.Client
	api      string // …/rest
	tokenURL string
	creds    map[string]string
	key      string // token cache key
}

func (c *Connector) client(conn connector.Connection) (*client, error) {
	for _, k := range []string{"client_id", "client_secret", "refresh_token"} {
		if strings.TrimSpace(conn.Credentials[k]) == "" {
			return nil, fmt.Errorf("linkedin credentials need %s: %w", k, connector.ErrInvalidConfig)
		}
	}
	if conn.HTTP == nil {
		return nil, errors.New("linkedin: connection has no HTTP client")
	}
	api, oauth := defaultAPIBase, defaultOAuthBase
	if conn.BaseURL != "" {
		api = strings.TrimRight(conn.BaseURL, "/")
		oauth = api
	}
	sum := sha256.Sum256([]byte(conn.Credentials["client_id"] + "\x00" + conn.Credentials["refresh_token"]))
	cl := &client{c: c, http: conn.HTTP, api: api + "/rest", tokenURL: oauth + "/oauth/v2/accessToken",
		creds: conn.Credentials, key: conn.ID + "/" + hex.EncodeToString(sum[:8])}
	if at := conn.Credentials["access_token"]; at != "" {
		c.mu.Lock()
		if _, ok := c.tokens[cl.key]; !ok {
			c.tokens[cl.key] = cachedToken{access: at}
		}
		c.mu.Unlock()
	}
	return cl, nil
}

// token returns a usable access token, refreshing when none is cached or
// the cached one is about to expire.
func (cl *client) token(ctx context.Context) (string, error) {
	cl.c.mu.Lock()
	t, ok := cl.c.tokens[cl.key]
	cl.c.mu.Unlock()
	if ok && (t.expiry.IsZero() || cl.c.now().Add(tokenMargin).Before(t.expiry)) {
		return t.access, nil
	}
	return cl.refresh(ctx)
}

// refresh trades the refresh token for a new access token at
// /oauth/v2/accessToken (grant_type=refresh_token, client credentials in the
// form, as LinkedIn expects).
func (cl *client) refresh(ctx context.Context) (string, error) {
	cfg := oauth2.Config{ClientID: cl.creds["client_id"], ClientSecret: cl.creds["client_secret"],
		Endpoint: oauth2.Endpoint{TokenURL: cl.tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	octx := context.WithValue(ctx, oauth2.HTTPClient, cl.http)
	tok, err := cfg.TokenSource(octx, &oauth2.Token{RefreshToken: cl.creds["refresh_token"]}).Token()
	if err != nil {
		return "", cl.refreshError(ctx, err)
	}
	ct := cachedToken{access: tok.AccessToken, expiry: tok.Expiry}
	if !ct.expiry.IsZero() {
		// oauth2 stamps expiry with the wall clock; keep it on ours.
		ct.expiry = cl.c.now().Add(time.Until(tok.Expiry))
	}
	cl.c.mu.Lock()
	cl.c.tokens[cl.key] = ct
	cl.c.mu.Unlock()
	return tok.AccessToken, nil
}

func (cl *client) refreshError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("linkedin token refresh: %w", ctx.Err())
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		st := re.Response.StatusCode
		switch {
		case st == http.StatusTooManyRequests:
			return connector.BackOff(time.Minute, "LinkedIn throttled the token refresh", err)
		case st >= 500:
			return connector.BackOff(5*time.Second, fmt.Sprintf("LinkedIn token endpoint error %d", st), err)
		}
		return fmt.Errorf("linkedin refused the refresh token (%d %s: %s): %w", st, re.ErrorCode, re.ErrorDescription, connector.ErrAuth)
	}
	return connector.BackOff(2*time.Second, "network error refreshing the LinkedIn token", err)
}

func (cl *client) forget() {
	cl.c.mu.Lock()
	delete(cl.c.tokens, cl.key)
	cl.c.mu.Unlock()
}

// request is one API call.
type request struct {
	method string
	path   string // below /rest, e.g. "/adAccounts"
	query  query
	body   any
	header map[string]string
}

// get fetches path?query into out.
func (cl *client) get(ctx context.Context, path string, q query, out any) error {
	_, err := cl.do(ctx, request{method: http.MethodGet, path: path, query: q}, out)
	return err
}

// do sends r, refreshing the token once if LinkedIn refuses it, and
// decodes a 2xx JSON answer into out (nil: ignore the body). It returns the
// answer's headers.
func (cl *client) do(ctx context.Context, r request, out any) (http.Header, error) {
	refreshed := false
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tok, err := cl.token(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := cl.send(ctx, r, tok)
		if err != nil {
			return nil, err
		}
		if resp.status == http.StatusUnauthorized && !refreshed {
			// Expired or revoked early: one refresh, then the real verdict.
			cl.forget()
			refreshed = true
			continue
		}
		return resp.header, cl.decode(ctx, r, resp, out)
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
	err    error // reading the body failed
}

func (cl *client) send(ctx context.Context, r request, tok string) (response, error) {
	u := cl.api + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.String()
	}
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return response{}, fmt.Errorf("linkedin: encode %s body: %w", r.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return response{}, fmt.Errorf("linkedin: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("LinkedIn-Version", APIVersion)
	req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	res, err := cl.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return response{}, ctx.Err()
		}
		return response{}, connector.BackOff(2*time.Second, "network error talking to LinkedIn", err)
	}
	defer res.Body.Close()
	b, rerr := io.ReadAll(io.LimitReader(res.Body, maxBody))
	return response{status: res.StatusCode, header: res.Header, body: b, err: rerr}, nil
}

// vendorError is LinkedIn's error body.
type vendorError struct {
	Status           int    `json:"status"`
	ServiceErrorCode int    `json:"serviceErrorCode"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}

func (cl *client) decode(ctx context.Context, r request, resp response, out any) error {
	if resp.status >= 200 && resp.status < 300 {
		if resp.err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return connector.BackOff(2*time.Second, "LinkedIn's answer was cut off", resp.err)
		}
		if out == nil || len(resp.body) == 0 {
			return nil
		}
		if err := json.Unmarshal(resp.body, out); err != nil {
			return connector.BackOff(2*time.Second, "LinkedIn's answer was cut off or garbled",
				fmt.Errorf("decode %s: %w", r.path, err))
		}
		return nil
	}
	var ve vendorError
	_ = json.Unmarshal(resp.body, &ve)
	return classify(r, resp.status, ve, cl.c.now())
}

// classify maps a failed answer to the connector protocol's errors.
func classify(r request, status int, ve vendorError, now time.Time) error {
	what := r.method + " " + r.path
	msg := ve.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	err := fmt.Errorf("linkedin %s: %d %s: %s", what, status, ve.Code, msg)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", err, connector.ErrAuth)
	case status == http.StatusTooManyRequests:
		wait, reason := throttleWait(ve.Message, now)
		return connector.BackOff(wait, reason, err)
	case status >= 500:
		return connector.BackOff(5*time.Second, fmt.Sprintf("LinkedIn server error %d", status), err)
	case status == http.StatusUpgradeRequired:
		return fmt.Errorf("%w (LinkedIn-Version %s is no longer served; update the connector): %w", err, APIVersion, connector.ErrPermanent)
	}
	return fmt.Errorf("%w: %w", err, connector.ErrPermanent)
}

// throttleWait picks a wait for a 429, which carries no headers. LinkedIn's
// message names the window that ran out: a DAY limit resets at midnight UTC,
// so waiting less only spends more calls on refusals; otherwise (the DMP
// streaming minute limit, short bursts) a minute clears it.
func throttleWait(message string, now time.Time) (time.Duration, string) {
	if strings.Contains(strings.ToUpper(message), " DAY ") {
		midnight := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		return max(midnight.Sub(now), time.Minute), "LinkedIn's daily request limit is spent; it resets at midnight UTC"
	}
	return time.Minute, "LinkedIn throttled the request (429 without a wait); trying again in a minute"
}
