package importer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/importer"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

// recorder is a sink that keeps what it is given, failing on call failOn.
type recorder struct {
	calls  int
	failOn int
	recs   []connector.Record
	plats  map[string]bool
}

func (r *recorder) Store(_ context.Context, _, _, platform string, recs []connector.Record) error {
	r.calls++
	if r.calls == r.failOn {
		return errors.New("disk full")
	}
	if r.plats == nil {
		r.plats = map[string]bool{}
	}
	r.plats[platform] = true
	r.recs = append(r.recs, recs...)
	return nil
}

func run(t *testing.T, sink importer.Sink, content string, opts importer.Options) (*importer.Report, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return importer.New(sink, opts).Import(t.Context(), "org-a", "imp-1", f)
}

func TestDetectFormat(t *testing.T) {
	orders, err := os.ReadFile("testdata/shopify_orders.csv")
	must(t, err)
	custs, err := os.ReadFile("testdata/shopify_customers.csv")
	must(t, err)
	for _, tc := range []struct {
		name, content string
		want          importer.Format
	}{
		{"transactions", "customer_id,order_date,amount\nc1,2024-01-02,3.50\n", importer.Transactions},
		{"transactions with extras and a BOM", "\ufeffamount,email,customer_id,order_date,consent,currency,order_id\n1,a@b.co,c1,2024-01-02,true,EUR,o1\n", importer.Transactions},
		{"shopify orders", string(orders), importer.ShopifyOrders},
		{"shopify customers", string(custs), importer.ShopifyCustomers},
		{"older shopify customers", "First Name,Last Name,Email,Company,Phone,Accepts Marketing,Total Spent,Total Orders,Tags\nAna,S,ana@example.com,,,yes,1.00,1,\n", importer.ShopifyCustomers},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := run(t, &recorder{}, tc.content, importer.Options{})
			if err != nil || rep.Format != tc.want {
				t.Fatalf("format %q, error %v (report %+v), want %q", rep.Format, err, rep, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	const hdr = "customer_id,order_date,amount,email,currency,consent,order_id\n"
	for _, tc := range []struct {
		name, content string
		want          []importer.LineError
	}{
		{"empty file", "", []importer.LineError{{Line: 1, Message: "the file is empty: a header row is required"}}},
		{"header only", hdr, []importer.LineError{{Line: 2, Message: "the file has a header but no rows"}}},
		{"duplicate header", "customer_id,order_date,amount,amount\nc1,2024-01-01,1,1\n",
			[]importer.LineError{{Line: 1, Column: "amount", Message: "the column appears twice in the header"}}},
		{"missing column", "customer_id,amount\nc1,1\n",
			[]importer.LineError{{Line: 1, Column: "order_date", Message: "a transactions CSV needs the columns customer_id, order_date and amount"}}},
		{"unknown header", "foo,bar\n1,2\n", []importer.LineError{{Line: 1, Message: "unrecognised header: expected a transactions CSV (customer_id, order_date, amount), a Shopify customer export or a Shopify order export"}}},
		{"unparseable date", hdr + "c1,2024-01-01,1,,,,\nc1,14/03/2024,1,,,,\n",
			[]importer.LineError{{Line: 3, Column: "order_date", Message: `"14/03/2024" is not a date (YYYY-MM-DD) or an RFC 3339 time`}}},
		{"negative amount", hdr + "c1,2024-01-01,-3.00,,,,\n", []importer.LineError{{Line: 2, Column: "amount", Message: "is negative"}}},
		{"non-numeric amount", hdr + "c1,2024-01-01,12a,,,,\n", []importer.LineError{{Line: 2, Column: "amount", Message: `"12a" is not a decimal number`}}},
		{"too precise amount", hdr + "c1,2024-01-01,1.005,,,,\nc2,2024-01-01,5.5,,JPY,,\n", []importer.LineError{
			{Line: 2, Column: "amount", Message: `"1.005" has more decimal places than the currency allows`},
			{Line: 3, Column: "amount", Message: `"5.5" has more decimal places than the currency allows`}}},
		{"empty amount and customer", hdr + ",2024-01-01,,,,,\n", []importer.LineError{
			{Line: 2, Column: "customer_id", Message: "is empty"}, {Line: 2, Column: "amount", Message: `"" is not a number`}}},
		{"bad email, currency, consent", hdr + "c1,2024-01-01,1,not-an-email,usdollar,maybe,\n", []importer.LineError{
			{Line: 2, Column: "currency", Message: `"USDOLLAR" is not an ISO 4217 code`},
			{Line: 2, Column: "email", Message: `"not-an-email" is not an email address`},
			{Line: 2, Column: "consent", Message: `must be true, false or empty, not "maybe"`}}},
		{"duplicate order id", hdr + "c1,2024-01-01,1,,,,o1\nc2,2024-01-02,1,,,,o1\n", []importer.LineError{
			{Line: 3, Column: "order_id", Message: `"o1" is already used on line 2`}}},
		{"wrong field count", hdr + "c1,2024-01-01,1\n", []importer.LineError{{Line: 2, Message: "has 3 fields, the header has 7"}}},
		{"malformed quote after a quoted newline", hdr + "\"c\n1\",2024-01-01,1,,,,\nc2,\"2024-01-01,1,,,,\n",
			[]importer.LineError{{Line: 4, Message: "malformed CSV: extraneous or missing \" in quoted-field"}}},
		{"shopify order continues later", "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price\n" +
			"#1,a@b.co,paid,USD,1.00,2024-01-01 00:00:00 +0000,1,Tea,1.00\n#2,a@b.co,paid,USD,1.00,2024-01-01 00:00:00 +0000,1,Tea,1.00\n#1,,,,,,1,Pot,2.00\n",
			[]importer.LineError{{Line: 4, Column: "Name", Message: "order #1 continues here after other orders (it starts on line 2)"}}},
		{"shopify order without total or time", "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price\n" +
			"#1,a@b.co,paid,USD,,yesterday,x,Tea,1.00\n",
			[]importer.LineError{
				{Line: 2, Column: "Created at", Message: `"yesterday" is not a time like 2024-03-14 10:11:12 -0400`},
				{Line: 2, Column: "Total", Message: "is empty on the order's first row"},
				{Line: 2, Column: "Lineitem quantity", Message: "must be a whole number of at least 0"}}},
		{"shopify customer without id or email", "Customer ID,First Name,Email,Accepts Email Marketing,Total Orders\n,Ana,,perhaps,0\n",
			[]importer.LineError{
				{Line: 2, Column: "Customer ID", Message: "a customer needs a Customer ID or an Email"},
				{Line: 2, Column: "Accepts Email Marketing", Message: "must be yes or no"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &recorder{}
			rep, err := run(t, sink, tc.content, importer.Options{})
			if !errors.Is(err, importer.ErrRejected) || !errors.Is(err, omnify.ErrInvalid) {
				t.Fatalf("error %v, want a rejection", err)
			}
			if !reflect.DeepEqual(rep.Errors, tc.want) || rep.ErrorCount != len(tc.want) {
				t.Errorf("errors (%d):\n got %+v\nwant %+v", rep.ErrorCount, rep.Errors, tc.want)
			}
			if len(sink.recs) != 0 || sink.calls != 0 {
				t.Errorf("a rejected file wrote %d records", len(sink.recs))
			}
		})
	}
}

func TestNothingHalfImported(t *testing.T) {
	var b strings.Builder
	b.WriteString("customer_id,order_date,amount\n")
	for i := range 12_000 {
		fmt.Fprintf(&b, "c%d,2024-01-01,%d.00\n", i%100, i)
	}
	b.WriteString("c1,2024-01-01,oops\n")
	sink := &recorder{}
	rep, err := run(t, sink, b.String(), importer.Options{BatchSize: 1000})
	if !errors.Is(err, importer.ErrRejected) || sink.calls != 0 {
		t.Fatalf("error %v, %d sink calls; want a rejection before any write", err, sink.calls)
	}
	if rep.Rows != 12_001 || rep.Errors[0].Line != 12_002 {
		t.Errorf("report %+v", rep)
	}
}

func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("customer_id,order_date,amount\n")
	for range 250 {
		b.WriteString("c1,never,1\n")
	}
	rep, err := run(t, &recorder{}, b.String(), importer.Options{})
	if !errors.Is(err, importer.ErrRejected) || len(rep.Errors) != 100 || rep.ErrorCount != 250 {
		t.Fatalf("error %v: %d errors listed, %d counted; want 100 of 250", err, len(rep.Errors), rep.ErrorCount)
	}
	if rep.Errors[99].Line != 101 {
		t.Errorf("100th error on line %d, want 101", rep.Errors[99].Line)
	}
}

func TestTransactionsRecords(t *testing.T) {
	sink := &recorder{}
	rep, err := run(t, sink, "customer_id,order_date,amount,email,consent,currency\n"+
		"c1,2024-01-01,10.50,Ana@Example.com,true,\nc1,2024-02-01T10:00:00+02:00,3,,false,\nc2,2024-01-05,700,,,JPY\nc1,2024-01-01,10.50,,,\n",
		importer.Options{BatchSize: 2})
	must(t, err)
	if rep.Format != importer.Transactions || rep.Rows != 4 || rep.Customers != 2 || rep.Orders != 4 || !sink.plats["csv"] {
		t.Fatalf("report %+v platforms %v", rep, sink.plats)
	}
	var custs, orders []connector.Record
	for _, r := range sink.recs {
		if r.Customer != nil {
			custs = append(custs, r)
		} else {
			orders = append(orders, r)
		}
	}
	if len(custs) != 2 || custs[0].Customer.Email != "ana@example.com" || custs[0].Customer.Consent != "denied" {
		t.Errorf("customers %+v", custs)
	}
	if len(orders) != 4 || orders[0].Order.TotalMinor != 1050 || orders[2].Order.TotalMinor != 700 ||
		orders[2].Order.Currency != "JPY" || !orders[1].Order.PlacedAt.Equal(time.Date(2024, 2, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("orders %+v %+v %+v", orders[0].Order, orders[1].Order, orders[2].Order)
	}
	if orders[0].ExternalID == orders[3].ExternalID {
		t.Error("two identical rows got the same order ID")
	}
}

func TestShopifyOrdersRecords(t *testing.T) {
	content, err := os.ReadFile("testdata/shopify_orders.csv")
	must(t, err)
	sink := &recorder{}
	rep, err := run(t, sink, string(content), importer.Options{})
	must(t, err)
	if rep.Orders != 3 || rep.Customers != 2 || rep.Rows != 4 || !sink.plats["shopify"] || len(sink.recs) != 3 {
		t.Fatalf("report %+v, %d records", rep, len(sink.recs))
	}
	o := sink.recs[0].Order
	want := connector.Order{Email: "ana@example.com", PlacedAt: time.Date(2024, 3, 14, 14, 11, 12, 0, time.UTC),
		Currency: "USD", TotalMinor: 5450, DiscountMinor: 500, Status: "paid", Lines: []connector.LineItem{
			{SKU: "TEA-G", Title: "Green Tea", Quantity: 2, PriceMinor: 1500}, {SKU: "POT-1", Title: "Teapot", Quantity: 1, PriceMinor: 2000}}}
	if sink.recs[0].ExternalID != "5550001" || !reflect.DeepEqual(*o, want) {
		t.Errorf("order %s = %+v\nwant %+v", sink.recs[0].ExternalID, *o, want)
	}
	if r := sink.recs[1].Order; r.RefundedMinor != 1000 || r.Currency != "EUR" {
		t.Errorf("refunded order %+v", r)
	}
}

// TestShopifyExportsResolveTogether imports Shopify's customer and order
// exports through the real sink: orders name customers by email only, yet
// land on the customers of the customer export.
func TestShopifyExportsResolveTogether(t *testing.T) {
	db := mustStore(t)
	sink := identity.NewSink(db, identity.Options{})
	for _, file := range []string{"testdata/shopify_customers.csv", "testdata/shopify_orders.csv"} {
		content, err := os.ReadFile(file)
		must(t, err)
		_, err = run(t, sink, string(content), importer.Options{})
		must(t, err)
	}
	var cs []omnify.Customer
	must(t, db.ScanCustomers(t.Context(), "org-a", func(c omnify.Customer) error { cs = append(cs, c); return nil }))
	if len(cs) != 3 {
		t.Fatalf("%d customers, want 3: %+v", len(cs), cs)
	}
	byEmail := map[string]omnify.Customer{}
	for _, c := range cs {
		byEmail[c.Email] = c
	}
	if a := byEmail["ana@example.com"]; a.Phone != "+14155550123" || a.Consent != omnify.ConsentGranted || a.Name != "Ana Silva" {
		t.Errorf("ana = %+v", a)
	}
	n := 0
	must(t, db.ScanOrders(t.Context(), "org-a", func(o omnify.Order) error {
		n++
		if want := map[string]string{"5550001": "ana@example.com", "5550002": "bo@example.com", "5550003": "ana@example.com"}[o.ExternalID]; byEmail[want].ID != o.CustomerID {
			t.Errorf("order %s on customer %s, want %s's", o.ExternalID, o.CustomerID, want)
		}
		return nil
	}))
	if n != 3 {
		t.Errorf("%d orders, want 3", n)
	}
}

// TestRetryConverges fails an import midway, then imports the file again:
// the result is what one clean import gives.
func TestRetryConverges(t *testing.T) {
	path := cdnowSample(t)
	content, err := os.ReadFile(path)
	must(t, err)
	clean := mustStore(t)
	_, err = run(t, identity.NewSink(clean, identity.Options{}), string(content), importer.Options{BatchSize: 1000})
	must(t, err)

	db := mustStore(t)
	failing := &failAfter{Sink: identity.NewSink(db, identity.Options{}), n: 3}
	if _, err := run(t, failing, string(content), importer.Options{BatchSize: 1000}); err == nil {
		t.Fatal("the failing sink did not fail the import")
	}
	rep, err := run(t, identity.NewSink(db, identity.Options{}), string(content), importer.Options{BatchSize: 1000})
	must(t, err)
	if rep.Customers != 2357 || rep.Orders != 6919 {
		t.Errorf("report %+v, want 2357 customers and 6919 orders", rep)
	}
	if got, want := dump(t, db), dump(t, clean); got != want {
		t.Errorf("retried import differs from a clean one")
	}
}

type failAfter struct {
	importer.Sink
	n, calls int
}

func (f *failAfter) Store(ctx context.Context, org, conn, platform string, recs []connector.Record) error {
	f.calls++
	if f.calls == f.n {
		return errors.New("connection lost")
	}
	return f.Sink.Store(ctx, org, conn, platform, recs)
}

func dump(t *testing.T, db *sqlite.DB) string {
	t.Helper()
	var b strings.Builder
	must(t, db.ScanCustomers(t.Context(), "org-a", func(c omnify.Customer) error {
		fmt.Fprintf(&b, "%s %s %s %v\n", c.ID, c.Email, c.Consent, c.Platforms)
		return nil
	}))
	must(t, db.ScanOrders(t.Context(), "org-a", func(o omnify.Order) error {
		fmt.Fprintf(&b, "%s %s %s %d %s\n", o.ID, o.CustomerID, o.PlacedAt, o.AmountMinor, o.Currency)
		return nil
	}))
	return b.String()
}
