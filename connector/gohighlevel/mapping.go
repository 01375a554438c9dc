package gohighlevel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// contact is the part of HighLevel's contact the mapping reads.
type contact struct {
	ID          string   `json:"id"`
	FirstName   string   `json:"firstName"`
	LastName    string   `json:"lastName"`
	Email       string   `json:"email"`
	Phone       string   `json:"phone"`
	DND         bool     `json:"dnd"`
	Tags        []string `json:"tags"`
	DateAdded   string   `json:"dateAdded"`
	DateUpdated string   `json:"dateUpdated"`
	DNDSettings map[string]struct {
		Status string `json:"status"`
	} `json:"dndSettings"`
}

// Consent reads HighLevel's Do-Not-Disturb flags: DND on all channels, or
// an "active" or "permanent" DND on the Email channel, is a denial.
// HighLevel records no opt-in, so everyone else is "unknown".
func (c contact) Consent() string {
	if c.DND {
		return "denied"
	}
	switch c.DNDSettings["Email"].Status {
	case "active", "permanent":
		return "denied"
	}
	return "unknown"
}

// ContactRecord maps a contact of the search answer to a customer record.
func ContactRecord(raw json.RawMessage) (connector.Record, error) {
	var c contact
	if err := json.Unmarshal(raw, &c); err != nil {
		return connector.Record{}, fmt.Errorf("decode contact: %w", err)
	}
	if c.ID == "" {
		return connector.Record{}, fmt.Errorf("decode contact: %w: a contact has no id", connector.ErrPermanent)
	}
	updated, err := parseTime(c.DateUpdated)
	if err != nil {
		return connector.Record{}, fmt.Errorf("contact %s dateUpdated: %w", c.ID, err)
	}
	added, _ := parseTime(c.DateAdded)
	if updated.IsZero() {
		updated = added
	}
	return connector.Record{
		Stream: StreamContacts, ExternalID: c.ID, UpdatedAt: updated,
		Customer: &connector.Customer{
			Email: strings.ToLower(strings.TrimSpace(c.Email)), Phone: c.Phone, FirstName: c.FirstName, LastName: c.LastName,
			Consent: c.Consent(), CreatedAt: added, Tags: c.Tags,
		},
	}, nil
}

// parseTime reads HighLevel's ISO 8601 times; empty is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q: %w", connector.ErrPermanent, s, err)
	}
	return t.UTC(), nil
}

// object is the common head of opportunities, campaigns and workflows.
type object struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

func decodeObject(kind string, raw json.RawMessage) (object, time.Time, error) {
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, time.Time{}, fmt.Errorf("decode %s: %w", kind, err)
	}
	if o.ID == "" {
		return o, time.Time{}, fmt.Errorf("decode %s: %w: no id", kind, connector.ErrPermanent)
	}
	updated, err := parseTime(o.UpdatedAt)
	if err != nil {
		return o, time.Time{}, fmt.Errorf("%s %s updatedAt: %w", kind, o.ID, err)
	}
	return o, updated, nil
}

// OpportunityRecord keeps an opportunity (a deal in a pipeline) as sent.
func OpportunityRecord(raw json.RawMessage) (connector.Record, error) {
	o, updated, err := decodeObject("opportunity", raw)
	if err != nil {
		return connector.Record{}, err
	}
	return connector.Record{Stream: StreamOpportunities, ExternalID: o.ID, UpdatedAt: updated,
		Object: &connector.Object{Kind: "opportunity", Name: o.Name, Attributes: compact(raw)}}, nil
}

// WorkflowRecord keeps a workflow (an automation) as sent.
func WorkflowRecord(raw json.RawMessage) (connector.Record, error) {
	o, updated, err := decodeObject("workflow", raw)
	if err != nil {
		return connector.Record{}, err
	}
	return connector.Record{Stream: StreamWorkflows, ExternalID: o.ID, UpdatedAt: updated,
		Object: &connector.Object{Kind: "workflow", Name: o.Name, Attributes: compact(raw)}}, nil
}

// CampaignChannel is the channel of HighLevel campaigns: drip sequences
// that mix email, SMS and calls, so no single marketing channel fits.
const CampaignChannel = "crm"

// CampaignRecord maps a campaign; HighLevel lists only its id, name and
// status, with no dates.
func CampaignRecord(raw json.RawMessage) (connector.Record, error) {
	o, _, err := decodeObject("campaign", raw)
	if err != nil {
		return connector.Record{}, err
	}
	return connector.Record{Stream: StreamCampaigns, ExternalID: o.ID,
		Campaign: &connector.Campaign{Name: o.Name, Channel: CampaignChannel, Status: o.Status}}, nil
}

// compact keeps the vendor's JSON without its whitespace.
func compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return append(json.RawMessage(nil), raw...)
	}
	return b.Bytes()
}
