package shopify

import "strconv"

const checkQuery = `query Check { shop { name } }`

// Field lists shared by the paged and the bulk queries.
const (
	customerFields = `id email phone firstName lastName createdAt updatedAt tags emailMarketingConsent { marketingState }`
	productFields  = `id title vendor productType status createdAt updatedAt`
	orderFields    = `id email createdAt processedAt updatedAt cancelledAt displayFinancialStatus customer { id }
      totalPriceSet { shopMoney { amount currencyCode } }
      totalDiscountsSet { shopMoney { amount currencyCode } }
      totalRefundedSet { shopMoney { amount currencyCode } }`
	lineFields = `id sku title quantity product { id } originalUnitPriceSet { shopMoney { amount currencyCode } }`
)

// Page sizes keep each query's requested cost well under a standard
// shop's 1,000-point bucket: customers 2+250×2, orders 2+10×(8+2+10×4),
// products 2+250.
const (
	customersPerPage = 250
	ordersPerPage    = 10
	linesPerOrder    = 10
	linesPerPage     = 50
	productsPerPage  = 250
)

type streamDef struct {
	root    string // the QueryRoot connection
	follow  string // a follow-up query a page may need (orders: more line items)
	fields  string
	page    int
	paged   string // the paged query document
	bulk    string // the bulk export document
	typeGID string // "Customer", "Order", "Product"
}

var streams = map[string]streamDef{
	StreamCustomers: {root: "customers", fields: customerFields, page: customersPerPage, typeGID: "Customer"},
	StreamOrders: {root: "orders", fields: orderFields + `
      lineItems(first: ` + itoa(linesPerOrder) + `) { nodes { ` + lineFields + ` } pageInfo { hasNextPage endCursor } }`,
		page: ordersPerPage, typeGID: "Order"},
	StreamProducts: {root: "products", fields: productFields, page: productsPerPage, typeGID: "Product"},
}

func init() {
	for name, d := range streams {
		d.paged = pagedQuery(d)
		if name == StreamOrders {
			d.follow = orderLinesQuery
		}
		d.bulk = bulkQuery(name, d)
		streams[name] = d
	}
}

func pagedQuery(d streamDef) string {
	return `query Page($first: Int!, $after: String, $query: String) {
  ` + d.root + `(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    edges { cursor node { ` + d.fields + ` } }
    pageInfo { hasNextPage endCursor }
  }
}`
}

// bulkQuery writes the export document: bulk operations want edges/node
// and nested connections without page sizes.
func bulkQuery(name string, d streamDef) string {
	fields := d.fields
	if name == StreamOrders {
		fields = orderFields + `
      lineItems { edges { node { ` + lineFields + ` } } }`
	}
	return `{ ` + d.root + `(sortKey: UPDATED_AT) { edges { node { ` + fields + ` } } } }`
}

var orderLinesQuery = `query OrderLines($id: ID!, $after: String) {
  order(id: $id) {
    lineItems(first: ` + itoa(linesPerPage) + `, after: $after) { nodes { ` + lineFields + ` } pageInfo { hasNextPage endCursor } }
  }
}`

const bulkRunMutation = `mutation BulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status createdAt }
    userErrors { field message code }
  }
}`

const bulkPollQuery = `query BulkPoll {
  currentBulkOperation(type: QUERY) { id status errorCode query createdAt completedAt rootObjectCount url }
}`

func itoa(n int) string { return strconv.Itoa(n) }
