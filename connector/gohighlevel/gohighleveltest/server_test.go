package gohighleveltest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
)

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func do(t *testing.T, srv *gohighleveltest.Server, method, path, body string, edit func(*http.Request)) answer {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+srv.Options().Token)
	req.Header.Set("Version", gohighleveltest.Version)
	req.Header.Set("Content-Type", "application/json")
	if edit != nil {
		edit(req)
	}
	res, err := srv.Connection().HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

// The fake refuses what HighLevel refuses, in HighLevel's error shapes.
func TestRefusals(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 5, Opportunities: 3, Seed: 1, BulkTagMax: 2})
	loc := srv.Options().LocationID
	for _, tc := range []struct {
		name, method, path, body string
		edit                     func(*http.Request)
		status                   int
	}{
		{"no token", "GET", "/workflows/?locationId=" + loc, "", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"unknown token", "GET", "/workflows/?locationId=" + loc, "", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 401},
		{"no Version", "GET", "/workflows/?locationId=" + loc, "", func(r *http.Request) { r.Header.Del("Version") }, 400},
		{"old Version", "GET", "/workflows/?locationId=" + loc, "", func(r *http.Request) { r.Header.Set("Version", "2021-04-15") }, 400},
		{"no location", "GET", "/workflows/", "", nil, 422},
		{"another location", "GET", "/campaigns/?locationId=elsewhere", "", nil, 403},
		{"opportunity limit over 100", "GET", "/opportunities/search?location_id=" + loc + "&limit=101", "", nil, 422},
		{"startAfter without its id", "GET", "/opportunities/search?location_id=" + loc + "&startAfter=5", "", nil, 422},
		{"search pageLimit over the cap", "POST", "/contacts/search", `{"locationId":"` + loc + `","pageLimit":501}`, nil, 422},
		{"search beyond 10,000 by page", "POST", "/contacts/search", `{"locationId":"` + loc + `","pageLimit":100,"page":101}`, nil, 422},
		{"search with an unknown field", "POST", "/contacts/search", `{"locationId":"` + loc + `","query":"x"}`, nil, 422},
		{"bulk tags over the batch", "POST", "/contacts/bulk/tags/update/add", `{"locationId":"` + loc + `","contacts":["a","b","c"],"tags":["x"]}`, nil, 422},
		{"bulk tags of another type", "POST", "/contacts/bulk/tags/update/replace", `{"locationId":"` + loc + `","contacts":["a"],"tags":["x"]}`, nil, 400},
		{"upsert without email or phone", "POST", "/contacts/upsert", `{"locationId":"` + loc + `"}`, nil, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, srv, tc.method, tc.path, tc.body, tc.edit)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d (%v)", a.status, tc.status, a.body)
			}
			if code, _ := a.body["statusCode"].(float64); int(code) != tc.status || a.body["message"] == nil {
				t.Errorf("error body %v lacks statusCode and message", a.body)
			}
		})
	}
}

// Opportunity pages: a last page has no next page; a cursor past the end
// gives an empty page without a cursor.
func TestOpportunityPageEdges(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Opportunities: 3, Seed: 2})
	q := url.Values{"location_id": {srv.Options().LocationID}, "limit": {"2"}}
	first := do(t, srv, "GET", "/opportunities/search?"+q.Encode(), "", nil).body
	meta := first["meta"].(map[string]any)
	if meta["nextPage"] == nil || len(first["opportunities"].([]any)) != 2 {
		t.Fatalf("first page: %v", meta)
	}
	q.Set("startAfter", jsonNumber(meta["startAfter"]))
	q.Set("startAfterId", meta["startAfterId"].(string))
	last := do(t, srv, "GET", "/opportunities/search?"+q.Encode(), "", nil).body
	lm := last["meta"].(map[string]any)
	if lm["nextPage"] != nil || len(last["opportunities"].([]any)) != 1 {
		t.Fatalf("last page: %v", lm)
	}
	q.Set("startAfter", jsonNumber(lm["startAfter"]))
	q.Set("startAfterId", lm["startAfterId"].(string))
	empty := do(t, srv, "GET", "/opportunities/search?"+q.Encode(), "", nil).body
	if em := empty["meta"].(map[string]any); len(empty["opportunities"].([]any)) != 0 || em["startAfterId"] != nil || em["nextPage"] != nil {
		t.Fatalf("page past the end: %v", empty)
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The burst limit answers 429 with HighLevel's headers once 100 requests
// fall within 10 seconds.
func TestBurstLimitHeaders(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Seed: 3, Burst: 3})
	path := "/workflows/?locationId=" + srv.Options().LocationID
	for i := range 3 {
		a := do(t, srv, "GET", path, "", nil)
		if a.status != 200 || a.header.Get("X-RateLimit-Remaining") != jsonNumber(2-i) {
			t.Fatalf("request %d: %d, remaining %s", i, a.status, a.header.Get("X-RateLimit-Remaining"))
		}
	}
	a := do(t, srv, "GET", path, "", nil)
	if a.status != 429 || a.header.Get("X-RateLimit-Max") != "3" || a.header.Get("X-RateLimit-Interval-Milliseconds") != "10000" ||
		a.header.Get("X-RateLimit-Limit-Daily") != "200000" || a.header.Get("X-RateLimit-Daily-Remaining") == "" {
		t.Fatalf("over the burst: %d %v", a.status, a.header)
	}
}
