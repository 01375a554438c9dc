package klaviyo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// WebhookSecretKey is the credential holding the system webhook's
// secret_key.
const WebhookSecretKey = "webhook_secret"

// WebhookTolerance is how far a Klaviyo-Timestamp may be from now.
const WebhookTolerance = 5 * time.Minute

// ErrSignature is returned (wrapped) for any webhook signature failure.
var ErrSignature = errors.New("klaviyo webhook signature invalid")

// WebhookRequest is a webhook delivery as received.
type WebhookRequest struct {
	Method string
	URL    string // the full public URL Klaviyo called, query included
	Header http.Header
	Body   []byte
}

// Webhook is a verified delivery: an ID for replay detection, its topic,
// and the streams to sync incrementally because of it.
type Webhook struct {
	EventID string
	Topic   string
	Streams []string
}

// VerifyWebhook checks a system webhook delivery: Klaviyo-Signature must be
// the hex HMAC-SHA256, keyed with the webhook's secret, of the raw body
// followed by the Klaviyo-Timestamp header, and the timestamp must be
// within WebhookTolerance of now. (The signing rule is as a third-party
// summary of Klaviyo's "Working with system webhooks" page gives it; the
// OpenAPI description only says the secret signs requests.) The body's
// meta.klaviyo_webhook_id must equal the Klaviyo-Webhook-Id header.
func VerifyWebhook(r WebhookRequest, creds map[string]string, now time.Time) (Webhook, error) {
	secret := creds[WebhookSecretKey]
	if secret == "" {
		return Webhook{}, fmt.Errorf("klaviyo webhook: no %s in the connection's credentials: %w", WebhookSecretKey, ErrSignature)
	}
	sig, stamp := r.Header.Get("Klaviyo-Signature"), r.Header.Get("Klaviyo-Timestamp")
	if sig == "" || stamp == "" {
		return Webhook{}, fmt.Errorf("klaviyo webhook: Klaviyo-Signature and Klaviyo-Timestamp are required: %w", ErrSignature)
	}
	at, err := parseStamp(stamp)
	if err != nil {
		return Webhook{}, fmt.Errorf("klaviyo webhook: Klaviyo-Timestamp %q: %w", stamp, ErrSignature)
	}
	if d := now.Sub(at); d > WebhookTolerance || d < -WebhookTolerance {
		return Webhook{}, fmt.Errorf("klaviyo webhook: timestamp %s is %s from now, outside %s: %w",
			at.UTC().Format(time.RFC3339), d.Round(time.Second), WebhookTolerance, ErrSignature)
	}
	got, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil || !hmac.Equal(got, Sign([]byte(secret), r.Body, stamp)) {
		return Webhook{}, fmt.Errorf("klaviyo webhook: signature does not match: %w", ErrSignature)
	}
	return parseDelivery(r)
}

// Sign returns HMAC-SHA256(secret, body + timestamp).
func Sign(secret, body []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// parseStamp reads a timestamp as Unix seconds or RFC 3339.
func parseStamp(s string) (time.Time, error) {
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(secs, 0), nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

type delivery struct {
	Data []struct {
		ExternalID string `json:"external_id"`
		Topic      string `json:"topic"`
	} `json:"data"`
	Meta struct {
		WebhookID string `json:"klaviyo_webhook_id"`
	} `json:"meta"`
}

// parseDelivery reads the verified body. A delivery carries one or more
// events; its ID is the event's ID, or a digest of all of them, so a
// redelivery has the same ID.
func parseDelivery(r WebhookRequest) (Webhook, error) {
	var d delivery
	if err := json.Unmarshal(r.Body, &d); err != nil {
		return Webhook{}, fmt.Errorf("klaviyo webhook body: %w", err)
	}
	if len(d.Data) == 0 {
		return Webhook{}, fmt.Errorf("klaviyo webhook body has no data")
	}
	if h := r.Header.Get("Klaviyo-Webhook-Id"); h != "" && d.Meta.WebhookID != h {
		return Webhook{}, fmt.Errorf("klaviyo webhook: meta.klaviyo_webhook_id %q differs from the header %q: %w",
			d.Meta.WebhookID, h, ErrSignature)
	}
	ids := make([]string, len(d.Data))
	for i, x := range d.Data {
		ids[i] = x.ExternalID
	}
	w := Webhook{EventID: ids[0], Topic: d.Data[0].Topic, Streams: []string{StreamEvents}}
	if len(ids) > 1 {
		sort.Strings(ids)
		sum := sha256.Sum256([]byte(strings.Join(ids, "\x00")))
		w.EventID = "batch:" + hex.EncodeToString(sum[:16])
	}
	for _, x := range d.Data {
		if strings.HasPrefix(x.Topic, "profile") || strings.Contains(x.Topic, "subscribe") {
			w.Streams = []string{StreamProfiles, StreamEvents}
			break
		}
	}
	return w, nil
}
