package middleware

import (
	"net/http"
	"strings"
)

// CORS settings for allowed origins. Credentials stay off: the API takes
// bearer tokens, never cookies, from other origins.
const (
	corsMethods       = "GET, POST, PUT, PATCH, DELETE"
	corsHeaders       = "Authorization, Content-Type, X-Request-ID"
	corsExposeHeaders = "X-Request-ID, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
	corsMaxAge        = "600"
)

// CORS lets the listed origins (exact scheme://host[:port] matches) call
// the API from a browser. Preflights from them are answered here with 204;
// preflights from others get 403. Other requests always reach the handler
// (same-origin POSTs carry an Origin too) and only gain CORS headers when
// their origin is listed. Every response varies by Origin.
func CORS(allowedOrigins []string) func(http.Handler) http.Handler {
	allowed := make(map[string]bool, len(allowedOrigins))
	for _, o := range allowedOrigins {
		if o = strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/")); o != "" {
			allowed[o] = true
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Add("Vary", "Origin")
			origin := r.Header.Get("Origin")
			preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
			ok := origin != "" && allowed[origin]
			switch {
			case preflight && ok:
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Methods", corsMethods)
				h.Set("Access-Control-Allow-Headers", corsHeaders)
				h.Set("Access-Control-Max-Age", corsMaxAge)
				w.WriteHeader(http.StatusNoContent)
			case preflight && origin != "":
				WriteProblem(w, r, http.StatusForbidden, "", "origin not allowed")
			default:
				if ok {
					h.Set("Access-Control-Allow-Origin", origin)
					h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
				}
				next.ServeHTTP(w, r)
			}
		})
	}
}
