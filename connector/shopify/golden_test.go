package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
)

func post(t *testing.T, srv *shopifytest.Server, query string, vars map[string]any) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/api/"+shopify.APIVersion+"/graphql.json", bytes.NewReader(body))
	req.Header.Set("X-Shopify-Access-Token", srv.Options().Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := srv.Connection().HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		t.Fatalf("answer is not JSON: %s", raw)
	}
	return append(out.Bytes(), '\n')
}

// The fake answers the connector's queries in Shopify's shapes; the golden
// pages are the vendor payloads the mapping tests below read.
func TestGoldenVendorPayloads(t *testing.T) {
	clk := newClock() // a still clock keeps throttleStatus reproducible
	srv := shopifytest.NewServer(t, shopifytest.Options{Customers: 3, Orders: 2, Products: 2, Seed: 1, Now: clk.Now})
	connectortest.Golden(t, "customers_page.json", post(t, srv, shopify.PagedQuery("customers"), map[string]any{"first": 250}))
	connectortest.Golden(t, "orders_page.json", post(t, srv, shopify.PagedQuery("orders"), map[string]any{"first": 10}))

	run := `mutation BulkRun($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { message } } }`
	if out := post(t, srv, run, map[string]any{"query": shopify.BulkQuery("orders")}); !bytes.Contains(out, []byte(`"userErrors": []`)) {
		t.Fatalf("bulk run refused: %s", out)
	}
	var url string
	for range 5 {
		var poll struct {
			Data struct {
				Op struct{ URL *string } `json:"currentBulkOperation"`
			}
		}
		_ = json.Unmarshal(post(t, srv, `{ currentBulkOperation { url } }`, nil), &poll)
		if poll.Data.Op.URL != nil {
			url = *poll.Data.Op.URL
			break
		}
	}
	res, err := srv.Connection().HTTP.Get(url)
	if err != nil {
		t.Fatalf("download %q: %v", url, err)
	}
	defer res.Body.Close()
	jsonl, _ := io.ReadAll(res.Body)
	connectortest.Golden(t, "bulk_orders.jsonl", jsonl)
}

// stubShop answers with recorded payloads only.
func stubShop(t *testing.T, page, jsonl string) connector.Connection {
	t.Helper()
	var url string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/export.jsonl" {
			http.ServeFile(w, r, filepath.Join("testdata", jsonl))
			return
		}
		body, _ := io.ReadAll(r.Body)
		switch {
		case bytes.Contains(body, []byte("currentBulkOperation")) && bytes.Contains(body, []byte("BulkPoll")):
			_, _ = io.WriteString(w, `{"data":{"currentBulkOperation":{"id":"gid://shopify/BulkOperation/7","status":"COMPLETED","errorCode":null,"query":"","createdAt":"2026-11-25T10:00:00Z","completedAt":"2026-11-25T10:01:00Z","rootObjectCount":"2","url":"`+url+`/export.jsonl"}}}`)
		case bytes.Contains(body, []byte("bulkOperationRunQuery")):
			_, _ = io.WriteString(w, `{"data":{"bulkOperationRunQuery":{"bulkOperation":{"id":"gid://shopify/BulkOperation/7","status":"CREATED","createdAt":"2026-11-25T10:00:00Z"},"userErrors":[]}}}`)
		default:
			http.ServeFile(w, r, filepath.Join("testdata", page))
		}
	})
	// ServeFile answers POST too; the stub ignores variables on purpose.
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	url = s.URL
	return connector.Connection{Credentials: map[string]string{"shop": "acme.myshopify.com", "access_token": "x"}, HTTP: s.Client(), BaseURL: s.URL}
}

func recordsJSON(t *testing.T, recs []connector.Record) []byte {
	t.Helper()
	out, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func TestGoldenMapping(t *testing.T) {
	for _, tc := range []struct {
		stream, page, jsonl, want string
		state                     json.RawMessage
	}{
		{"customers", "customers_page.json", "", "customers_records.json", json.RawMessage(`{}`)},
		{"orders", "orders_page.json", "", "orders_records.json", json.RawMessage(`{}`)},
		{"orders", "", "bulk_orders.jsonl", "bulk_orders_records.json", nil},
	} {
		t.Run(tc.want, func(t *testing.T) {
			c := shopify.New()
			c.BulkPollInterval = 1
			e := &collector{}
			if err := c.Read(context.Background(), stubShop(t, tc.page, tc.jsonl), tc.stream, tc.state, e); err != nil {
				t.Fatal(err)
			}
			connectortest.Golden(t, tc.want, recordsJSON(t, e.records))
			if tc.jsonl != "" && !strings.Contains(string(e.last()), `"since":"2026-11-25T10:00:00Z"`) {
				t.Fatalf("state after bulk %s", e.last())
			}
		})
	}
}
