package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/omnify-cloud/omnify/connector"
)

// maxBody bounds one answer read into memory.
const maxBody = 32 << 20

// client is one Read's, Check's or Push's view of the API.
type client struct {
	c    *Connector
	conn connector.Connection
	http *http.Client
	base string
	auth *auth
	// last is the header of the last answer, for the daily budget.
	last http.Header
}

func (c *Connector) client(conn connector.Connection) (*client, error) {
	a, err := c.newAuth(conn)
	if err != nil {
		return nil, err
	}
	hc := conn.HTTP
	if hc == nil {
		return nil, errors.New("hubspot: connection has no HTTP client")
	}
	base := BaseURL
	if conn.BaseURL != "" {
		base = strings.TrimRight(conn.BaseURL, "/")
	}
	return &client{c: c, conn: conn, http: hc, base: base, auth: a}, nil
}

// do sends one request and decodes a 2xx JSON answer into out. A 401 on
// an OAuth connection refreshes the access token and sends once more;
// every other failure is classified (see classify). A 207 multi-status
// answer is decoded like a 200: the caller reads its errors.
func (cl *client) do(ctx context.Context, method, path string, body, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
	}
	status, respBody, header, err := cl.send(ctx, method, path, raw)
	if err == nil && status == http.StatusUnauthorized && cl.auth.canRefresh() {
		if rerr := cl.auth.refresh(ctx, cl, true); rerr != nil {
			return rerr
		}
		status, respBody, header, err = cl.send(ctx, method, path, raw)
	}
	if err != nil {
		return cl.networkError(ctx, method, path, err)
	}
	cl.last = header
	if status < 200 || status > 299 {
		return classify(method, path, status, header, respBody, cl.c.now())
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(respBody, out); err != nil {
		return connector.BackOff(networkWait, "HubSpot sent an unreadable answer", fmt.Errorf("decode %s %s: %w", method, path, err))
	}
	return nil
}

// send makes one HTTP exchange with the current access token.
func (cl *client) send(ctx context.Context, method, path string, raw []byte) (int, []byte, http.Header, error) {
	tok, err := cl.auth.token(ctx, cl)
	if err != nil {
		return 0, nil, nil, err
	}
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, cl.base+path, rd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, body, resp.Header, nil
}

// networkError: a cancelled context ends the call; auth errors pass as
// they are; anything else on the wire is transient.
func (cl *client) networkError(ctx context.Context, method, path string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s %s: %w", method, path, cerr)
	}
	var bo *connector.BackOffError
	if errors.Is(err, connector.ErrAuth) || errors.Is(err, connector.ErrInvalidConfig) || errors.As(err, &bo) {
		return err
	}
	return connector.BackOff(networkWait, "network error talking to HubSpot", fmt.Errorf("%s %s: %w", method, path, err))
}
