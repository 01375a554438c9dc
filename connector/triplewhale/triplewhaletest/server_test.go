package triplewhaletest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/triplewhale/triplewhaletest"
)

func post(t *testing.T, srv *triplewhaletest.Server, key, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v2/summary-page/get-data", strings.NewReader(body))
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 1, Today: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	body := func(shop, start, end string) string {
		return `{"shopDomain":"` + shop + `","period":{"start":"` + start + `","end":"` + end + `"},"todayHour":25}`
	}
	for _, tc := range []struct {
		name, key, body string
		status          int
	}{
		{"valid", "tw-key-test", body(triplewhaletest.Shop, "2026-11-01", "2026-11-01"), 200},
		{"no key", "", body(triplewhaletest.Shop, "2026-11-01", "2026-11-01"), 401},
		{"wrong key", "other", body(triplewhaletest.Shop, "2026-11-01", "2026-11-01"), 401},
		{"no shop", "tw-key-test", body("", "2026-11-01", "2026-11-01"), 400},
		{"another shop", "tw-key-test", body("else.myshopify.com", "2026-11-01", "2026-11-01"), 403},
		{"end before start", "tw-key-test", body(triplewhaletest.Shop, "2026-11-02", "2026-11-01"), 400},
		{"future", "tw-key-test", body(triplewhaletest.Shop, "2026-11-26", "2026-11-26"), 400},
		{"too long", "tw-key-test", body(triplewhaletest.Shop, "2026-09-01", "2026-11-01"), 400},
		{"not a date", "tw-key-test", body(triplewhaletest.Shop, "11/01/2026", "2026-11-01"), 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := post(t, srv, tc.key, tc.body); res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 2, Limit: 2, Window: time.Minute, Now: func() time.Time { return now }})
	body := `{"shopDomain":"` + triplewhaletest.Shop + `","period":{"start":"2026-11-01","end":"2026-11-01"}}`
	for range 2 {
		if res := post(t, srv, "tw-key-test", body); res.StatusCode != 200 || res.Header.Get("RateLimit-Policy") != "2;w=60" {
			t.Fatalf("%d %v", res.StatusCode, res.Header)
		}
	}
	res := post(t, srv, "tw-key-test", body)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "60" || !strings.Contains(res.Header.Get("RateLimit"), "remaining=0") {
		t.Fatalf("over the limit: %d %v", res.StatusCode, res.Header)
	}
}
