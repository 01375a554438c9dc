package middleware

import (
	"log/slog"
	"net"
	"net/http"
	"time"
)

// AccessLog writes one structured line per request once it is answered:
// method, path (never the query, which may carry secrets), route pattern,
// status, bytes, duration, request ID, remote IP and, when the auth layer
// recorded one with SetOrgID, the org. 5xx responses log at error level.
// A request whose handler panics is logged as a 500 before the panic moves
// on to an outer Recover.
func AccessLog(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			r, inf := withInfo(r)
			rec := newRecorder(w)
			done := false
			defer func() {
				status := rec.Status()
				if !done && !rec.wrote() {
					status = http.StatusInternalServerError
				}
				logRequest(logger, r, inf, status, rec.bytes, time.Since(start))
			}()
			next.ServeHTTP(rec, r)
			done = true
		})
	}
}

func logRequest(logger *slog.Logger, r *http.Request, inf *reqInfo, status int, bytes int64, d time.Duration) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", bytes),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("request_id", RequestIDFrom(r.Context())),
		slog.String("remote_ip", remoteIP(r)),
	}
	if route := inf.routeOf(r); route != "" {
		attrs = append(attrs, slog.String("route", route))
	}
	if org := OrgIDFrom(r.Context()); org != "" {
		attrs = append(attrs, slog.String("org_id", org))
	}
	logger.LogAttrs(r.Context(), level, "http request", attrs...)
}

// remoteIP is the peer address without its port.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
