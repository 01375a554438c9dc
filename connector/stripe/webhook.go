package stripe

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"
)

// WebhookTolerance is how far a signature's timestamp may lie from now.
const WebhookTolerance = 300 * time.Second

// ErrWebhookSignature: the webhook's Stripe-Signature does not verify or is
// outside the tolerance window. The API answers 400 and Stripe retries.
var ErrWebhookSignature = errors.New("stripe webhook signature refused")

// Event is what a verified webhook says: enough for the API layer to start
// an incremental sync of the right stream; the records themselves are read
// from /v1/events, never trusted from the webhook body.
type Event struct {
	ID       string
	Type     string // e.g. "customer.updated"
	ObjectID string
	// Stream is the stream the event concerns, empty for types OmniFy does
	// not sync.
	Stream  string
	Created time.Time
}

// VerifyWebhook checks payload against the Stripe-Signature header with the
// endpoint's signing secret, using the SDK's verification, and the
// timestamp against now within WebhookTolerance.
func VerifyWebhook(payload []byte, sigHeader, secret string, now time.Time) (Event, error) {
	if secret == "" {
		return Event{}, fmt.Errorf("no webhook secret configured: %w", ErrWebhookSignature)
	}
	// The SDK's own tolerance check reads the wall clock; it is done here
	// against the injected now instead.
	evt, err := webhook.ConstructEventWithOptions(payload, sigHeader, secret, webhook.ConstructEventOptions{
		IgnoreTolerance: true,
		// An account may pin webhooks to another API version; only ids and
		// the type are read here.
		IgnoreAPIVersionMismatch: true,
	})
	if err != nil {
		return Event{}, fmt.Errorf("%v: %w", err, ErrWebhookSignature)
	}
	ts, err := signatureTime(sigHeader)
	if err != nil {
		return Event{}, err
	}
	if d := now.Sub(ts); d > WebhookTolerance || d < -WebhookTolerance {
		return Event{}, fmt.Errorf("signature time %s is %s from now: %w", ts.Format(time.RFC3339), d, ErrWebhookSignature)
	}
	out := Event{ID: evt.ID, Type: string(evt.Type), Created: unix(evt.Created), Stream: StreamOf(string(evt.Type))}
	if evt.Data != nil {
		var head struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(evt.Data.Raw, &head)
		out.ObjectID = head.ID
	}
	return out, nil
}

func signatureTime(header string) (time.Time, error) {
	for part := range strings.SplitSeq(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				break
			}
			return time.Unix(sec, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("no timestamp in signature header: %w", ErrWebhookSignature)
}

// StreamOf maps an event type to the stream it changes, or "".
func StreamOf(eventType string) string {
	switch {
	case strings.HasPrefix(eventType, "customer.subscription."):
		return Subscriptions
	case strings.HasPrefix(eventType, "customer.discount."), strings.HasPrefix(eventType, "customer.source."),
		strings.HasPrefix(eventType, "customer.tax_id."):
		return ""
	case strings.HasPrefix(eventType, "customer."):
		return Customers
	case strings.HasPrefix(eventType, "charge.dispute."), strings.HasPrefix(eventType, "charge.refund."):
		return ""
	case strings.HasPrefix(eventType, "charge."):
		return Charges
	case strings.HasPrefix(eventType, "invoice."):
		return Invoices
	}
	return ""
}
