package triplewhale

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// serverWait is the back-off for 5xx answers and network failures.
const serverWait = 2 * time.Second

// call sends one request and decodes the answer into out.
func (cl *client) call(ctx context.Context, method, path string, body, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode %s: %w", path, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, cl.base+path, bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("x-api-key", cl.key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return connector.BackOff(serverWait, "network error talking to Triple Whale", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return connector.BackOff(serverWait, "Triple Whale's answer was cut off", err)
	}
	if resp.StatusCode >= 300 {
		return classify(method+" "+path, resp, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return connector.BackOff(serverWait, "unreadable answer from Triple Whale", fmt.Errorf("%s: %w", path, err))
	}
	return nil
}

// classify maps a non-2xx answer to the connector protocol's errors.
func classify(what string, resp *http.Response, data []byte) error {
	var body struct {
		Message string `json:"message"`
	}
	msg := strings.TrimSpace(string(data[:min(len(data), 200)]))
	if json.Unmarshal(data, &body) == nil && body.Message != "" {
		msg = body.Message
	}
	status := resp.StatusCode
	vendor := fmt.Errorf("%s: Triple Whale answered %d: %s", what, status, msg)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", vendor, connector.ErrAuth)
	case status == http.StatusTooManyRequests:
		wait := retryAfter(resp.Header)
		return connector.BackOff(wait, fmt.Sprintf("Triple Whale rate limit (policy %q), retry after %s",
			resp.Header.Get("RateLimit-Policy"), wait), vendor)
	case status >= 500:
		return connector.BackOff(serverWait, fmt.Sprintf("Triple Whale server error %d", status), vendor)
	}
	return fmt.Errorf("%w: %w", vendor, connector.ErrPermanent)
}

// retryAfter reads Retry-After, else the reset of the RateLimit header,
// else waits a minute (the window of the policy Triple Whale shows).
func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	for part := range strings.SplitSeq(h.Get("RateLimit"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "reset="); ok {
			if s, err := strconv.Atoi(v); err == nil && s >= 0 {
				return time.Duration(s) * time.Second
			}
		}
	}
	return time.Minute
}
