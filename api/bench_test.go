package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/omnifytest"
)

// The benchmarks below serve requests in-process, without the network:
// a bare handler writing /v1/me's document, the pipeline alone (/health),
// and GET /v1/me through everything. Their ratios show where time goes.

func BenchmarkBareHandler(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		me := api.Me{User: api.UserView{ID: "u", Email: "ana@example.com"}, Org: api.OrgView{ID: "o", Name: "Acme"},
			Role: "owner", Memberships: []api.MembershipView{{OrgID: "o", OrgName: "Acme", Role: "owner"}}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(me)
	})
	serve(b, h, "/", "")
}

func BenchmarkHealth(b *testing.B) {
	srv := omnifytest.NewServer(b)
	serve(b, srv.API.Handler(), "/health", "")
}

func BenchmarkMe(b *testing.B) {
	srv := omnifytest.NewServer(b)
	s := srv.Register(b, "ana@example.com", "Acme")
	serve(b, srv.API.Handler(), "/v1/me", s.Token)
}

func serve(b *testing.B, h http.Handler, path, token string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("GET %s: status %d", path, rec.Code)
			}
		}
	})
}
