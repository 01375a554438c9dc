package api_test

import (
	"net/http"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/store"
)

func TestDemoLoad(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		token string
		body  map[string]any
		want  int
	}{
		{"an analyst may not", f.team[omnify.RoleAnalyst].Token, map[string]any{"customers": 50}, http.StatusForbidden},
		{"too many customers", f.owner().Token, map[string]any{"customers": 20_001}, http.StatusUnprocessableEntity},
		{"an admin fills the empty org", f.team[omnify.RoleAdmin].Token, map[string]any{"customers": 300, "seed": 2}, http.StatusCreated},
		{"a second load is refused", f.owner().Token, map[string]any{}, http.StatusConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got api.DemoResult
			if code := f.srv.DoJSON(t, "POST", "/v1/demo", tc.token, tc.body, &got); code != tc.want {
				t.Fatalf("status %d, want %d", code, tc.want)
			}
			if tc.want != http.StatusCreated {
				return
			}
			if got.Customers != 300 || got.Orders == 0 || got.Campaigns == 0 {
				t.Fatalf("demo result %+v", got)
			}
			cs, _, err := f.srv.Store.ListCustomers(t.Context(), f.owner().OrgID, store.CustomerFilter{}, store.Page{Limit: 1000})
			if err != nil || len(cs) != 300 {
				t.Fatalf("org has %d customers (%v), want 300", len(cs), err)
			}
			other, _, err := f.srv.Store.ListCustomers(t.Context(), f.other.OrgID, store.CustomerFilter{}, store.Page{Limit: 1})
			if err != nil || len(other) != 0 {
				t.Fatalf("demo data leaked into another org: %d (%v)", len(other), err)
			}
		})
	}
}
