package klaviyo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
)

// payloadServer answers each endpoint with a payload from testdata/, as
// Klaviyo shapes it, after checking the headers Klaviyo requires.
func payloadServer(t *testing.T) *httptest.Server {
	t.Helper()
	files := map[string]string{"/api/profiles": "profiles.json", "/api/lists": "lists.json", "/api/segments": "segments.json",
		"/api/metrics": "metrics.json", "/api/events": "events.json"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Klaviyo-API-Key pk_golden123" || r.Header.Get("revision") != klaviyo.Revision {
			http.Error(w, `{"errors":[]}`, http.StatusUnauthorized)
			return
		}
		name := files[r.URL.Path]
		if r.URL.Path == "/api/campaigns" {
			name = "campaigns_" + strings.Trim(strings.TrimPrefix(r.URL.Query().Get("filter"), "equals(messages.channel,"), "')") + ".json"
		}
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			b = []byte(`{"data":[],"links":{"self":"x","next":null}}`)
		}
		w.Header().Set("Content-Type", "application/vnd.api+json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestGoldenMapping reads every stream from recorded Klaviyo payloads and
// compares the records with testdata/<stream>.golden.json.
func TestGoldenMapping(t *testing.T) {
	t.Parallel()
	srv := payloadServer(t)
	conn := connector.Connection{ID: "c1", Credentials: map[string]string{"api_key": "pk_golden123"},
		Config: map[string]string{"currency": "JPY"}, HTTP: srv.Client(), BaseURL: srv.URL}
	for _, s := range klaviyo.New().Streams() {
		t.Run(s.Name, func(t *testing.T) {
			var rec recorder
			if err := klaviyo.New().Read(context.Background(), conn, s.Name, nil, &rec); err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(rec.records, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			connectortest.Golden(t, s.Name+".golden.json", append(got, '\n'))
		})
	}
}
