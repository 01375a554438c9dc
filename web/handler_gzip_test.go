package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/omnify-cloud/omnify/web"
)

// bigScript is large enough to be worth compressing.
var bigScript = strings.Repeat("export const answer = 42;\n", 200)

func gzipFS() fstest.MapFS {
	return fstest.MapFS{
		"index.html":         {Data: []byte(indexHTML + strings.Repeat("<!-- padding -->\n", 100))},
		"assets/app-1a2b.js": {Data: []byte(bigScript)},
		"assets/tiny-3c.css": {Data: []byte("a{}")},
		"assets/logo-9f.png": {Data: bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 500)},
	}
}

func TestHandlerCompresses(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(gzipFS())
	tests := []struct {
		name, path, acceptEncoding string
		wantGzip                   bool
	}{
		{"script for a gzip client", "/assets/app-1a2b.js", "gzip, deflate, br", true},
		{"index for a gzip client", "/", "br;q=1.0, gzip;q=0.8", true},
		{"client route for a gzip client", "/home", "gzip", true},
		{"wildcard coding", "/assets/app-1a2b.js", "*", true},
		{"client without gzip", "/assets/app-1a2b.js", "", false},
		{"gzip refused with q=0", "/assets/app-1a2b.js", "gzip;q=0", false},
		{"tiny file stays plain", "/assets/tiny-3c.css", "gzip", false},
		{"image stays plain", "/assets/logo-9f.png", "gzip", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("GET", tc.path, nil)
			if tc.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tc.acceptEncoding)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			gotGzip := rec.Header().Get("Content-Encoding") == "gzip"
			if gotGzip != tc.wantGzip {
				t.Fatalf("Content-Encoding = %q, want gzip: %v", rec.Header().Get("Content-Encoding"), tc.wantGzip)
			}
			want, _ := gzipFS()[strings.TrimPrefix(tc.path, "/")]
			if want == nil {
				want = gzipFS()["index.html"]
			}
			body := rec.Body.Bytes()
			if gotGzip {
				body = gunzip(t, body)
			}
			if !bytes.Equal(body, want.Data) {
				t.Errorf("decoded body differs from the file (%d vs %d bytes)", len(body), len(want.Data))
			}
		})
	}
}

func TestHandlerGzipVariesAndTagsSeparately(t *testing.T) {
	t.Parallel()
	h := web.NewHandler(gzipFS())
	get := func(enc string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept-Encoding", enc)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	plain, zipped := get(""), get("gzip")
	if v := zipped.Header().Get("Vary"); v != "Accept-Encoding" {
		t.Errorf("Vary = %q, want Accept-Encoding", v)
	}
	if plain.Header().Get("ETag") == zipped.Header().Get("ETag") {
		t.Errorf("plain and gzip responses share ETag %s", plain.Header().Get("ETag"))
	}
	if zipped.Body.Len() >= plain.Body.Len() {
		t.Errorf("gzip body %d bytes, plain %d: not smaller", zipped.Body.Len(), plain.Body.Len())
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip reader: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}
