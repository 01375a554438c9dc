package webhook_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/webhook"
)

// challengeEnv serves a receiver whose "linkedin_ads" platform answers
// challenges with the HMAC of the code, and whose verifier records the URL
// it was given.
func challengeEnv(t *testing.T) (*env, *[]string) {
	t.Helper()
	e := newEnv(t)
	conn := &omnify.Connection{ID: "conn-li", OrgID: "org-1", Platform: "linkedin_ads", Name: "Ads",
		Health: omnify.HealthHealthy, CredentialsCiphertext: []byte{1}}
	if err := e.db.CreateConnection(t.Context(), conn); err != nil {
		t.Fatal(err)
	}
	var urls []string
	rc := &webhook.Receiver{Connections: e.db, Syncer: e.sync, Audit: e.db, PublicURL: "https://omnify.example.com/",
		NewID: func() string { return fmt.Sprint(time.Now().UnixNano()) },
		Verifiers: map[string]webhook.Verifier{"linkedin_ads": func(r webhook.Request, creds map[string]string, now time.Time) (webhook.Delivery, error) {
			urls = append(urls, r.Method+" "+r.URL)
			return verify(r, creds, now)
		}},
		Challengers: map[string]webhook.Challenger{"linkedin_ads": func(q url.Values, creds map[string]string) (any, error) {
			code := q.Get("challengeCode")
			if code == "" {
				return nil, fmt.Errorf("%w: no challengeCode", webhook.ErrSignature)
			}
			return map[string]string{"challengeCode": code, "challengeResponse": sign(creds["secret"], []byte(code))}, nil
		}},
	}
	mux := http.NewServeMux()
	mux.Handle(webhook.Pattern, rc)
	mux.Handle(webhook.ChallengePattern, rc)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e, &urls
}

func TestChallenge(t *testing.T) {
	e, _ := challengeEnv(t)
	for _, tc := range []struct {
		name, path string
		status     int
		response   string
	}{
		{"answered with the HMAC of the code", "/webhooks/linkedin_ads/conn-li?challengeCode=abc", 200, sign("s3cret-conn-li", []byte("abc"))},
		{"no code", "/webhooks/linkedin_ads/conn-li", 400, ""},
		{"platform without challenges", "/webhooks/shopify/conn-1?challengeCode=abc", 404, ""},
		{"unknown connection", "/webhooks/linkedin_ads/nope?challengeCode=abc", 404, ""},
		{"connection of another platform", "/webhooks/linkedin_ads/conn-1?challengeCode=abc", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(e.srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			var body map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if body["challengeCode"] != "abc" || body["challengeResponse"] != tc.response {
				t.Errorf("body = %v", body)
			}
		})
	}
	if !slices.Contains(e.actions(t), "webhook.rejected") {
		t.Errorf("a malformed challenge left no audit event: %v", e.actions(t))
	}
}

func TestVerifierGetsThePublicURL(t *testing.T) {
	e, urls := challengeEnv(t)
	body := []byte(`{"id":1}`)
	if got := e.post(t, "/webhooks/linkedin_ads/conn-li?x=1", sign("s3cret-conn-li", body), "ev-1", "lead", body); got != 200 {
		t.Fatalf("status %d", got)
	}
	want := []string{"POST https://omnify.example.com/webhooks/linkedin_ads/conn-li?x=1"}
	if !slices.Equal(*urls, want) {
		t.Errorf("verifier saw %v, want %v", *urls, want)
	}
}
