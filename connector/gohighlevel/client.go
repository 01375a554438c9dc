package gohighlevel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/omnify-cloud/omnify/connector"
)

var locationPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// serverWait is the back-off for 5xx answers and network failures.
const serverWait = 2 * time.Second

// client talks to one location.
type client struct {
	c        *Connector
	http     *http.Client
	base     string
	location string
	conn     connector.Connection
	oauth    bool
}

func (c *Connector) client(conn connector.Connection) (*client, error) {
	loc := conn.Credentials["location_id"]
	if !locationPattern.MatchString(loc) {
		return nil, fmt.Errorf("gohighlevel: %w: location_id must be a HighLevel location ID", connector.ErrInvalidConfig)
	}
	if conn.Credentials["access_token"] == "" && conn.Credentials["refresh_token"] == "" {
		return nil, fmt.Errorf("gohighlevel: %w: access_token is required", connector.ErrInvalidConfig)
	}
	if conn.HTTP == nil {
		return nil, errors.New("gohighlevel: connection has no HTTP client")
	}
	base := BaseURL
	if conn.BaseURL != "" {
		base = strings.TrimRight(conn.BaseURL, "/")
	}
	oauth := conn.Credentials["refresh_token"] != "" && conn.Credentials["client_id"] != "" && conn.Credentials["client_secret"] != ""
	return &client{c: c, http: conn.HTTP, base: base, location: loc, conn: conn, oauth: oauth}, nil
}

func (cl *client) get(ctx context.Context, path string, q url.Values, out any) error {
	return cl.do(ctx, http.MethodGet, path, q, nil, out)
}

// do sends one request and decodes the answer into out. An OAuth token the
// vendor refuses is refreshed once and the request sent again.
func (cl *client) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
	}
	for attempt := 0; ; attempt++ {
		tok, err := cl.bearer(ctx, attempt > 0)
		if err != nil {
			return err
		}
		status, err := cl.send(ctx, method, path, q, raw, tok, out)
		if status == http.StatusUnauthorized && cl.oauth && attempt == 0 {
			continue
		}
		return err
	}
}

// send makes one HTTP exchange and returns the status with the classified
// error.
func (cl *client) send(ctx context.Context, method, path string, q url.Values, body []byte, tok string, out any) (int, error) {
	u := cl.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Version", APIVersion)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, connector.BackOff(serverWait, "network error talking to HighLevel", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return resp.StatusCode, connector.BackOff(serverWait, "HighLevel's answer was cut off", err)
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, cl.c.classify(method+" "+path, resp, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, connector.BackOff(serverWait, "unreadable answer from HighLevel", fmt.Errorf("%s %s: %w", method, path, err))
		}
	}
	return resp.StatusCode, nil
}

// vendorError is HighLevel's error body; message is a string or, for 422,
// a list of strings.
type vendorError struct {
	StatusCode int             `json:"statusCode"`
	Message    json.RawMessage `json:"message"`
	Error      string          `json:"error"`
}

func messageOf(data []byte) string {
	var ve vendorError
	if json.Unmarshal(data, &ve) != nil || len(ve.Message) == 0 {
		return strings.TrimSpace(string(data[:min(len(data), 200)]))
	}
	var one string
	if json.Unmarshal(ve.Message, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(ve.Message, &many) == nil {
		return strings.Join(many, "; ")
	}
	return string(ve.Message)
}

// classify maps a non-2xx answer to the connector protocol's errors.
func (c *Connector) classify(what string, resp *http.Response, data []byte) error {
	msg := messageOf(data)
	status := resp.StatusCode
	vendor := fmt.Errorf("%s: HighLevel answered %d: %s", what, status, msg)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", vendor, connector.ErrAuth)
	case status == http.StatusTooManyRequests:
		wait, reason := c.rateWait(resp.Header)
		return connector.BackOff(wait, reason, vendor)
	case status >= 500:
		return connector.BackOff(serverWait, fmt.Sprintf("HighLevel server error %d", status), vendor)
	}
	return fmt.Errorf("%w: %w", vendor, connector.ErrPermanent)
}

// rateWait reads how long a 429 asks to wait: Retry-After when sent; the
// rest of the UTC day when the daily budget is spent; otherwise one burst
// interval (X-RateLimit-Interval-Milliseconds), since HighLevel does not
// say when its window frees up.
func (c *Connector) rateWait(h http.Header) (time.Duration, string) {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, fmt.Sprintf("HighLevel rate limit, Retry-After %ds", s)
	}
	if h.Get("X-RateLimit-Daily-Remaining") == "0" {
		now := c.now().UTC()
		midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
		return midnight.Sub(now), fmt.Sprintf("HighLevel daily limit of %s requests spent", h.Get("X-RateLimit-Limit-Daily"))
	}
	wait := 10 * time.Second
	if ms, err := strconv.Atoi(h.Get("X-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
		wait = time.Duration(ms) * time.Millisecond
	}
	return wait, fmt.Sprintf("HighLevel burst limit of %s requests per %s reached", h.Get("X-RateLimit-Max"), wait)
}

// bearer returns the token to send. With OAuth it refreshes an expired
// token, or any token when force is set (the vendor refused it).
func (cl *client) bearer(ctx context.Context, force bool) (string, error) {
	if !cl.oauth {
		return cl.conn.Credentials["access_token"], nil
	}
	tok := cl.c.token(cl.conn)
	if !force && tok.Valid() {
		return tok.AccessToken, nil
	}
	fresh, err := cl.refresh(ctx, tok)
	if err != nil {
		return "", err
	}
	return fresh.AccessToken, nil
}

// token returns the latest token known for the connection: one refreshed
// earlier in this process, or the credentials' own.
func (c *Connector) token(conn connector.Connection) *oauth2.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tokens[tokenKey(conn)]; ok {
		return t
	}
	t := &oauth2.Token{AccessToken: conn.Credentials["access_token"], RefreshToken: conn.Credentials["refresh_token"], TokenType: "Bearer"}
	if exp, err := time.Parse(time.RFC3339, conn.Credentials["expires_at"]); err == nil {
		t.Expiry = exp
	}
	return t
}

// tokenKey ties a cached token to the connection and the refresh token it
// descends from, so new credentials replace it.
func tokenKey(conn connector.Connection) string {
	return conn.ID + "\x00" + conn.Credentials["client_id"] + "\x00" + conn.Credentials["refresh_token"]
}

// refresh trades the refresh token for a new pair at /oauth/token.
func (cl *client) refresh(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
	cfg := oauth2.Config{
		ClientID: cl.conn.Credentials["client_id"], ClientSecret: cl.conn.Credentials["client_secret"],
		Endpoint: oauth2.Endpoint{TokenURL: cl.base + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, cl.http)
	tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return nil, fmt.Errorf("gohighlevel: refresh the OAuth token: %w: %w", err, connector.ErrAuth)
		}
		return nil, connector.BackOff(serverWait, "HighLevel's token endpoint failed", err)
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = old.RefreshToken
	}
	cl.c.mu.Lock()
	cl.c.tokens[tokenKey(cl.conn)] = tok
	cl.c.mu.Unlock()
	if cl.c.OnTokenRefresh != nil {
		cl.c.OnTokenRefresh(cl.conn.ID, tok)
	}
	return tok, nil
}
