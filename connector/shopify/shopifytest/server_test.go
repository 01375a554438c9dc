package shopifytest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
)

type answer struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Extensions struct {
		Cost struct {
			RequestedQueryCost float64 `json:"requestedQueryCost"`
			ThrottleStatus     struct {
				CurrentlyAvailable float64 `json:"currentlyAvailable"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

func ask(t *testing.T, srv *shopifytest.Server, query string, vars map[string]any) (int, answer) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/api/2025-01/graphql.json", bytes.NewReader(body))
	req.Header.Set("X-Shopify-Access-Token", srv.Options().Token)
	res, err := srv.Connection().HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var a answer
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("answer %s: %v", raw, err)
		}
	}
	return res.StatusCode, a
}

func TestQueriesAreValidatedAgainstTheSchema(t *testing.T) {
	t.Parallel()
	srv := shopifytest.NewServer(t, shopifytest.Options{Customers: 5})
	if !srv.Validating() {
		t.Skip("the Admin API schema file is absent (" + shopifytest.SchemaFile + "); queries are not validated")
	}
	for _, tc := range []struct{ name, query, want string }{
		{"unknown field", `{ customers(first: 5) { nodes { id favouriteColour } } }`, `Cannot query field "favouriteColour" on type "Customer"`},
		{"unknown argument", `{ customers(first: 5, since: "x") { nodes { id } } }`, `Unknown argument "since"`},
		{"bad enum", `{ customers(first: 5, sortKey: NEWEST) { nodes { id } } }`, `NEWEST`},
		{"syntax", `{ customers(first: 5) { nodes { id }`, `Expected`},
		{"scalar needs no selection", `{ shop { name { x } } }`, `Cannot query field "x" on type "String"`},
	} {
		code, a := ask(t, srv, tc.query, nil)
		if code != http.StatusOK || len(a.Errors) == 0 || !strings.Contains(a.Errors[0].Message, tc.want) || a.Data != nil {
			t.Errorf("%s: %d %+v, want an error containing %q", tc.name, code, a.Errors, tc.want)
		}
	}
	if code, a := ask(t, srv, `{ shop { name } }`, nil); code != 200 || len(a.Errors) != 0 || !strings.Contains(string(a.Data["shop"]), "OmniFy") {
		t.Fatalf("valid query: %d %+v", code, a)
	}
}

func TestPaginationAndSearchFilter(t *testing.T) {
	t.Parallel()
	srv := shopifytest.NewServer(t, shopifytest.Options{Customers: 57, Seed: 3})
	q := `query($after: String, $query: String) { customers(first: 10, after: $after, query: $query, sortKey: UPDATED_AT) {
		edges { cursor node { id updatedAt } } pageInfo { hasNextPage endCursor } } }`
	var since string
	seen := map[string]bool{}
	after := any(nil)
	last := ""
	for pages := 0; ; pages++ {
		_, a := ask(t, srv, q, map[string]any{"after": after})
		var c struct {
			Edges []struct {
				Node struct{ ID, UpdatedAt string }
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
		if err := json.Unmarshal(a.Data["customers"], &c); err != nil {
			t.Fatal(err)
		}
		for _, e := range c.Edges {
			if seen[e.Node.ID] || e.Node.UpdatedAt < last {
				t.Fatalf("page %d: %s repeated or out of order", pages, e.Node.ID)
			}
			seen[e.Node.ID], last = true, e.Node.UpdatedAt
			if len(seen) == 30 {
				since = e.Node.UpdatedAt
			}
		}
		if !c.PageInfo.HasNextPage {
			break
		}
		after = c.PageInfo.EndCursor
	}
	if len(seen) != 57 {
		t.Fatalf("%d customers paged, want 57", len(seen))
	}
	_, a := ask(t, srv, q, map[string]any{"query": "updated_at:>='" + since + "'"})
	var c struct {
		Edges []struct{ Node struct{ UpdatedAt string } }
	}
	_ = json.Unmarshal(a.Data["customers"], &c)
	for _, e := range c.Edges {
		if e.Node.UpdatedAt < since {
			t.Fatalf("filter updated_at >= %s returned %s", since, e.Node.UpdatedAt)
		}
	}
	if len(c.Edges) == 0 || len(c.Edges) > 10 {
		t.Fatalf("filtered page of %d", len(c.Edges))
	}
}

func TestCostBucket(t *testing.T) {
	t.Parallel()
	now := fixedClock()
	srv := shopifytest.NewServer(t, shopifytest.Options{Customers: 300, MaximumAvailable: 1000, RestoreRate: 50, Now: now})
	q := `{ customers(first: 250) { nodes { id emailMarketingConsent { marketingState } } } }`
	_, a := ask(t, srv, q, nil)
	if a.Extensions.Cost.RequestedQueryCost != 502 || len(a.Errors) != 0 {
		t.Fatalf("first query: %+v", a)
	}
	if a.Extensions.Cost.ThrottleStatus.CurrentlyAvailable != 498 {
		t.Fatalf("after 502 points of 1000: %+v", a.Extensions.Cost)
	}
	_, a = ask(t, srv, q, nil)
	if len(a.Errors) == 0 || a.Errors[0].Extensions["code"] != "THROTTLED" || a.Data != nil {
		t.Fatalf("second query with 498 points left: %+v", a)
	}
	if srv.Stats().Throttled != 1 {
		t.Fatalf("stats %+v", srv.Stats())
	}
	_, a = ask(t, srv, `{ customers(first: 250) { nodes { id addresses(first: 10) { id } } } }`, nil)
	if len(a.Errors) == 0 || a.Errors[0].Extensions["code"] != "MAX_COST_EXCEEDED" {
		t.Fatalf("over-the-limit query: %+v", a)
	}
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	srv := shopifytest.NewServer(t, shopifytest.Options{})
	srv.SetToken("other")
	if code, _ := ask(t, srv, `{ shop { name } }`, nil); code != http.StatusUnauthorized {
		t.Fatalf("status %d", code)
	}
}

func TestChecksumFollowsChanges(t *testing.T) {
	t.Parallel()
	a := shopifytest.NewServer(t, shopifytest.Options{Orders: 50, Customers: 5, Seed: 7})
	b := shopifytest.NewServer(t, shopifytest.Options{Orders: 50, Customers: 5, Seed: 7})
	if a.Checksum("orders") != b.Checksum("orders") {
		t.Fatal("same seed, different shops")
	}
	if a.Checksum("orders") != shopifytest.Checksum(a.Records("orders")) {
		t.Fatal("checksum of records differs from the shop's")
	}
	a.Touch("orders", 1)
	if a.Checksum("orders") == b.Checksum("orders") {
		t.Fatal("checksum unchanged after a change")
	}
	if got := len(a.Add("orders", 2)); got != 2 || len(a.Records("orders")) != 52 {
		t.Fatalf("add: %d, %d records", got, len(a.Records("orders")))
	}
}
