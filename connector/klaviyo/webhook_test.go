package klaviyo_test

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/klaviyo"
)

const hookSecret = "whk-secret-0123456789"

var hookNow = time.Date(2026, 7, 20, 12, 0, 0, 0, time.UTC)

const hookBody = `{"data":[{"external_id":"4EVT0001","topic":"event:klaviyo.opened_email","payload":{"type":"event","id":"4EVT0001"}}],` +
	`"meta":{"klaviyo_account_id":"AbC123","klaviyo_webhook_id":"01WEBHOOK","timestamp":"2026-07-20T12:00:00+00:00"}}`

func signed(body, stamp, secret string) klaviyo.WebhookRequest {
	h := http.Header{}
	h.Set("Klaviyo-Timestamp", stamp)
	h.Set("Klaviyo-Webhook-Id", "01WEBHOOK")
	h.Set("Klaviyo-Signature", hex.EncodeToString(klaviyo.Sign([]byte(secret), []byte(body), stamp)))
	return klaviyo.WebhookRequest{Method: "POST", URL: "https://omnify.example/webhooks/klaviyo/conn-1", Header: h, Body: []byte(body)}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	creds := map[string]string{"api_key": "pk_x1234567890", klaviyo.WebhookSecretKey: hookSecret}
	unix := strconv.FormatInt(hookNow.Unix(), 10)
	for _, tc := range []struct {
		name  string
		req   klaviyo.WebhookRequest
		creds map[string]string
		ok    bool
	}{
		{"valid, unix timestamp", signed(hookBody, unix, hookSecret), creds, true},
		{"valid, RFC 3339 timestamp", signed(hookBody, hookNow.Add(-4*time.Minute).Format(time.RFC3339), hookSecret), creds, true},
		{"tampered body", func() klaviyo.WebhookRequest {
			r := signed(hookBody, unix, hookSecret)
			r.Body = []byte(hookBody[:len(hookBody)-2] + " }}")
			return r
		}(), creds, false},
		{"wrong secret", signed(hookBody, unix, "another-secret-99"), creds, false},
		{"stale timestamp", signed(hookBody, strconv.FormatInt(hookNow.Add(-6*time.Minute).Unix(), 10), hookSecret), creds, false},
		{"future timestamp", signed(hookBody, strconv.FormatInt(hookNow.Add(6*time.Minute).Unix(), 10), hookSecret), creds, false},
		{"timestamp changed after signing", func() klaviyo.WebhookRequest {
			r := signed(hookBody, unix, hookSecret)
			r.Header.Set("Klaviyo-Timestamp", strconv.FormatInt(hookNow.Unix()+1, 10))
			return r
		}(), creds, false},
		{"no signature", func() klaviyo.WebhookRequest {
			r := signed(hookBody, unix, hookSecret)
			r.Header.Del("Klaviyo-Signature")
			return r
		}(), creds, false},
		{"webhook ID differs from the body", func() klaviyo.WebhookRequest {
			r := signed(hookBody, unix, hookSecret)
			r.Header.Set("Klaviyo-Webhook-Id", "01OTHER")
			return r
		}(), creds, false},
		{"no secret configured", signed(hookBody, unix, hookSecret), map[string]string{"api_key": "pk_x1234567890"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := klaviyo.VerifyWebhook(tc.req, tc.creds, hookNow)
			if !tc.ok {
				if !errors.Is(err, klaviyo.ErrSignature) {
					t.Errorf("err = %v, want ErrSignature", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.EventID != "4EVT0001" || w.Topic != "event:klaviyo.opened_email" || len(w.Streams) != 1 || w.Streams[0] != klaviyo.StreamEvents {
				t.Errorf("webhook %+v", w)
			}
		})
	}
}

// A delivery of several events has one ID whatever their order, so a
// redelivery is recognised.
func TestWebhookBatchID(t *testing.T) {
	t.Parallel()
	creds := map[string]string{klaviyo.WebhookSecretKey: hookSecret}
	unix := strconv.FormatInt(hookNow.Unix(), 10)
	a := `{"data":[{"external_id":"E1","topic":"event:klaviyo.clicked_email"},{"external_id":"E2","topic":"profile:updated"}],"meta":{"klaviyo_webhook_id":"01WEBHOOK"}}`
	b := `{"data":[{"external_id":"E2","topic":"profile:updated"},{"external_id":"E1","topic":"event:klaviyo.clicked_email"}],"meta":{"klaviyo_webhook_id":"01WEBHOOK"}}`
	wa, err := klaviyo.VerifyWebhook(signed(a, unix, hookSecret), creds, hookNow)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := klaviyo.VerifyWebhook(signed(b, unix, hookSecret), creds, hookNow)
	if err != nil {
		t.Fatal(err)
	}
	if wa.EventID != wb.EventID || wa.EventID == "E1" {
		t.Errorf("batch IDs %q and %q", wa.EventID, wb.EventID)
	}
	if len(wa.Streams) != 2 {
		t.Errorf("a profile topic should sync profiles too: %v", wa.Streams)
	}
}
