package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	stripewebhook "github.com/stripe/stripe-go/v85/webhook"

	"github.com/omnify-cloud/omnify/webhook"
)

func TestVerifyShopifyDelivery(t *testing.T) {
	body := []byte(`{"id": 820982911946154508, "email": "jon@example.com"}`)
	mac := hmac.New(sha256.New, []byte("shpss_secret"))
	mac.Write(body)
	h := http.Header{}
	h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	h.Set("X-Shopify-Topic", "orders/create")
	h.Set("X-Shopify-Event-Id", "evt-1")
	h.Set("X-Shopify-Shop-Domain", "acme.myshopify.com")
	d, err := verifyShopify(webhook.Request{Method: "POST", Header: h, Body: body}, map[string]string{"client_secret": "shpss_secret"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.EventID != "evt-1" || len(d.Streams) != 1 || d.Streams[0] != "orders" {
		t.Fatalf("delivery %+v, want event evt-1 syncing orders", d)
	}
	_, err = verifyShopify(webhook.Request{Method: "POST", Header: h, Body: body}, map[string]string{"client_secret": "other"}, time.Now())
	if !errors.Is(err, webhook.ErrSignature) {
		t.Fatalf("wrong secret: %v, want ErrSignature", err)
	}
}

func TestVerifyStripeDelivery(t *testing.T) {
	payload := []byte(`{"id": "evt_1", "object": "event", "type": "customer.updated", "api_version": "2026-03-25.dahlia",
		"created": 1764000000, "data": {"object": {"id": "cus_1", "object": "customer"}}}`)
	now := time.Now()
	signed := stripewebhook.GenerateTestSignedPayload(&stripewebhook.UnsignedPayload{
		Payload: payload, Secret: "whsec_test", Timestamp: now})
	h := http.Header{}
	h.Set("Stripe-Signature", signed.Header)
	d, err := verifyStripe(webhook.Request{Method: "POST", Header: h, Body: payload}, map[string]string{"webhook_secret": "whsec_test"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if d.EventID != "evt_1" || len(d.Streams) != 1 || d.Streams[0] != "customers" {
		t.Fatalf("delivery %+v, want evt_1 syncing customers", d)
	}
	_, err = verifyStripe(webhook.Request{Method: "POST", Header: h, Body: payload}, map[string]string{"webhook_secret": "whsec_other"}, now)
	if !errors.Is(err, webhook.ErrSignature) {
		t.Fatalf("wrong secret: %v, want ErrSignature", err)
	}
}

func TestShopifyRedactionBecomesDeletions(t *testing.T) {
	body := []byte(`{"shop_id": 954889, "shop_domain": "acme.myshopify.com", "customer": {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"}, "orders_to_redact": [299938, 280263]}`)
	mac := hmac.New(sha256.New, []byte("shpss_secret"))
	mac.Write(body)
	h := http.Header{}
	h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	h.Set("X-Shopify-Topic", "customers/redact")
	h.Set("X-Shopify-Event-Id", "evt-r")
	h.Set("X-Shopify-Shop-Domain", "acme.myshopify.com")
	d, err := verifyShopify(webhook.Request{Method: "POST", Header: h, Body: body}, map[string]string{"client_secret": "shpss_secret"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !d.Privacy || len(d.Erase) != 3 || d.Erase[0].ExternalID != "191167" || d.Erase[0].Stream != "customers" || !d.Erase[2].Deleted {
		t.Fatalf("redaction delivery %+v", d)
	}
}
