package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/omnify-cloud/omnify/web"
)

const indexHTML = `<!doctype html><html><body><div id="root"></div></body></html>`

func builtFS() fstest.MapFS {
	return fstest.MapFS{
		"index.html":              {Data: []byte(indexHTML)},
		"assets/index-3f9a1c.js":  {Data: []byte("console.log('app')")},
		"assets/index-77aa10.css": {Data: []byte("body{margin:0}")},
		"robots.txt":              {Data: []byte("User-agent: *\n")},
		".gitkeep":                {Data: nil},
	}
}

func TestHandlerServesBuild(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(builtFS())
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantBody           string // substring; empty means not checked
		wantCache          string
		wantType           string
	}{
		{"root is index", "GET", "/", 200, `<div id="root">`, "no-cache", "text/html"},
		{"index by name", "GET", "/index.html", 200, `<div id="root">`, "no-cache", "text/html"},
		{"client route falls back", "GET", "/home", 200, `<div id="root">`, "no-cache", "text/html"},
		{"nested client route falls back", "GET", "/orgs/42/members", 200, `<div id="root">`, "no-cache", "text/html"},
		{"hashed script cached forever", "GET", "/assets/index-3f9a1c.js", 200, "console.log", "public, max-age=31536000, immutable", "text/javascript"},
		{"hashed style cached forever", "GET", "/assets/index-77aa10.css", 200, "margin:0", "public, max-age=31536000, immutable", "text/css"},
		{"plain file revalidated", "GET", "/robots.txt", 200, "User-agent", "no-cache", "text/plain"},
		{"missing asset is 404", "GET", "/assets/index-old.js", 404, "not found", "", ""},
		{"missing extensionless asset is 404", "GET", "/assets/gone", 404, "not found", "", ""},
		{"missing file with extension is 404", "GET", "/favicon.ico", 404, "not found", "", ""},
		{"unknown API path is 404", "GET", "/v1/nothing", 404, "not found", "", ""},
		{"bare API prefix is 404", "GET", "/v1", 404, "not found", "", ""},
		{"dot segments stay inside the build", "GET", "/../../etc/passwd.txt", 404, "not found", "", ""},
		{"dot segments resolve within the build", "GET", "/assets/../../robots.txt", 200, "User-agent", "no-cache", "text/plain"},
		{"dot segments to a route fall back", "GET", "/a/../../home", 200, `<div id="root">`, "no-cache", "text/html"},
		{"head has no body", "HEAD", "/home", 200, "", "no-cache", "text/html"},
		{"post is refused", "POST", "/home", 405, "method not allowed", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			res := rec.Result()
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tc.wantStatus)
			}
			body := rec.Body.String()
			if !strings.Contains(body, tc.wantBody) {
				t.Errorf("body %q does not contain %q", body, tc.wantBody)
			}
			if tc.method == "HEAD" && body != "" {
				t.Errorf("HEAD returned a body of %d bytes", len(body))
			}
			if got := res.Header.Get("Cache-Control"); tc.wantCache != "" && got != tc.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.wantCache)
			}
			if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, tc.wantType) {
				t.Errorf("Content-Type = %q, want prefix %q", got, tc.wantType)
			}
		})
	}
}

func TestHandlerIndexHeaders(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	web.NewHandler(builtFS()).ServeHTTP(rec, httptest.NewRequest("GET", "/signin", nil))
	hdr := rec.Result().Header
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q, want script-src limited to self", csp)
	}
	if got := hdr.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
}

func TestHandlerRevalidatesWithETag(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(builtFS())
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest("GET", "/", nil))
	etag := first.Result().Header.Get("ETag")
	if etag == "" {
		t.Fatal("index.html served without an ETag")
	}
	req := httptest.NewRequest("GET", "/home", nil)
	req.Header.Set("If-None-Match", etag)
	second := httptest.NewRecorder()
	h.ServeHTTP(second, req)
	if second.Code != http.StatusNotModified {
		t.Errorf("conditional GET status = %d, want 304", second.Code)
	}
}

func TestHandlerNotBuilt(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(fstest.MapFS{".gitkeep": {Data: nil}})
	for _, p := range []string{"/", "/home", "/assets/index.js"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("GET %s status = %d, want 503", p, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "make web") {
			t.Errorf("GET %s body does not tell how to build: %q", p, rec.Body.String())
		}
	}
}
