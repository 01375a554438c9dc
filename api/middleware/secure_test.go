package middleware_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/omnify-cloud/omnify/api/middleware"
)

func TestSecureHeaders(t *testing.T) {
	perPath := middleware.SecureHeadersFunc(func(p string) string {
		if p == "/docs" {
			return middleware.DocsCSP
		}
		return ""
	})
	override := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
	})
	tests := []struct {
		name    string
		mw      func(http.Handler) http.Handler
		h       http.Handler
		path    string
		tls     bool
		wantCSP string
	}{
		{"default", middleware.SecureHeaders(""), ok, "/", false, middleware.DefaultCSP},
		{"custom", middleware.SecureHeaders("default-src 'self'"), ok, "/", false, "default-src 'self'"},
		{"docs path", perPath, ok, "/docs", false, middleware.DocsCSP},
		{"other path", perPath, ok, "/v1/me", true, middleware.DefaultCSP},
		{"handler overrides", middleware.SecureHeaders(""), override, "/", false, "default-src 'none'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.path, nil)
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			h := serve(tc.mw(tc.h), r).Header()
			want := map[string]string{
				"Content-Security-Policy": tc.wantCSP,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "strict-origin-when-cross-origin",
				"X-Frame-Options":         "DENY",
			}
			for k, v := range want {
				if h.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, h.Get(k), v)
				}
			}
			if hsts := h.Get("Strict-Transport-Security"); (hsts != "") != tc.tls {
				t.Errorf("Strict-Transport-Security = %q over TLS=%v", hsts, tc.tls)
			}
		})
	}
}

func TestDefaultCSPIsStrict(t *testing.T) {
	for _, bad := range []string{"unsafe-eval", "script-src 'self' 'unsafe-inline'", "*"} {
		if contains(middleware.DefaultCSP, bad) {
			t.Errorf("DefaultCSP allows %q", bad)
		}
	}
	for _, need := range []string{"default-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"} {
		if !contains(middleware.DefaultCSP, need) {
			t.Errorf("DefaultCSP lacks %q", need)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
