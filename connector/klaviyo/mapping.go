package klaviyo

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Consent values.
const (
	consentGranted = "granted"
	consentDenied  = "denied"
	consentUnknown = "unknown"
)

type marketing struct {
	Consent     string            `json:"consent"`
	Suppression []json.RawMessage `json:"suppression"`
}

type profileAttrs struct {
	Email         *string    `json:"email"`
	PhoneNumber   *string    `json:"phone_number"`
	FirstName     *string    `json:"first_name"`
	LastName      *string    `json:"last_name"`
	Created       *time.Time `json:"created"`
	Updated       *time.Time `json:"updated"`
	Subscriptions *struct {
		Email *struct {
			Marketing *marketing `json:"marketing"`
		} `json:"email"`
		SMS *struct {
			Marketing *marketing `json:"marketing"`
		} `json:"sms"`
	} `json:"subscriptions"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func utc(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// consentOf maps Klaviyo's email marketing consent: SUBSCRIBED is granted,
// UNSUBSCRIBED (or a suppressed address) is denied, NEVER_SUBSCRIBED or no
// subscriptions block is unknown.
func consentOf(m *marketing) string {
	if m == nil {
		return consentUnknown
	}
	if len(m.Suppression) > 0 {
		return consentDenied
	}
	switch strings.ToUpper(m.Consent) {
	case "SUBSCRIBED":
		return consentGranted
	case "UNSUBSCRIBED":
		return consentDenied
	}
	return consentUnknown
}

// mapProfile maps a profile to a customer. The SMS marketing consent
// travels as a tag, since a customer has one consent field (email's).
func mapProfile(r resource) (connector.Record, error) {
	var a profileAttrs
	if err := json.Unmarshal(r.Attributes, &a); err != nil {
		return connector.Record{}, fmt.Errorf("klaviyo profile %s: %w", r.ID, err)
	}
	c := &connector.Customer{
		Email: strings.ToLower(strings.TrimSpace(str(a.Email))), Phone: str(a.PhoneNumber),
		FirstName: str(a.FirstName), LastName: str(a.LastName), CreatedAt: utc(a.Created), Consent: consentUnknown,
	}
	if s := a.Subscriptions; s != nil {
		if s.Email != nil {
			c.Consent = consentOf(s.Email.Marketing)
		}
		if s.SMS != nil && s.SMS.Marketing != nil {
			switch consentOf(s.SMS.Marketing) {
			case consentGranted:
				c.Tags = append(c.Tags, "sms_subscribed")
			case consentDenied:
				c.Tags = append(c.Tags, "sms_unsubscribed")
			}
		}
	}
	updated := utc(a.Updated)
	if updated.IsZero() {
		updated = c.CreatedAt
	}
	return connector.Record{Stream: StreamProfiles, ExternalID: r.ID, UpdatedAt: updated, Customer: c}, nil
}

// mapObject keeps a list or segment as sent.
func mapObject(stream, kind string, r resource) (connector.Record, error) {
	var a struct {
		Name    string     `json:"name"`
		Updated *time.Time `json:"updated"`
		Created *time.Time `json:"created"`
	}
	if err := json.Unmarshal(r.Attributes, &a); err != nil {
		return connector.Record{}, fmt.Errorf("klaviyo %s %s: %w", kind, r.ID, err)
	}
	updated := utc(a.Updated)
	if updated.IsZero() {
		updated = utc(a.Created)
	}
	return connector.Record{Stream: stream, ExternalID: r.ID, UpdatedAt: updated,
		Object: &connector.Object{Kind: kind, Name: a.Name, Attributes: r.Attributes}}, nil
}

// mapCampaign maps a campaign of a channel ("email" or "sms").
func mapCampaign(channel string, r resource) (connector.Record, error) {
	var a struct {
		Name      string     `json:"name"`
		Status    string     `json:"status"`
		CreatedAt *time.Time `json:"created_at"`
		UpdatedAt *time.Time `json:"updated_at"`
	}
	if err := json.Unmarshal(r.Attributes, &a); err != nil {
		return connector.Record{}, fmt.Errorf("klaviyo campaign %s: %w", r.ID, err)
	}
	return connector.Record{Stream: StreamCampaigns, ExternalID: r.ID, UpdatedAt: utc(a.UpdatedAt),
		Campaign: &connector.Campaign{Name: a.Name, Channel: channel, Status: strings.ToLower(a.Status), CreatedAt: utc(a.CreatedAt)}}, nil
}

// eventKinds maps Klaviyo metric names to OmniFy's engagement kinds.
var eventKinds = map[string]string{
	"Opened Email":  connector.EventEmailOpened,
	"Clicked Email": connector.EventEmailClicked,
	"Placed Order":  connector.EventOrderPlaced,
}

type relOne struct {
	Data *struct {
		ID string `json:"id"`
	} `json:"data"`
}

func relID(r resource, name string) string {
	var rel relOne
	if raw, ok := r.Relationships[name]; ok && json.Unmarshal(raw, &rel) == nil && rel.Data != nil {
		return rel.Data.ID
	}
	return ""
}

// mapEvent maps an event whose metric is one OmniFy reads; ok is false
// for other metrics. Order values ($value, in major units) become minor
// units of $currency_code, or of the account currency given.
func mapEvent(r resource, metricName map[string]string, currency string) (connector.Record, bool, error) {
	kind, ok := eventKinds[metricName[relID(r, "metric")]]
	if !ok {
		return connector.Record{}, false, nil
	}
	var a struct {
		Datetime *time.Time     `json:"datetime"`
		Props    map[string]any `json:"event_properties"`
	}
	if err := json.Unmarshal(r.Attributes, &a); err != nil {
		return connector.Record{}, false, fmt.Errorf("klaviyo event %s: %w", r.ID, err)
	}
	at := utc(a.Datetime)
	if at.IsZero() {
		return connector.Record{}, false, fmt.Errorf("klaviyo event %s has no datetime: %w", r.ID, connector.ErrPermanent)
	}
	e := &connector.Event{CustomerExternalID: relID(r, "profile"), Kind: kind, OccurredAt: at}
	if m, ok := a.Props["$message"].(string); ok {
		e.CampaignExternalID = m
	}
	if kind == connector.EventOrderPlaced {
		if v, ok := a.Props["$value"].(float64); ok {
			e.Currency = currency
			if c, ok := a.Props["$currency_code"].(string); ok && c != "" {
				e.Currency = strings.ToUpper(c)
			}
			e.ValueMinor = int64(math.Round(v * math.Pow10(exponent(e.Currency))))
		}
	}
	return connector.Record{Stream: StreamEvents, ExternalID: r.ID, UpdatedAt: at, Event: e}, true, nil
}

// exponent is a currency's number of minor-unit digits (ISO 4217).
func exponent(currency string) int {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}
