package hubspot_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/hubspot"
)

const hookSecret = "app-client-secret"

var hookNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// signed builds a delivery signed the way HubSpot signs v3 webhooks.
func signed(method, url string, body []byte, at time.Time, secret string) hubspot.WebhookRequest {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	h := http.Header{}
	h.Set("X-HubSpot-Request-Timestamp", ts)
	h.Set("X-HubSpot-Signature-v3", base64.StdEncoding.EncodeToString(hubspot.SignV3(secret, method, url, body, ts)))
	h.Set("Content-Type", "application/json")
	return hubspot.WebhookRequest{Method: method, URL: url, Header: h, Body: body}
}

const hookURL = "https://omnify.example.com/v1/webhooks/hubspot/conn-1?portal=62515"

var hookBody = []byte(`[{"eventId":1700000002,"subscriptionId":4,"portalId":62515,"appId":1160452,"occurredAt":1764071990000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":123,"propertyName":"email","propertyValue":"a@b.com","changeSource":"CRM_UI"},` +
	`{"eventId":1700000001,"subscriptionId":5,"portalId":62515,"appId":1160452,"occurredAt":1764071990001,"subscriptionType":"deal.creation","attemptNumber":0,"objectId":77}]`)

func TestVerifyWebhook(t *testing.T) {
	creds := map[string]string{"access_token": "x", "client_secret": hookSecret}
	good := signed(http.MethodPost, hookURL, hookBody, hookNow, hookSecret)
	for _, tc := range []struct {
		name string
		req  hubspot.WebhookRequest
		ok   bool
	}{
		{"valid", good, true},
		{"valid, 4 minutes old", signed(http.MethodPost, hookURL, hookBody, hookNow.Add(-4*time.Minute), hookSecret), true},
		{"encoded characters in the URL", signed(http.MethodPost, "https://omnify.example.com/hook?x=a%3Ab", hookBody, hookNow, hookSecret), true},
		{"tampered body", func() hubspot.WebhookRequest {
			r := good
			r.Body = append(slices.Clone(hookBody[:len(hookBody)-1]), ',', '{', '}', ']')
			return r
		}(), false},
		{"another URL", func() hubspot.WebhookRequest { r := good; r.URL = hookURL + "&x=1"; return r }(), false},
		{"wrong secret", signed(http.MethodPost, hookURL, hookBody, hookNow, "other-secret"), false},
		{"stale timestamp", signed(http.MethodPost, hookURL, hookBody, hookNow.Add(-6*time.Minute), hookSecret), false},
		{"future timestamp", signed(http.MethodPost, hookURL, hookBody, hookNow.Add(6*time.Minute), hookSecret), false},
		{"no signature", func() hubspot.WebhookRequest {
			r := signed(http.MethodPost, hookURL, hookBody, hookNow, hookSecret)
			r.Header.Del("X-HubSpot-Signature-v3")
			return r
		}(), false},
		{"timestamp changed after signing", func() hubspot.WebhookRequest {
			r := signed(http.MethodPost, hookURL, hookBody, hookNow, hookSecret)
			r.Header.Set("X-HubSpot-Request-Timestamp", strconv.FormatInt(hookNow.Add(time.Second).UnixMilli(), 10))
			return r
		}(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := hubspot.VerifyWebhook(tc.req, creds, hookNow)
			if !tc.ok {
				if !errors.Is(err, hubspot.ErrSignature) {
					t.Fatalf("error %v, want ErrSignature", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.EventID != "1700000001,1700000002" || w.Topic != "contact.propertyChange,deal.creation" ||
				!slices.Equal(w.Streams, []string{hubspot.StreamContacts, hubspot.StreamDeals}) {
				t.Fatalf("webhook %+v", w)
			}
		})
	}
	if _, err := hubspot.VerifyWebhook(good, map[string]string{"access_token": "x"}, hookNow); !errors.Is(err, hubspot.ErrSignature) {
		t.Errorf("no secret configured: %v", err)
	}
}

// A retried delivery carries the same events, maybe in another order:
// its event ID is the same. Long batches get a hash.
func TestWebhookEventIDDeterministic(t *testing.T) {
	creds := map[string]string{"client_secret": hookSecret}
	a := []byte(`[{"eventId":3,"subscriptionType":"company.creation","objectId":1},{"eventId":10,"subscriptionType":"company.creation","objectId":2}]`)
	b := []byte(`[{"eventId":10,"subscriptionType":"company.creation","objectId":2},{"eventId":3,"subscriptionType":"company.creation","objectId":1}]`)
	wa, err1 := hubspot.VerifyWebhook(signed("POST", hookURL, a, hookNow, hookSecret), creds, hookNow)
	wb, err2 := hubspot.VerifyWebhook(signed("POST", hookURL, b, hookNow, hookSecret), creds, hookNow)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if wa.EventID != "3,10" || wa.EventID != wb.EventID || wa.Topic != "company.creation" ||
		!slices.Equal(wa.Streams, []string{hubspot.StreamCompanies}) {
		t.Fatalf("%+v vs %+v", wa, wb)
	}
	long := []byte("[")
	for i := range 60 {
		if i > 0 {
			long = append(long, ',')
		}
		long = append(long, []byte(`{"eventId":`+strconv.Itoa(1000000+i)+`,"subscriptionType":"contact.deletion","objectId":5}`)...)
	}
	long = append(long, ']')
	w, err := hubspot.VerifyWebhook(signed("POST", hookURL, long, hookNow, hookSecret), creds, hookNow)
	if err != nil || len(w.EventID) != len("sha256:")+64 {
		t.Fatalf("long batch: %+v %v", w, err)
	}
	if _, err := hubspot.VerifyWebhook(signed("POST", hookURL, []byte(`{"not":"an array"}`), hookNow, hookSecret), creds, hookNow); err == nil {
		t.Fatal("a signed body that is not an event array was accepted")
	}
}
