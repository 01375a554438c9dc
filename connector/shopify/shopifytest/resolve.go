package shopifytest

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// run resolves the operation's root fields; call with s.mu held.
func (s *Server) run(x *exec, op *ast.OperationDefinition) (obj, []gqlErr) {
	out := obj{}
	var errs []gqlErr
	for _, f := range x.fields(op.SelectionSet) {
		v, err := s.root(x, f)
		if err != nil {
			errs = append(errs, gqlErr{Message: err.Error(), Path: []any{key(f)}})
		}
		out = append(out, kv{key(f), v})
	}
	return out, errs
}

func (s *Server) root(x *exec, f *ast.Field) (any, error) {
	args := x.args(f)
	switch f.Name {
	case "shop":
		return x.object(map[string]any{"__typename": "Shop", "id": "gid://shopify/Shop/1", "name": "OmniFy Test Shop",
			"myshopifyDomain": Shop, "currencyCode": s.o.Currency, "email": "owner@example.com"}, f.SelectionSet), nil
	case "customers", "orders", "products":
		p, err := s.rootPage(s.shop.table(f.Name), args, true)
		if err != nil {
			return nil, err
		}
		return x.connection(p, f.SelectionSet), nil
	case "order", "customer", "product":
		gid, _ := args["id"].(string)
		r := s.lookup(gid)
		if r == nil {
			return nil, nil
		}
		return x.object(r.data, f.SelectionSet), nil
	case "currentBulkOperation":
		return x.value(s.pollBulk(), f), nil
	case "bulkOperationRunQuery":
		q, _ := args["query"].(string)
		return x.object(s.runBulk(q), f.SelectionSet), nil
	case "__typename":
		return "QueryRoot", nil
	}
	return nil, fmt.Errorf("shopifytest does not serve the field %q", f.Name)
}

func (s *Server) lookup(gid string) *rec {
	parts := strings.Split(gid, "/")
	if len(parts) != 5 || parts[0] != "gid:" || parts[2] != "shopify" {
		return nil
	}
	id, err := strconv.ParseInt(parts[4], 10, 64)
	if err != nil {
		return nil
	}
	for _, t := range []*table{s.shop.customers, s.shop.orders, s.shop.products} {
		if t.typ == parts[3] {
			return t.byID[id]
		}
	}
	return nil
}

var filterRE = regexp.MustCompile(`^updated_at:(>=|<=|>|<)'?([^' ]+)'?$`)

// bounds reads the updated_at terms of a search query; Shopify ignores
// terms it does not know, and so does the fake.
func bounds(q string) (lo, hi time.Time, loIncl, hiIncl bool, err error) {
	for _, term := range strings.Fields(q) {
		m := filterRE.FindStringSubmatch(term)
		if m == nil {
			continue
		}
		t, perr := time.Parse(time.RFC3339, m[2])
		if perr != nil {
			return lo, hi, false, false, fmt.Errorf("invalid updated_at value %q", m[2])
		}
		switch m[1] {
		case ">=", ">":
			lo, loIncl = t, m[1] == ">="
		default:
			hi, hiIncl = t, m[1] == "<="
		}
	}
	return lo, hi, loIncl, hiIncl, nil
}

// rootPage pages a root connection by (updated_at, id) keyset cursors, so
// records changed mid-sync move behind the cursor as they do at Shopify.
func (s *Server) rootPage(t *table, args map[string]any, needFirst bool) (page, error) {
	if sk, ok := args["sortKey"]; ok && sk != "UPDATED_AT" {
		return page{}, fmt.Errorf("shopifytest serves sortKey UPDATED_AT only, got %v", sk)
	}
	if rev, _ := args["reverse"].(bool); rev {
		return page{}, fmt.Errorf("shopifytest does not serve reverse: true")
	}
	first, ok := toInt(args["first"])
	if needFirst && !ok {
		return page{}, fmt.Errorf("you must provide one of first or last")
	}
	if ok && (first < 0 || first > 250) {
		return page{}, fmt.Errorf("the first argument must be between 0 and 250")
	}
	q, _ := args["query"].(string)
	lo, hi, loIncl, hiIncl, err := bounds(q)
	if err != nil {
		return page{}, err
	}
	recs := t.recs
	start := sort.Search(len(recs), func(i int) bool {
		u := recs[i].updated
		return lo.IsZero() || u.After(lo) || loIncl && u.Equal(lo)
	})
	if c, ok := args["after"].(string); ok {
		u, id, err := decodeCursor(c)
		if err != nil {
			return page{}, err
		}
		start = max(start, sort.Search(len(recs), func(i int) bool { return !less(recs[i], u, id) && !(recs[i].updated.Equal(u) && recs[i].id == id) }))
	}
	end := len(recs)
	if !hi.IsZero() {
		end = sort.Search(len(recs), func(i int) bool { u := recs[i].updated; return u.After(hi) || !hiIncl && u.Equal(hi) })
	}
	stop := end
	if ok {
		stop = min(start+first, end)
	}
	stop = max(stop, start)
	p := page{hasNext: stop < end, hasPrev: start > 0}
	for _, r := range recs[start:stop] {
		p.items = append(p.items, r.data)
		p.cursors = append(p.cursors, encodeCursor(r))
	}
	return p, nil
}

func encodeCursor(r *rec) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"last_id":%d,"last_value":%d}`, r.id, r.updated.UnixNano())))
}

func decodeCursor(c string) (time.Time, int64, error) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err == nil {
		var id, ns int64
		if _, err = fmt.Sscanf(string(b), `{"last_id":%d,"last_value":%d}`, &id, &ns); err == nil {
			return time.Unix(0, ns).UTC(), id, nil
		}
	}
	return time.Time{}, 0, fmt.Errorf("invalid cursor")
}
