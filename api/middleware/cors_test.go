package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/omnify-cloud/omnify/api/middleware"
)

func TestCORS(t *testing.T) {
	cors := middleware.CORS([]string{"https://app.example.com", " HTTPS://Admin.Example.com/ "})
	tests := []struct {
		name, method, origin, reqMethod string
		wantStatus                      int
		wantHandler                     bool
		wantAllow                       string
	}{
		{"no origin", "GET", "", "", 200, true, ""},
		{"allowed simple", "GET", "https://app.example.com", "", 200, true, "https://app.example.com"},
		{"allowed, normalised config", "POST", "https://admin.example.com", "", 200, true, "https://admin.example.com"},
		{"other origin reaches handler without grant", "POST", "https://evil.example", "", 200, true, ""},
		{"scheme differs", "GET", "http://app.example.com", "", 200, true, ""},
		{"port differs", "GET", "https://app.example.com:8443", "", 200, true, ""},
		{"suffix attack", "GET", "https://app.example.com.evil.example", "", 200, true, ""},
		{"allowed preflight", "OPTIONS", "https://app.example.com", "DELETE", 204, false, "https://app.example.com"},
		{"refused preflight", "OPTIONS", "https://evil.example", "POST", 403, false, ""},
		{"plain OPTIONS", "OPTIONS", "https://app.example.com", "", 200, true, "https://app.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			h := cors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				_, _ = w.Write([]byte("ok"))
			}))
			r := httptest.NewRequest(tc.method, "/v1/me", nil)
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if tc.reqMethod != "" {
				r.Header.Set("Access-Control-Request-Method", tc.reqMethod)
				r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			w := serve(h, r)
			h2 := w.Header()
			if w.Code != tc.wantStatus || called != tc.wantHandler {
				t.Fatalf("status %d handler %v, want %d %v", w.Code, called, tc.wantStatus, tc.wantHandler)
			}
			if got := h2.Get("Access-Control-Allow-Origin"); got != tc.wantAllow {
				t.Errorf("Allow-Origin = %q, want %q", got, tc.wantAllow)
			}
			if !slices.Contains(h2.Values("Vary"), "Origin") {
				t.Errorf("Vary = %v, want Origin", h2.Values("Vary"))
			}
			if h2.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			if tc.wantStatus == 204 {
				if h2.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type, X-Request-ID" ||
					h2.Get("Access-Control-Allow-Methods") == "" || h2.Get("Access-Control-Max-Age") == "" {
					t.Errorf("preflight headers = %v", h2)
				}
			}
			if tc.wantStatus == 403 {
				mustProblem(t, w, 403)
			}
		})
	}
}

func TestCORSEmptyAllowList(t *testing.T) {
	r := httptest.NewRequest("OPTIONS", "/v1/me", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "GET")
	if w := serve(middleware.CORS(nil)(ok), r); w.Code != http.StatusForbidden {
		t.Errorf("preflight with no allowed origins: %d, want 403", w.Code)
	}
}
