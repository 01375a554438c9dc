package klaviyotest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ts formats a time as Klaviyo does.
func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// sortKey formats a time so that keys sort as times do.
func sortKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000") }

// item is one resource of a sorted collection.
type item struct {
	key, id string
	ref     any // the record
	res     func() map[string]any
}

// seq is a collection sorted ascending by (key, id).
type seq struct {
	n  int
	at func(i int) item
}

// pageSpec says how an endpoint pages.
type pageSpec struct {
	def, max int  // page[size] default and maximum (max 0: no page[size] parameter)
	desc     bool // newest first
}

// paginate writes one page of sq: items after the cursor that keep
// accepts, with links.next set while more remain.
func (s *Server) paginate(w http.ResponseWriter, r *http.Request, sq seq, keep func(item) bool, ps pageSpec, included func([]item) []any) {
	q := r.URL.Query()
	size := ps.def
	if v := q.Get("page[size]"); v != "" && ps.max > 0 {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > ps.max {
			invalid(w, "Page size must be an integer between 1 and "+strconv.Itoa(ps.max)+".", map[string]string{"parameter": "page[size]"})
			return
		}
		size = n
	}
	at := sq.at
	if ps.desc {
		at = func(i int) item { return sq.at(sq.n - 1 - i) }
	}
	start := 0
	if c := q.Get("page[cursor]"); c != "" {
		key, id, ok := decodeCursor(c)
		if !ok {
			invalid(w, "Invalid page cursor.", map[string]string{"parameter": "page[cursor]"})
			return
		}
		// The first position past the cursor in the page order.
		start = sort.Search(sq.n, func(i int) bool {
			it := at(i)
			if ps.desc {
				return it.key < key || (it.key == key && it.id < id)
			}
			return it.key > key || (it.key == key && it.id > id)
		})
	}
	var page []item
	more := false
	for i := start; i < sq.n; i++ {
		it := at(i)
		if keep != nil && !keep(it) {
			continue
		}
		if len(page) == size {
			more = true
			break
		}
		page = append(page, it)
	}
	data := make([]any, len(page))
	for i, it := range page {
		data[i] = it.res()
	}
	links := map[string]any{"self": selfURL(r, q, ""), "next": nil, "prev": nil}
	if more {
		last := page[len(page)-1]
		links["next"] = selfURL(r, q, encodeCursor(last.key, last.id))
	}
	body := map[string]any{"data": data, "links": links}
	if included != nil {
		if inc := included(page); len(inc) > 0 {
			body["included"] = inc
		}
	}
	writeJSON(w, http.StatusOK, body)
}

func encodeCursor(key, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key + "\x00" + id))
}

func decodeCursor(c string) (string, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", false
	}
	key, id, ok := strings.Cut(string(b), "\x00")
	return key, id, ok
}

func selfURL(r *http.Request, q url.Values, cursor string) string {
	q2 := url.Values{}
	for k, v := range q {
		q2[k] = v
	}
	if cursor != "" {
		q2.Set("page[cursor]", cursor)
	}
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q2.Encode()}
	return u.String()
}

func resLinks(r *http.Request, typ, id string) map[string]any {
	return map[string]any{"self": "http://" + r.Host + "/api/" + typ + "/" + id + "/"}
}

// filters parses and checks the filter parameter; required says the
// endpoint refuses requests without one.
func filters(w http.ResponseWriter, r *http.Request, a allowed) ([]cond, bool) {
	cs, err := parseFilter(r.URL.Query().Get("filter"))
	if err == nil {
		err = a.check(cs)
	}
	if err != nil {
		invalid(w, err.Error(), map[string]string{"parameter": "filter"})
		return nil, false
	}
	return cs, true
}

// sortParam checks the sort parameter against the endpoint's fields and
// returns the field and whether it is descending.
func sortParam(w http.ResponseWriter, r *http.Request, fields ...string) (string, bool, bool) {
	v := r.URL.Query().Get("sort")
	if v == "" {
		return "", false, true
	}
	f, desc := strings.TrimPrefix(v, "-"), strings.HasPrefix(v, "-")
	for _, ok := range fields {
		if ok == f {
			return f, desc, true
		}
	}
	invalid(w, "'"+v+"' is not a valid sort field.", map[string]string{"parameter": "sort"})
	return "", false, false
}

// timeCond reports whether t passes a comparison condition.
func timeCond(c cond, t time.Time) (bool, error) {
	v, err := filterTime(c.field, c.vals[0])
	if err != nil {
		return false, err
	}
	switch c.op {
	case "greater-than":
		return t.After(v), nil
	case "greater-or-equal":
		return !t.Before(v), nil
	case "less-than":
		return t.Before(v), nil
	case "less-or-equal":
		return !t.After(v), nil
	}
	return false, nil
}

func strCond(c cond, v string) bool {
	switch c.op {
	case "equals":
		return v == c.vals[0]
	case "any":
		for _, x := range c.vals {
			if x == v {
				return true
			}
		}
	case "contains":
		return strings.Contains(v, c.vals[0])
	}
	return false
}

// matcher builds a keep function from conditions over a record's fields.
func matcher[T any](w http.ResponseWriter, cs []cond, times map[string]func(T) time.Time, strs map[string]func(T) string, _ T) (func(item) bool, bool) {
	for _, c := range cs {
		if _, ok := times[c.field]; ok {
			if _, err := filterTime(c.field, c.vals[0]); err != nil {
				invalid(w, err.Error(), map[string]string{"parameter": "filter"})
				return nil, false
			}
		}
	}
	return func(it item) bool {
		x := it.ref.(T)
		for _, c := range cs {
			if f, ok := times[c.field]; ok {
				if pass, _ := timeCond(c, f(x)); !pass {
					return false
				}
				continue
			}
			if f, ok := strs[c.field]; ok && !strCond(c, f(x)) {
				return false
			}
		}
		return true
	}, true
}
