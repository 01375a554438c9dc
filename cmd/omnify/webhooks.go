package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/cache"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/stripe"
	"github.com/omnify-cloud/omnify/webhook"
)

// mountWebhooks serves vendors' webhook deliveries and ownership
// challenges on the API's router.
func mountWebhooks(a *app, srv *api.Server, f *ConnectorFlags) {
	rc := &webhook.Receiver{PublicURL: f.PublicURL,
		Connections: a.store, Syncer: a.conns.syncer, Sink: a.sink, Audit: a.store, Log: a.log,
		NewID:       func() string { return uuid.Must(uuid.NewV7()).String() },
		Verifiers:   webhookVerifiers(f.GoHighLevelWebhookKey),
		Challengers: map[string]webhook.Challenger{connector.LinkedInAds: linkedinChallenge},
	}
	if a.shared != nil {
		rc.Replays = cache.WithPrefix(a.shared, "webhook-event:")
	}
	srv.Mux().Handle(webhook.Pattern, rc)
	srv.Mux().Handle(webhook.ChallengePattern, rc)
}

// webhookVerifiers are the platforms that send signed webhooks, each with
// its signature check; ghlKey is the operator's HighLevel public key.
func webhookVerifiers(ghlKey string) map[string]webhook.Verifier {
	return map[string]webhook.Verifier{
		connector.Shopify:     verifyShopify,
		connector.Stripe:      verifyStripe,
		connector.HubSpot:     vendorVerifier(hubspot.VerifyWebhook, hubspot.ErrSignature),
		connector.Klaviyo:     vendorVerifier(klaviyo.VerifyWebhook, klaviyo.ErrSignature),
		connector.LinkedInAds: vendorVerifier(linkedin.VerifyWebhook, linkedin.ErrSignature),
		connector.GoHighLevel: verifyGoHighLevel(ghlKey),
	}
}

// verifyGoHighLevel checks HighLevel's Ed25519 signature with the
// connection's own public key, or else the operator's.
func verifyGoHighLevel(operatorKey string) webhook.Verifier {
	return func(r webhook.Request, creds map[string]string, now time.Time) (webhook.Delivery, error) {
		if creds["webhook_public_key"] == "" && operatorKey != "" {
			creds = maps.Clone(creds)
			creds["webhook_public_key"] = operatorKey
		}
		w, err := gohighlevel.VerifyWebhook(gohighlevel.WebhookRequest(r), creds, now)
		if errors.Is(err, gohighlevel.ErrSignature) {
			return webhook.Delivery{}, fmt.Errorf("%w: %v", webhook.ErrSignature, err)
		}
		if err != nil {
			return webhook.Delivery{}, err
		}
		return webhook.Delivery{EventID: w.EventID, Topic: w.Topic, Streams: w.Streams}, nil
	}
}

// linkedinChallenge answers the GET LinkedIn sends when a webhook is
// registered, proving OmniFy holds the app's client secret.
func linkedinChallenge(q url.Values, creds map[string]string) (any, error) {
	b, err := linkedin.AnswerChallenge(linkedin.WebhookRequest{Method: http.MethodGet, URL: "?" + q.Encode()}, creds)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", webhook.ErrSignature, err)
	}
	return json.RawMessage(b), nil
}

// shopifyStreams maps Shopify's webhook topics to the streams they change.
var shopifyStreams = map[string][]string{
	shopify.TopicOrdersCreate:    {shopify.StreamOrders},
	shopify.TopicOrdersUpdated:   {shopify.StreamOrders},
	shopify.TopicCustomersUpdate: {shopify.StreamCustomers},
}

func verifyShopify(r webhook.Request, creds map[string]string, _ time.Time) (webhook.Delivery, error) {
	w, err := shopify.VerifyWebhook(r.Header, r.Body, creds["client_secret"])
	if errors.Is(err, shopify.ErrSignature) {
		return webhook.Delivery{}, fmt.Errorf("%w: %v", webhook.ErrSignature, err)
	}
	if err != nil {
		return webhook.Delivery{}, err
	}
	d := webhook.Delivery{EventID: w.EventID, Topic: w.Topic, Streams: shopifyStreams[w.Topic],
		Uninstalled: w.Topic == shopify.TopicAppUninstalled, Privacy: w.Privacy()}
	if w.Topic == shopify.TopicCustomersRedact {
		if d.Erase, err = shopifyErasure(w); err != nil {
			return webhook.Delivery{}, err
		}
	}
	return d, nil
}

// shopifyErasure turns a customers/redact request into deletion records of
// the customer and the orders it names.
func shopifyErasure(w shopify.Webhook) ([]connector.Record, error) {
	p, err := w.PrivacyRequest()
	if err != nil {
		return nil, err
	}
	recs := []connector.Record{{Stream: shopify.StreamCustomers, ExternalID: p.CustomerID, Deleted: true}}
	for _, id := range p.OrderIDs {
		recs = append(recs, connector.Record{Stream: shopify.StreamOrders, ExternalID: id, Deleted: true})
	}
	return recs, nil
}

func verifyStripe(r webhook.Request, creds map[string]string, now time.Time) (webhook.Delivery, error) {
	ev, err := stripe.VerifyWebhook(r.Body, r.Header.Get("Stripe-Signature"), creds["webhook_secret"], now)
	if errors.Is(err, stripe.ErrWebhookSignature) {
		return webhook.Delivery{}, fmt.Errorf("%w: %v", webhook.ErrSignature, err)
	}
	if err != nil {
		return webhook.Delivery{}, err
	}
	d := webhook.Delivery{EventID: ev.ID, Topic: ev.Type}
	if ev.Stream != "" {
		d.Streams = []string{ev.Stream}
	}
	return d, nil
}
