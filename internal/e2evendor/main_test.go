package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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

// TestInspectorShowsMembersWithConsent puts profiles into a list through
// the fake's own API, as the connector does, and reads them back.
func TestInspectorShowsMembersWithConsent(t *testing.T) {
	kl := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 8, Lists: 1, Seed: 7})
	list := kl.IDs("lists")[0]
	emails := []string{"customer1@example.com", "customer4@example.com", "customer6@example.com"}
	var refs []string
	for _, e := range emails {
		refs = append(refs, fmt.Sprintf(`{"type":"profile","id":%q}`, kl.ProfileID(e)))
	}
	req, _ := http.NewRequest(http.MethodPost, kl.URL+"/api/lists/"+list+"/relationships/profiles",
		strings.NewReader(`{"data":[`+strings.Join(refs, ",")+`]}`))
	req.Header.Set("Authorization", "Klaviyo-API-Key "+klaviyotest.Key)
	req.Header.Set("revision", klaviyotest.Revision)
	req.Header.Set("Content-Type", "application/vnd.api+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("add to list: status %d", res.StatusCode)
	}

	rec := httptest.NewRecorder()
	inspector(kl).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_audience?list=List+1", nil))
	var out struct {
		List    string   `json:"list"`
		Members []member `json:"members"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	if len(out.Members) != len(emails) {
		t.Fatalf("members %+v, want %v", out.Members, emails)
	}
	for i, m := range out.Members {
		if m.Email != emails[i] || m.Consent == "" || m.Consent != kl.EmailConsent(m.Email) {
			t.Errorf("member %d: %+v, want %s with its consent %q", i, m, emails[i], kl.EmailConsent(emails[i]))
		}
	}
}
