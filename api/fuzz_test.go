package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/omnifytest"
)

var fuzzPaths = []string{"/v1/auth/register", "/v1/auth/login", "/v1/auth/refresh", "/v1/auth/logout"}

// FuzzAuthDecode feeds arbitrary bodies to the unauthenticated endpoints
// through the whole handler: the answer is never a 5xx, and every 4xx is
// problem+json.
func FuzzAuthDecode(f *testing.F) {
	for i := range fuzzPaths {
		for _, body := range []string{
			`{"email":"ana@example.com","password":"omnify test password 7391","org_name":"Acme"}`,
			`{"email":"ana@example.com","password":"omnify test password 7391"}`,
			`{"refresh_token":"abc"}`, `{}`, `[]`, `null`, `{"email":`, "\x00\xff", `{"email":"a@b.c","email":"d@e.f"}`,
			`{"email":"` + strings.Repeat("a", 300) + `@x.com","password":"p","org_name":"x"}`,
		} {
			f.Add(uint8(i), []byte(body))
		}
	}
	srv := omnifytest.NewServer(f)
	h := srv.API.Handler()
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := fuzzPaths[int(which)%len(fuzzPaths)]
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body)
		}
		if rec.Code < 400 {
			return
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Fatalf("POST %s %q: %d with content type %q", path, body, rec.Code, ct)
		}
		var p struct{ Status int }
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code {
			t.Fatalf("POST %s %q: problem %s (%v)", path, body, rec.Body, err)
		}
	})
}
