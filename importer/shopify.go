package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
)

// shopifyCustomers reads Shopify's customer export ("Customer ID", "First
// Name", "Last Name", "Email", "Accepts Email Marketing", "Phone", "Total
// Spent", "Total Orders", ...; older exports say "Accepts Marketing" and
// have no "Customer ID"). A customer without an ID is known by email, the
// way Shopify's order export refers to customers.
type shopifyCustomers struct {
	people int
	seen   map[string]int
}

func newShopifyCustomers() *shopifyCustomers { return &shopifyCustomers{seen: map[string]int{}} }

func (s *shopifyCustomers) format() Format                              { return ShopifyCustomers }
func (s *shopifyCustomers) platform() string                            { return connector.Shopify }
func (s *shopifyCustomers) counts() (int, int)                          { return s.people, 0 }
func (s *shopifyCustomers) rewind()                                     { s.people, s.seen = 0, map[string]int{} }
func (s *shopifyCustomers) end(*problems, func(connector.Record)) error { return nil }

func (s *shopifyCustomers) row(r row, p *problems, emit func(connector.Record)) error {
	before := p.count
	id := strings.TrimPrefix(r.get("Customer ID"), "'")
	raw := r.get("Email")
	email := identity.NormalizeEmail(raw)
	if raw != "" && email == "" {
		p.add(r.line, "Email", "%q is not an email address", raw)
	}
	if id == "" && raw == "" {
		p.add(r.line, "Customer ID", "a customer needs a Customer ID or an Email")
	}
	ext := id
	if ext == "" {
		ext = "email:" + email
	}
	if first, dup := s.seen[ext]; dup {
		p.add(r.line, "Customer ID", "the customer is already on line %d", first)
	}
	s.seen[ext] = r.line
	consent, ok := yesNo(firstCol(r, "Accepts Email Marketing", "Accepts Marketing"))
	if !ok {
		p.add(r.line, "Accepts Email Marketing", "must be yes or no")
	}
	if p.count > before {
		return nil
	}
	s.people++
	emit(connector.Record{Stream: "customers", ExternalID: ext, Customer: &connector.Customer{
		Email: email, Phone: r.get("Phone"), FirstName: r.get("First Name"), LastName: r.get("Last Name"),
		Consent: consent, Tags: splitTags(r.get("Tags"))}})
	return nil
}

func firstCol(r row, cols ...string) string {
	for _, c := range cols {
		if v := r.get(c); v != "" {
			return v
		}
	}
	return ""
}

// yesNo maps Shopify's yes/no (or true/false) to a consent state.
func yesNo(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "yes", "true":
		return "granted", true
	case "no", "false":
		return "denied", true
	case "":
		return "unknown", true
	}
	return "", false
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// shopifyOrders reads Shopify's order export: one row per line item, the
// order's own columns ("Name", "Email", "Financial Status", "Currency",
// "Total", "Discount Amount", "Refunded Amount", "Created at", "Id", ...)
// filled on its first row only. Orders name their customer by email.
type shopifyOrders struct {
	currency string
	cur      *pendingOrder
	done     map[string]int // order name → its first line
	emails   map[string]bool
	orders   int
}

type pendingOrder struct {
	name, ext string
	line      int
	order     connector.Order
}

func newShopifyOrders(currency string) *shopifyOrders {
	return &shopifyOrders{currency: currency, done: map[string]int{}, emails: map[string]bool{}}
}

func (s *shopifyOrders) format() Format   { return ShopifyOrders }
func (s *shopifyOrders) platform() string { return connector.Shopify }
func (s *shopifyOrders) counts() (int, int) {
	return len(s.emails), s.orders
}

func (s *shopifyOrders) rewind() {
	s.cur, s.done, s.orders = nil, map[string]int{}, 0
}

func (s *shopifyOrders) row(r row, p *problems, emit func(connector.Record)) error {
	name := r.get("Name")
	if name == "" {
		p.add(r.line, "Name", "is empty")
		return nil
	}
	if s.cur == nil || s.cur.name != name {
		s.flush(emit)
		if first, dup := s.done[name]; dup {
			p.add(r.line, "Name", "order %s continues here after other orders (it starts on line %d)", name, first)
			return nil
		}
		s.done[name] = r.line
		s.cur = s.start(r, p)
	}
	if line, ok := lineItem(r, p, s.cur.order.Currency); ok && s.cur != nil {
		s.cur.order.Lines = append(s.cur.order.Lines, line)
	}
	return nil
}

// start reads the order columns of an order's first row.
func (s *shopifyOrders) start(r row, p *problems) *pendingOrder {
	o := &pendingOrder{name: r.get("Name"), ext: firstCol(r, "Id", "Name"), line: r.line}
	o.order.Currency = strings.ToUpper(r.get("Currency"))
	if o.order.Currency == "" {
		o.order.Currency = s.currency
	} else if !validCurrency(o.order.Currency) {
		p.add(r.line, "Currency", "%q is not an ISO 4217 code", o.order.Currency)
		o.order.Currency = s.currency
	}
	raw := r.get("Email")
	if o.order.Email = identity.NormalizeEmail(raw); raw != "" && o.order.Email == "" {
		p.add(r.line, "Email", "%q is not an email address", raw)
	}
	var err error
	if o.order.PlacedAt, err = parseShopifyTime(r.get("Created at")); err != nil {
		p.add(r.line, "Created at", "%v", err)
	}
	digits := exponent(o.order.Currency)
	o.order.TotalMinor = amount(r, p, "Total", digits, true)
	o.order.DiscountMinor = amount(r, p, "Discount Amount", digits, false)
	o.order.RefundedMinor = amount(r, p, "Refunded Amount", digits, false)
	o.order.Status = strings.ToLower(r.get("Financial Status"))
	return o
}

// amount reads a non-negative money column; an empty optional one is 0.
func amount(r row, p *problems, col string, digits int, required bool) int64 {
	s := r.get(col)
	if s == "" {
		if required {
			p.add(r.line, col, "is empty on the order's first row")
		}
		return 0
	}
	v, err := parseMinor(s, digits)
	switch {
	case err != nil:
		p.add(r.line, col, "%q %v", s, err)
	case v < 0:
		p.add(r.line, col, "is negative")
	}
	return v
}

func lineItem(r row, p *problems, currency string) (connector.LineItem, bool) {
	li := connector.LineItem{Title: r.get("Lineitem name"), SKU: r.get("Lineitem sku")}
	if li.Title == "" && li.SKU == "" {
		return li, false
	}
	q, err := strconv.ParseInt(r.get("Lineitem quantity"), 10, 64)
	if err != nil || q < 0 {
		p.add(r.line, "Lineitem quantity", "must be a whole number of at least 0")
	}
	li.Quantity = q
	li.PriceMinor = amount(r, p, "Lineitem price", exponent(currency), true)
	return li, true
}

func (s *shopifyOrders) flush(emit func(connector.Record)) {
	if s.cur == nil {
		return
	}
	o := s.cur.order
	s.orders++
	if o.Email != "" {
		s.emails[o.Email] = true
	}
	emit(connector.Record{Stream: "orders", ExternalID: s.cur.ext, UpdatedAt: o.PlacedAt, Order: &o})
	s.cur = nil
}

func (s *shopifyOrders) end(_ *problems, emit func(connector.Record)) error {
	s.flush(emit)
	return nil
}

// parseShopifyTime reads Shopify's export times ("2024-03-14 10:11:12
// -0400"), RFC 3339 times and plain dates.
func parseShopifyTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05 -0700", time.RFC3339, "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if s == "" {
		return time.Time{}, fmt.Errorf("is empty on the order's first row")
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2024-03-14 10:11:12 -0400", s)
}
