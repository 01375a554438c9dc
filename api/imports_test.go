package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/omnifytest"
)

func TestImportCDNOW(t *testing.T) {
	f := newFixture(t, withGraph())
	resp, body := uploadCSV(t, f.srv, f.team[omnify.RoleAnalyst].Token, "cdnow.csv", cdnowBytes(t))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	var res api.ImportResult
	noErr(t, json.Unmarshal([]byte(body), &res))
	if res.ImportID == "" || res.Format != "transactions" || res.Rows != 6919 || res.Customers != 2357 ||
		res.Orders != 6919 || len(res.Errors) != 0 || !strings.Contains(body, `"errors":[]`) {
		t.Fatalf("result %s", body)
	}
	cs := listCustomers(t, f.srv, f.team[omnify.RoleViewer].Token, "")
	if len(cs) != 2357 {
		t.Fatalf("GET /v1/customers: %d customers, want 2357", len(cs))
	}
	csv := listCustomers(t, f.srv, f.owner().Token, "platform=csv")
	if len(csv) != 2357 || csv[0].Consent != "unknown" {
		t.Errorf("%d csv customers, first %+v", len(csv), csv[0])
	}
	var d api.CustomerDetail
	f.srv.DoJSON(t, "GET", "/v1/customers/"+cs[0].ID, f.owner().Token, nil, &d)
	if len(d.Identities) != 1 || d.Identities[0].Platform != "csv" || len(d.Orders) == 0 || d.Orders[0].Currency != "USD" {
		t.Errorf("detail %+v", d)
	}
	// The same file again changes nothing.
	resp, body = uploadCSV(t, f.srv, f.owner().Token, "cdnow.csv", cdnowBytes(t))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("second import: %d %s", resp.StatusCode, body)
	}
	if n := len(listCustomers(t, f.srv, f.owner().Token, "")); n != 2357 {
		t.Errorf("%d customers after importing twice", n)
	}
}

func TestImportRejected(t *testing.T) {
	f := newFixture(t, withGraph())
	content := "customer_id,order_date,amount\nc1,2024-01-01,1.00\nc2,someday,2.00\nc3,2024-01-03,-1\n"
	resp, body := uploadCSV(t, f.srv, f.owner().Token, "bad.csv", []byte(content))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	var res api.ImportResult
	noErr(t, json.Unmarshal([]byte(body), &res))
	if res.ErrorCount != 2 || res.Errors[0].Line != 3 || res.Errors[0].Column != "order_date" ||
		res.Errors[1].Line != 4 || res.Errors[1].Column != "amount" || res.ImportID != "" {
		t.Fatalf("report %s", body)
	}
	if n := len(listCustomers(t, f.srv, f.owner().Token, "")); n != 0 {
		t.Errorf("a rejected import stored %d customers", n)
	}
}

func TestImportTooLarge(t *testing.T) {
	f := newFixture(t, withGraph(), omnifytest.WithConfig(func(c *api.Config) { c.ImportLimit = 1024 }))
	big := "customer_id,order_date,amount\n" + strings.Repeat("c1,2024-01-01,1.00\n", 100)
	resp, body := uploadCSV(t, f.srv, f.owner().Token, "big.csv", []byte(big))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("import of %d bytes over a 1 KiB limit: %d %s", len(big), resp.StatusCode, body)
	}
	huge := "customer_id,order_date,amount\n" + strings.Repeat("c1,2024-01-01,1.00\n", 5000)
	if resp, body = uploadCSV(t, f.srv, f.owner().Token, "huge.csv", []byte(huge)); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("import past the body limit: %d %s", resp.StatusCode, body)
	}
	small := "customer_id,order_date,amount\nc1,2024-01-01,1.00\n"
	if resp, body = uploadCSV(t, f.srv, f.owner().Token, "small.csv", []byte(small)); resp.StatusCode != http.StatusCreated {
		t.Fatalf("import under the limit: %d %s", resp.StatusCode, body)
	}
}

func TestImportNeedsAFilePart(t *testing.T) {
	f := newFixture(t, withGraph())
	if st := f.srv.DoJSON(t, "POST", "/v1/imports", f.owner().Token, map[string]any{"file": "x"}, nil); st != http.StatusUnprocessableEntity {
		t.Errorf("JSON body: %d, want 422", st)
	}
	resp, body := uploadCSV(t, f.srv, f.owner().Token, "", nil)
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty file part: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(body, "the file is empty") {
		t.Errorf("empty file: %s", body)
	}
}
