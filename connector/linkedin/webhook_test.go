package linkedin_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/linkedin"
)

const whSecret = "whs-client-secret"

// sign is LinkedIn's X-LI-Signature, computed here from its description.
func sign(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func leadEvent(at time.Time, action string) []byte {
	b, _ := json.Marshal(map[string]any{
		"type": "LEAD_ACTION", "leadAction": action, "leadType": "SPONSORED",
		"leadGenFormResponse": "urn:li:leadGenFormResponse:(urn:li:sponsoredAccount:508915151,12345)",
		"leadGenForm":         "urn:li:leadGenForm:9876",
		"owner":               map[string]any{"sponsoredAccount": "urn:li:sponsoredAccount:508915151"},
		"occurredAt":          at.UnixMilli(),
	})
	return b
}

func TestChallengeResponse(t *testing.T) {
	t.Parallel()
	code := "f6f5e6ba-f3a5-4cb4-9f3b-3b2f1a6e7c01"
	if got, want := linkedin.ChallengeResponse(code, whSecret), sign(whSecret, []byte(code)); got != want {
		t.Fatalf("ChallengeResponse = %s, want %s", got, want)
	}
	r := linkedin.WebhookRequest{Method: http.MethodGet, URL: "https://omnify.example/webhooks/linkedin_ads?challengeCode=" + code}
	body, err := linkedin.AnswerChallenge(r, map[string]string{"client_secret": whSecret})
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]string
	if err := json.Unmarshal(body, &out); err != nil || out["challengeCode"] != code || out["challengeResponse"] != sign(whSecret, []byte(code)) {
		t.Errorf("challenge answer %s (%v)", body, err)
	}
	if _, err := linkedin.AnswerChallenge(linkedin.WebhookRequest{Method: http.MethodGet, URL: "https://omnify.example/x"},
		map[string]string{"client_secret": whSecret}); !errors.Is(err, linkedin.ErrSignature) {
		t.Errorf("GET without challengeCode: %v", err)
	}
	if _, err := linkedin.AnswerChallenge(r, map[string]string{}); !errors.Is(err, linkedin.ErrSignature) {
		t.Errorf("challenge without a secret: %v", err)
	}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	creds := map[string]string{"client_secret": whSecret}
	body := leadEvent(now.Add(-time.Minute), "CREATED")
	req := func(b []byte, sig string) linkedin.WebhookRequest {
		return linkedin.WebhookRequest{Method: http.MethodPost, URL: "https://omnify.example/webhooks/linkedin_ads",
			Header: http.Header{"X-Li-Signature": {sig}}, Body: b}
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-3] ^= 1
	for _, tc := range []struct {
		name  string
		r     linkedin.WebhookRequest
		creds map[string]string
		ok    bool
	}{
		{"valid", req(body, sign(whSecret, body)), creds, true},
		{"valid with prefix", req(body, "hmacsha256="+sign(whSecret, body)), creds, true},
		{"tampered body", req(tampered, sign(whSecret, body)), creds, false},
		{"wrong secret", req(body, sign("other", body)), creds, false},
		{"no signature", req(body, ""), creds, false},
		{"not hex", req(body, "zz"+sign(whSecret, body)[2:]), creds, false},
		{"no secret configured", req(body, sign(whSecret, body)), map[string]string{}, false},
		{"stale", req(leadEvent(now.Add(-2*time.Hour), "CREATED"), sign(whSecret, leadEvent(now.Add(-2*time.Hour), "CREATED"))), creds, false},
		{"from the future", req(leadEvent(now.Add(time.Hour), "CREATED"), sign(whSecret, leadEvent(now.Add(time.Hour), "CREATED"))), creds, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wh, err := linkedin.VerifyWebhook(tc.r, tc.creds, now)
			if !tc.ok {
				if !errors.Is(err, linkedin.ErrSignature) {
					t.Errorf("got %+v, %v; want ErrSignature", wh, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if wh.Topic != "LEAD_ACTION.CREATED" || !slices.Equal(wh.Streams, []string{linkedin.StreamAdAnalytics}) || wh.EventID == "" {
				t.Errorf("webhook %+v", wh)
			}
		})
	}
}

// A replayed delivery keeps its event ID (the receiver drops repeats);
// different events get different IDs; types map to streams.
func TestWebhookEventIDsAndStreams(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	creds := map[string]string{"client_secret": whSecret}
	verify := func(b []byte) linkedin.Webhook {
		t.Helper()
		wh, err := linkedin.VerifyWebhook(linkedin.WebhookRequest{Method: http.MethodPost,
			Header: http.Header{"X-Li-Signature": {sign(whSecret, b)}}, Body: b}, creds, now)
		if err != nil {
			t.Fatal(err)
		}
		return wh
	}
	created := leadEvent(now.Add(-time.Minute), "CREATED")
	if a, b := verify(created), verify(created); a.EventID != b.EventID {
		t.Errorf("replay changed the event ID: %s, %s", a.EventID, b.EventID)
	}
	if a, b := verify(created), verify(leadEvent(now.Add(-time.Minute), "DELETED")); a.EventID == b.EventID {
		t.Errorf("created and deleted share event ID %s", a.EventID)
	}
	for typ, want := range map[string][]string{
		"SPONSORED_CAMPAIGN_UPDATED": {linkedin.StreamCampaigns, linkedin.StreamAdAnalytics},
		"DMP_SEGMENT_UPDATED":        {linkedin.StreamAudiences},
		"SOMETHING_NEW":              nil,
	} {
		b := []byte(fmt.Sprintf(`{"type":%q,"notificationId":42,"occurredAt":%d}`, typ, now.UnixMilli()))
		wh := verify(b)
		if !slices.Equal(wh.Streams, want) || wh.EventID != "42" || wh.Topic != typ {
			t.Errorf("%s: %+v, want streams %v", typ, wh, want)
		}
	}
}
