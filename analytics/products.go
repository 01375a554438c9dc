package analytics

import "sort"

// Line is one product line of one order, as the order's source record
// keeps it.
type Line struct {
	OrderKey   string // unique per order, to count orders per product
	ProductID  string // the platform's product ID, if sent
	SKU        string
	Title      string
	Quantity   int64
	PriceMinor int64 // unit price
}

// key names a product: its platform ID, else its SKU, else its title.
func (l Line) key() string {
	switch {
	case l.ProductID != "":
		return "id:" + l.ProductID
	case l.SKU != "":
		return "sku:" + l.SKU
	}
	return "title:" + l.Title
}

// Product is one product's sales.
type Product struct {
	Key          string `json:"key" doc:"id:<platform product ID>, sku:<SKU> or title:<title>"`
	Title        string `json:"title"`
	SKU          string `json:"sku,omitempty"`
	Quantity     int64  `json:"quantity"`
	Orders       int    `json:"orders"`
	RevenueMinor int64  `json:"revenue_minor" doc:"quantity × unit price, before order-level discounts and refunds"`
}

// TopProducts sums lines per product and returns the limit best sellers by
// revenue (then quantity, then key), with the number of products seen.
func TopProducts(lines []Line, limit int) (total int, top []Product) {
	byKey := map[string]*Product{}
	orders := map[string]map[string]bool{}
	for _, l := range lines {
		k := l.key()
		p := byKey[k]
		if p == nil {
			p = &Product{Key: k, Title: l.Title, SKU: l.SKU}
			byKey[k], orders[k] = p, map[string]bool{}
		}
		p.Quantity += l.Quantity
		p.RevenueMinor += l.Quantity * l.PriceMinor
		if !orders[k][l.OrderKey] {
			orders[k][l.OrderKey] = true
			p.Orders++
		}
	}
	top = make([]Product, 0, len(byKey))
	for _, p := range byKey {
		top = append(top, *p)
	}
	sort.Slice(top, func(i, j int) bool { return productLess(top[i], top[j]) })
	if limit > 0 && len(top) > limit {
		top = top[:limit]
	}
	return len(byKey), top
}

func productLess(a, b Product) bool {
	if a.RevenueMinor != b.RevenueMinor {
		return a.RevenueMinor > b.RevenueMinor
	}
	if a.Quantity != b.Quantity {
		return a.Quantity > b.Quantity
	}
	return a.Key < b.Key
}
