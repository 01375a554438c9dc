package shopify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Vendor shapes, as the Admin GraphQL API returns them.
type (
	money struct {
		ShopMoney struct {
			Amount       string `json:"amount"`
			CurrencyCode string `json:"currencyCode"`
		} `json:"shopMoney"`
	}
	idRef struct {
		ID string `json:"id"`
	}
	customerNode struct {
		ID                    string    `json:"id"`
		Email                 *string   `json:"email"`
		Phone                 *string   `json:"phone"`
		FirstName             *string   `json:"firstName"`
		LastName              *string   `json:"lastName"`
		CreatedAt             time.Time `json:"createdAt"`
		UpdatedAt             time.Time `json:"updatedAt"`
		Tags                  []string  `json:"tags"`
		EmailMarketingConsent *struct {
			MarketingState string `json:"marketingState"`
		} `json:"emailMarketingConsent"`
	}
	productNode struct {
		ID          string    `json:"id"`
		Title       string    `json:"title"`
		Vendor      string    `json:"vendor"`
		ProductType string    `json:"productType"`
		Status      string    `json:"status"`
		CreatedAt   time.Time `json:"createdAt"`
		UpdatedAt   time.Time `json:"updatedAt"`
	}
	lineNode struct {
		ID                   string  `json:"id"`
		SKU                  *string `json:"sku"`
		Title                string  `json:"title"`
		Quantity             int64   `json:"quantity"`
		Product              *idRef  `json:"product"`
		OriginalUnitPriceSet money   `json:"originalUnitPriceSet"`
		ParentID             string  `json:"__parentId"`
	}
	lineConn struct {
		Nodes    []lineNode `json:"nodes"`
		PageInfo pageInfo   `json:"pageInfo"`
	}
	orderNode struct {
		ID                     string     `json:"id"`
		Email                  *string    `json:"email"`
		CreatedAt              time.Time  `json:"createdAt"`
		ProcessedAt            time.Time  `json:"processedAt"`
		UpdatedAt              time.Time  `json:"updatedAt"`
		CancelledAt            *time.Time `json:"cancelledAt"`
		DisplayFinancialStatus *string    `json:"displayFinancialStatus"`
		Customer               *idRef     `json:"customer"`
		TotalPriceSet          money      `json:"totalPriceSet"`
		TotalDiscountsSet      *money     `json:"totalDiscountsSet"`
		TotalRefundedSet       money      `json:"totalRefundedSet"`
		LineItems              *lineConn  `json:"lineItems"`
	}
	pageInfo struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
	}
)

// legacyID turns "gid://shopify/Order/123" into "123", the id webhooks and
// the Shopify admin use.
func legacyID(gid string) string {
	if i := strings.LastIndexByte(gid, '/'); i >= 0 {
		return gid[i+1:]
	}
	return gid
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Consent maps emailMarketingConsent.marketingState: SUBSCRIBED is consent
// given; UNSUBSCRIBED and REDACTED are consent refused or withdrawn;
// NOT_SUBSCRIBED (never asked), PENDING (double opt-in not confirmed),
// INVALID (bad address) and a missing state say nothing, so "unknown".
func Consent(marketingState string) string {
	switch marketingState {
	case "SUBSCRIBED":
		return "granted"
	case "UNSUBSCRIBED", "REDACTED":
		return "denied"
	default:
		return "unknown"
	}
}

func customerRecord(n customerNode) connector.Record {
	state := ""
	if n.EmailMarketingConsent != nil {
		state = n.EmailMarketingConsent.MarketingState
	}
	return connector.Record{
		Stream: StreamCustomers, ExternalID: legacyID(n.ID), UpdatedAt: n.UpdatedAt,
		Customer: &connector.Customer{
			Email: str(n.Email), Phone: str(n.Phone), FirstName: str(n.FirstName), LastName: str(n.LastName),
			Consent: Consent(state), CreatedAt: n.CreatedAt, Tags: n.Tags,
		},
	}
}

func productRecord(n productNode) connector.Record {
	return connector.Record{
		Stream: StreamProducts, ExternalID: legacyID(n.ID), UpdatedAt: n.UpdatedAt,
		Product: &connector.Product{Title: n.Title, Vendor: n.Vendor, Type: n.ProductType,
			Status: strings.ToLower(n.Status), CreatedAt: n.CreatedAt},
	}
}

func orderRecord(n orderNode, lines []lineNode) (connector.Record, error) {
	cur := n.TotalPriceSet.ShopMoney.CurrencyCode
	total, err := amountIn(n.TotalPriceSet, cur)
	if err != nil {
		return connector.Record{}, fmt.Errorf("order %s total: %w", n.ID, err)
	}
	var discount int64
	if n.TotalDiscountsSet != nil {
		if discount, err = amountIn(*n.TotalDiscountsSet, cur); err != nil {
			return connector.Record{}, fmt.Errorf("order %s discounts: %w", n.ID, err)
		}
	}
	refunded, err := amountIn(n.TotalRefundedSet, cur)
	if err != nil {
		return connector.Record{}, fmt.Errorf("order %s refunds: %w", n.ID, err)
	}
	o := &connector.Order{
		Email: str(n.Email), PlacedAt: n.ProcessedAt, Currency: cur, TotalMinor: total,
		DiscountMinor: discount, RefundedMinor: refunded, Status: orderStatus(n),
	}
	if o.PlacedAt.IsZero() {
		o.PlacedAt = n.CreatedAt
	}
	if n.Customer != nil {
		o.CustomerExternalID = legacyID(n.Customer.ID)
	}
	if o.Lines, err = lineItems(lines, cur); err != nil {
		return connector.Record{}, fmt.Errorf("order %s: %w", n.ID, err)
	}
	return connector.Record{Stream: StreamOrders, ExternalID: legacyID(n.ID), UpdatedAt: n.UpdatedAt, Order: o}, nil
}

func orderStatus(n orderNode) string {
	if n.CancelledAt != nil {
		return "cancelled"
	}
	return strings.ToLower(str(n.DisplayFinancialStatus))
}

func lineItems(lines []lineNode, cur string) ([]connector.LineItem, error) {
	out := make([]connector.LineItem, 0, len(lines))
	for _, l := range lines {
		price, err := amountIn(l.OriginalUnitPriceSet, cur)
		if err != nil {
			return nil, fmt.Errorf("line %s: %w", l.ID, err)
		}
		li := connector.LineItem{SKU: str(l.SKU), Title: l.Title, Quantity: l.Quantity, PriceMinor: price}
		if l.Product != nil {
			li.ProductExternalID = legacyID(l.Product.ID)
		}
		out = append(out, li)
	}
	return out, nil
}

// amountIn converts a MoneyBag's shop amount, refusing a currency other
// than the order's: minor units of two currencies cannot be added.
func amountIn(m money, cur string) (int64, error) {
	if m.ShopMoney.CurrencyCode != "" && m.ShopMoney.CurrencyCode != cur {
		return 0, fmt.Errorf("currency %s differs from the order's %s", m.ShopMoney.CurrencyCode, cur)
	}
	if m.ShopMoney.Amount == "" {
		return 0, nil
	}
	return MinorUnits(m.ShopMoney.Amount, cur)
}

// MinorUnits parses a Shopify Decimal string ("12.5", "-3.00", "1200")
// into integer minor units of currency exactly, without floats. It refuses
// amounts with more precision than the currency has (other than trailing
// zeros) and amounts that overflow int64.
func MinorUnits(amount, currency string) (int64, error) {
	exp := minorExponent(currency)
	s, neg := strings.CutPrefix(amount, "-")
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" || len(frac) > exp || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("amount %q is not a %s money value", amount, currency)
	}
	frac += strings.Repeat("0", exp-len(frac))
	var v int64
	for _, ch := range whole + frac {
		d := int64(ch - '0')
		if v > (1<<63-1-d)/10 {
			return 0, errors.New("amount " + amount + " overflows")
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, nil
}

func digits(s string) bool {
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return false
		}
	}
	return true
}

// minorExponent is ISO 4217's number of minor-unit digits.
func minorExponent(currency string) int {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	default:
		return 2
	}
}

// decodeNode decodes one vendor object into a record.
func decodeNode(stream string, raw json.RawMessage) (connector.Record, error) {
	switch stream {
	case StreamCustomers:
		var n customerNode
		if err := json.Unmarshal(raw, &n); err != nil {
			return connector.Record{}, fmt.Errorf("decode customer: %w", err)
		}
		return customerRecord(n), nil
	case StreamProducts:
		var n productNode
		if err := json.Unmarshal(raw, &n); err != nil {
			return connector.Record{}, fmt.Errorf("decode product: %w", err)
		}
		return productRecord(n), nil
	}
	return connector.Record{}, fmt.Errorf("decode %s: %w", stream, connector.ErrUnknownStream)
}
