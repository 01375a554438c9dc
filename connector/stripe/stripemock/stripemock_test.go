package stripemock_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/omnify-cloud/omnify/connector/stripe/stripemock"
)

// specPath is the official Stripe OpenAPI subset kept beside the project.
var specPath = filepath.Join("..", "..", "..", "..", "shared", "specs", "stripe", "stripe-spec3-subset.json")

// The golden fixtures carry every property Stripe's spec requires.
func TestFixturesHaveRequiredFields(t *testing.T) {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		t.Skipf("Stripe spec not available at %s: %v", specPath, err)
	}
	var spec struct {
		Components struct {
			Schemas map[string]struct {
				Required []string `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"customer", "charge", "invoice", "subscription", "event"} {
		obj, err := stripemock.Fixture(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, field := range spec.Components.Schemas[name].Required {
			if _, ok := obj[field]; !ok {
				t.Errorf("%s fixture lacks required %q", name, field)
			}
		}
		if obj["object"] != name {
			t.Errorf("%s fixture has object %v", name, obj["object"])
		}
	}
}

type list struct {
	Object  string           `json:"object"`
	Data    []map[string]any `json:"data"`
	HasMore bool             `json:"has_more"`
	URL     string           `json:"url"`
}

func get(t *testing.T, f *stripemock.Fake, path string, q url.Values) (int, list) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.URL+path+"?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+f.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var l list
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
	}
	return resp.StatusCode, l
}

func ids(l list) []string {
	out := make([]string, len(l.Data))
	for i, o := range l.Data {
		out[i] = o["id"].(string)
	}
	return out
}

func TestFakeCursorRules(t *testing.T) {
	f := stripemock.NewFake(t)
	seeded, err := f.Seed("customers", 5) // cus_000001 (oldest) .. cus_000005
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		q       url.Values
		want    []string
		hasMore bool
	}{
		{"first page newest first", url.Values{"limit": {"2"}}, []string{seeded[4], seeded[3]}, true},
		{"starting_after pages older", url.Values{"limit": {"2"}, "starting_after": {seeded[3]}}, []string{seeded[2], seeded[1]}, true},
		{"last page", url.Values{"limit": {"2"}, "starting_after": {seeded[1]}}, []string{seeded[0]}, false},
		{"ending_before is the page just newer", url.Values{"limit": {"2"}, "ending_before": {seeded[0]}}, []string{seeded[2], seeded[1]}, true},
		{"ending_before at the top", url.Values{"limit": {"2"}, "ending_before": {seeded[2]}}, []string{seeded[4], seeded[3]}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, l := get(t, f, "/v1/customers", tc.q)
			if status != http.StatusOK || l.Object != "list" || l.URL != "/v1/customers" {
				t.Fatalf("status %d list %+v", status, l)
			}
			got := ids(l)
			if len(got) != len(tc.want) || l.HasMore != tc.hasMore {
				t.Fatalf("got %v has_more %v, want %v %v", got, l.HasMore, tc.want, tc.hasMore)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestFakeRefusesBadRequests(t *testing.T) {
	f := stripemock.NewFake(t)
	if _, err := f.Seed("customers", 1); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		path string
		q    url.Values
		want int
	}{
		{"limit too big", "/v1/customers", url.Values{"limit": {"101"}}, 400},
		{"unknown parameter", "/v1/customers", url.Values{"foo": {"1"}}, 400},
		{"both cursors", "/v1/customers", url.Values{"starting_after": {"a"}, "ending_before": {"b"}}, 400},
		{"missing cursor object", "/v1/customers", url.Values{"starting_after": {"cus_nope"}}, 400},
		{"unknown list", "/v1/products", nil, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if status, _ := get(t, f, tc.path, tc.q); status != tc.want {
				t.Fatalf("status %d, want %d", status, tc.want)
			}
		})
	}
	resp, err := http.Get(f.URL + "/v1/customers")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a key: %d", resp.StatusCode)
	}
}

func TestFakeEventFilters(t *testing.T) {
	f := stripemock.NewFake(t)
	if _, err := f.Create("customers"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Create("subscriptions"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Create("charges"); err != nil {
		t.Fatal(err)
	}
	count := func(q url.Values) int {
		_, l := get(t, f, "/v1/events", q)
		return len(l.Data)
	}
	if n := count(url.Values{"type": {"customer.*"}}); n != 2 {
		t.Errorf("customer.* matches customer and subscription events: %d", n)
	}
	if n := count(url.Values{"type": {"charge.created"}}); n != 1 {
		t.Errorf("exact type: %d", n)
	}
	if n := count(url.Values{"types[0]": {"charge.created"}, "types[1]": {"customer.created"}}); n != 2 {
		t.Errorf("types list: %d", n)
	}
	if n := count(url.Values{"created[gte]": {"99999999999"}}); n != 0 {
		t.Errorf("created filter: %d", n)
	}
}

func TestIntegrationStart(t *testing.T) {
	base := stripemock.Start(t)
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/customers", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("stripe-mock without a key: %d, want 401", resp.StatusCode)
	}
}
