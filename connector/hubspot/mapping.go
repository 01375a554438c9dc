package hubspot

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// streamDef says how one stream is read and mapped.
type streamDef struct {
	objectType string   // path segment: contacts, companies, deals
	modified   string   // the last-modified property search filters and sorts on
	properties []string // properties requested
	kind       string   // Object kind; empty for contacts (customers)
	nameProp   string
}

var streamOrder = []string{StreamContacts, StreamCompanies, StreamDeals}

// HubSpot keeps a contact's last modification in lastmodifieddate and a
// company's or deal's in hs_lastmodifieddate.
var streams = map[string]streamDef{
	StreamContacts: {objectType: "contacts", modified: "lastmodifieddate",
		properties: []string{"email", "firstname", "lastname", "phone", "lifecyclestage", "hs_email_optout",
			"hs_legal_basis", "createdate", "lastmodifieddate"}},
	StreamCompanies: {objectType: "companies", modified: "hs_lastmodifieddate", kind: "company", nameProp: "name",
		properties: []string{"name", "domain", "industry", "createdate", "hs_lastmodifieddate"}},
	StreamDeals: {objectType: "deals", modified: "hs_lastmodifieddate", kind: "deal", nameProp: "dealname",
		properties: []string{"dealname", "amount", "dealstage", "pipeline", "closedate", "createdate", "hs_lastmodifieddate"}},
}

// object is a CRM record as HubSpot sends it; property values are strings
// or null.
type object struct {
	ID         string             `json:"id"`
	Properties map[string]*string `json:"properties"`
	CreatedAt  time.Time          `json:"createdAt"`
	UpdatedAt  time.Time          `json:"updatedAt"`
	Archived   bool               `json:"archived"`
}

func (o object) prop(name string) string {
	if v := o.Properties[name]; v != nil {
		return *v
	}
	return ""
}

// parseTime reads a datetime property: ISO 8601, or epoch milliseconds as
// older properties hold them.
func parseTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), true
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	return time.Time{}, false
}

// modifiedAt is the object's cursor value: its last-modified property, or
// updatedAt when the property is missing.
func (d streamDef) modifiedAt(o object) time.Time {
	if t, ok := parseTime(o.prop(d.modified)); ok {
		return t
	}
	return o.UpdatedAt.UTC()
}

// record maps one object of the stream.
func (d streamDef) record(stream string, o object) (connector.Record, error) {
	if o.ID == "" {
		return connector.Record{}, fmt.Errorf("hubspot %s: an object has no id", stream)
	}
	r := connector.Record{Stream: stream, ExternalID: o.ID, UpdatedAt: d.modifiedAt(o), Deleted: o.Archived}
	if d.kind == "" {
		r.Customer = contact(o)
		return r, nil
	}
	attrs, err := json.Marshal(o.Properties)
	if err != nil {
		return connector.Record{}, fmt.Errorf("hubspot %s %s: encode properties: %w", stream, o.ID, err)
	}
	r.Object = &connector.Object{Kind: d.kind, Name: o.prop(d.nameProp), Attributes: attrs}
	return r, nil
}

func contact(o object) *connector.Customer {
	c := &connector.Customer{
		Email:     strings.ToLower(strings.TrimSpace(o.prop("email"))),
		Phone:     strings.TrimSpace(o.prop("phone")),
		FirstName: o.prop("firstname"),
		LastName:  o.prop("lastname"),
		Consent:   consent(o),
		CreatedAt: o.CreatedAt.UTC(),
	}
	if t, ok := parseTime(o.prop("createdate")); ok {
		c.CreatedAt = t
	}
	if stage := o.prop("lifecyclestage"); stage != "" {
		c.Tags = []string{"lifecyclestage:" + stage}
	}
	return c
}

// consent reads marketing-email consent: a contact who opted out of all
// email (hs_email_optout) is denied; one with a recorded legal basis to
// communicate (hs_legal_basis, HubSpot's GDPR consent field) is granted;
// anyone else is unknown — HubSpot's default hs_email_optout "false" only
// says the contact has not unsubscribed.
func consent(o object) string {
	switch {
	case strings.EqualFold(o.prop("hs_email_optout"), "true"):
		return "denied"
	case strings.TrimSpace(o.prop("hs_legal_basis")) != "":
		return "granted"
	}
	return "unknown"
}
