package middleware_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/api/middleware"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/limit/limittest"
)

func TestRateLimit(t *testing.T) {
	clock := limittest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rate := limit.Rate{Limit: 6, Period: time.Minute, Burst: 2} // one back every 10s
	h := middleware.RateLimit(limit.NewMemory(clock.Now), middleware.ByIP(false), rate)(ok)
	from := func(ip string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/v1/me", nil)
		r.RemoteAddr = ip + ":1234"
		return serve(h, r)
	}
	steps := []struct {
		advance                      time.Duration
		ip                           string
		status                       int
		remaining, reset, retryAfter string
	}{
		{0, "198.51.100.1", 200, "1", "10", ""},
		{0, "198.51.100.1", 200, "0", "20", ""},
		{0, "198.51.100.1", 429, "0", "20", "10"},
		{0, "198.51.100.2", 200, "1", "10", ""},
		{9500 * time.Millisecond, "198.51.100.1", 429, "0", "11", "1"},
		{500 * time.Millisecond, "198.51.100.1", 200, "0", "20", ""},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		w := from(s.ip)
		hd := w.Header()
		if w.Code != s.status || hd.Get("RateLimit-Limit") != "6" || hd.Get("RateLimit-Remaining") != s.remaining ||
			hd.Get("RateLimit-Reset") != s.reset || hd.Get("Retry-After") != s.retryAfter {
			t.Fatalf("step %d: %d limit=%s remaining=%s reset=%s retry=%q; want %d remaining=%s reset=%s retry=%q",
				i, w.Code, hd.Get("RateLimit-Limit"), hd.Get("RateLimit-Remaining"), hd.Get("RateLimit-Reset"),
				hd.Get("Retry-After"), s.status, s.remaining, s.reset, s.retryAfter)
		}
		if s.status == 429 {
			mustProblem(t, w, 429)
		}
	}
}

func TestRateLimitExempt(t *testing.T) {
	none := func(*http.Request) (string, bool) { return "", false }
	h := middleware.RateLimit(limit.NewMemory(nil), none, limit.Rate{Limit: 1, Period: time.Hour})(ok)
	for range 3 {
		if w := serve(h, httptest.NewRequest("GET", "/", nil)); w.Code != 200 || w.Header().Get("RateLimit-Limit") != "" {
			t.Fatalf("exempt request: %d %v", w.Code, w.Header())
		}
	}
}

type brokenLimiter struct{}

var errDown = errors.New("limiter store down")

func (brokenLimiter) Allow(context.Context, string, limit.Rate) (limit.Decision, error) {
	return limit.Decision{}, errDown
}
func (brokenLimiter) Peek(context.Context, string, limit.Rate) (limit.Decision, error) {
	return limit.Decision{}, errDown
}
func (brokenLimiter) Reset(context.Context, string) error { return errDown }

func TestRateLimitFailsOpen(t *testing.T) {
	var buf logBuffer
	prev := slog.Default()
	slog.SetDefault(buf.logger())
	t.Cleanup(func() { slog.SetDefault(prev) })
	h := middleware.RateLimit(brokenLimiter{}, middleware.ByIP(false), limit.PerSecond(1))(ok)
	if w := serve(h, httptest.NewRequest("GET", "/", nil)); w.Code != 200 {
		t.Fatalf("status %d with a failing limiter, want 200", w.Code)
	}
	lines := buf.lines(t)
	if len(lines) != 1 || lines[0]["level"] != "ERROR" || lines[0]["error"] != errDown.Error() {
		t.Errorf("log = %v, want one error naming the failure", lines)
	}
}

func TestByIP(t *testing.T) {
	tests := []struct {
		name, remote string
		xff          []string
		trust        bool
		want         string
		ok           bool
	}{
		{"ipv4", "203.0.113.5:443", nil, false, "ip:203.0.113.5", true},
		{"ipv6 by /64", "[2001:db8:1:2:aaaa::9]:443", nil, false, "ip:2001:db8:1:2::/64", true},
		{"mapped ipv4", "[::ffff:203.0.113.5]:443", nil, false, "ip:203.0.113.5", true},
		{"xff ignored untrusted", "10.0.0.1:80", []string{"203.0.113.9"}, false, "ip:10.0.0.1", true},
		{"xff trusted, last hop", "10.0.0.1:80", []string{"6.6.6.6, 203.0.113.9"}, true, "ip:203.0.113.9", true},
		{"xff trusted, last header", "10.0.0.1:80", []string{"6.6.6.6", "203.0.113.9"}, true, "ip:203.0.113.9", true},
		{"xff garbage falls back", "10.0.0.1:80", []string{"nonsense"}, true, "ip:10.0.0.1", true},
		{"no address", "", nil, false, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			key, ok := middleware.ByIP(tc.trust)(r)
			if key != tc.want || ok != tc.ok {
				t.Errorf("ByIP = %q, %v; want %q, %v", key, ok, tc.want, tc.ok)
			}
		})
	}
}
