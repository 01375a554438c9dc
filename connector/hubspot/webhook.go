package hubspot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WebhookTolerance is how far X-HubSpot-Request-Timestamp may lie from now.
const WebhookTolerance = 5 * time.Minute

// WebhookSecretKey is the credential holding the signing secret: the
// app's client secret (a private app's own client secret for its
// webhooks).
const WebhookSecretKey = "client_secret"

// ErrSignature: a webhook is unsigned, badly signed or stale. Answer 401
// and do not process it.
var ErrSignature = errors.New("hubspot webhook signature invalid")

// WebhookRequest is a received webhook: the full public URL HubSpot called
// (scheme, host, path and query), its headers and the raw body.
type WebhookRequest struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Webhook is what a verified delivery says.
type Webhook struct {
	// EventID identifies the delivery: the sorted event IDs it carries,
	// joined with commas (a SHA-256 of them when that grows long), so a
	// retried delivery has the same ID.
	EventID string
	// Topic is the events' subscription type (e.g. contact.propertyChange),
	// or the sorted distinct types joined with commas.
	Topic string
	// Streams are the streams to sync incrementally.
	Streams []string
}

// event is one entry of HubSpot's webhook array.
type event struct {
	EventID          json.Number `json:"eventId"`
	SubscriptionType string      `json:"subscriptionType"`
	ObjectID         json.Number `json:"objectId"`
	PortalID         json.Number `json:"portalId"`
	OccurredAt       json.Number `json:"occurredAt"`
}

// maxEventIDLen bounds EventID before it is replaced by a hash.
const maxEventIDLen = 200

// VerifyWebhook checks the v3 signature: X-HubSpot-Signature-v3 must be
// the base64 HMAC-SHA256, keyed with creds[WebhookSecretKey], of method +
// URI + body + X-HubSpot-Request-Timestamp, and the timestamp (epoch ms)
// within WebhookTolerance of now. Errors wrap ErrSignature, except a body
// that verifies but is not HubSpot's event array.
func VerifyWebhook(r WebhookRequest, creds map[string]string, now time.Time) (Webhook, error) {
	secret := creds[WebhookSecretKey]
	if secret == "" {
		return Webhook{}, fmt.Errorf("verify hubspot webhook: no %s configured: %w", WebhookSecretKey, ErrSignature)
	}
	ts := r.Header.Get("X-HubSpot-Request-Timestamp")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Webhook{}, fmt.Errorf("verify hubspot webhook: missing or malformed X-HubSpot-Request-Timestamp: %w", ErrSignature)
	}
	if d := now.Sub(time.UnixMilli(ms)); d > WebhookTolerance || d < -WebhookTolerance {
		return Webhook{}, fmt.Errorf("verify hubspot webhook: timestamp is %s from now: %w", d.Round(time.Second), ErrSignature)
	}
	got, err := base64.StdEncoding.DecodeString(r.Header.Get("X-HubSpot-Signature-v3"))
	if err != nil || len(got) == 0 {
		return Webhook{}, fmt.Errorf("verify hubspot webhook: missing or malformed X-HubSpot-Signature-v3: %w", ErrSignature)
	}
	if !hmac.Equal(got, SignV3(secret, r.Method, r.URL, r.Body, ts)) {
		return Webhook{}, fmt.Errorf("verify hubspot webhook: signature mismatch: %w", ErrSignature)
	}
	return parseEvents(r.Body)
}

// SignV3 computes a v3 signature. HubSpot signs the URI with these
// percent-encoded characters decoded, so they are decoded here too.
func SignV3(secret, method, uri string, body []byte, timestamp string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(method + decodeURI(uri)))
	mac.Write(body)
	mac.Write([]byte(timestamp))
	return mac.Sum(nil)
}

var uriDecoder = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$", "%27", "'",
	"%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	"%3a", ":", "%2f", "/", "%3f", "?", "%2a", "*", "%2c", ",", "%3b", ";",
)

func decodeURI(uri string) string { return uriDecoder.Replace(uri) }

func parseEvents(body []byte) (Webhook, error) {
	var evs []event
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&evs); err != nil || len(evs) == 0 {
		return Webhook{}, fmt.Errorf("hubspot webhook body is not a non-empty event array: %v", err)
	}
	var ids, topics []string
	streamSet := map[string]bool{}
	for _, e := range evs {
		if e.EventID == "" || e.SubscriptionType == "" {
			return Webhook{}, fmt.Errorf("hubspot webhook event without eventId or subscriptionType")
		}
		ids = append(ids, e.EventID.String())
		topics = append(topics, e.SubscriptionType)
		if s := streamOf(e.SubscriptionType); s != "" {
			streamSet[s] = true
		}
	}
	w := Webhook{EventID: joinIDs(ids), Topic: strings.Join(sortedUnique(topics), ",")}
	for _, s := range streamOrder {
		if streamSet[s] {
			w.Streams = append(w.Streams, s)
		}
	}
	return w, nil
}

// joinIDs sorts the IDs numerically (then as text) and joins them.
func joinIDs(ids []string) string {
	slices.SortFunc(ids, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
	ids = slices.Compact(ids)
	joined := strings.Join(ids, ",")
	if len(joined) <= maxEventIDLen {
		return joined
	}
	sum := sha256.Sum256([]byte(joined))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// streamOf maps a subscription type (object.change) to its stream.
func streamOf(subscriptionType string) string {
	obj, _, _ := strings.Cut(subscriptionType, ".")
	switch obj {
	case "contact":
		return StreamContacts
	case "company":
		return StreamCompanies
	case "deal":
		return StreamDeals
	}
	return ""
}
