package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
)

func TestInspector(t *testing.T) {
	kl := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 10, Lists: 2, Seed: 7})
	h := inspector(kl)
	tests := []struct {
		name, query string
		status      int
	}{
		{"list by name", "?list=List+1", http.StatusOK},
		{"list by ID", "?list=" + kl.IDs("lists")[1], http.StatusOK},
		{"unknown list", "?list=Nobody", http.StatusNotFound},
		{"no list named", "", http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_audience"+tc.query, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status != http.StatusOK {
				return
			}
			var out struct {
				Members []member `json:"members"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if out.Members == nil || len(out.Members) != 0 {
				t.Fatalf("members %v, want an empty list", out.Members)
			}
		})
	}
}

func TestRunRefusesBadProfiles(t *testing.T) {
	for _, n := range []string{"0", "100001"} {
		if err := run([]string{"-profiles", n}); err == nil {
			t.Errorf("-profiles %s: no error", n)
		}
	}
}
