package middleware_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/api/middleware"
)

func TestRecover(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		problem    bool
		logged     string
	}{
		{"string panic", func(http.ResponseWriter, *http.Request) { panic("db password is hunter2") }, 500, true, "hunter2"},
		{"error panic", func(http.ResponseWriter, *http.Request) { panic(errors.New("db password is hunter2")) }, 500, true, "hunter2"},
		{"nil map", func(http.ResponseWriter, *http.Request) {
			var m map[string]int
			//lint:ignore SA5000 the handler panics on purpose
			m["hunter2"]++
		}, 500, true, "nil map"},
		{"after headers", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			panic("db password is hunter2")
		}, http.StatusAccepted, false, ""},
		{"no panic", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }, http.StatusTeapot, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf logBuffer
			h := middleware.Chain(tc.handler, middleware.RequestID(), middleware.Recover(buf.logger()))
			w := serve(h, httptest.NewRequest("GET", "/v1/x", nil))
			if strings.Contains(w.Body.String(), "hunter2") {
				t.Errorf("panic text leaked to the client: %q", w.Body.String())
			}
			if !tc.problem {
				if w.Code != tc.wantStatus {
					t.Errorf("status = %d, want %d", w.Code, tc.wantStatus)
				}
				return
			}
			p := mustProblem(t, w, http.StatusInternalServerError)
			if p.Detail != "internal error" || p.Instance != "/v1/x" {
				t.Errorf("problem = %+v", p)
			}
			lines := buf.lines(t)
			if len(lines) != 1 || !strings.Contains(lines[0]["stack"].(string), "recover_test.go") ||
				!strings.Contains(lines[0]["panic"].(string), tc.logged) || lines[0]["request_id"] == "" {
				t.Errorf("log = %v, want the panic, its stack and the request ID", lines)
			}
		})
	}
}

func TestRecoverReraisesAbort(t *testing.T) {
	var buf logBuffer
	h := middleware.Recover(buf.logger())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
		if buf.Len() != 0 {
			t.Errorf("aborted request logged: %s", buf.String())
		}
	}()
	serve(h, httptest.NewRequest("GET", "/", nil))
	t.Error("ErrAbortHandler was swallowed")
}
