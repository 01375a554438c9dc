package stripe_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/omnify-cloud/omnify/connector/stripe"
)

const whsec = "whsec_test_omnify"

func signed(body string, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: []byte(body), Secret: secret, Timestamp: at,
	}).Header
}

func TestVerifyWebhook(t *testing.T) {
	at := time.Unix(1767300000, 0)
	body := `{"id":"evt_1","object":"event","api_version":"2025-01-27.acacia","created":1767300000,` +
		`"type":"customer.subscription.updated","data":{"object":{"id":"sub_42","object":"subscription"}}}`
	cases := []struct {
		name   string
		body   string
		header string
		secret string
		now    time.Time
		ok     bool
	}{
		{"valid", body, signed(body, whsec, at), whsec, at.Add(10 * time.Second), true},
		{"valid at the edge", body, signed(body, whsec, at), whsec, at.Add(300 * time.Second), true},
		{"wrong secret", body, signed(body, "whsec_other", at), whsec, at, false},
		{"tampered body", strings.Replace(body, "sub_42", "sub_43", 1), signed(body, whsec, at), whsec, at, false},
		{"stale timestamp", body, signed(body, whsec, at), whsec, at.Add(301 * time.Second), false},
		{"from the future", body, signed(body, whsec, at), whsec, at.Add(-301 * time.Second), false},
		{"no header", body, "", whsec, at, false},
		{"garbage header", body, "t=abc,v1=zz", whsec, at, false},
		{"no secret configured", body, signed(body, "", at), "", at, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evt, err := stripe.VerifyWebhook([]byte(tc.body), tc.header, tc.secret, tc.now)
			if !tc.ok {
				if !errors.Is(err, stripe.ErrWebhookSignature) {
					t.Fatalf("want ErrWebhookSignature, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if evt.ID != "evt_1" || evt.Type != "customer.subscription.updated" || evt.ObjectID != "sub_42" ||
				evt.Stream != stripe.Subscriptions || !evt.Created.Equal(at) {
				t.Fatalf("event %+v", evt)
			}
		})
	}
}

func TestStreamOf(t *testing.T) {
	cases := map[string]string{
		"customer.created":              stripe.Customers,
		"customer.deleted":              stripe.Customers,
		"customer.subscription.deleted": stripe.Subscriptions,
		"customer.discount.created":     "",
		"customer.source.updated":       "",
		"charge.succeeded":              stripe.Charges,
		"charge.dispute.created":        "",
		"invoice.paid":                  stripe.Invoices,
		"payment_intent.succeeded":      "",
	}
	for typ, want := range cases {
		if got := stripe.StreamOf(typ); got != want {
			t.Errorf("StreamOf(%q) = %q, want %q", typ, got, want)
		}
	}
}
