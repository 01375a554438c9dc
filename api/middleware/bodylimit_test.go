package middleware_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/api/middleware"
)

// echo reads the whole body and answers with its length, or 400 when the
// read fails, as a careless handler would.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "bad body: "+err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "%d", len(b))
})

func TestBodyLimit(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		chunked    bool
		wantStatus int
		wantBody   string
	}{
		{"empty", "", false, 200, "0"},
		{"under", strings.Repeat("x", 99), false, 200, "99"},
		{"exactly", strings.Repeat("x", 100), false, 200, "100"},
		{"declared over", strings.Repeat("x", 101), false, 413, ""},
		{"streamed under", strings.Repeat("x", 100), true, 200, "100"},
		{"streamed over", strings.Repeat("x", 5000), true, 413, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			h := middleware.BodyLimit(100)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				echo(w, r)
			}))
			var body io.Reader = strings.NewReader(tc.body)
			if tc.chunked {
				body = io.MultiReader(body) // hides the length
			}
			r := httptest.NewRequest("POST", "/v1/import", body)
			if tc.chunked {
				r.ContentLength = -1
			}
			w := serve(h, r)
			if tc.wantStatus == 413 {
				p := mustProblem(t, w, 413)
				if strings.Contains(w.Body.String(), "bad body") || p.Detail == "" {
					t.Errorf("handler's answer leaked through: %q", w.Body.String())
				}
				if !tc.chunked && called {
					t.Error("handler ran for a declared oversize body")
				}
				return
			}
			if w.Code != tc.wantStatus || w.Body.String() != tc.wantBody {
				t.Errorf("got %d %q, want %d %q", w.Code, w.Body.String(), tc.wantStatus, tc.wantBody)
			}
		})
	}
}

func TestBodyLimitKeepsHandlers413(t *testing.T) {
	h := middleware.BodyLimit(10)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		if !middleware.IsTooLarge(err) {
			t.Errorf("read error %v, want IsTooLarge", err)
		}
		middleware.WriteProblem(w, r, http.StatusRequestEntityTooLarge, "", "import file over 10 bytes")
	}))
	r := httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader(strings.Repeat("x", 50))))
	r.ContentLength = -1
	if p := mustProblem(t, serve(h, r), 413); p.Detail != "import file over 10 bytes" {
		t.Errorf("detail = %q, want the handler's own", p.Detail)
	}
}

func TestIsTooLarge(t *testing.T) {
	wrapped := fmt.Errorf("decode: %w", &http.MaxBytesError{Limit: 1})
	for err, want := range map[error]bool{wrapped: true, errors.New("x"): false, io.ErrUnexpectedEOF: false} {
		if got := middleware.IsTooLarge(err); got != want {
			t.Errorf("IsTooLarge(%v) = %v", err, got)
		}
	}
}
