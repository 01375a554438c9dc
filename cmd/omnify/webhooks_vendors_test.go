package main

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/webhook"
)

// vendorCase is one platform's correctly signed delivery.
type vendorCase struct {
	platform string
	creds    map[string]string
	req      func(now time.Time) webhook.Request
	event    string
	streams  []string
}

var hookNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func vendorCases() []vendorCase {
	return []vendorCase{
		{
			platform: connector.HubSpot,
			creds:    map[string]string{"access_token": "pat-na1-x", hubspot.WebhookSecretKey: "hs-secret"},
			req: func(now time.Time) webhook.Request {
				body := []byte(`[{"eventId":42,"subscriptionId":4,"portalId":62515,"occurredAt":1764071990000,"subscriptionType":"contact.propertyChange","objectId":123,"propertyName":"email","propertyValue":"a@b.com"}]`)
				url := "https://omnify.example.com/webhooks/hubspot/conn-1"
				ts := strconv.FormatInt(now.UnixMilli(), 10)
				h := http.Header{}
				h.Set("X-HubSpot-Request-Timestamp", ts)
				h.Set("X-HubSpot-Signature-v3", base64.StdEncoding.EncodeToString(hubspot.SignV3("hs-secret", "POST", url, body, ts)))
				return webhook.Request{Method: "POST", URL: url, Header: h, Body: body}
			},
			event: "42", streams: []string{hubspot.StreamContacts},
		},
		{
			platform: connector.Klaviyo,
			creds:    map[string]string{"api_key": "pk_x1234567890", klaviyo.WebhookSecretKey: "kl-secret"},
			req: func(now time.Time) webhook.Request {
				body := []byte(`{"data":[{"external_id":"EVT1","topic":"event:klaviyo.opened_email","payload":{"type":"event","id":"EVT1"}}],"meta":{"klaviyo_account_id":"AbC123","klaviyo_webhook_id":"01WEBHOOK"}}`)
				ts := strconv.FormatInt(now.Unix(), 10)
				h := http.Header{}
				h.Set("Klaviyo-Timestamp", ts)
				h.Set("Klaviyo-Webhook-Id", "01WEBHOOK")
				h.Set("Klaviyo-Signature", hex.EncodeToString(klaviyo.Sign([]byte("kl-secret"), body, ts)))
				return webhook.Request{Method: "POST", URL: "https://omnify.example.com/webhooks/klaviyo/conn-1", Header: h, Body: body}
			},
			event: "EVT1", streams: []string{"events"},
		},
		{
			platform: connector.LinkedInAds,
			creds:    map[string]string{"client_id": "77abc", linkedin.WebhookSecretKey: "li-secret"},
			req: func(now time.Time) webhook.Request {
				body := []byte(`{"type":"LEAD_ACTION","leadAction":"CREATED","leadType":"SPONSORED","leadGenForm":"urn:li:leadGenForm:9876",` +
					`"owner":{"sponsoredAccount":"urn:li:sponsoredAccount:508915151"},"occurredAt":` + strconv.FormatInt(now.UnixMilli(), 10) + `}`)
				h := http.Header{}
				h.Set("X-LI-Signature", hex.EncodeToString(hmacSHA256("li-secret", body)))
				return webhook.Request{Method: "POST", URL: "https://omnify.example.com/webhooks/linkedin_ads/conn-1", Header: h, Body: body}
			},
			streams: []string{linkedin.StreamAdAnalytics},
		},
	}
}

func hmacSHA256(key string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return m.Sum(nil)
}

func TestLinkedInChallenge(t *testing.T) {
	got, err := linkedinChallenge(url.Values{"challengeCode": {"890e4665-4dfe-4ab1-b689-ed553bceeed0"}}, map[string]string{linkedin.WebhookSecretKey: "li-secret"})
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if err := json.Unmarshal(got.(json.RawMessage), &body); err != nil {
		t.Fatal(err)
	}
	want := hex.EncodeToString(hmacSHA256("li-secret", []byte("890e4665-4dfe-4ab1-b689-ed553bceeed0")))
	if body["challengeCode"] != "890e4665-4dfe-4ab1-b689-ed553bceeed0" || body["challengeResponse"] != want {
		t.Errorf("challenge answer = %v, want response %s", body, want)
	}
	if _, err := linkedinChallenge(url.Values{}, map[string]string{linkedin.WebhookSecretKey: "li-secret"}); !errors.Is(err, webhook.ErrSignature) {
		t.Errorf("a GET without a code: err = %v", err)
	}
}

// TestVendorWebhooks drives each platform's registered verifier the way the
// receiver does: a signed delivery names its event and the streams to sync;
// a tampered body, a wrong secret or a stale delivery is a signature error,
// which the receiver turns into 401 and an audit event.
func TestVendorWebhooks(t *testing.T) {
	verifiers := webhookVerifiers("")
	for _, vc := range vendorCases() {
		t.Run(vc.platform, func(t *testing.T) {
			verify, ok := verifiers[vc.platform]
			if !ok {
				t.Fatalf("no verifier registered for %s", vc.platform)
			}
			d, err := verify(vc.req(hookNow), vc.creds, hookNow)
			if err != nil {
				t.Fatalf("signed delivery refused: %v", err)
			}
			if d.EventID == "" || (vc.event != "" && d.EventID != vc.event) || !slices.Equal(d.Streams, vc.streams) {
				t.Errorf("delivery = %+v, want event %q streams %v", d, vc.event, vc.streams)
			}
			tampered := vc.req(hookNow)
			tampered.Body = append(append([]byte{}, tampered.Body...), ' ')
			wrong := map[string]string{}
			for k, v := range vc.creds {
				wrong[k] = v + "-other"
			}
			for name, try := range map[string]func() error{
				"tampered body": func() error { _, err := verify(tampered, vc.creds, hookNow); return err },
				"wrong secret":  func() error { _, err := verify(vc.req(hookNow), wrong, hookNow); return err },
				"stale":         func() error { _, err := verify(vc.req(hookNow.Add(-2*time.Hour)), vc.creds, hookNow); return err },
			} {
				if err := try(); !errors.Is(err, webhook.ErrSignature) {
					t.Errorf("%s: err = %v, want a signature error", name, err)
				}
			}
		})
	}
}

// TestGoHighLevelWebhookKey checks HighLevel's Ed25519 signature against the
// operator's key (OMNIFY_GOHIGHLEVEL_WEBHOOK_KEY) when the connection has
// none, and refuses every delivery while no key is configured.
func TestGoHighLevelWebhookKey(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	otherPub, _, _ := ed25519.GenerateKey(nil)
	body := []byte(`{"type":"ContactTagUpdate","locationId":"loc-1","id":"c1","email":"ava@example.com","timestamp":"` +
		hookNow.Format(time.RFC3339) + `","webhookId":"wh-1"}`)
	h := http.Header{}
	h.Set("X-GHL-Signature", base64.StdEncoding.EncodeToString(ed25519.Sign(priv, body)))
	req := webhook.Request{Method: "POST", URL: "https://omnify.example.com/webhooks/gohighlevel/conn-1", Header: h, Body: body}
	creds := map[string]string{"location_id": "loc-1", "access_token": "pit-x"}
	for _, tc := range []struct {
		name, operatorKey string
		creds             map[string]string
		ok                bool
	}{
		{"operator's key", base64.StdEncoding.EncodeToString(pub), creds, true},
		{"connection's own key wins", base64.StdEncoding.EncodeToString(otherPub),
			map[string]string{"location_id": "loc-1", "webhook_public_key": base64.StdEncoding.EncodeToString(pub)}, true},
		{"another key", base64.StdEncoding.EncodeToString(otherPub), creds, false},
		{"no key anywhere", "", creds, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := webhookVerifiers(tc.operatorKey)[connector.GoHighLevel](req, tc.creds, hookNow)
			if !tc.ok {
				if !errors.Is(err, webhook.ErrSignature) {
					t.Fatalf("err = %v, want a signature error", err)
				}
				return
			}
			if err != nil || d.EventID != "wh-1" || !slices.Equal(d.Streams, []string{"contacts"}) {
				t.Fatalf("delivery %+v, err %v", d, err)
			}
		})
	}
	if _, ok := creds["webhook_public_key"]; ok {
		t.Error("the verifier wrote the operator's key into the connection's credentials")
	}
}
