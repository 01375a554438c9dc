package gohighlevel_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
)

func indent(t *testing.T, raw []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		t.Fatalf("not JSON: %s", raw)
	}
	return append(out.Bytes(), '\n')
}

// call makes one request to the fake as HighLevel's clients do.
func call(t *testing.T, srv *gohighleveltest.Server, method, path, body string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+srv.Options().Token)
	req.Header.Set("Version", gohighleveltest.Version)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := srv.Connection().HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	return indent(t, raw)
}

// goldenPages are the vendor answers the mapping test replays.
var goldenPages = map[string]struct{ method, path, body string }{
	"contacts_page.json": {http.MethodPost, "/contacts/search",
		`{"locationId":"loc_omnify_test","pageLimit":100,"sort":[{"field":"dateUpdated","direction":"asc"}]}`},
	"opportunities_page.json": {http.MethodGet, "/opportunities/search?location_id=loc_omnify_test&limit=100", ""},
	"campaigns_page.json":     {http.MethodGet, "/campaigns/?locationId=loc_omnify_test", ""},
	"workflows_page.json":     {http.MethodGet, "/workflows/?locationId=loc_omnify_test", ""},
}

// The fake answers in HighLevel's shapes; the golden pages are the vendor
// payloads the mapping test below reads.
func TestGoldenVendorPayloads(t *testing.T) {
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 4, Opportunities: 2, Campaigns: 2, Workflows: 2, Seed: 1})
	for name, p := range goldenPages {
		connectortest.Golden(t, name, call(t, srv, p.method, p.path, p.body))
	}
}

// stub answers every stream's request with its recorded page.
func stub(t *testing.T) connector.Connection {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, p := range goldenPages {
			if strings.HasPrefix(p.path, r.URL.Path) && r.Method == p.method {
				http.ServeFile(w, r, filepath.Join("testdata", name))
				return
			}
		}
		http.NotFound(w, r)
	})
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return connector.Connection{ID: "stub", Credentials: map[string]string{"location_id": "loc_omnify_test", "access_token": "x"},
		HTTP: s.Client(), BaseURL: s.URL}
}

func TestGoldenMapping(t *testing.T) {
	for _, stream := range []string{"contacts", "opportunities", "campaigns", "workflows"} {
		t.Run(stream, func(t *testing.T) {
			var rec collector
			if err := gohighlevel.New().Read(t.Context(), stub(t), stream, nil, &rec); err != nil {
				t.Fatal(err)
			}
			out, err := json.MarshalIndent(rec.records, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			connectortest.Golden(t, stream+"_records.json", append(out, '\n'))
		})
	}
}
