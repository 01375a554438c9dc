package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/linkedin/linkedintest"
)

// hookCase is one platform's webhook as the vendor delivers it.
type hookCase struct {
	platform string
	// start starts the fake, points flags at it and returns the
	// credentials to connect with, webhook secret included, and the email
	// of a contact the vendor's webhook announces ("" when it announces
	// no contact).
	start func(t *testing.T, flags *ConnectorFlags) (creds map[string]any, added string)
	// deliver builds a delivery to hookURL signed with the connection's
	// secret, or with another one when forged is set.
	deliver func(t *testing.T, hookURL string, forged bool) (http.Header, []byte)
	streams []string
	// foreign, when set, is a genuinely signed delivery meant for another
	// account of the vendor, which the connection must refuse too.
	foreign func(t *testing.T) (http.Header, []byte)
}

const (
	hubspotAppSecret = "hubspot-app-secret-1"
	klaviyoHookKey   = "klaviyo-webhook-secret-1"
)

func hookCases(t *testing.T) []hookCase {
	ghlPub, ghlPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, forgedPriv, _ := ed25519.GenerateKey(rand.Reader)
	var ghlLocation string
	return []hookCase{
		{
			platform: connector.HubSpot,
			start: func(t *testing.T, flags *ConnectorFlags) (map[string]any, string) {
				fake := hubspottest.NewServer(t, hubspottest.Options{Contacts: 6, Seed: 3})
				flags.HubSpotBaseURL = fake.URL
				fake.AddContact("new.lead@hubspot-form.example.com")
				return map[string]any{"access_token": fake.Options().Token, "client_secret": hubspotAppSecret},
					"new.lead@hubspot-form.example.com"
			},
			deliver: func(t *testing.T, hookURL string, forged bool) (http.Header, []byte) {
				now := time.Now()
				body := []byte(`[{"eventId":` + strconv.FormatInt(now.UnixNano()%1e9, 10) + `,"subscriptionId":4,"portalId":62515,"occurredAt":` +
					strconv.FormatInt(now.UnixMilli(), 10) + `,"subscriptionType":"contact.propertyChange","objectId":1,"propertyName":"email","propertyValue":"a@b.com"}]`)
				secret := hubspotAppSecret
				if forged {
					secret = "not-the-app-secret"
				}
				ts := strconv.FormatInt(now.UnixMilli(), 10)
				h := http.Header{}
				h.Set("X-HubSpot-Request-Timestamp", ts)
				h.Set("X-HubSpot-Signature-v3", base64.StdEncoding.EncodeToString(hubspot.SignV3(secret, http.MethodPost, hookURL, body, ts)))
				return h, body
			},
			streams: []string{hubspot.StreamContacts},
		},
		{
			platform: connector.Klaviyo,
			start: func(t *testing.T, flags *ConnectorFlags) (map[string]any, string) {
				fake := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 6, Events: 4, Seed: 3})
				flags.KlaviyoBaseURL = fake.URL
				return map[string]any{"api_key": klaviyotest.Key, "webhook_secret": klaviyoHookKey}, ""
			},
			deliver: func(t *testing.T, _ string, forged bool) (http.Header, []byte) {
				now := time.Now()
				id := "EVT" + strconv.FormatInt(now.UnixNano(), 36)
				body := []byte(`{"data":[{"external_id":"` + id + `","topic":"event:klaviyo.opened_email","payload":{"type":"event","id":"` + id +
					`"}}],"meta":{"klaviyo_account_id":"AbC123","klaviyo_webhook_id":"01WEBHOOK"}}`)
				secret := klaviyoHookKey
				if forged {
					secret = "not-the-webhook-secret"
				}
				ts := strconv.FormatInt(now.Unix(), 10)
				h := http.Header{}
				h.Set("Klaviyo-Timestamp", ts)
				h.Set("Klaviyo-Webhook-Id", "01WEBHOOK")
				h.Set("Klaviyo-Signature", hex.EncodeToString(klaviyo.Sign([]byte(secret), body, ts)))
				return h, body
			},
			streams: []string{"events"},
		},
		{
			platform: connector.GoHighLevel,
			start: func(t *testing.T, flags *ConnectorFlags) (map[string]any, string) {
				fake := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 6, Seed: 3})
				flags.GoHighLevelBaseURL = fake.URL
				fake.AddContact("walk.in@highlevel-form.example.com")
				// The operator's key: the connection carries none.
				flags.GoHighLevelWebhookKey = base64.StdEncoding.EncodeToString(ghlPub)
				creds := fake.Connection().Credentials
				ghlLocation = creds["location_id"]
				return map[string]any{"location_id": creds["location_id"], "access_token": creds["access_token"]},
					"walk.in@highlevel-form.example.com"
			},
			deliver: func(t *testing.T, _ string, forged bool) (http.Header, []byte) {
				now := time.Now().UTC()
				body := []byte(`{"type":"ContactTagUpdate","locationId":"` + ghlLocation + `","id":"c1","email":"ava@example.com","timestamp":"` +
					now.Format(time.RFC3339) + `","webhookId":"wh-` + strconv.FormatInt(now.UnixNano(), 36) + `"}`)
				key := ghlPriv
				if forged {
					key = forgedPriv
				}
				h := http.Header{}
				h.Set("X-GHL-Signature", base64.StdEncoding.EncodeToString(ed25519.Sign(key, body)))
				return h, body
			},
			streams: []string{"contacts"},
			foreign: func(t *testing.T) (http.Header, []byte) {
				body := []byte(`{"type":"ContactTagUpdate","locationId":"loc_someone_else","id":"c9","email":"eve@example.com","timestamp":"` +
					time.Now().UTC().Format(time.RFC3339) + `","webhookId":"wh-foreign"}`)
				h := http.Header{}
				h.Set("X-GHL-Signature", base64.StdEncoding.EncodeToString(ed25519.Sign(ghlPriv, body)))
				return h, body
			},
		},
		{
			platform: connector.LinkedInAds,
			start: func(t *testing.T, flags *ConnectorFlags) (map[string]any, string) {
				fake := linkedintest.NewServer(t, linkedintest.Options{Seed: 3, CampaignGroups: 1, Campaigns: 1, Days: 2, Now: time.Now})
				flags.LinkedInAdsBaseURL = fake.URL
				creds := map[string]any{}
				for k, v := range fake.Connection().Credentials {
					creds[k] = v
				}
				return creds, ""
			},
			deliver: func(t *testing.T, _ string, forged bool) (http.Header, []byte) {
				body := []byte(`{"type":"LEAD_ACTION","leadAction":"CREATED","leadType":"SPONSORED","leadGenForm":"urn:li:leadGenForm:9876",` +
					`"owner":{"sponsoredAccount":"urn:li:sponsoredAccount:508915151"},"occurredAt":` + strconv.FormatInt(time.Now().UnixMilli(), 10) + `}`)
				secret := linkedintest.ClientSecret
				if forged {
					secret = "not-the-client-secret"
				}
				h := http.Header{}
				h.Set("X-LI-Signature", hex.EncodeToString(hmacSHA256(secret, body)))
				return h, body
			},
			streams: []string{linkedin.StreamAdAnalytics},
		},
	}
}

// postHook delivers a webhook to the served route.
func postHook(t *testing.T, s *e2eServer, path string, h http.Header, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	return s.send(t, req)
}

// TestPlatformsWebhooks delivers each platform's webhooks to
// /webhooks/{platform}/{connection_id} on the served router: a forged one
// is refused with 401, audited as webhook.rejected and starts nothing; a
// signed one answers 200 and starts an incremental sync of the streams it
// names, which runs to success; its redelivery starts nothing more.
func TestPlatformsWebhooks(t *testing.T) {
	for _, hc := range hookCases(t) {
		t.Run(hc.platform, func(t *testing.T) {
			t.Parallel()
			var flags ConnectorFlags
			creds, added := hc.start(t, &flags)
			s := startServe(t, flags)
			u := s.register(t, "hooks@"+strings.ReplaceAll(hc.platform, "_", "-")+".example.com", "Hooks "+hc.platform)
			off := 0 // no scheduled syncs: every run below is the webhook's
			conn := s.connect(t, u, hc.platform, creds, nil, &off)
			path := "/webhooks/" + hc.platform + "/" + conn.ID

			h, body := hc.deliver(t, s.URL+path, true)
			if r := postHook(t, s, path, h, body); r.Status != http.StatusUnauthorized {
				t.Fatalf("forged delivery: status %d, want 401: %s", r.Status, r.Body)
			}
			refused := 1
			if hc.foreign != nil {
				h, body := hc.foreign(t)
				if r := postHook(t, s, path, h, body); r.Status != http.StatusUnauthorized {
					t.Fatalf("another account's delivery: status %d, want 401: %s", r.Status, r.Body)
				}
				refused++
			}
			if runs := s.syncRuns(t, u, conn.ID); len(runs) != 0 {
				t.Fatalf("refused deliveries started %d syncs", len(runs))
			}
			rejected := s.auditEvents(t, u, "webhook.rejected")
			if len(rejected) != refused || rejected[0].Target != "connection:"+conn.ID {
				t.Fatalf("audit after a forged delivery: %+v", rejected)
			}

			h, body = hc.deliver(t, s.URL+path, false)
			if r := postHook(t, s, path, h, body); r.Status != http.StatusOK {
				t.Fatalf("signed delivery: status %d, want 200: %s", r.Status, r.Body)
			}
			runs := s.syncRuns(t, u, conn.ID)
			if len(runs) != 1 || runs[0].Trigger != "webhook" || runs[0].Mode != "incremental" || !slices.Equal(runs[0].Streams, hc.streams) {
				t.Fatalf("syncs after a signed delivery: %+v, want one incremental webhook sync of %v", runs, hc.streams)
			}
			s.waitJob(t, u, runs[0].JobID)
			if added != "" {
				if got := s.customers(t, u, url.Values{"email": {added}}); len(got) != 1 || !slices.Contains(got[0].Platforms, hc.platform) {
					t.Fatalf("the contact the webhook announced landed as %+v", got)
				}
			}
			if r := postHook(t, s, path, h, body); r.Status != http.StatusOK {
				t.Fatalf("redelivery: status %d: %s", r.Status, r.Body)
			}
			if n := len(s.syncRuns(t, u, conn.ID)); n != 1 {
				t.Fatalf("a redelivery of the same event started another sync (%d runs)", n)
			}
			if got := s.auditEvents(t, u, "webhook.received"); len(got) != 1 {
				t.Fatalf("webhook.received audit events: %+v", got)
			}
		})
	}
}

// TestPlatformsLinkedInChallenge answers LinkedIn's registration GET on the
// served route with the HMAC of its challenge code under the app's client
// secret, and refuses a GET without a code.
func TestPlatformsLinkedInChallenge(t *testing.T) {
	t.Parallel()
	fake := linkedintest.NewServer(t, linkedintest.Options{Seed: 3, CampaignGroups: 1, Campaigns: 1, Days: 2, Now: time.Now})
	s := startServe(t, ConnectorFlags{LinkedInAdsBaseURL: fake.URL})
	u := s.register(t, "hooks@linkedin.example.com", "Hooks LinkedIn")
	creds := map[string]any{}
	for k, v := range fake.Connection().Credentials {
		creds[k] = v
	}
	off := 0
	conn := s.connect(t, u, connector.LinkedInAds, creds, nil, &off)
	path := "/webhooks/" + connector.LinkedInAds + "/" + conn.ID

	code := "f0a1b2c3-4d5e-4f60-8a7b-9c0d1e2f3a4b"
	r := s.do(t, http.MethodGet, path+"?challengeCode="+url.QueryEscape(code), "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("challenge: status %d: %s", r.Status, r.Body)
	}
	var answer map[string]string
	if err := json.Unmarshal(r.Body, &answer); err != nil {
		t.Fatalf("challenge answer %s: %v", r.Body, err)
	}
	want := hex.EncodeToString(hmacSHA256(linkedintest.ClientSecret, []byte(code)))
	if answer["challengeCode"] != code || answer["challengeResponse"] != want {
		t.Fatalf("challenge answer %v, want response %s", answer, want)
	}
	if r := s.do(t, http.MethodGet, path, "", nil); r.Status != http.StatusBadRequest {
		t.Fatalf("challenge without a code: status %d: %s", r.Status, r.Body)
	}
	if got := s.auditEvents(t, u, "webhook.rejected"); len(got) != 1 {
		t.Fatalf("webhook.rejected after a bad challenge: %+v", got)
	}
	if r := s.do(t, http.MethodGet, "/webhooks/"+connector.LinkedInAds+"/no-such-connection?challengeCode=x", "", nil); r.Status != http.StatusNotFound {
		t.Fatalf("challenge of an unknown connection: status %d", r.Status)
	}
	if runs := s.syncRuns(t, u, conn.ID); len(runs) != 0 {
		t.Fatalf("a challenge started %d syncs", len(runs))
	}
}
