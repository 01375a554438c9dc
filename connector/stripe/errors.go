package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	sgo "github.com/stripe/stripe-go/v85"

	"github.com/omnify-cloud/omnify/connector"
)

// Back-off hints when Stripe gives no Retry-After: doubling per consecutive
// back-off of the same connection and stream, capped.
const (
	rateBase    = time.Second
	rateCap     = time.Minute
	concBase    = 500 * time.Millisecond
	serverBase  = 500 * time.Millisecond
	serverCap   = 30 * time.Second
	retryMaxCap = 10 * time.Minute
)

// recorder remembers the status and headers of the last response, because
// the SDK turns non-JSON error bodies (gateway pages) into plain errors that
// carry neither.
type recorder struct {
	next http.RoundTripper

	mu     sync.Mutex
	status int
	header http.Header
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.header = 0, nil
	if err == nil {
		r.status, r.header = resp.StatusCode, resp.Header.Clone()
	}
	return resp, err
}

func (r *recorder) last() (int, http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.header == nil {
		return r.status, http.Header{}
	}
	return r.status, r.header
}

// classify turns an SDK error into the connector protocol's errors.
// strikes is how many back-offs in a row preceded this one.
func (cl *client) classify(ctx context.Context, err error, strikes int) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	status, header := cl.rec.last()
	var se *sgo.Error
	code, msg := "", err.Error()
	if errors.As(err, &se) {
		status, code, msg = se.HTTPStatusCode, string(se.Code), se.Msg
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("stripe refused the key (%d): %s: %w", status, msg, connector.ErrAuth)
	case status == http.StatusTooManyRequests:
		wait, reason := rateLimitWait(header, strikes, cl.now())
		return connector.BackOff(wait, reason, err)
	case status == http.StatusConflict && code == string(sgo.ErrorCodeLockTimeout):
		return connector.BackOff(doubling(concBase, serverCap, strikes), "Stripe object locked by another request", err)
	case status >= 500:
		return connector.BackOff(doubling(serverBase, serverCap, strikes), fmt.Sprintf("Stripe server error %d", status), err)
	case status == 0:
		return connector.BackOff(doubling(serverBase, serverCap, strikes), "network error talking to Stripe", err)
	case status < 300:
		return connector.BackOff(doubling(serverBase, serverCap, strikes), "unreadable response from Stripe", err)
	}
	return fmt.Errorf("stripe refused the request (%d %s): %s: %w", status, code, msg, connector.ErrPermanent)
}

// rateLimitWait prefers Stripe's Retry-After; otherwise it reads
// Stripe-Rate-Limited-Reason: concurrency limits clear as soon as in-flight
// requests finish, rate limits need the next second's budget.
func rateLimitWait(h http.Header, strikes int, now time.Time) (time.Duration, string) {
	reason := h.Get("Stripe-Rate-Limited-Reason")
	label := "Stripe rate limit"
	if reason != "" {
		label += " (" + reason + ")"
	}
	if d, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
		return min(d, retryMaxCap), label + ", Retry-After " + d.String()
	}
	switch reason {
	case "global-concurrency", "endpoint-concurrency":
		return doubling(concBase, rateCap, strikes), label
	}
	return doubling(rateBase, rateCap, strikes), label
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
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

func doubling(base, limit time.Duration, strikes int) time.Duration {
	d := base
	for range min(strikes, 20) {
		d *= 2
		if d >= limit {
			return limit
		}
	}
	return d
}
