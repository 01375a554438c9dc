package importer

import (
	"strings"

	"github.com/omnify-cloud/omnify/connector"
)

// Format is a kind of import file.
type Format string

// Formats recognised by their header.
const (
	Transactions     Format = "transactions"
	ShopifyCustomers Format = "shopify_customers"
	ShopifyOrders    Format = "shopify_orders"
)

// handler turns the rows of one format into records. The same handler sees
// the file twice: in the validating pass (write false) it records problems
// and counts, in the writing pass it emits records.
type handler interface {
	format() Format
	platform() string
	row(r row, p *problems, emit func(connector.Record)) error
	// end is called after the last row.
	end(p *problems, emit func(connector.Record)) error
	counts() (customers, orders int)
	// rewind prepares the writing pass.
	rewind()
}

// detect picks the format of a header, or returns a problem saying what
// headers are understood.
func detect(h *header, defaultCurrency string) (handler, *LineError) {
	switch {
	case h.has("customer_id") && h.has("order_date") && h.has("amount"):
		return newTransactions(defaultCurrency), nil
	case h.has("Name") && h.has("Financial Status") && h.has("Total") && h.has("Lineitem name"):
		return newShopifyOrders(defaultCurrency), nil
	case h.has("Email") && h.has("First Name") && h.has("Total Orders"):
		return newShopifyCustomers(), nil
	case h.has("customer_id") || h.has("order_date") || h.has("amount"):
		return nil, &LineError{Line: 1, Column: missing(h, "customer_id", "order_date", "amount"),
			Message: "a transactions CSV needs the columns customer_id, order_date and amount"}
	}
	return nil, &LineError{Line: 1, Message: "unrecognised header: expected a transactions CSV " +
		"(customer_id, order_date, amount), a Shopify customer export or a Shopify order export"}
}

func missing(h *header, cols ...string) string {
	var out []string
	for _, c := range cols {
		if !h.has(c) {
			out = append(out, c)
		}
	}
	return strings.Join(out, ", ")
}
