package triplewhale_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/triplewhale"
	"github.com/omnify-cloud/omnify/connector/triplewhale/triplewhaletest"
)

const goldenBody = `{"shopDomain":"omnify-whale.myshopify.com","period":{"start":"2026-11-20","end":"2026-11-20"},"todayHour":25}`

// The fake's summary-page answer for one day and three services, kept as
// the vendor payload the mapping test replays.
func TestGoldenVendorPayload(t *testing.T) {
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 1, Channels: []string{"facebook-ads", "google-ads", "klaviyo"}})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v2/summary-page/get-data", strings.NewReader(goldenBody))
	req.Header.Set("x-api-key", "tw-key-test")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		t.Fatalf("%d %s", res.StatusCode, raw)
	}
	connectortest.Golden(t, "summary_day.json", append(out.Bytes(), '\n'))
}

func TestGoldenMapping(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var got, want any
		_ = json.Unmarshal(body, &got)
		_ = json.Unmarshal([]byte(goldenBody), &want)
		if r.URL.Path != "/summary-page/get-data" || !reflect.DeepEqual(got, want) {
			http.Error(w, "unexpected request "+r.URL.Path+" "+string(body), http.StatusBadRequest)
			return
		}
		http.ServeFile(w, r, filepath.Join("testdata", "summary_day.json"))
	}))
	t.Cleanup(s.Close)
	c := triplewhale.New()
	c.Now = func() time.Time { return time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC) }
	conn := connector.Connection{Credentials: map[string]string{"api_key": "k", "shop_domain": triplewhaletest.Shop},
		Config: map[string]string{"start_date": "2026-11-20"}, HTTP: s.Client(), BaseURL: s.URL}
	var rec collector
	if err := c.Read(t.Context(), conn, triplewhale.StreamDailyMetrics, nil, &rec); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(rec.records, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	connectortest.Golden(t, "summary_day_records.json", append(out, '\n'))
}
