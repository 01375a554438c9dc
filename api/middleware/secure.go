package middleware

import "net/http"

// DefaultCSP fits the dashboard: a Vite-built React app served from this
// origin, with inline styles (which component libraries inject) but no
// inline or foreign scripts.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// DocsCSP fits the API reference page, whose renderer (Stoplight
// Elements) loads from a CDN.
const DocsCSP = "default-src 'none'; base-uri 'none'; connect-src 'self'; form-action 'none'; " +
	"frame-ancestors 'none'; sandbox allow-same-origin allow-scripts; " +
	"script-src https://unpkg.com/@stoplight/elements@9.0.15/web-components.min.js; " +
	"style-src 'unsafe-inline' https://unpkg.com/@stoplight/elements@9.0.15/styles.min.css"

// SecureHeaders sets browser hardening headers on every response, with csp
// as the Content-Security-Policy ("" means DefaultCSP). Headers are set
// before the handler runs, so a handler may override them.
func SecureHeaders(csp string) func(http.Handler) http.Handler {
	if csp == "" {
		csp = DefaultCSP
	}
	return SecureHeadersFunc(func(string) string { return csp })
}

// SecureHeadersFunc is SecureHeaders with the policy chosen per request
// path, e.g. DocsCSP for "/docs"; "" from cspFor means DefaultCSP.
func SecureHeadersFunc(cspFor func(path string) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			csp := cspFor(r.URL.Path)
			if csp == "" {
				csp = DefaultCSP
			}
			h := w.Header()
			h.Set("Content-Security-Policy", csp)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if r.TLS != nil {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			next.ServeHTTP(w, r)
		})
	}
}
