package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/omnify-cloud/omnify/api/middleware"
)

func TestChainOrder(t *testing.T) {
	var order []string
	mw := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	inner := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { order = append(order, "handler") })
	serve(middleware.Chain(inner, mw("a"), mw("b"), mw("c")), httptest.NewRequest("GET", "/", nil))
	if want := []string{"a", "b", "c", "handler"}; !slices.Equal(order, want) {
		t.Errorf("order = %v, want %v", order, want)
	}
	if serve(middleware.Chain(ok), httptest.NewRequest("GET", "/", nil)).Body.String() != "ok" {
		t.Error("empty chain did not reach the handler")
	}
}

func TestWriteProblem(t *testing.T) {
	tests := []struct {
		status        int
		title, detail string
		wantTitle     string
	}{
		{http.StatusNotFound, "", "no such endpoint", "Not Found"},
		{http.StatusConflict, "Email taken", "", "Email taken"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/v1/things/7?token=secret", nil)
		w := httptest.NewRecorder()
		w.Header().Set("Content-Length", "99")
		middleware.WriteProblem(w, r, tc.status, tc.title, tc.detail)
		p := mustProblem(t, w, tc.status)
		want := middleware.Problem{Type: "about:blank", Title: tc.wantTitle, Status: tc.status, Detail: tc.detail, Instance: "/v1/things/7"}
		if p != want {
			t.Errorf("problem = %+v, want %+v", p, want)
		}
		if w.Header().Get("Content-Length") != "" {
			t.Error("stale Content-Length kept")
		}
	}
}
