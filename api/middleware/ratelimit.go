package middleware

import (
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/limit"
)

// KeyFunc names the budget a request spends from; ok false exempts it.
type KeyFunc func(*http.Request) (key string, ok bool)

// RateLimit spends one request of keyFn's budget under rate r per request.
// Every limited response carries RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset; a denied one is a 429 problem with Retry-After. If the
// limiter fails, the request goes through and the failure is logged with
// slog's default logger: an unreachable limiter store must not take the API
// down.
func RateLimit(l limit.Limiter, keyFn KeyFunc, r limit.Rate) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			key, ok := keyFn(req)
			if ok && !Enforce(w, req, l, key, r) {
				return
			}
			next.ServeHTTP(w, req)
		})
	}
}

// Enforce spends one request of key's budget and sets the RateLimit
// headers. When the budget is spent it writes the 429 problem and returns
// false. Handlers that learn the key late (per org, after authentication)
// call it directly.
func Enforce(w http.ResponseWriter, r *http.Request, l limit.Limiter, key string, rate limit.Rate) bool {
	d, err := l.Allow(r.Context(), key, rate)
	if err != nil {
		slog.Default().ErrorContext(r.Context(), "rate limiter failed; allowing request",
			slog.String("key", key), slog.String("request_id", RequestIDFrom(r.Context())),
			slog.Any("error", err))
		return true
	}
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(ceilSeconds(d.ResetAfter)))
	if d.Allowed {
		return true
	}
	h.Set("Retry-After", strconv.Itoa(max(1, ceilSeconds(d.RetryAfter))))
	WriteProblem(w, r, http.StatusTooManyRequests, "", "rate limit exceeded, retry later")
	return false
}

// ceilSeconds rounds up so clients never come back too early.
func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// ByIP keys requests by client IP (IPv6 by /64), see ClientIP.
func ByIP(trustProxy bool) KeyFunc {
	return func(r *http.Request) (string, bool) {
		ip := ClientIP(r, trustProxy)
		if ip == "" {
			return "", false
		}
		return "ip:" + limit.IPKey(ip), true
	}
}

// ClientIP returns the client's address. Behind a trusted reverse proxy it
// is the last X-Forwarded-For entry, the one that proxy appended itself;
// earlier entries are the client's to forge. Otherwise it is the peer
// address. It returns "" when neither parses.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if ip := lastForwardedFor(r.Header.Values("X-Forwarded-For")); ip != "" {
			return ip
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return addr.Unmap().String()
}

func lastForwardedFor(values []string) string {
	if len(values) == 0 {
		return ""
	}
	parts := strings.Split(values[len(values)-1], ",")
	addr, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1]))
	if err != nil {
		return ""
	}
	return addr.Unmap().String()
}
