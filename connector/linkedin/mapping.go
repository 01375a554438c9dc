package linkedin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Vendor shapes, only the fields the mapping needs; Object records keep
// the whole element as LinkedIn sent it.

type auditStamps struct {
	Created      struct{ Time int64 } `json:"created"`
	LastModified struct{ Time int64 } `json:"lastModified"`
}

type adAccount struct {
	ID       int64       `json:"id"`
	Name     string      `json:"name"`
	Currency string      `json:"currency"`
	Status   string      `json:"status"`
	Audit    auditStamps `json:"changeAuditStamps"`
}

type adCampaign struct {
	ID          int64       `json:"id"`
	Account     string      `json:"account"`
	Name        string      `json:"name"`
	Status      string      `json:"status"`
	Audit       auditStamps `json:"changeAuditStamps"`
	RunSchedule struct {
		Start int64 `json:"start"`
	} `json:"runSchedule"`
}

type adCreative struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	CreatedAt      int64  `json:"createdAt"`
	LastModifiedAt int64  `json:"lastModifiedAt"`
	Content        struct {
		Reference string `json:"reference"`
		TextAd    *struct {
			Headline    string `json:"headline"`
			Description string `json:"description"`
			LandingPage string `json:"landingPage"`
		} `json:"textAd"`
	} `json:"content"`
}

type dmpSegment struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Account      string `json:"account"`
	Type         string `json:"type"`
	Created      int64  `json:"created"`
	LastModified int64  `json:"lastModified"`
}

// post is what the posts API holds of sponsored content's copy.
type post struct {
	Commentary string `json:"commentary"`
	Content    struct {
		Article *struct {
			Source      string `json:"source"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"article"`
	} `json:"content"`
}

// AdCopy is the text of a creative, kept for creative analysis: inline for
// text ads, from the referenced post for sponsored content.
type AdCopy struct {
	Headline           string `json:"headline,omitempty"`
	Description        string `json:"description,omitempty"`
	Commentary         string `json:"commentary,omitempty"`
	ArticleTitle       string `json:"article_title,omitempty"`
	ArticleDescription string `json:"article_description,omitempty"`
	LandingPage        string `json:"landing_page,omitempty"`
}

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func mapAccount(raw json.RawMessage) (connector.Record, error) {
	var a adAccount
	if err := json.Unmarshal(raw, &a); err != nil || a.ID == 0 {
		return connector.Record{}, fmt.Errorf("decode ad account: %v", err)
	}
	return connector.Record{Stream: StreamAdAccounts, ExternalID: strconv.FormatInt(a.ID, 10),
		UpdatedAt: msTime(a.Audit.LastModified.Time),
		Object:    &connector.Object{Kind: "ad_account", Name: a.Name, Attributes: compact(raw)}}, nil
}

func mapGroup(raw json.RawMessage) (connector.Record, error) {
	var g adCampaign // same id, name and audit fields
	if err := json.Unmarshal(raw, &g); err != nil || g.ID == 0 {
		return connector.Record{}, fmt.Errorf("decode campaign group: %v", err)
	}
	return connector.Record{Stream: StreamCampaignGroups, ExternalID: strconv.FormatInt(g.ID, 10),
		UpdatedAt: msTime(g.Audit.LastModified.Time),
		Object:    &connector.Object{Kind: "campaign_group", Name: g.Name, Attributes: compact(raw)}}, nil
}

func mapCampaign(raw json.RawMessage) (connector.Record, error) {
	var c adCampaign
	if err := json.Unmarshal(raw, &c); err != nil || c.ID == 0 {
		return connector.Record{}, fmt.Errorf("decode campaign: %v", err)
	}
	return connector.Record{Stream: StreamCampaigns, ExternalID: strconv.FormatInt(c.ID, 10),
		UpdatedAt: msTime(c.Audit.LastModified.Time),
		Campaign: &connector.Campaign{Name: c.Name, Channel: "paid_social", Status: strings.ToLower(c.Status),
			CreatedAt: msTime(c.Audit.Created.Time)}}, nil
}

func mapSegment(raw json.RawMessage) (connector.Record, error) {
	var s dmpSegment
	if err := json.Unmarshal(raw, &s); err != nil || s.ID == 0 {
		return connector.Record{}, fmt.Errorf("decode DMP segment: %v", err)
	}
	return connector.Record{Stream: StreamAudiences, ExternalID: strconv.FormatInt(s.ID, 10),
		UpdatedAt: msTime(s.LastModified),
		Object:    &connector.Object{Kind: "audience", Name: s.Name, Attributes: compact(raw)}}, nil
}

// mapCreative keeps the creative as sent plus its ad copy under "ad_copy".
func mapCreative(raw json.RawMessage, posts map[string]post) (connector.Record, error) {
	var c adCreative
	if err := json.Unmarshal(raw, &c); err != nil {
		return connector.Record{}, fmt.Errorf("decode creative: %v", err)
	}
	id, ok := urnID(c.ID, "sponsoredCreative")
	if !ok {
		return connector.Record{}, fmt.Errorf("creative id %q is not a sponsoredCreative URN", c.ID)
	}
	cp := adCopyOf(c, posts)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return connector.Record{}, fmt.Errorf("decode creative: %v", err)
	}
	fields["ad_copy"] = marshal(cp)
	attrs := marshal(fields) // keys sorted: stable attributes
	name := c.Name
	if name == "" {
		name = firstNonEmpty(cp.Headline, cp.ArticleTitle, c.ID)
	}
	return connector.Record{Stream: StreamCreatives, ExternalID: id, UpdatedAt: msTime(c.LastModifiedAt),
		Object: &connector.Object{Kind: "creative", Name: name, Attributes: attrs}}, nil
}

func adCopyOf(c adCreative, posts map[string]post) AdCopy {
	if t := c.Content.TextAd; t != nil {
		return AdCopy{Headline: t.Headline, Description: t.Description, LandingPage: t.LandingPage}
	}
	p, ok := posts[c.Content.Reference]
	if !ok {
		return AdCopy{}
	}
	cp := AdCopy{Commentary: p.Commentary}
	if a := p.Content.Article; a != nil {
		cp.ArticleTitle, cp.ArticleDescription, cp.LandingPage = a.Title, a.Description, a.Source
	}
	return cp
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// compact re-encodes raw without insignificant whitespace.
func compact(raw json.RawMessage) json.RawMessage {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return append(json.RawMessage(nil), raw...)
	}
	return marshal(v)
}

// marshal encodes v as JSON leaving &, < and > as they are: ad copy and
// landing-page URLs stay readable.
func marshal(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return json.RawMessage("null")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// minorExponent is the number of minor-unit digits of an ISO 4217 code.
func minorExponent(currency string) int {
	switch strings.ToUpper(currency) {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}

// MinorUnits converts one of LinkedIn's decimal strings ("12.3456") to
// integer minor units of currency, rounding half away from zero. An empty
// amount is zero.
func MinorUnits(amount, currency string) (int64, error) {
	if amount == "" {
		return 0, nil
	}
	neg := strings.HasPrefix(amount, "-")
	digits := strings.TrimPrefix(strings.TrimPrefix(amount, "-"), "+")
	whole, frac, _ := strings.Cut(digits, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) || len(whole) > 15 {
		return 0, fmt.Errorf("amount %q is not a decimal", amount)
	}
	exp := minorExponent(currency)
	frac += strings.Repeat("0", exp+1) // at least one digit past the minor unit
	v, _ := strconv.ParseInt(whole+frac[:exp], 10, 64)
	if frac[exp] >= '5' { // the rest is at least half a minor unit
		v++
	}
	if neg {
		v = -v
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
