package identity_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/identity"
)

type node struct{ email, phone, group string }

// groups renders components as "0,2|1" for comparison.
func groups(r *identity.Resolver) string {
	var parts []string
	for _, c := range r.Components() {
		s := make([]string, len(c))
		for i, n := range c {
			s[i] = fmt.Sprint(n)
		}
		parts = append(parts, strings.Join(s, ","))
	}
	sort.Strings(parts)
	return strings.Join(parts, "|")
}

func TestResolver(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes []node
		want  string
		edges int
	}{
		{"strangers", []node{{"a@x.com", "", ""}, {"b@x.com", "", ""}}, "0|1", 0},
		{"same email", []node{{"a@x.com", "", ""}, {"a@x.com", "+1415", ""}}, "0,1", 1},
		{"same phone", []node{{"a@x.com", "+1415", ""}, {"b@x.com", "+1415", ""}}, "0,1", 1},
		{"chain of shared keys", []node{
			{"a@x.com", "", ""}, {"a@x.com", "+1", ""}, {"b@x.com", "+1", ""}, {"b@x.com", "+2", ""}, {"", "+2", ""},
		}, "0,1,2,3,4", 4},
		{"chain closes late", []node{{"a@x.com", "", ""}, {"b@x.com", "", ""}, {"a@x.com", "+9", ""}, {"b@x.com", "+9", ""}},
			"0,1,2,3", 3},
		{"empty keys never match", []node{{"", "", ""}, {"", "", ""}}, "0|1", 0},
		{"split groups stay apart", []node{{"a@x.com", "", "g1"}, {"a@x.com", "", "g2"}}, "0|1", 0},
		{"a group holds its members together", []node{{"a@x.com", "", "g1"}, {"z@x.com", "", "g1"}}, "0,1", 1},
		{"ungrouped joins the first group it meets", []node{
			{"a@x.com", "", "g1"}, {"b@x.com", "", "g2"}, {"a@x.com", "+1", ""}, {"b@x.com", "+1", ""},
		}, "0,2|1,3", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := identity.NewResolver(len(tc.nodes))
			for _, n := range tc.nodes {
				r.Add(n.email, n.phone, "", n.group)
			}
			if got := groups(r); got != tc.want {
				t.Errorf("components %s, want %s", got, tc.want)
			}
			if got := len(r.Edges()); got != tc.edges {
				t.Errorf("%d merge edges, want %d", got, tc.edges)
			}
			if got, want := r.Count(), strings.Count(tc.want, "|")+1; got != want {
				t.Errorf("Count %d, want %d", got, want)
			}
		})
	}
}
