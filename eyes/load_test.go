package eyes_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	omnify "github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/eyes"
)

func TestLoadTransactionsCSVRejectsBadInput(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, csv string
		want      []string // substrings the error must contain
	}{
		{"empty file", "", []string{"empty file"}},
		{"header only", "customer_id,order_date,amount\n", []string{"no data rows"}},
		{"missing amount column", "customer_id,order_date\nc1,2024-01-02\n", []string{"line 1", "missing", "amount"}},
		{"missing two columns", "customer_id\nc1\n", []string{"order_date, amount"}},
		{"duplicate header", "customer_id,order_date,amount,amount\nc1,2024-01-02,3,4\n", []string{"line 1", "duplicate column \"amount\""}},
		{"unparseable date", "customer_id,order_date,amount\nc1,2024-01-02,3\nc2,02/01/2024,4\n", []string{"line 3", "order_date", "02/01/2024"}},
		{"impossible date", "customer_id,order_date,amount\nc1,2024-02-30,3\n", []string{"line 2", "2024-02-30"}},
		{"negative amount", "customer_id,order_date,amount\nc1,2024-01-02,-5\n", []string{"line 2", "negative"}},
		{"non-numeric amount", "customer_id,order_date,amount\nc1,2024-01-02,abc\n", []string{"line 2", "not a decimal"}},
		{"NaN amount", "customer_id,order_date,amount\nc1,2024-01-02,NaN\n", []string{"line 2", "finite"}},
		{"empty amount", "customer_id,order_date,amount\nc1,2024-01-02,\n", []string{"line 2", "empty amount"}},
		{"empty customer", "customer_id,order_date,amount\n,2024-01-02,1\n", []string{"line 2", "customer_id"}},
		{"broken quoting", "customer_id,order_date,amount\n\"c1,2024-01-02,1\n", []string{"bad input"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := eyes.LoadTransactionsCSV(strings.NewReader(tc.csv), asOf)
			if err == nil {
				t.Fatal("want an error, got none")
			}
			if !errors.Is(err, eyes.ErrBadInput) {
				t.Errorf("error %q does not wrap ErrBadInput", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadTransactionsCSVReadsCustomers(t *testing.T) {
	t.Parallel()
	const data = `customer_id,order_date,amount,order_id,email,currency,consent,platform
a,2024-01-05,10.50,o1,a@example.org,USD,true,shopify
a,2024-03-01T10:00:00+02:00,5,o2,,USD,false,stripe
b,2024-02-01,7,o3,b@example.org,USD,,
c,2024-02-02,8,o4,,USD,maybe,shopify
d,2025-01-01,9,o5,,USD,true,shopify
`
	in, rep, err := eyes.LoadTransactionsCSV(strings.NewReader(data), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 5 || rep.RowsUsed != 4 || rep.RowsAfterAsOf != 1 || rep.Customers != 3 {
		t.Errorf("report rows=%d used=%d after=%d customers=%d, want 5 4 1 3", rep.Rows, rep.RowsUsed, rep.RowsAfterAsOf, rep.Customers)
	}
	want := eyes.ConsentCounts{Granted: 0, Denied: 1, Unknown: 2, Malformed: 1}
	if rep.Consent != want {
		t.Errorf("consent %+v, want %+v", rep.Consent, want)
	}
	if len(rep.Issues) != 1 || rep.Issues[0].Line != 5 || rep.Issues[0].Value != "maybe" {
		t.Errorf("issues %+v, want one on line 5 for value maybe", rep.Issues)
	}
	a := in.Customers[0]
	if a.ID != "a" || a.Consent != omnify.ConsentDenied || a.Email != "a@example.org" || len(a.Orders) != 2 {
		t.Errorf("customer a = %+v: want the latest consent (denied), its e-mail and two orders", a)
	}
	if got := strings.Join(a.Platforms, ","); got != "shopify,stripe" {
		t.Errorf("customer a platforms %q, want shopify,stripe", got)
	}
	if got := a.Orders[1].Time; !got.Equal(time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)) || a.Orders[1].Amount != 5 {
		t.Errorf("RFC 3339 order read as %v %v", got, a.Orders[1].Amount)
	}
	if b := in.Customers[1]; b.Platforms[0] != eyes.DefaultPlatform || b.Consent != omnify.ConsentUnknown {
		t.Errorf("customer b = %+v: an empty platform means %q, empty consent unknown", b, eyes.DefaultPlatform)
	}
}

func TestLoadTransactionsCSVIncludesAsOfDay(t *testing.T) {
	t.Parallel()
	const data = "customer_id,order_date,amount\nx,2024-06-30T23:59:59Z,1\nx,2024-07-01T00:00:00Z,1\n"
	_, rep, err := eyes.LoadTransactionsCSV(strings.NewReader(data), time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsUsed != 1 {
		t.Errorf("rows used %d, want 1: the whole as-of day counts, the next day does not", rep.RowsUsed)
	}
}

func TestLoadTransactionsCSVFormats(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	const data = "\ufeffCustomer_ID,Order_Date,Amount,Email\r\n" +
		"\"a,1\",2024-01-05,10,\"x, y\"\"z\"\"@example.org\"\r\n" +
		"\r\n" +
		"b,2024-01-06,2.5e1,\r\n" +
		"b,2024-01-07,3," // no final newline
	in, rep, err := eyes.LoadTransactionsCSV(strings.NewReader(data), asOf)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 3 || len(in.Customers) != 2 {
		t.Fatalf("rows %d customers %d, want 3 and 2", rep.Rows, len(in.Customers))
	}
	a, b := in.Customers[0], in.Customers[1]
	if a.ID != "a,1" || a.Email != `x, y"z"@example.org` {
		t.Errorf("quoted fields read as id %q email %q", a.ID, a.Email)
	}
	if len(b.Orders) != 2 || b.Orders[0].Amount != 25 || b.Orders[1].Amount != 3 {
		t.Errorf("customer b orders %+v", b.Orders)
	}
}

// TestLoadTransactionsCSVLineNumbersAcrossChunks puts a bad row deep in a
// file larger than one parsing chunk: the error must still name its line.
func TestLoadTransactionsCSVLineNumbersAcrossChunks(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("customer_id,order_date,amount\n")
	const bad = 230_001
	for line := 2; line <= 250_000; line++ {
		amount := "12.34"
		if line == bad {
			amount = "twelve"
		}
		fmt.Fprintf(&b, "customer-%06d,2024-03-%02d,%s\n", line%5000, 1+line%28, amount)
	}
	if b.Len() < 6<<20 {
		t.Fatalf("test file is only %d bytes; it must span several chunks", b.Len())
	}
	_, _, err := eyes.LoadTransactionsCSV(strings.NewReader(b.String()), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("line %d:", bad)) {
		t.Fatalf("error %v, want one naming line %d", err, bad)
	}
	good := strings.Replace(b.String(), "twelve", "12", 1)
	in, rep, err := eyes.LoadTransactionsCSV(strings.NewReader(good), time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 249_999 || len(in.Customers) != 5000 || in.Customers[0].ID != "customer-000002" {
		t.Errorf("rows %d customers %d first %q: want 249999 rows, 5000 customers in first-seen order", rep.Rows, len(in.Customers), in.Customers[0].ID)
	}
}
