package stripemock

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// allowedParams are the query parameters the fake understands per list;
// anything else is refused, as Stripe refuses unknown parameters.
var allowedParams = map[string][]string{
	"customers":     {"email"},
	"charges":       {"customer"},
	"invoices":      {"customer", "status"},
	"subscriptions": {"customer", "status"},
	"events":        {"type", "types", "created"},
}

func (f *Fake) list(resource string, q url.Values) (map[string]any, int, *listError) {
	extra, ok := allowedParams[resource]
	if !ok {
		return nil, http.StatusNotFound, &listError{"", "Unrecognized request URL (GET: /v1/" + resource + ")."}
	}
	if err := checkParams(q, extra); err != nil {
		return nil, http.StatusBadRequest, err
	}
	limit, err := parseLimit(q.Get("limit"))
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	items, err := f.filtered(resource, q)
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	data, hasMore, err := window(items, q.Get("starting_after"), q.Get("ending_before"), limit)
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	return map[string]any{
		"object": "list", "data": data, "has_more": hasMore, "url": "/v1/" + resource,
	}, http.StatusOK, nil
}

func checkParams(q url.Values, extra []string) *listError {
	for key := range q {
		base, _, _ := strings.Cut(key, "[")
		switch base {
		case "limit", "starting_after", "ending_before":
			continue
		}
		known := false
		for _, e := range extra {
			known = known || e == base
		}
		if !known {
			return &listError{"parameter_unknown", "Received unknown parameter: " + key}
		}
	}
	if q.Get("starting_after") != "" && q.Get("ending_before") != "" {
		return &listError{"parameter_invalid", "You may only specify one of starting_after and ending_before."}
	}
	return nil
}

func parseLimit(s string) (int, *listError) {
	if s == "" {
		return 10, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 100 {
		return 0, &listError{"parameter_invalid_integer", "Invalid limit: must be between 1 and 100"}
	}
	return n, nil
}

func (f *Fake) filtered(resource string, q url.Values) ([]map[string]any, *listError) {
	if resource == "events" {
		return filterEvents(f.events, q)
	}
	var out []map[string]any
	for _, obj := range f.lists[resource] {
		if c := q.Get("customer"); c != "" && obj["customer"] != c {
			continue
		}
		if resource == "subscriptions" && !subscriptionStatusMatches(obj, q.Get("status")) {
			continue
		}
		out = append(out, obj)
	}
	return out, nil
}

// subscriptionStatusMatches follows Stripe: without a status filter the list
// leaves out canceled subscriptions; "all" includes them.
func subscriptionStatusMatches(obj map[string]any, want string) bool {
	switch want {
	case "all":
		return true
	case "":
		return obj["status"] != "canceled"
	}
	return obj["status"] == want
}

func filterEvents(events []map[string]any, q url.Values) ([]map[string]any, *listError) {
	types := eventTypes(q)
	created, err := createdRange(q)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, evt := range events {
		if len(types) > 0 && !matchesAnyType(evt["type"].(string), types) {
			continue
		}
		if !created(evt["created"].(int64)) {
			continue
		}
		out = append(out, evt)
	}
	return out, nil
}

func eventTypes(q url.Values) []string {
	var types []string
	if t := q.Get("type"); t != "" {
		types = append(types, t)
	}
	for key, vals := range q {
		if strings.HasPrefix(key, "types[") {
			types = append(types, vals...)
		}
	}
	return types
}

func matchesAnyType(typ string, patterns []string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(typ, prefix) {
			return true
		}
		if p == typ {
			return true
		}
	}
	return false
}

func createdRange(q url.Values) (func(int64) bool, *listError) {
	bounds := map[string]int64{}
	for _, op := range []string{"gt", "gte", "lt", "lte"} {
		s := q.Get("created[" + op + "]")
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, &listError{"parameter_invalid_integer", "Invalid integer: " + s}
		}
		bounds[op] = n
	}
	return func(c int64) bool {
		for op, b := range bounds {
			ok := map[string]bool{"gt": c > b, "gte": c >= b, "lt": c < b, "lte": c <= b}[op]
			if !ok {
				return false
			}
		}
		return true
	}, nil
}

// window applies Stripe's cursor rules to a newest-first list: starting_after
// pages toward older objects, ending_before returns the page just newer than
// the cursor; has_more says whether more lie further in that direction.
func window(items []map[string]any, after, before string, limit int) ([]map[string]any, bool, *listError) {
	switch {
	case after != "":
		i := indexOf(items, after)
		if i < 0 {
			return nil, false, missing(after)
		}
		rest := items[i+1:]
		n := min(limit, len(rest))
		return rest[:n], len(rest) > n, nil
	case before != "":
		i := indexOf(items, before)
		if i < 0 {
			return nil, false, missing(before)
		}
		lo := max(0, i-limit)
		return items[lo:i], lo > 0, nil
	}
	n := min(limit, len(items))
	return items[:n], len(items) > n, nil
}

func indexOf(items []map[string]any, id string) int {
	for i, obj := range items {
		if obj["id"] == id {
			return i
		}
	}
	return -1
}

func missing(id string) *listError {
	return &listError{"resource_missing", "No such object: '" + id + "'"}
}
