package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/omnify-cloud/omnify/omnifytest"
)

// BenchmarkMe measures GET /v1/me through the whole handler, middleware
// included, without the network.
func BenchmarkMe(b *testing.B) {
	srv := omnifytest.NewServer(b)
	s := srv.Register(b, "ana@example.com", "Acme")
	h := srv.API.Handler()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+s.Token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}
