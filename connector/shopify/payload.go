package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Webhook payloads use the REST resource shapes, snake_case with numeric
// ids, not the GraphQL ones.
type (
	restMoneyTxn struct {
		Amount string `json:"amount"`
		Kind   string `json:"kind"`
		Status string `json:"status"`
	}
	restOrder struct {
		ID             json.Number `json:"id"`
		Email          *string     `json:"email"`
		CreatedAt      time.Time   `json:"created_at"`
		UpdatedAt      time.Time   `json:"updated_at"`
		ProcessedAt    *time.Time  `json:"processed_at"`
		CancelledAt    *time.Time  `json:"cancelled_at"`
		Currency       string      `json:"currency"`
		TotalPrice     string      `json:"total_price"`
		TotalDiscounts string      `json:"total_discounts"`
		Financial      *string     `json:"financial_status"`
		Customer       *struct {
			ID json.Number `json:"id"`
		} `json:"customer"`
		LineItems []struct {
			ProductID *json.Number `json:"product_id"`
			SKU       *string      `json:"sku"`
			Title     string       `json:"title"`
			Quantity  int64        `json:"quantity"`
			Price     string       `json:"price"`
		} `json:"line_items"`
		Refunds []struct {
			Transactions []restMoneyTxn `json:"transactions"`
		} `json:"refunds"`
	}
	restCustomer struct {
		ID        json.Number `json:"id"`
		Email     *string     `json:"email"`
		Phone     *string     `json:"phone"`
		FirstName *string     `json:"first_name"`
		LastName  *string     `json:"last_name"`
		CreatedAt time.Time   `json:"created_at"`
		UpdatedAt time.Time   `json:"updated_at"`
		Tags      string      `json:"tags"`
		Consent   *struct {
			State string `json:"state"`
		} `json:"email_marketing_consent"`
	}
)

func decodeStrict(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	return d.Decode(v)
}

// Record maps an orders/create, orders/updated or customers/update payload
// to the record a sync would have produced.
func (w Webhook) Record() (connector.Record, error) {
	switch w.Topic {
	case TopicOrdersCreate, TopicOrdersUpdated:
		var o restOrder
		if err := decodeStrict(w.Body, &o); err != nil {
			return connector.Record{}, fmt.Errorf("shopify webhook %s: %w", w.Topic, err)
		}
		return restOrderRecord(o)
	case TopicCustomersUpdate:
		var c restCustomer
		if err := decodeStrict(w.Body, &c); err != nil {
			return connector.Record{}, fmt.Errorf("shopify webhook %s: %w", w.Topic, err)
		}
		return restCustomerRecord(c)
	}
	return connector.Record{}, fmt.Errorf("shopify webhook %s carries no record", w.Topic)
}

func restCustomerRecord(c restCustomer) (connector.Record, error) {
	if c.ID == "" {
		return connector.Record{}, fmt.Errorf("shopify webhook: customer without id")
	}
	state := ""
	if c.Consent != nil {
		state = strings.ToUpper(c.Consent.State)
	}
	var tags []string
	for _, t := range strings.Split(c.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return connector.Record{Stream: StreamCustomers, ExternalID: c.ID.String(), UpdatedAt: c.UpdatedAt,
		Customer: &connector.Customer{Email: str(c.Email), Phone: str(c.Phone), FirstName: str(c.FirstName),
			LastName: str(c.LastName), Consent: Consent(state), CreatedAt: c.CreatedAt, Tags: tags}}, nil
}

func restOrderRecord(o restOrder) (connector.Record, error) {
	if o.ID == "" {
		return connector.Record{}, fmt.Errorf("shopify webhook: order without id")
	}
	total, err := MinorUnits(o.TotalPrice, o.Currency)
	if err != nil {
		return connector.Record{}, fmt.Errorf("shopify webhook order %s: total: %w", o.ID, err)
	}
	discount, err := optionalMinor(o.TotalDiscounts, o.Currency)
	if err != nil {
		return connector.Record{}, fmt.Errorf("shopify webhook order %s: discounts: %w", o.ID, err)
	}
	out := &connector.Order{Email: str(o.Email), PlacedAt: o.CreatedAt, Currency: o.Currency,
		TotalMinor: total, DiscountMinor: discount, Status: strings.ToLower(str(o.Financial))}
	if o.ProcessedAt != nil {
		out.PlacedAt = *o.ProcessedAt
	}
	if o.CancelledAt != nil {
		out.Status = "cancelled"
	}
	if o.Customer != nil {
		out.CustomerExternalID = o.Customer.ID.String()
	}
	if out.RefundedMinor, err = refunded(o); err != nil {
		return connector.Record{}, fmt.Errorf("shopify webhook order %s: refunds: %w", o.ID, err)
	}
	for _, l := range o.LineItems {
		price, err := MinorUnits(l.Price, o.Currency)
		if err != nil {
			return connector.Record{}, fmt.Errorf("shopify webhook order %s: line price: %w", o.ID, err)
		}
		li := connector.LineItem{SKU: str(l.SKU), Title: l.Title, Quantity: l.Quantity, PriceMinor: price}
		if l.ProductID != nil {
			li.ProductExternalID = l.ProductID.String()
		}
		out.Lines = append(out.Lines, li)
	}
	return connector.Record{Stream: StreamOrders, ExternalID: o.ID.String(), UpdatedAt: o.UpdatedAt, Order: out}, nil
}

// refunded sums the successful refund transactions.
func refunded(o restOrder) (int64, error) {
	var sum int64
	for _, r := range o.Refunds {
		for _, t := range r.Transactions {
			if t.Kind != "refund" || t.Status != "success" {
				continue
			}
			v, err := MinorUnits(t.Amount, o.Currency)
			if err != nil {
				return 0, err
			}
			sum += v
		}
	}
	return sum, nil
}

func optionalMinor(amount, currency string) (int64, error) {
	if amount == "" {
		return 0, nil
	}
	return MinorUnits(amount, currency)
}

// PrivacyRequest is what a compliance webhook asks for. Shopify expects
// the request fulfilled within 30 days.
type PrivacyRequest struct {
	Topic         string
	Shop          string
	CustomerID    string   // empty for shop/redact
	Email, Phone  string   // as Shopify knows the customer
	OrderIDs      []string // orders_to_redact or orders_requested
	DataRequestID string   // customers/data_request only
}

// PrivacyRequest decodes a customers/data_request, customers/redact or
// shop/redact payload.
func (w Webhook) PrivacyRequest() (PrivacyRequest, error) {
	if !w.Privacy() {
		return PrivacyRequest{}, fmt.Errorf("shopify webhook %s is not a privacy request", w.Topic)
	}
	var p struct {
		ShopDomain string `json:"shop_domain"`
		Customer   *struct {
			ID    json.Number `json:"id"`
			Email string      `json:"email"`
			Phone string      `json:"phone"`
		} `json:"customer"`
		OrdersToRedact  []json.Number `json:"orders_to_redact"`
		OrdersRequested []json.Number `json:"orders_requested"`
		DataRequest     *struct {
			ID json.Number `json:"id"`
		} `json:"data_request"`
	}
	if err := decodeStrict(w.Body, &p); err != nil {
		return PrivacyRequest{}, fmt.Errorf("shopify webhook %s: %w", w.Topic, err)
	}
	if p.ShopDomain != w.Shop {
		return PrivacyRequest{}, fmt.Errorf("shopify webhook %s: payload shop %q differs from the signed header's", w.Topic, p.ShopDomain)
	}
	out := PrivacyRequest{Topic: w.Topic, Shop: w.Shop}
	if p.Customer != nil {
		out.CustomerID, out.Email, out.Phone = p.Customer.ID.String(), p.Customer.Email, p.Customer.Phone
	}
	if w.Topic != TopicShopRedact && out.CustomerID == "" {
		return PrivacyRequest{}, fmt.Errorf("shopify webhook %s: no customer", w.Topic)
	}
	for _, id := range append(p.OrdersToRedact, p.OrdersRequested...) {
		out.OrderIDs = append(out.OrderIDs, id.String())
	}
	if p.DataRequest != nil {
		out.DataRequestID = p.DataRequest.ID.String()
	}
	return out, nil
}
