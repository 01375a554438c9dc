package gohighlevel_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/gohighlevel"
)

var webhookNow = time.Date(2026, 11, 25, 14, 35, 0, 0, time.UTC)

func delivery(typ string, at time.Time) []byte {
	return []byte(`{"type":"` + typ + `","locationId":"loc_omnify_test","id":"c1","email":"ava@example.com",` +
		`"timestamp":"` + at.Format(time.RFC3339) + `","webhookId":"wh-` + typ + `"}`)
}

func signed(priv ed25519.PrivateKey, body []byte) gohighlevel.WebhookRequest {
	h := http.Header{}
	h.Set("X-GHL-Signature", base64.StdEncoding.EncodeToString(ed25519.Sign(priv, body)))
	return gohighlevel.WebhookRequest{Method: http.MethodPost, URL: "https://omnify.example/webhooks/gohighlevel", Header: h, Body: body}
}

func pemOf(t *testing.T, pub ed25519.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestVerifyWebhook(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	creds := map[string]string{"location_id": "loc_omnify_test", "webhook_public_key": pemOf(t, pub)}
	rawKeyCreds := map[string]string{"webhook_public_key": base64.StdEncoding.EncodeToString(pub)}
	body := delivery("ContactTagUpdate", webhookNow.Add(-time.Minute))
	tampered := signed(priv, body)
	tampered.Body = append([]byte(nil), body...)
	tampered.Body[10] = 'X'
	legacy := gohighlevel.WebhookRequest{Header: http.Header{"X-Wh-Signature": {"c2lnbmF0dXJl"}}, Body: body}
	for _, tc := range []struct {
		name  string
		req   gohighlevel.WebhookRequest
		creds map[string]string
		ok    bool
	}{
		{"valid, PEM key", signed(priv, body), creds, true},
		{"valid, raw base64 key", signed(priv, body), rawKeyCreds, true},
		{"tampered body", tampered, creds, false},
		{"signed by another key", signed(otherPriv, body), creds, false},
		{"stale timestamp", signed(priv, delivery("ContactCreate", webhookNow.Add(-6*time.Minute))), creds, false},
		{"timestamp from the future", signed(priv, delivery("ContactCreate", webhookNow.Add(6*time.Minute))), creds, false},
		{"unsigned", gohighlevel.WebhookRequest{Header: http.Header{}, Body: body}, creds, false},
		{"legacy RSA header only", legacy, creds, false},
		{"no key configured", signed(priv, body), map[string]string{}, false},
		{"another location", signed(priv, body), map[string]string{"location_id": "elsewhere", "webhook_public_key": pemOf(t, pub)}, false},
		{"no location in the delivery", signed(priv, []byte(`{"type":"ContactCreate","id":"c1","timestamp":"`+webhookNow.Format(time.RFC3339)+`","webhookId":"wh-x"}`)),
			map[string]string{"location_id": "loc_omnify_test", "webhook_public_key": pemOf(t, pub)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := gohighlevel.VerifyWebhook(tc.req, tc.creds, webhookNow)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				if w.EventID != "wh-ContactTagUpdate" || w.Topic != "ContactTagUpdate" || !slices.Equal(w.Streams, []string{"contacts"}) {
					t.Errorf("webhook %+v", w)
				}
				return
			}
			if !errors.Is(err, gohighlevel.ErrSignature) {
				t.Errorf("err = %v, want ErrSignature", err)
			}
		})
	}
}

// Without a key in the credentials the package key is used.
func TestVerifyWebhookPackageKey(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	old := gohighlevel.WebhookPublicKey
	gohighlevel.WebhookPublicKey = pub
	t.Cleanup(func() { gohighlevel.WebhookPublicKey = old })
	body := delivery("OpportunityStatusUpdate", webhookNow)
	w, err := gohighlevel.VerifyWebhook(signed(priv, body), nil, webhookNow)
	if err != nil || !slices.Equal(w.Streams, []string{"opportunities"}) {
		t.Fatalf("%+v %v", w, err)
	}
}

func TestLegacySignatureErrorSaysWhy(t *testing.T) {
	t.Parallel()
	_, err := gohighlevel.VerifyWebhook(gohighlevel.WebhookRequest{Header: http.Header{"X-Wh-Signature": {"x"}}}, nil, webhookNow)
	if err == nil || !errors.Is(err, gohighlevel.ErrSignature) || !strings.Contains(err.Error(), "x-wh-signature") {
		t.Fatalf("%v", err)
	}
}
