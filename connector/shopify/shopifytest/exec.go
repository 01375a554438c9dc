package shopifytest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// connVal marks a nested connection (an order's line items) in record data.
type connVal []map[string]any

// obj is a JSON object that keeps the order of the selection, as Shopify's
// answers do.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// page is a slice of a connection with its cursors.
type page struct {
	items   []map[string]any
	cursors []string
	hasNext bool
	hasPrev bool
}

// exec projects data onto selections and counts the actual cost: one
// point per object returned, two per connection.
type exec struct {
	vars  map[string]any
	frags ast.FragmentDefinitionList
	cost  int
}

func (x *exec) fields(sel ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, x.fields(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if f := x.frags.ForName(s.Name); f != nil {
				out = append(out, x.fields(f.SelectionSet)...)
			}
		}
	}
	return out
}

func key(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

// args evaluates a field's arguments with the request's variables.
func (x *exec) args(f *ast.Field) map[string]any {
	out := map[string]any{}
	for _, a := range f.Arguments {
		if v, err := a.Value.Value(x.vars); err == nil {
			out[a.Name] = v
		}
	}
	return out
}

func (x *exec) object(src map[string]any, sel ast.SelectionSet) obj {
	x.cost++
	out := make(obj, 0, len(sel))
	for _, f := range x.fields(sel) {
		out = append(out, kv{key(f), x.value(src[f.Name], f)})
	}
	return out
}

func (x *exec) value(v any, f *ast.Field) any {
	switch v := v.(type) {
	case map[string]any:
		return x.object(v, f.SelectionSet)
	case connVal:
		return x.connection(slicePage(v, x.args(f)), f.SelectionSet)
	case []map[string]any:
		list := make([]any, len(v))
		for i, e := range v {
			list[i] = x.object(e, f.SelectionSet)
		}
		return list
	}
	return v
}

// connection renders nodes, edges and pageInfo as selected.
func (x *exec) connection(p page, sel ast.SelectionSet) obj {
	x.cost += 2
	out := obj{}
	for _, f := range x.fields(sel) {
		var v any
		switch f.Name {
		case "nodes":
			list := make([]any, len(p.items))
			for i, it := range p.items {
				list[i] = x.object(it, f.SelectionSet)
			}
			v = list
		case "edges":
			list := make([]any, len(p.items))
			for i, it := range p.items {
				list[i] = x.edge(it, p.cursors[i], f.SelectionSet)
			}
			v = list
		case "pageInfo":
			v = x.pageInfo(p, f.SelectionSet)
		}
		out = append(out, kv{key(f), v})
	}
	return out
}

func (x *exec) edge(item map[string]any, cursor string, sel ast.SelectionSet) obj {
	out := obj{}
	for _, f := range x.fields(sel) {
		switch f.Name {
		case "cursor":
			out = append(out, kv{key(f), cursor})
		case "node":
			out = append(out, kv{key(f), x.object(item, f.SelectionSet)})
		}
	}
	return out
}

func (x *exec) pageInfo(p page, sel ast.SelectionSet) obj {
	var start, end any
	if n := len(p.cursors); n > 0 {
		start, end = p.cursors[0], p.cursors[n-1]
	}
	vals := map[string]any{"hasNextPage": p.hasNext, "hasPreviousPage": p.hasPrev, "startCursor": start, "endCursor": end}
	out := obj{}
	for _, f := range x.fields(sel) {
		out = append(out, kv{key(f), vals[f.Name]})
	}
	return out
}

// slicePage pages a nested connection by position.
func slicePage(items []map[string]any, args map[string]any) page {
	from := 0
	if c, ok := args["after"].(string); ok {
		if b, err := base64.StdEncoding.DecodeString(c); err == nil {
			if n, err := strconv.Atoi(strings.TrimPrefix(string(b), "pos:")); err == nil {
				from = n + 1
			}
		}
	}
	from = min(from, len(items))
	to := len(items)
	if n, ok := toInt(args["first"]); ok {
		to = min(from+n, to)
	}
	p := page{items: items[from:to], hasNext: to < len(items), hasPrev: from > 0}
	for i := from; i < to; i++ {
		p.cursors = append(p.cursors, base64.StdEncoding.EncodeToString([]byte("pos:"+strconv.Itoa(i))))
	}
	return p
}

func toInt(v any) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		return int(v), true
	case json.Number:
		n, err := v.Int64()
		return int(n), err == nil
	}
	return 0, false
}

// requestedCost follows Shopify's calculated query cost: an object costs
// one point, a connection two plus its page size times the cost of one
// node, scalars nothing.
func (x *exec) requestedCost(sel ast.SelectionSet) int {
	total := 0
	for _, f := range x.fields(sel) {
		if len(f.SelectionSet) == 0 {
			continue
		}
		if n, ok := toInt(x.args(f)["first"]); ok {
			total += 2 + n*x.nodeCost(f.SelectionSet)
			continue
		}
		total += 1 + x.requestedCost(f.SelectionSet)
	}
	return total
}

func (x *exec) nodeCost(sel ast.SelectionSet) int {
	isConn := false
	cost := 0
	for _, f := range x.fields(sel) {
		switch f.Name {
		case "nodes":
			isConn, cost = true, cost+1+x.requestedCost(f.SelectionSet)
		case "edges":
			isConn = true
			for _, e := range x.fields(f.SelectionSet) {
				if e.Name == "node" {
					cost += 1 + x.requestedCost(e.SelectionSet)
				}
			}
		case "pageInfo":
			isConn = true
		}
	}
	if !isConn { // a plain list of objects, e.g. Order.refunds
		return 1 + x.requestedCost(sel)
	}
	return cost
}
