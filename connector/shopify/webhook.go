package shopify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Webhook topics the connector subscribes to. The three privacy topics are
// mandatory for public apps.
const (
	TopicOrdersCreate         = "orders/create"
	TopicOrdersUpdated        = "orders/updated"
	TopicCustomersUpdate      = "customers/update"
	TopicAppUninstalled       = "app/uninstalled"
	TopicCustomersDataRequest = "customers/data_request"
	TopicCustomersRedact      = "customers/redact"
	TopicShopRedact           = "shop/redact"
)

// Topics lists every topic VerifyWebhook accepts.
var Topics = []string{
	TopicOrdersCreate, TopicOrdersUpdated, TopicCustomersUpdate, TopicAppUninstalled,
	TopicCustomersDataRequest, TopicCustomersRedact, TopicShopRedact,
}

// ErrSignature: a webhook or OAuth callback is unsigned, badly signed,
// stale or names an invalid shop. Answer 401 and do not process it.
var ErrSignature = errors.New("shopify signature invalid")

// Webhook is a verified delivery's metadata; Body is the raw JSON payload.
type Webhook struct {
	Topic       string
	EventID     string // X-Shopify-Event-Id: the same for every retry of one event
	WebhookID   string // X-Shopify-Webhook-Id: one delivery attempt
	Shop        string
	APIVersion  string
	TriggeredAt time.Time // zero when the header is absent
	Body        []byte
}

// Privacy reports whether the topic is one of the mandatory compliance
// topics, which must be answered within 30 days whatever the sync state.
func (w Webhook) Privacy() bool {
	switch w.Topic {
	case TopicCustomersDataRequest, TopicCustomersRedact, TopicShopRedact:
		return true
	}
	return false
}

// VerifyWebhook checks X-Shopify-Hmac-Sha256, the base64 HMAC-SHA256 of the
// raw body keyed with the app's client secret, in constant time, then the
// topic and shop headers. Call it on the exact bytes received, before any
// JSON decoding. Errors wrap ErrSignature.
func VerifyWebhook(header http.Header, body []byte, clientSecret string) (Webhook, error) {
	if clientSecret == "" {
		return Webhook{}, fmt.Errorf("verify webhook: no client secret configured: %w", ErrSignature)
	}
	got, err := base64.StdEncoding.DecodeString(header.Get("X-Shopify-Hmac-Sha256"))
	if err != nil || len(got) == 0 {
		return Webhook{}, fmt.Errorf("verify webhook: missing or malformed X-Shopify-Hmac-Sha256: %w", ErrSignature)
	}
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return Webhook{}, fmt.Errorf("verify webhook: HMAC mismatch: %w", ErrSignature)
	}
	w := Webhook{
		Topic: header.Get("X-Shopify-Topic"), EventID: header.Get("X-Shopify-Event-Id"),
		WebhookID: header.Get("X-Shopify-Webhook-Id"), Shop: header.Get("X-Shopify-Shop-Domain"),
		APIVersion: header.Get("X-Shopify-API-Version"), Body: body,
	}
	if !knownTopic(w.Topic) {
		return Webhook{}, fmt.Errorf("verify webhook: unexpected topic %q: %w", w.Topic, ErrSignature)
	}
	if !ValidShop(w.Shop) {
		return Webhook{}, fmt.Errorf("verify webhook: invalid shop domain: %w", ErrSignature)
	}
	if t, err := time.Parse(time.RFC3339Nano, header.Get("X-Shopify-Triggered-At")); err == nil {
		w.TriggeredAt = t
	}
	return w, nil
}

func knownTopic(t string) bool {
	for _, k := range Topics {
		if k == t {
			return true
		}
	}
	return false
}

// Deduper remembers processed webhook events. Shopify retries a delivery
// until it gets a 2xx and may deliver one event twice, so handlers process
// an event only when FirstSeen says so.
type Deduper interface {
	// FirstSeen records eventID and reports whether it was new.
	FirstSeen(ctx context.Context, eventID string) (bool, error)
}

// MemoryDeduper is a Deduper for one process, holding the last Capacity
// event IDs (10,000 when zero). A store-backed Deduper replaces it when
// several processes receive webhooks.
type MemoryDeduper struct {
	Capacity int

	mu    sync.Mutex
	seen  map[string]struct{}
	order []string
}

var _ Deduper = (*MemoryDeduper)(nil)

// FirstSeen implements Deduper. An empty event ID is never a duplicate.
func (d *MemoryDeduper) FirstSeen(_ context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return true, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[string]struct{}{}
	}
	if _, dup := d.seen[eventID]; dup {
		return false, nil
	}
	capacity := d.Capacity
	if capacity <= 0 {
		capacity = 10000
	}
	if len(d.order) >= capacity {
		delete(d.seen, d.order[0])
		d.order = d.order[1:]
	}
	d.seen[eventID] = struct{}{}
	d.order = append(d.order, eventID)
	return true, nil
}
