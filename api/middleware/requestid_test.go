package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/omnify-cloud/omnify/api/middleware"
)

func TestRequestID(t *testing.T) {
	tests := []struct {
		name, in string
		keep     bool
	}{
		{"absent", "", false},
		{"plain", "abc-123_X.y", true},
		{"uuid", "0190b6a2-6d5e-7c1a-9f00-0123456789ab", true},
		{"128 chars", strings.Repeat("a", 128), true},
		{"129 chars", strings.Repeat("a", 129), false},
		{"space", "abc 123", false},
		{"header injection", "abc\r\nSet-Cookie: x=1", false},
		{"slash", "a/b", false},
		{"non-ascii", "ünï", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen string
			h := middleware.RequestID()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = middleware.RequestIDFrom(r.Context())
			}))
			r := httptest.NewRequest("GET", "/", nil)
			if tc.in != "" {
				r.Header.Set(middleware.RequestIDHeader, tc.in)
			}
			w := serve(h, r)
			got := w.Header().Get(middleware.RequestIDHeader)
			if got != seen {
				t.Fatalf("response ID %q != context ID %q", got, seen)
			}
			if tc.keep {
				if got != tc.in {
					t.Errorf("ID = %q, want caller's %q", got, tc.in)
				}
				return
			}
			u, err := uuid.Parse(got)
			if err != nil || u.Version() != 7 {
				t.Errorf("ID = %q, want a new UUIDv7", got)
			}
		})
	}
}

func TestRequestIDsUnique(t *testing.T) {
	h := middleware.RequestID()(ok)
	seen := map[string]bool{}
	for range 100 {
		id := serve(h, httptest.NewRequest("GET", "/", nil)).Header().Get(middleware.RequestIDHeader)
		if seen[id] {
			t.Fatalf("duplicate request ID %q", id)
		}
		seen[id] = true
	}
	if got := middleware.RequestIDFrom(httptest.NewRequest("GET", "/", nil).Context()); got != "" {
		t.Errorf("RequestIDFrom outside the middleware = %q, want empty", got)
	}
}
