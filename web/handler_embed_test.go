//go:build !no_ui

package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/omnify-cloud/omnify/web"
)

// The embedded build may or may not exist in a checkout; either way the
// handler must answer the root page, with the build or with the not-built page.
func TestEmbeddedHandlerAnswersRoot(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	if h == nil {
		t.Fatal("Handler() = nil in a build with the UI")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusOK && rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET / status = %d, want 200 (built) or 503 (not built)", rec.Code)
	}
}
