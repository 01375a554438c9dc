package shopifytest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// rec is one stored resource. Records are replaced, never edited in place,
// so a bulk export keeps the snapshot it was started with.
type rec struct {
	id      int64
	updated time.Time
	data    map[string]any
	lines   []map[string]any // an order's line items
}

// table keeps one resource type in (updated_at, id) order.
type table struct {
	typ  string // GraphQL type name, e.g. "Order"
	recs []*rec
	byID map[int64]*rec
	next int64
}

func newTable(typ string, firstID int64) *table {
	return &table{typ: typ, byID: map[int64]*rec{}, next: firstID}
}

func (t *table) gid(id int64) string {
	return "gid://shopify/" + t.typ + "/" + strconv.FormatInt(id, 10)
}

func (t *table) put(r *rec) {
	if old, ok := t.byID[r.id]; ok {
		i := t.index(old)
		t.recs = append(t.recs[:i], t.recs[i+1:]...)
	}
	t.byID[r.id] = r
	i := sort.Search(len(t.recs), func(i int) bool { return !less(t.recs[i], r.updated, r.id) })
	t.recs = append(t.recs, nil)
	copy(t.recs[i+1:], t.recs[i:])
	t.recs[i] = r
}

// load appends a new record during generation; sort must follow.
func (t *table) load(r *rec) {
	t.byID[r.id] = r
	t.recs = append(t.recs, r)
}

func (t *table) sort() {
	sort.Slice(t.recs, func(i, j int) bool { return less(t.recs[i], t.recs[j].updated, t.recs[j].id) })
}

func (t *table) index(r *rec) int {
	return sort.Search(len(t.recs), func(i int) bool { return !less(t.recs[i], r.updated, r.id) })
}

func less(r *rec, u time.Time, id int64) bool {
	if !r.updated.Equal(u) {
		return r.updated.Before(u)
	}
	return r.id < id
}

const stamp = "2006-01-02T15:04:05Z"

// shop is the deterministic store behind a Server.
type shop struct {
	rng       *rand.Rand
	start     time.Time
	currency  string
	customers *table
	orders    *table
	products  *table
	latest    time.Time // newest updated_at handed out
}

var (
	firstNames = []string{"Ada", "Bo", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivo", "Jun", "Kai", "Lena"}
	lastNames  = []string{"Ng", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka", "Ulm", "Vega", "Weber"}
	consents   = []string{"SUBSCRIBED", "SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING", "REDACTED", "INVALID"}
	statuses   = []string{"PAID", "PAID", "PAID", "PENDING", "AUTHORIZED", "PARTIALLY_REFUNDED", "REFUNDED"}
	kinds      = []string{"Shirts", "Mugs", "Posters", "Socks"}
)

func newShop(o Options) *shop {
	s := &shop{
		rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x5ec0)), start: o.Start, currency: o.Currency,
		customers: newTable("Customer", 6000000001), orders: newTable("Order", 5000000001),
		products: newTable("Product", 7000000001),
	}
	// updated_at spreads over about a minute per record, so some records
	// share a second, as they do in busy shops.
	span := func(n int) time.Duration { return time.Duration(max(n, 1)) * time.Minute }
	for range o.Products {
		s.products.load(s.newProduct(s.at(span(o.Products))))
	}
	s.products.sort()
	for range o.Customers {
		s.customers.load(s.newCustomer(s.at(span(o.Customers))))
	}
	s.customers.sort()
	for range o.Orders {
		created, updated := s.at(span(o.Orders))
		s.orders.load(s.newOrder(created, updated, o.LongOrderEvery))
	}
	s.orders.sort()
	return s
}

// at draws a created time in [start, start+span) and an updated time after it.
func (s *shop) at(span time.Duration) (time.Time, time.Time) {
	created := s.start.Add(time.Duration(s.rng.Int64N(int64(span)))).Truncate(time.Second)
	updated := created.Add(time.Duration(s.rng.Int64N(int64(span/2 + time.Second)))).Truncate(time.Second)
	if updated.After(s.latest) {
		s.latest = updated
	}
	return created, updated
}

func (s *shop) pick(list []string) string { return list[s.rng.IntN(len(list))] }

func (s *shop) newCustomer(created, updated time.Time) *rec {
	t := s.customers
	id := t.next
	t.next++
	first, last := s.pick(firstNames), s.pick(lastNames)
	var phone any
	if s.rng.IntN(3) == 0 {
		phone = fmt.Sprintf("+1555%07d", id%10000000)
	}
	d := map[string]any{
		"__typename": "Customer", "id": t.gid(id), "legacyResourceId": strconv.FormatInt(id, 10),
		"email": strings.ToLower(fmt.Sprintf("%s.%s.%d@example.com", first, last, id)),
		"phone": phone, "firstName": first, "lastName": last, "displayName": first + " " + last,
		"createdAt": created.Format(stamp), "updatedAt": updated.Format(stamp),
		"tags": []any{}, "state": "ENABLED", "numberOfOrders": "0",
		"emailMarketingConsent": map[string]any{"marketingState": s.pick(consents), "marketingOptInLevel": "SINGLE_OPT_IN", "consentUpdatedAt": created.Format(stamp)},
	}
	if s.rng.IntN(4) == 0 {
		d["tags"] = []any{"vip"}
	}
	return &rec{id: id, updated: updated, data: d}
}

func (s *shop) newProduct(created, updated time.Time) *rec {
	t := s.products
	id := t.next
	t.next++
	kind := s.pick(kinds)
	d := map[string]any{
		"__typename": "Product", "id": t.gid(id), "legacyResourceId": strconv.FormatInt(id, 10),
		"title": fmt.Sprintf("%s #%d", kind, id%100000), "vendor": "OmniFy Test Vendor", "productType": kind,
		"status": "ACTIVE", "handle": fmt.Sprintf("item-%d", id),
		"createdAt": created.Format(stamp), "updatedAt": updated.Format(stamp),
	}
	return &rec{id: id, updated: updated, data: d}
}

func (s *shop) newOrder(created, updated time.Time, longEvery int) *rec {
	t := s.orders
	id := t.next
	t.next++
	nLines := 1 + s.rng.IntN(4)
	if longEvery > 0 && int(id-5000000001)%longEvery == 0 {
		nLines = 12 + s.rng.IntN(10) // more than one page of line items
	}
	r := &rec{id: id, updated: updated}
	var subtotal int64
	for j := range nLines {
		price := int64(100 + s.rng.IntN(20000))
		qty := int64(1 + s.rng.IntN(3))
		subtotal += price * qty
		r.lines = append(r.lines, s.newLine(id, j, price, qty))
	}
	discount := int64(0)
	if s.rng.IntN(5) == 0 {
		discount = subtotal / 10
	}
	status := s.pick(statuses)
	refunded := int64(0)
	switch status {
	case "REFUNDED":
		refunded = subtotal - discount
	case "PARTIALLY_REFUNDED":
		refunded = (subtotal - discount) / 3
	}
	r.data = map[string]any{
		"__typename": "Order", "id": t.gid(id), "legacyResourceId": strconv.FormatInt(id, 10),
		"name": fmt.Sprintf("#%d", id-5000000000), "createdAt": created.Format(stamp),
		"processedAt": created.Format(stamp), "updatedAt": updated.Format(stamp), "cancelledAt": nil,
		"currencyCode": s.currency, "displayFinancialStatus": status,
		"totalPriceSet":     s.moneyBag(subtotal - discount),
		"totalDiscountsSet": s.moneyBag(discount), "totalRefundedSet": s.moneyBag(refunded),
		"subtotalPriceSet": s.moneyBag(subtotal), "discountCodes": []any{},
		"lineItems": connVal(r.lines),
	}
	s.attachCustomer(r)
	if s.rng.IntN(25) == 0 {
		r.data["cancelledAt"] = updated.Format(stamp)
	}
	return r
}

func (s *shop) attachCustomer(r *rec) {
	n := len(s.customers.recs)
	if n == 0 || s.rng.IntN(20) == 0 { // guest checkout
		r.data["customer"], r.data["email"] = nil, fmt.Sprintf("guest%d@example.com", r.id)
		return
	}
	c := s.customers.recs[s.rng.IntN(n)]
	r.data["customer"] = map[string]any{"__typename": "Customer", "id": c.data["id"], "email": c.data["email"]}
	r.data["email"] = c.data["email"]
}

func (s *shop) newLine(orderID int64, j int, price, qty int64) map[string]any {
	l := map[string]any{
		"__typename": "LineItem", "id": fmt.Sprintf("gid://shopify/LineItem/%d%03d", orderID, j),
		"sku": fmt.Sprintf("SKU-%04d", s.rng.IntN(10000)), "quantity": qty,
		"originalUnitPriceSet": s.moneyBag(price), "discountedUnitPriceSet": s.moneyBag(price),
		"product": nil, "title": "Item",
	}
	if n := len(s.products.recs); n > 0 {
		p := s.products.recs[s.rng.IntN(n)]
		l["product"] = map[string]any{"__typename": "Product", "id": p.data["id"], "title": p.data["title"]}
		l["title"] = p.data["title"]
	}
	return l
}

func (s *shop) moneyBag(minor int64) map[string]any {
	m := map[string]any{"__typename": "MoneyV2", "amount": Decimal(minor, s.currency), "currencyCode": s.currency}
	return map[string]any{"__typename": "MoneyBag", "shopMoney": m, "presentmentMoney": m}
}

// Decimal prints minor units the way Shopify prints a Decimal: no
// trailing zeros beyond one decimal place ("12.5", "10.0", "12.34").
func Decimal(minor int64, currency string) string {
	exp := 2
	switch currency {
	case "JPY", "KRW", "VND", "CLP", "ISK":
		exp = 0
	case "BHD", "KWD", "OMR", "JOD", "TND":
		exp = 3
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	if exp == 0 {
		return sign + strconv.FormatInt(minor, 10) + ".0"
	}
	div := int64(1)
	for range exp {
		div *= 10
	}
	frac := strings.TrimRight(fmt.Sprintf("%0*d", exp, minor%div), "0")
	if frac == "" {
		frac = "0"
	}
	return fmt.Sprintf("%s%d.%s", sign, minor/div, frac)
}

func (s *shop) table(stream string) *table {
	switch stream {
	case "customers":
		return s.customers
	case "orders":
		return s.orders
	case "products":
		return s.products
	}
	return nil
}

// bump returns an updated_at strictly after every one handed out so far.
func (s *shop) bump(now time.Time) time.Time {
	t := now.UTC().Truncate(time.Second)
	if !t.After(s.latest) {
		t = s.latest.Add(time.Second)
	}
	s.latest = t
	return t
}

// checksum hashes every record's id and updated_at in id order.
func checksum(t *table) string {
	m := make(map[string]time.Time, len(t.recs))
	for _, r := range t.recs {
		m[strconv.FormatInt(r.id, 10)] = r.updated
	}
	return Checksum(m)
}

// Checksum hashes (legacy id, updated_at) pairs independently of order, so
// a test can compare what a sync stored with what the shop holds.
func Checksum(records map[string]time.Time) string {
	ids := make([]string, 0, len(records))
	for id := range records {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	h := sha256.New()
	for _, id := range ids {
		fmt.Fprintf(h, "%s|%s\n", id, records[id].UTC().Format(stamp))
	}
	return hex.EncodeToString(h.Sum(nil))
}
