package hubspottest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
)

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func call(t *testing.T, srv *hubspottest.Server, method, path, token, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// Requests that break HubSpot's rules get its status and error shape.
func TestErrorsFollowHubSpot(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 3, Now: clk.now, IntervalMax: 1000})
	tok := srv.Options().Token
	oauth := srv.OAuthCredentials(true)
	dynamic := srv.AddList("Everyone", "DYNAMIC")
	many := "[" + strings.Repeat(`{"id":"1"},`, 100) + `{"id":"1"}]`
	for _, tc := range []struct {
		name, method, path, token, ctype, body string
		status                                 int
		category                               string
	}{
		{"no token", "GET", "/crm/v3/objects/contacts", "", "", "", 401, "INVALID_AUTHENTICATION"},
		{"wrong token", "GET", "/crm/v3/objects/contacts", "pat-na1-nope", "", "", 401, "INVALID_AUTHENTICATION"},
		{"expired OAuth token", "GET", "/crm/v3/objects/contacts", oauth["access_token"], "", "", 401, "EXPIRED_AUTHENTICATION"},
		{"list limit too big", "GET", "/crm/v3/objects/contacts?limit=101", tok, "", "", 400, "VALIDATION_ERROR"},
		{"bad cursor", "GET", "/crm/v3/objects/contacts?after=abc", tok, "", "", 400, "VALIDATION_ERROR"},
		{"unknown object type", "GET", "/crm/v3/objects/widgets", tok, "", "", 400, "VALIDATION_ERROR"},
		{"search without JSON type", "POST", "/crm/v3/objects/contacts/search", tok, "text/plain", `{}`, 415, "VALIDATION_ERROR"},
		{"search bad operator", "POST", "/crm/v3/objects/contacts/search", tok, "application/json",
			`{"filterGroups":[{"filters":[{"propertyName":"email","operator":"LIKE","value":"x"}]}]}`, 400, "VALIDATION_ERROR"},
		{"batch read too big", "POST", "/crm/v3/objects/contacts/batch/read", tok, "application/json",
			`{"idProperty":"email","properties":[],"inputs":` + many + `}`, 400, "VALIDATION_ERROR"},
		{"batch create bad email", "POST", "/crm/v3/objects/contacts/batch/create", tok, "application/json",
			`{"inputs":[{"properties":{"email":"nope"}}]}`, 400, "VALIDATION_ERROR"},
		{"list without name", "POST", "/crm/v3/lists", tok, "application/json",
			`{"name":"","objectTypeId":"0-1","processingType":"MANUAL"}`, 400, "VALIDATION_ERROR"},
		{"unknown list", "GET", "/crm/v3/lists/999", tok, "", "", 404, "OBJECT_NOT_FOUND"},
		{"members of an active list", "PUT", "/crm/v3/lists/" + dynamic + "/memberships/add", tok, "application/json", `["101"]`,
			400, "VALIDATION_ERROR"},
		{"members not an array", "PUT", "/crm/v3/lists/" + dynamic + "/memberships/add", tok, "application/json", `{"ids":[1]}`,
			400, "VALIDATION_ERROR"},
	} {
		a := call(t, srv, tc.method, tc.path, tc.token, tc.ctype, tc.body)
		if a.status != tc.status || a.body["category"] != tc.category || a.body["status"] != "error" ||
			a.body["message"] == "" || a.body["correlationId"] == "" {
			t.Errorf("%s: %d %s", tc.name, a.status, a.raw)
		}
	}
}

// Object lists page by cursor: the last page has no paging, an empty
// portal answers an empty page.
func TestListPaging(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n, limit int
		pages    []int
	}{
		{0, 100, []int{0}},
		{250, 100, []int{100, 100, 50}},
		{200, 100, []int{100, 100}},
		{7, 3, []int{3, 3, 1}},
	} {
		srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: tc.n, IntervalMax: 1000})
		after, got := "", []int{}
		for range 10 {
			q := url.Values{"limit": {strconv.Itoa(tc.limit)}}
			if after != "" {
				q.Set("after", after)
			}
			a := call(t, srv, "GET", "/crm/v3/objects/contacts?"+q.Encode(), srv.Options().Token, "", "")
			results, _ := a.body["results"].([]any)
			if a.status != 200 || results == nil {
				t.Fatalf("%d contacts: %d %s", tc.n, a.status, a.raw)
			}
			got = append(got, len(results))
			paging, _ := a.body["paging"].(map[string]any)
			if paging == nil {
				break
			}
			after = paging["next"].(map[string]any)["after"].(string)
		}
		if len(got) != len(tc.pages) {
			t.Errorf("%d contacts by %d: pages %v, want %v", tc.n, tc.limit, got, tc.pages)
			continue
		}
		for i := range got {
			if got[i] != tc.pages[i] {
				t.Errorf("%d contacts by %d: pages %v, want %v", tc.n, tc.limit, got, tc.pages)
			}
		}
	}
}

// The rolling ten-second window and the search limit answer 429 with
// HubSpot's body; list answers carry the rate-limit headers, search
// answers do not.
func TestRateLimits(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 3, Now: clk.now, IntervalMax: 4, SearchPerSecond: 2})
	tok := srv.Options().Token
	first := call(t, srv, "GET", "/crm/v3/objects/contacts", tok, "", "")
	for h, want := range map[string]string{
		"X-HubSpot-RateLimit-Max": "4", "X-HubSpot-RateLimit-Remaining": "3", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
		"X-HubSpot-RateLimit-Daily": "250000", "X-HubSpot-RateLimit-Daily-Remaining": "249999",
	} {
		if got := first.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	search := `{"filterGroups":[],"sorts":[],"properties":[],"limit":1,"after":"0"}`
	s1 := call(t, srv, "POST", "/crm/v3/objects/contacts/search", tok, "application/json", search)
	call(t, srv, "POST", "/crm/v3/objects/contacts/search", tok, "application/json", search)
	s3 := call(t, srv, "POST", "/crm/v3/objects/contacts/search", tok, "application/json", search)
	if s1.status != 200 || s1.header.Get("X-HubSpot-RateLimit-Max") != "" {
		t.Errorf("search answer %d with rate-limit headers %v", s1.status, s1.header)
	}
	if s3.status != 429 || s3.body["policyName"] != "SECONDLY" || s3.body["category"] != "RATE_LIMITS" {
		t.Errorf("third search in a second: %d %s", s3.status, s3.raw)
	}
	clk.advance(1100 * time.Millisecond)
	call(t, srv, "GET", "/crm/v3/objects/contacts", tok, "", "")
	over := call(t, srv, "GET", "/crm/v3/objects/contacts", tok, "", "")
	if over.status != 429 || over.body["policyName"] != "TEN_SECONDLY_ROLLING" || over.header.Get("X-HubSpot-RateLimit-Remaining") != "0" {
		t.Errorf("fifth request in ten seconds: %d %s", over.status, over.raw)
	}
	clk.advance(9 * time.Second)
	if a := call(t, srv, "GET", "/crm/v3/objects/contacts", tok, "", ""); a.status != 200 {
		t.Errorf("after the window rolled: %d %s", a.status, a.raw)
	}
	if st := srv.Stats(); st.Throttled != 2 || st.Searches != 3 {
		t.Errorf("stats %+v", st)
	}
}

// The same options make the same portal; Mutate's changes are newer than
// anything before.
func TestDeterministicAndMutate(t *testing.T) {
	t.Parallel()
	a := hubspottest.NewServer(t, hubspottest.Options{Contacts: 20, Companies: 5, Seed: 42, IntervalMax: 1000})
	b := hubspottest.NewServer(t, hubspottest.Options{Contacts: 20, Companies: 5, Seed: 42, IntervalMax: 1000})
	pa := call(t, a, "GET", "/crm/v3/objects/contacts?limit=100&properties=email,hs_email_optout", a.Options().Token, "", "").raw
	pb := call(t, b, "GET", "/crm/v3/objects/contacts?limit=100&properties=email,hs_email_optout", b.Options().Token, "", "").raw
	if pa != pb {
		t.Fatal("same seed, different portals")
	}
	before := a.Modified(hubspottest.Contacts, "120")
	a.Mutate()
	if a.Len(hubspottest.Contacts) != 22 || a.Len(hubspottest.Companies) != 7 {
		t.Fatalf("Mutate added %d contacts", a.Len(hubspottest.Contacts)-20)
	}
	if newest := a.Modified(hubspottest.Contacts, "122"); newest <= before || newest <= a.Modified(hubspottest.Contacts, "101") {
		t.Errorf("new contact modified %s, not after %s", newest, before)
	}
}

// The refresh-token grant answers like HubSpot's token endpoint.
func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{})
	creds := srv.OAuthCredentials(true)
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {creds["client_id"]},
		"client_secret": {creds["client_secret"]}, "refresh_token": {creds["refresh_token"]}}
	ok := call(t, srv, "POST", "/oauth/v1/token", "", "application/x-www-form-urlencoded", form.Encode())
	if ok.status != 200 || ok.body["access_token"] == "" || ok.body["expires_in"] != float64(1800) {
		t.Fatalf("refresh: %d %s", ok.status, ok.raw)
	}
	if a := call(t, srv, "GET", "/crm/v3/objects/contacts", ok.body["access_token"].(string), "", ""); a.status != 200 {
		t.Fatalf("new token refused: %s", a.raw)
	}
	form.Set("client_secret", "wrong")
	if bad := call(t, srv, "POST", "/oauth/v1/token", "", "application/x-www-form-urlencoded", form.Encode()); bad.status != 400 ||
		bad.body["status"] != "BAD_CLIENT_SECRET" {
		t.Errorf("wrong secret: %d %s", bad.status, bad.raw)
	}
}
