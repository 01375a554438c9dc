package linkedin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrSignature is returned (wrapped) when a webhook's challenge or
// signature does not check out.
var ErrSignature = errors.New("linkedin webhook signature invalid")

// WebhookSecretKey names the credential that signs webhooks: LinkedIn keys
// both the endpoint challenge and X-LI-Signature with the app's client
// secret.
const WebhookSecretKey = "client_secret"

// Webhook event ages accepted: older deliveries are replays or stuck
// retries, newer than now plus the skew a misset clock.
const (
	MaxEventAge = time.Hour
	MaxSkew     = 5 * time.Minute
)

// WebhookRequest is a delivery as the receiver got it.
type WebhookRequest struct {
	Method string
	URL    string // the full public URL LinkedIn called, with its query
	Header http.Header
	Body   []byte
}

// Webhook is a verified event.
type Webhook struct {
	EventID string
	Topic   string
	// Streams are the streams to sync incrementally because of the event.
	Streams []string
}

// ChallengeResponse is LinkedIn's endpoint validation answer: the hex
// HMAC-SHA256 of the challenge code keyed with the app's client secret.
func ChallengeResponse(code, clientSecret string) string {
	return hexMAC(clientSecret, []byte(code))
}

// ChallengeCode returns the challengeCode of a validation GET, if r is one.
func ChallengeCode(r WebhookRequest) (string, bool) {
	if r.Method != http.MethodGet {
		return "", false
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return "", false
	}
	code := u.Query().Get("challengeCode")
	return code, code != ""
}

// AnswerChallenge builds the JSON body LinkedIn expects for a validation
// GET: {"challengeCode": …, "challengeResponse": …}.
func AnswerChallenge(r WebhookRequest, creds map[string]string) ([]byte, error) {
	code, ok := ChallengeCode(r)
	if !ok {
		return nil, fmt.Errorf("linkedin webhook: not a challenge: %w", ErrSignature)
	}
	secret := creds[WebhookSecretKey]
	if secret == "" {
		return nil, fmt.Errorf("linkedin webhook: no %s to answer the challenge: %w", WebhookSecretKey, ErrSignature)
	}
	return json.Marshal(map[string]string{"challengeCode": code, "challengeResponse": ChallengeResponse(code, secret)})
}

func hexMAC(key string, msg []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// event is the part of a notification the verifier reads (Lead Sync and
// other notifications share it).
type event struct {
	Type                string `json:"type"`
	LeadAction          string `json:"leadAction"`
	LeadGenFormResponse string `json:"leadGenFormResponse"`
	NotificationID      any    `json:"notificationId"`
	OccurredAt          int64  `json:"occurredAt"`
	OccuredAt           int64  `json:"occuredAt"` // spelling seen in some payloads
}

// VerifyWebhook checks a POSTed event's X-LI-Signature (hex HMAC-SHA256 of
// the raw body keyed with client_secret; a "hmacsha256=" prefix is
// accepted) in constant time, refuses events older than MaxEventAge, and
// names the streams to sync. A replayed event keeps its EventID; dropping
// repeats is the receiver's job.
func VerifyWebhook(r WebhookRequest, creds map[string]string, now time.Time) (Webhook, error) {
	secret := creds[WebhookSecretKey]
	if secret == "" {
		return Webhook{}, fmt.Errorf("linkedin webhook: no %s configured: %w", WebhookSecretKey, ErrSignature)
	}
	sig := strings.TrimSpace(r.Header.Get("X-LI-Signature"))
	sig = strings.TrimPrefix(strings.TrimPrefix(sig, "hmacsha256="), "HMACSHA256=")
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return Webhook{}, fmt.Errorf("linkedin webhook: missing or malformed X-LI-Signature: %w", ErrSignature)
	}
	want, _ := hex.DecodeString(hexMAC(secret, r.Body))
	if !hmac.Equal(got, want) {
		return Webhook{}, fmt.Errorf("linkedin webhook: signature mismatch: %w", ErrSignature)
	}
	var ev event
	if err := json.Unmarshal(r.Body, &ev); err != nil {
		return Webhook{}, fmt.Errorf("linkedin webhook: body is not a JSON event: %w", err)
	}
	if err := checkAge(ev, now); err != nil {
		return Webhook{}, err
	}
	topic := ev.Type
	if ev.LeadAction != "" {
		topic += "." + ev.LeadAction
	}
	return Webhook{EventID: eventID(ev, r.Body), Topic: topic, Streams: streamsFor(ev.Type)}, nil
}

func checkAge(ev event, now time.Time) error {
	at := ev.OccurredAt
	if at == 0 {
		at = ev.OccuredAt
	}
	if at == 0 {
		return fmt.Errorf("linkedin webhook: event has no occurredAt time: %w", ErrSignature)
	}
	t := time.UnixMilli(at)
	if now.Sub(t) > MaxEventAge || t.Sub(now) > MaxSkew {
		return fmt.Errorf("linkedin webhook: event time %s is stale or in the future: %w", t.UTC().Format(time.RFC3339), ErrSignature)
	}
	return nil
}

// eventID is the notification's own ID when it has one, else the lead
// response URN with its action, else a digest of the body.
func eventID(ev event, body []byte) string {
	switch {
	case ev.NotificationID != nil:
		return fmt.Sprint(ev.NotificationID)
	case ev.LeadGenFormResponse != "":
		return ev.LeadGenFormResponse + "/" + ev.LeadAction
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:16])
}

// eventRules map notification types to the streams they change, by the
// words in the type, so variants of a type (LEAD_ACTION, LEAD_SYNC...) are
// all understood; the first rule that matches wins. A lead is a conversion,
// so it moves the day's analytics; social actions on sponsored posts change
// creatives' engagement and delivery.
var eventRules = []struct {
	word    string
	streams []string
}{
	{"LEAD", []string{StreamAdAnalytics}},
	{"CAMPAIGN_GROUP", []string{StreamCampaignGroups}},
	{"CAMPAIGN", []string{StreamCampaigns, StreamAdAnalytics}},
	{"CREATIVE", []string{StreamCreatives}},
	{"SOCIAL_ACTION", []string{StreamCreatives, StreamAdAnalytics}},
	{"DMP", []string{StreamAudiences}},
	{"AUDIENCE", []string{StreamAudiences}},
	{"ACCOUNT", []string{StreamAdAccounts}},
}

func streamsFor(typ string) []string {
	typ = strings.ToUpper(typ)
	for _, r := range eventRules {
		if strings.Contains(typ, r.word) {
			return append([]string(nil), r.streams...)
		}
	}
	return nil
}
