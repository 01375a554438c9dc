package hubspot

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Back-off hints when HubSpot's answer gives no wait of its own.
const (
	// burstWait is a tenth of the rolling ten-second window: long enough
	// for older requests to leave it; the manager's exponential back-off
	// grows it when that is not enough.
	burstWait = time.Second
	// searchWait: paced at 10 requests/s, five searches fill search's
	// rolling second in half a second, and the oldest leaves it half a
	// second later. Measured: 99% of the search limit, against 67% when
	// waiting a whole second.
	searchWait  = 500 * time.Millisecond
	serverWait  = 2 * time.Second
	networkWait = 500 * time.Millisecond
	maxRetryAft = 10 * time.Minute
)

// apiError is HubSpot's error body.
type apiError struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	CorrelationID string `json:"correlationId"`
	Category      string `json:"category"`
	PolicyName    string `json:"policyName"`
}

func parseError(body []byte) apiError {
	var e apiError
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		msg := string(body)
		if len(msg) > 200 {
			msg = msg[:200]
		}
		e.Message = msg
	}
	return e
}

// classify turns a non-2xx answer into the connector protocol's errors:
// 401/403 refuse the credentials, 429 and 5xx back off, other 4xx are
// permanent with HubSpot's message.
func classify(method, path string, status int, h http.Header, body []byte, now time.Time) error {
	e := parseError(body)
	base := fmt.Errorf("hubspot %s %s: %d %s: %s (correlation %s)", method, path, status, e.Category, e.Message, e.CorrelationID)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", base, connector.ErrAuth)
	case status == http.StatusTooManyRequests:
		wait, reason := rateLimitWait(h, e, now)
		return connector.BackOff(wait, reason, base)
	case status >= 500:
		return connector.BackOff(serverWait, fmt.Sprintf("HubSpot server error %d", status), base)
	}
	return &statusError{Status: status, Category: e.Category, Message: e.Message, err: fmt.Errorf("%w: %w", base, connector.ErrPermanent)}
}

// statusError is a permanent refusal with its HTTP status, for callers
// that treat some (404: not found) as an answer.
type statusError struct {
	Status   int
	Category string
	Message  string // HubSpot's own words
	err      error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// statusOf returns the HTTP status of a permanent refusal, or 0.
func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

// rateLimitWait reads how long to wait from Retry-After when HubSpot sends
// it, else from the limit the 429 names: the daily limit resets at
// midnight, the per-second search limit within a second, the rolling
// ten-second limit as older requests leave the window.
func rateLimitWait(h http.Header, e apiError, now time.Time) (time.Duration, string) {
	if d, ok := retryAfter(h.Get("Retry-After"), now); ok {
		return min(d, maxRetryAft), "HubSpot rate limit, Retry-After " + d.String()
	}
	switch {
	case e.PolicyName == "DAILY" || h.Get("X-HubSpot-RateLimit-Daily-Remaining") == "0":
		midnight := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		return midnight.Sub(now), "HubSpot daily request limit reached; it resets at midnight"
	case e.PolicyName == "SECONDLY":
		return searchWait, "HubSpot search limit (about 5 requests a second)"
	}
	wait := burstWait
	if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
		wait = time.Duration(ms) * time.Millisecond / 10
	}
	return wait, fmt.Sprintf("HubSpot rate limit (%s requests per %s ms)", orDash(h.Get("X-HubSpot-RateLimit-Max")),
		orDash(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")))
}

func orDash(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// dailyExhausted is the back-off a successful answer's headers ask for
// before the next request: when the day's budget is spent, until midnight.
// A full rolling window (X-HubSpot-RateLimit-Remaining 0) is not a reason
// to stop: paced at the limit, the window is always full, and the next
// request only has to wait for the oldest to leave it, which pacing does.
func dailyExhausted(h http.Header, now time.Time) error {
	if h == nil || h.Get("X-HubSpot-RateLimit-Daily-Remaining") != "0" {
		return nil
	}
	midnight := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	return connector.BackOff(midnight.Sub(now), "HubSpot daily request limit used up; it resets at midnight",
		fmt.Errorf("hubspot: daily limit of %s requests reached", h.Get("X-HubSpot-RateLimit-Daily")))
}
