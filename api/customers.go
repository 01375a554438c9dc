package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// CustomerSplitter undoes a wrong merge of the customer graph.
type CustomerSplitter interface {
	// Split moves identities of a customer to a new customer that is never
	// merged back automatically, and returns the new customer's ID.
	Split(ctx context.Context, orgID, customerID string, identityIDs []string) (string, error)
}

// CustomerItem is a unified customer as listings show it.
type CustomerItem struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Phone     string    `json:"phone" doc:"E.164"`
	Consent   string    `json:"consent" enum:"granted,denied,unknown" doc:"Marketing consent rolled up over every source: a denial anywhere wins."`
	Platforms []string  `json:"platforms"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func unifiedItem(c *omnify.Customer) CustomerItem {
	platforms := c.Platforms
	if platforms == nil {
		platforms = []string{}
	}
	return CustomerItem{ID: c.ID, Email: c.Email, Name: c.Name, Phone: c.Phone, Consent: string(c.Consent),
		Platforms: platforms, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// IdentityItem is one source's view of a customer.
type IdentityItem struct {
	ID         string    `json:"id"`
	Platform   string    `json:"platform"`
	ExternalID string    `json:"external_id"`
	Email      string    `json:"email"`
	Phone      string    `json:"phone"`
	Name       string    `json:"name"`
	Consent    string    `json:"consent" enum:"granted,denied,unknown" doc:"This source's marketing consent."`
	KeptApart  bool      `json:"kept_apart" doc:"True when a split keeps this identity from being merged automatically."`
	UpdatedAt  time.Time `json:"updated_at"`
}

// MergeLinkItem says why an identity belongs to the customer.
type MergeLinkItem struct {
	IdentityID      string `json:"identity_id"`
	OtherIdentityID string `json:"other_identity_id"`
	Reason          string `json:"reason" enum:"same_email,same_phone,same_platform_id,kept_together_by_split"`
}

// OrderItem is one order of a customer; the amount is net of refunds.
// The platform's details (status, total, discount, refunds, line items)
// are there when the platform sent them.
type OrderItem struct {
	ID            string          `json:"id"`
	Platform      string          `json:"platform"`
	ExternalID    string          `json:"external_id"`
	PlacedAt      time.Time       `json:"placed_at"`
	AmountMinor   int64           `json:"amount_minor" doc:"Integer minor units of currency, net of refunds."`
	Currency      string          `json:"currency"`
	Status        string          `json:"status,omitempty"`
	TotalMinor    int64           `json:"total_minor,omitempty" doc:"Before refunds."`
	DiscountMinor int64           `json:"discount_minor,omitempty"`
	RefundedMinor int64           `json:"refunded_minor,omitempty"`
	Lines         []OrderLineItem `json:"lines,omitempty"`
}

// OrderLineItem is one product line of an order.
type OrderLineItem struct {
	ProductExternalID string `json:"product_external_id,omitempty"`
	SKU               string `json:"sku,omitempty"`
	Title             string `json:"title,omitempty"`
	Quantity          int64  `json:"quantity"`
	PriceMinor        int64  `json:"price_minor" doc:"Unit price in minor units."`
}

// orderDetails is the order payload the customer graph keeps per order.
type orderDetails struct {
	Status        string          `json:"status"`
	TotalMinor    int64           `json:"total_minor"`
	DiscountMinor int64           `json:"discount_minor"`
	RefundedMinor int64           `json:"refunded_minor"`
	Lines         []OrderLineItem `json:"lines"`
}

// CustomerDetail is one customer with everything known of them.
type CustomerDetail struct {
	Customer   CustomerItem    `json:"customer"`
	Identities []IdentityItem  `json:"identities"`
	Links      []MergeLinkItem `json:"links"`
	// Orders are the latest 50, newest first.
	Orders []OrderItem `json:"orders"`
	// Eyes is the customer's segment and churn scores in the latest
	// successful EYES run, absent when the customer was not scored.
	Eyes *EyesCustomer `json:"eyes,omitempty"`
}

type customersInput struct {
	Limit    int    `query:"limit" minimum:"0" maximum:"1000" doc:"Page size; 0 means 50."`
	After    string `query:"after" maxLength:"500" doc:"The next cursor of the previous page."`
	Email    string `query:"email" maxLength:"254" doc:"Only customers known by this email on any platform (case-insensitive)."`
	Platform string `query:"platform" maxLength:"40" doc:"Only customers seen on this platform, e.g. shopify."`
	Segment  string `query:"segment" maxLength:"100" doc:"Only customers in this segment of the latest successful EYES run."`
}

type customersOutput struct {
	Body struct {
		Items []CustomerItem `json:"items"`
		Next  string         `json:"next,omitempty"`
	}
}

type customerInput struct {
	CustomerID string `path:"customer_id" maxLength:"100"`
}

type customerOutput struct{ Body CustomerDetail }

type splitInput struct {
	CustomerID string `path:"customer_id" maxLength:"100"`
	Body       struct {
		IdentityIDs []string `json:"identity_ids" minItems:"1" maxItems:"1000" doc:"Identities to move to a new customer."`
	}
}

type splitOutput struct {
	Body struct {
		Kept CustomerItem `json:"kept"`
		New  CustomerItem `json:"new"`
	}
}

func (s *Server) registerCustomers() {
	tags := []string{"Customers"}
	Register(s, huma.Operation{OperationID: "customers.list", Method: http.MethodGet, Path: "/v1/customers",
		Summary: "List unified customers", Tags: tags}, s.listCustomers)
	Register(s, huma.Operation{OperationID: "customers.get", Method: http.MethodGet, Path: "/v1/customers/{customer_id}",
		Summary: "Get a customer with its source identities, merge links, orders, consent and EYES scores", Tags: tags},
		s.getCustomer)
	Register(s, huma.Operation{OperationID: "customers.split", Method: http.MethodPost,
		Path:    "/v1/customers/{customer_id}/split",
		Summary: "Move identities of a wrongly merged customer to a new customer that stays apart", Tags: tags},
		s.splitCustomer)
}

func (s *Server) listCustomers(ctx context.Context, in *customersInput) (*customersOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	p := store.Page{Limit: in.Limit, After: in.After}
	var cs []omnify.Customer
	var next string
	switch {
	case in.Segment != "":
		cs, next, err = s.segmentCustomers(ctx, a.OrgID, in.Segment, p)
	case in.Email != "":
		cs, err = s.customersByEmail(ctx, a.OrgID, in.Email)
	default:
		cs, next, err = s.deps.Store.ListCustomers(ctx, a.OrgID, store.CustomerFilter{Platform: in.Platform}, p)
	}
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	out := &customersOutput{}
	out.Body.Items = make([]CustomerItem, 0, len(cs))
	for i := range cs {
		if !matches(&cs[i], in) {
			continue
		}
		out.Body.Items = append(out.Body.Items, unifiedItem(&cs[i]))
	}
	out.Body.Next = next
	return out, nil
}

// matches applies the platform filter to customers found by segment or
// email.
func matches(c *omnify.Customer, in *customersInput) bool {
	if in.Platform == "" {
		return true
	}
	for _, p := range c.Platforms {
		if p == in.Platform {
			return true
		}
	}
	return false
}

// customersByEmail finds the customers any of whose source identities has
// the email, not only those whose preferred email it is.
func (s *Server) customersByEmail(ctx context.Context, orgID, email string) ([]omnify.Customer, error) {
	ids, err := s.deps.Store.FindIdentitiesByKey(ctx, orgID, []string{strings.ToLower(strings.TrimSpace(email))}, nil)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var cs []omnify.Customer
	for _, id := range ids {
		if seen[id.CustomerID] {
			continue
		}
		seen[id.CustomerID] = true
		c, err := s.deps.Store.GetCustomer(ctx, orgID, id.CustomerID)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		cs = append(cs, *c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	return cs, nil
}

// segmentCustomers pages through a segment of the latest EYES run; no run
// means no segment members.
func (s *Server) segmentCustomers(ctx context.Context, orgID, segment string, p store.Page) ([]omnify.Customer, string, error) {
	run, err := s.deps.Store.LatestEyesRun(ctx, orgID)
	if isNotFound(err) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	ss, next, err := s.deps.Store.ListEyesScores(ctx, orgID, run.ID, store.ScoreFilter{SegmentID: segment}, p)
	if err != nil {
		return nil, "", err
	}
	cs := make([]omnify.Customer, 0, len(ss))
	for _, sc := range ss {
		c, err := s.deps.Store.GetCustomer(ctx, orgID, sc.CustomerID)
		if isNotFound(err) {
			continue // scored before the customer was merged into another
		}
		if err != nil {
			return nil, "", err
		}
		cs = append(cs, *c)
	}
	return cs, next, nil
}

func (s *Server) getCustomer(ctx context.Context, in *customerInput) (*customerOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.deps.Store.GetCustomer(ctx, a.OrgID, in.CustomerID)
	if err != nil {
		return nil, fmt.Errorf("get customer: %w", err)
	}
	d := CustomerDetail{Customer: unifiedItem(c)}
	if err := s.customerGraph(ctx, a.OrgID, c.ID, &d); err != nil {
		return nil, err
	}
	if d.Orders, err = s.latestOrders(ctx, a.OrgID, c.ID, 50); err != nil {
		return nil, err
	}
	if d.Eyes, err = s.customerScores(ctx, a.OrgID, c.ID); err != nil {
		return nil, err
	}
	return &customerOutput{Body: d}, nil
}

func (s *Server) customerGraph(ctx context.Context, orgID, custID string, d *CustomerDetail) error {
	ids, err := s.deps.Store.ListCustomerIdentities(ctx, orgID, []string{custID})
	if err != nil {
		return fmt.Errorf("customer identities: %w", err)
	}
	d.Identities = make([]IdentityItem, len(ids))
	for i, id := range ids {
		d.Identities[i] = IdentityItem{ID: id.ID, Platform: id.Platform, ExternalID: id.ExternalID, Email: id.Email,
			Phone: id.Phone, Name: id.Name, Consent: string(id.Consent), KeptApart: id.NoMergeGroup != "", UpdatedAt: id.UpdatedAt}
	}
	links, err := s.deps.Store.ListMergeLinks(ctx, orgID, custID)
	if err != nil {
		return fmt.Errorf("customer links: %w", err)
	}
	d.Links = make([]MergeLinkItem, len(links))
	for i, l := range links {
		d.Links[i] = MergeLinkItem{IdentityID: l.IdentityID, OtherIdentityID: l.OtherIdentityID, Reason: l.Reason}
	}
	return nil
}

// latestOrders walks the customer's orders (oldest first) keeping the last n.
func (s *Server) latestOrders(ctx context.Context, orgID, custID string, n int) ([]OrderItem, error) {
	var ring []omnify.Order
	p := store.Page{Limit: store.MaxLimit}
	for {
		os, next, err := s.deps.Store.ListOrders(ctx, orgID, custID, p)
		if err != nil {
			return nil, fmt.Errorf("customer orders: %w", err)
		}
		ring = append(ring, os...)
		if len(ring) > n {
			ring = ring[len(ring)-n:]
		}
		if next == "" {
			break
		}
		p.After = next
	}
	out := make([]OrderItem, len(ring))
	for i, o := range ring {
		out[len(ring)-1-i] = OrderItem{ID: o.ID, Platform: o.Platform, ExternalID: o.ExternalID, PlacedAt: o.PlacedAt,
			AmountMinor: o.AmountMinor, Currency: o.Currency}
	}
	return out, s.addOrderDetails(ctx, orgID, out)
}

// addOrderDetails fills in what the platforms sent beyond the order row.
func (s *Server) addOrderDetails(ctx context.Context, orgID string, items []OrderItem) error {
	byPlatform := map[string][]string{}
	for _, it := range items {
		byPlatform[it.Platform] = append(byPlatform[it.Platform], it.ExternalID)
	}
	details := map[string]orderDetails{}
	for platform, exts := range byPlatform {
		recs, err := s.deps.Store.GetSourceRecords(ctx, orgID, platform, "orders", exts)
		if err != nil {
			return fmt.Errorf("order details: %w", err)
		}
		for _, r := range recs {
			var d orderDetails
			if json.Unmarshal(r.Data, &d) == nil {
				details[platform+"\x00"+r.ExternalID] = d
			}
		}
	}
	for i := range items {
		if d, ok := details[items[i].Platform+"\x00"+items[i].ExternalID]; ok {
			items[i].Status, items[i].TotalMinor, items[i].DiscountMinor = d.Status, d.TotalMinor, d.DiscountMinor
			items[i].RefundedMinor, items[i].Lines = d.RefundedMinor, d.Lines
		}
	}
	return nil
}

func (s *Server) customerScores(ctx context.Context, orgID, custID string) (*EyesCustomer, error) {
	run, err := s.deps.Store.LatestEyesRun(ctx, orgID)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest eyes run: %w", err)
	}
	sc, err := s.deps.Store.GetEyesScore(ctx, orgID, run.ID, custID)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("customer score: %w", err)
	}
	item := customerItem(sc)
	return &item, nil
}

func (s *Server) splitCustomer(ctx context.Context, in *splitInput) (*splitOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.deps.Store.GetCustomer(ctx, a.OrgID, in.CustomerID); err != nil {
		return nil, fmt.Errorf("split customer: %w", err)
	}
	if s.deps.Customers == nil {
		return nil, fail(omnify.ErrUnavailable, "customer splits are not enabled on this server")
	}
	newID, err := s.deps.Customers.Split(ctx, a.OrgID, in.CustomerID, in.Body.IdentityIDs)
	if err != nil {
		return nil, err
	}
	auditOf(ctx).Target = "customer:" + in.CustomerID
	out := &splitOutput{}
	for dst, id := range map[*CustomerItem]string{&out.Body.Kept: in.CustomerID, &out.Body.New: newID} {
		c, err := s.deps.Store.GetCustomer(ctx, a.OrgID, id)
		if err != nil {
			return nil, fmt.Errorf("read split customer: %w", err)
		}
		*dst = unifiedItem(c)
	}
	return out, nil
}
