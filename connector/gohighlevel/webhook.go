package gohighlevel

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrSignature: a webhook is unsigned, badly signed, signed only with the
// retired RSA header, or stale. Answer 401 and do not process it.
var ErrSignature = errors.New("gohighlevel webhook signature invalid")

// WebhookPublicKey is HighLevel's Ed25519 webhook key, used when the
// connection's credentials carry no webhook_public_key. HighLevel hands the
// key out through its developer portal rather than its published API
// files, so it is empty until the operator sets it; tests set their own.
var WebhookPublicKey ed25519.PublicKey

// WebhookTolerance is how far a delivery's timestamp may lie from now.
const WebhookTolerance = 5 * time.Minute

// WebhookRequest is a delivery as received.
type WebhookRequest struct {
	Method string
	URL    string // the full public URL HighLevel called, query included
	Header http.Header
	Body   []byte
}

// Webhook is what a verified delivery says.
type Webhook struct {
	EventID    string   // webhookId: the same for every retry of one delivery
	Topic      string   // the payload's type, e.g. "ContactTagUpdate"
	Streams    []string // streams to sync incrementally
	LocationID string
}

// VerifyWebhook checks X-GHL-Signature, the base64 Ed25519 signature of
// the raw body, against the key in creds["webhook_public_key"] (PEM or
// base64 of the 32 key bytes) or WebhookPublicKey, then the payload's
// timestamp against now within WebhookTolerance. A delivery signed only
// with the RSA x-wh-signature header, which HighLevel retired on
// 2026-07-01, is refused. Errors wrap ErrSignature. Dropping a repeated
// EventID is the receiver's concern.
func VerifyWebhook(r WebhookRequest, creds map[string]string, now time.Time) (Webhook, error) {
	sig := r.Header.Get("X-GHL-Signature")
	if sig == "" {
		if r.Header.Get("X-WH-Signature") != "" {
			return Webhook{}, fmt.Errorf("verify webhook: only the retired RSA x-wh-signature header is present; "+
				"HighLevel signs with Ed25519 in X-GHL-Signature since 2026-07-01: %w", ErrSignature)
		}
		return Webhook{}, fmt.Errorf("verify webhook: no X-GHL-Signature header: %w", ErrSignature)
	}
	key, err := webhookKey(creds)
	if err != nil {
		return Webhook{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
	if err != nil || len(raw) != ed25519.SignatureSize {
		return Webhook{}, fmt.Errorf("verify webhook: X-GHL-Signature is not a base64 Ed25519 signature: %w", ErrSignature)
	}
	if !ed25519.Verify(key, r.Body, raw) {
		return Webhook{}, fmt.Errorf("verify webhook: signature does not match the body: %w", ErrSignature)
	}
	return parseDelivery(r.Body, creds, now)
}

// webhookKey returns the configured Ed25519 public key.
func webhookKey(creds map[string]string) (ed25519.PublicKey, error) {
	s := strings.TrimSpace(creds["webhook_public_key"])
	if s == "" {
		if len(WebhookPublicKey) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("verify webhook: no HighLevel Ed25519 public key configured: %w", ErrSignature)
		}
		return WebhookPublicKey, nil
	}
	if block, _ := pem.Decode([]byte(s)); block != nil {
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if k, ok := pub.(ed25519.PublicKey); err == nil && ok {
			return k, nil
		}
		return nil, fmt.Errorf("verify webhook: webhook_public_key is not an Ed25519 PEM public key: %w", ErrSignature)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("verify webhook: webhook_public_key is neither PEM nor 32 base64 bytes: %w", ErrSignature)
	}
	return ed25519.PublicKey(b), nil
}

// parseDelivery reads the signed payload's head and checks its age.
func parseDelivery(body []byte, creds map[string]string, now time.Time) (Webhook, error) {
	var p struct {
		Type       string `json:"type"`
		LocationID string `json:"locationId"`
		Timestamp  string `json:"timestamp"`
		WebhookID  string `json:"webhookId"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return Webhook{}, fmt.Errorf("verify webhook: body is not JSON: %v: %w", err, ErrSignature)
	}
	ts, err := time.Parse(time.RFC3339Nano, p.Timestamp)
	if err != nil {
		return Webhook{}, fmt.Errorf("verify webhook: timestamp %q is missing or not ISO 8601: %w", p.Timestamp, ErrSignature)
	}
	if d := now.Sub(ts); d > WebhookTolerance || d < -WebhookTolerance {
		return Webhook{}, fmt.Errorf("verify webhook: timestamp %s is %s from now, outside %s: %w",
			ts.Format(time.RFC3339), d.Round(time.Second), WebhookTolerance, ErrSignature)
	}
	if p.WebhookID == "" {
		return Webhook{}, fmt.Errorf("verify webhook: no webhookId: %w", ErrSignature)
	}
	// HighLevel signs every location's deliveries with one key, so a
	// signature alone does not say the delivery is this connection's.
	if loc := creds["location_id"]; loc != "" && p.LocationID != loc {
		return Webhook{}, fmt.Errorf("verify webhook: delivery for location %q, connection is %q: %w", p.LocationID, loc, ErrSignature)
	}
	return Webhook{EventID: p.WebhookID, Topic: p.Type, Streams: streamsOf(p.Type), LocationID: p.LocationID}, nil
}

// streamsOf maps an event type to the streams it changes.
func streamsOf(typ string) []string {
	switch {
	case strings.HasPrefix(typ, "Contact"):
		return []string{StreamContacts}
	case strings.HasPrefix(typ, "Opportunity"):
		return []string{StreamOpportunities}
	case typ == "CampaignStatusUpdate":
		return []string{StreamCampaigns}
	}
	return nil
}
