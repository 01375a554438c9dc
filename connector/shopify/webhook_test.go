package shopify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/omnify-cloud/omnify/connector/shopify"
)

const secret = "shpss_0123456789abcdef"

func signedHeader(body []byte, key string) http.Header {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	h := http.Header{}
	h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	h.Set("X-Shopify-Topic", "orders/create")
	h.Set("X-Shopify-Shop-Domain", "acme.myshopify.com")
	h.Set("X-Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b5")
	h.Set("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	h.Set("X-Shopify-API-Version", shopify.APIVersion)
	h.Set("X-Shopify-Triggered-At", "2026-11-25T10:00:00.123Z")
	return h
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":820982911946154508,"email":"jon@example.com","total_price":"403.00"}`)
	cases := []struct {
		name   string
		header func() http.Header
		body   []byte
		secret string
		ok     bool
	}{
		{"valid", func() http.Header { return signedHeader(body, secret) }, body, secret, true},
		{"wrong secret", func() http.Header { return signedHeader(body, "shpss_other") }, body, secret, false},
		{"tampered body", func() http.Header { return signedHeader(body, secret) }, append([]byte(nil), append(body[:len(body)-1], ' ', '}')...), secret, false},
		{"missing header", func() http.Header { h := signedHeader(body, secret); h.Del("X-Shopify-Hmac-Sha256"); return h }, body, secret, false},
		{"not base64", func() http.Header { h := signedHeader(body, secret); h.Set("X-Shopify-Hmac-Sha256", "%%%"); return h }, body, secret, false},
		{"hex instead of base64", func() http.Header {
			h := signedHeader(body, secret)
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write(body)
			h.Set("X-Shopify-Hmac-Sha256", fmt.Sprintf("%x", mac.Sum(nil)))
			return h
		}, body, secret, false},
		{"no secret configured", func() http.Header { return signedHeader(body, "") }, body, "", false},
		{"unknown topic", func() http.Header {
			h := signedHeader(body, secret)
			h.Set("X-Shopify-Topic", "carts/update")
			return h
		}, body, secret, false},
		{"bad shop domain", func() http.Header {
			h := signedHeader(body, secret)
			h.Set("X-Shopify-Shop-Domain", "evil.com")
			return h
		}, body, secret, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := shopify.VerifyWebhook(tc.header(), tc.body, tc.secret)
			if tc.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok {
				if !errors.Is(err, shopify.ErrSignature) {
					t.Fatalf("err %v does not wrap ErrSignature", err)
				}
				return
			}
			if w.Topic != "orders/create" || w.Shop != "acme.myshopify.com" || w.EventID == "" || w.TriggeredAt.IsZero() || w.Privacy() {
				t.Fatalf("webhook %+v", w)
			}
		})
	}
}

func TestPrivacyTopics(t *testing.T) {
	t.Parallel()
	body := []byte(`{"shop_id":954889,"shop_domain":"acme.myshopify.com","customer":{"id":191167}}`)
	for _, topic := range shopify.Topics {
		h := signedHeader(body, secret)
		h.Set("X-Shopify-Topic", topic)
		w, err := shopify.VerifyWebhook(h, body, secret)
		if err != nil {
			t.Fatalf("%s: %v", topic, err)
		}
		want := topic == "customers/data_request" || topic == "customers/redact" || topic == "shop/redact"
		if w.Privacy() != want {
			t.Errorf("%s: privacy %v", topic, w.Privacy())
		}
	}
}

func TestDeduper(t *testing.T) {
	t.Parallel()
	d := &shopify.MemoryDeduper{Capacity: 3}
	ctx := context.Background()
	steps := []struct {
		id    string
		first bool
	}{
		{"e1", true}, {"e1", false}, {"e2", true}, {"e3", true}, {"e2", false},
		{"e4", true}, // evicts e1
		{"e1", true}, {"", true}, {"", true},
	}
	for i, s := range steps {
		got, err := d.FirstSeen(ctx, s.id)
		if err != nil || got != s.first {
			t.Fatalf("step %d FirstSeen(%q) = %v, %v; want %v", i, s.id, got, err, s.first)
		}
	}
}
