package klaviyo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Back-off hints when Klaviyo names no wait.
const (
	throttleWait = time.Second
	serverWait   = 2 * time.Second
	maxWait      = 10 * time.Minute
)

// client is one call's view of the API.
type client struct {
	http *http.Client
	base string
	key  string
	now  func() time.Time
}

// resource is one JSON:API resource.
type resource struct {
	Type          string                     `json:"type"`
	ID            string                     `json:"id"`
	Attributes    json.RawMessage            `json:"attributes"`
	Relationships map[string]json.RawMessage `json:"relationships"`
}

// jsonAPIPage is a list response.
type jsonAPIPage struct {
	Data     []resource `json:"data"`
	Included []resource `json:"included"`
	Links    struct {
		Next *string `json:"next"`
	} `json:"links"`
}

// next returns links.next, or "" on the last page.
func (p *jsonAPIPage) next() string {
	if p.Links.Next == nil {
		return ""
	}
	return *p.Links.Next
}

// APIError is Klaviyo's error document for a refused request.
type APIError struct {
	Status int
	Errors []VendorError
}

// VendorError is one entry of Klaviyo's errors array.
type VendorError struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
	Code   string `json:"code"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Source struct {
		Pointer   string `json:"pointer"`
		Parameter string `json:"parameter"`
	} `json:"source"`
}

func (e *APIError) Error() string {
	var parts []string
	for _, v := range e.Errors {
		s := v.Code + ": " + v.Detail
		if v.Source.Pointer != "" {
			s += " (at " + v.Source.Pointer + ")"
		} else if v.Source.Parameter != "" {
			s += " (parameter " + v.Source.Parameter + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("klaviyo answered %d", e.Status)
	}
	return fmt.Sprintf("klaviyo answered %d: %s", e.Status, strings.Join(parts, "; "))
}

// Unwrap classifies the error: refused credentials or a permanent refusal.
func (e *APIError) Unwrap() error {
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		return connector.ErrAuth
	}
	return connector.ErrPermanent
}

// get fetches path (or a links.next URL) with query parameters into out.
func (cl *client) get(ctx context.Context, path string, q map[string]string, out any) error {
	return cl.do(ctx, http.MethodGet, path, q, nil, out)
}

// do sends one request and classifies the answer.
func (cl *client) do(ctx context.Context, method, path string, q map[string]string, body, out any) error {
	u, err := cl.url(path, q)
	if err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode klaviyo %s body: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("klaviyo request %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Klaviyo-API-Key "+cl.key)
	req.Header.Set("revision", Revision)
	req.Header.Set("Accept", "application/vnd.api+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return connector.BackOff(serverWait, "network error talking to Klaviyo", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return connector.BackOff(serverWait, "Klaviyo's answer broke off", err)
	}
	return cl.classify(method+" "+path, resp, raw, out)
}

// url resolves path against the base URL. A links.next URL keeps its path
// and query but is sent to the configured base, so a sandbox or test base
// URL is never left.
func (cl *client) url(path string, q map[string]string) (string, error) {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		u, err := url.Parse(path)
		if err != nil {
			return "", fmt.Errorf("klaviyo next link %q: %w", path, connector.ErrPermanent)
		}
		path = u.RequestURI()
	}
	u, err := url.Parse(strings.TrimSuffix(cl.base, "/") + path)
	if err != nil {
		return "", fmt.Errorf("klaviyo url %q: %w", path, err)
	}
	if len(q) > 0 {
		v := u.Query()
		for k, x := range q {
			v.Set(k, x)
		}
		u.RawQuery = v.Encode()
	}
	return u.String(), nil
}

func (cl *client) classify(what string, resp *http.Response, raw []byte, out any) error {
	st := resp.StatusCode
	switch {
	case st >= 200 && st < 300:
		if out == nil || st == http.StatusNoContent {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return connector.BackOff(serverWait, "unreadable answer from Klaviyo to "+what, err)
		}
		return nil
	case st == http.StatusTooManyRequests:
		wait := cl.retryAfter(resp.Header)
		return connector.BackOff(wait, fmt.Sprintf("Klaviyo throttled %s, retry in %s", what, wait), vendorError(st, raw))
	case st >= 500:
		return connector.BackOff(serverWait, fmt.Sprintf("Klaviyo server error %d on %s", st, what), vendorError(st, raw))
	}
	return fmt.Errorf("%s: %w", what, vendorError(st, raw))
}

func vendorError(status int, raw []byte) *APIError {
	e := &APIError{Status: status}
	var doc struct {
		Errors []VendorError `json:"errors"`
	}
	if json.Unmarshal(raw, &doc) == nil {
		e.Errors = doc.Errors
	}
	return e
}

// retryAfter reads Retry-After (seconds or a date), then RateLimit-Reset.
func (cl *client) retryAfter(h http.Header) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			return min(time.Duration(secs)*time.Second, maxWait)
		}
		if t, err := http.ParseTime(v); err == nil {
			return min(max(t.Sub(cl.now()), 0), maxWait)
		}
	}
	if secs, err := strconv.Atoi(h.Get("RateLimit-Reset")); err == nil && secs > 0 {
		return min(time.Duration(secs)*time.Second, maxWait)
	}
	return throttleWait
}

// isStatus reports whether err is Klaviyo's refusal with that status.
func isStatus(err error, status int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == status
}
