package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/omnify-cloud/omnify/api/middleware"
)

func TestAccessLog(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/orgs/{id}", func(w http.ResponseWriter, r *http.Request) {
		middleware.SetOrgID(r.Context(), "org-"+r.PathValue("id"))
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("hello"))
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	tests := []struct {
		name, path string
		want       map[string]any
		level      string
	}{
		{"routed", "/v1/orgs/42?token=secret", map[string]any{
			"method": "GET", "path": "/v1/orgs/42", "route": "/v1/orgs/{id}", "status": 201.0,
			"bytes": 5.0, "request_id": "rid-1", "remote_ip": "192.0.2.7", "org_id": "org-42",
		}, "INFO"},
		{"unrouted", "/nope", map[string]any{"path": "/nope", "status": 404.0, "route": nil, "org_id": nil}, "INFO"},
		{"server error", "/boom", map[string]any{"route": "/boom", "status": 503.0}, "ERROR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf logBuffer
			h := middleware.Chain(mux, middleware.RequestID(), middleware.AccessLog(buf.logger()))
			r := httptest.NewRequest("GET", tc.path, nil)
			r.RemoteAddr = "192.0.2.7:5555"
			r.Header.Set(middleware.RequestIDHeader, "rid-1")
			serve(h, r)
			lines := buf.lines(t)
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1", len(lines))
			}
			l := lines[0]
			for k, v := range tc.want {
				if l[k] != v {
					t.Errorf("%s = %v, want %v", k, l[k], v)
				}
			}
			if l["level"] != tc.level {
				t.Errorf("level = %v, want %s", l["level"], tc.level)
			}
			if d, ok := l["duration_ms"].(float64); !ok || d < 0 {
				t.Errorf("duration_ms = %v", l["duration_ms"])
			}
		})
	}
}

// TestAccessLogPanic checks that a panic passing through the log is logged
// as a 500 and still reaches the outer Recover.
func TestAccessLogPanic(t *testing.T) {
	var buf logBuffer
	log := buf.logger()
	h := middleware.Chain(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") }),
		middleware.Recover(log), middleware.AccessLog(log))
	w := serve(h, httptest.NewRequest("POST", "/v1/x", nil))
	mustProblem(t, w, http.StatusInternalServerError)
	var access map[string]any
	for _, l := range buf.lines(t) {
		if l["msg"] == "http request" {
			access = l
		}
	}
	if access == nil || access["status"] != 500.0 {
		t.Errorf("access line = %v, want status 500", access)
	}
}

func TestSetOrgIDWithoutHolder(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	middleware.SetOrgID(r.Context(), "org-1") // must not panic
	if got := middleware.OrgIDFrom(r.Context()); got != "" {
		t.Errorf("OrgIDFrom without a holder = %q", got)
	}
}
