package importer

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
)

// transactions reads OmniFy's transactions CSV: customer_id, order_date,
// amount; optional order_id, email, currency, consent. customer_id is the
// person's ID on platform csv.
type transactions struct {
	currency string
	// people holds what the validating pass learnt of each customer, so the
	// writing pass emits each customer once with everything the file says.
	people  map[string]*person
	dupes   map[string]int // occurrences of identical rows, for order IDs
	seen    map[string]int // order_id → line it was first used on
	orders  int
	writing bool
}

type person struct {
	email   string
	consent string // rolled up over the person's rows
	emitted bool
}

func newTransactions(currency string) *transactions {
	return &transactions{currency: currency, people: map[string]*person{}, dupes: map[string]int{}, seen: map[string]int{}}
}

func (t *transactions) format() Format   { return Transactions }
func (t *transactions) platform() string { return connector.CSV }
func (t *transactions) counts() (int, int) {
	return len(t.people), t.orders
}

func (t *transactions) rewind() {
	t.writing, t.orders, t.dupes, t.seen = true, 0, map[string]int{}, nil
}

func (t *transactions) end(*problems, func(connector.Record)) error { return nil }

// txRow is one parsed transactions row.
type txRow struct {
	customer, orderID, email, currency, consent string
	at                                          time.Time
	amount                                      int64
}

func (t *transactions) row(r row, p *problems, emit func(connector.Record)) error {
	tx, ok := t.parse(r, p)
	if !ok {
		return nil
	}
	t.orders++
	if !t.writing {
		t.learn(tx)
		if first, dup := t.seen[tx.orderID]; dup && tx.orderID != "" {
			p.add(r.line, "order_id", "%q is already used on line %d", tx.orderID, first)
		} else if tx.orderID != "" {
			t.seen[tx.orderID] = r.line
		}
		return nil
	}
	if who := t.people[tx.customer]; who != nil && !who.emitted {
		who.emitted = true
		emit(connector.Record{Stream: "customers", ExternalID: tx.customer, Customer: &connector.Customer{
			Email: who.email, Consent: who.consent}})
	}
	emit(connector.Record{Stream: "orders", ExternalID: t.orderID(tx), UpdatedAt: tx.at, Order: &connector.Order{
		CustomerExternalID: tx.customer, Email: tx.email, PlacedAt: tx.at, Currency: tx.currency,
		TotalMinor: tx.amount, Status: "paid"}})
	return nil
}

// parse validates a row, reporting every problem it has.
func (t *transactions) parse(r row, p *problems) (txRow, bool) {
	before := p.count
	tx := txRow{customer: r.get("customer_id"), orderID: r.get("order_id"), currency: strings.ToUpper(r.get("currency"))}
	if tx.customer == "" {
		p.add(r.line, "customer_id", "is empty")
	}
	var err error
	if tx.at, err = parseTime(r.get("order_date")); err != nil {
		p.add(r.line, "order_date", "%v", err)
	}
	if tx.currency == "" {
		tx.currency = t.currency
	} else if !validCurrency(tx.currency) {
		p.add(r.line, "currency", "%q is not an ISO 4217 code", tx.currency)
	}
	if tx.amount, err = parseMinor(r.get("amount"), exponent(tx.currency)); err != nil {
		p.add(r.line, "amount", "%q %v", r.get("amount"), err)
	} else if tx.amount < 0 {
		p.add(r.line, "amount", "is negative")
	}
	if e := r.get("email"); e != "" {
		if tx.email = identity.NormalizeEmail(e); tx.email == "" {
			p.add(r.line, "email", "%q is not an email address", e)
		}
	}
	switch c := strings.ToLower(r.get("consent")); c {
	case "true":
		tx.consent = "granted"
	case "false":
		tx.consent = "denied"
	case "":
		tx.consent = "unknown"
	default:
		p.add(r.line, "consent", "must be true, false or empty, not %q", r.get("consent"))
	}
	return tx, p.count == before
}

// learn keeps a customer's email (the last one given) and consent (a
// refusal on any row wins).
func (t *transactions) learn(tx txRow) {
	who := t.people[tx.customer]
	if who == nil {
		who = &person{consent: "unknown"}
		t.people[tx.customer] = who
	}
	if tx.email != "" {
		who.email = tx.email
	}
	if who.consent != "denied" && tx.consent != "unknown" {
		who.consent = tx.consent
	}
}

// orderID is the row's order_id, or one derived from its content and how
// many identical rows came before, so importing the file again rewrites
// the same orders.
func (t *transactions) orderID(tx txRow) string {
	if tx.orderID != "" {
		return tx.orderID
	}
	key := fmt.Sprintf("%s/%s/%d%s", tx.customer, tx.at.Format(time.RFC3339Nano), tx.amount, tx.currency)
	t.dupes[key]++
	return fmt.Sprintf("%s/%d", key, t.dupes[key])
}

// parseTime reads an ISO 8601 date (taken as UTC midnight) or an RFC 3339
// time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("is empty")
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD) or an RFC 3339 time", s)
}
