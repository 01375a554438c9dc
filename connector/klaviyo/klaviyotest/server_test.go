package klaviyotest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func send(t *testing.T, s *Server, method, path string, edit func(*http.Request)) answer {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Klaviyo-API-Key "+Key)
	req.Header.Set("revision", Revision)
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	_ = json.NewDecoder(resp.Body).Decode(&a.body)
	return a
}

// firstError returns the code and source of a Klaviyo error document.
func firstError(t *testing.T, a answer) (string, map[string]any) {
	t.Helper()
	errs, _ := a.body["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("status %d without an errors array: %v", a.status, a.body)
	}
	e := errs[0].(map[string]any)
	for _, k := range []string{"id", "code", "title", "detail", "status"} {
		if _, ok := e[k]; !ok {
			t.Errorf("error lacks %q: %v", k, e)
		}
	}
	src, _ := e["source"].(map[string]any)
	return e["code"].(string), src
}

func TestRefusals(t *testing.T) {
	s := NewServer(t, Options{Profiles: 5, Seed: 1})
	for _, tc := range []struct {
		name, method, path string
		edit               func(*http.Request)
		status             int
		code, param        string
	}{
		{"no key", "GET", "/api/profiles", func(r *http.Request) { r.Header.Del("Authorization") }, 401, "not_authenticated", ""},
		{"wrong key", "GET", "/api/profiles", func(r *http.Request) { r.Header.Set("Authorization", "Klaviyo-API-Key pk_nope") }, 401, "authentication_failed", ""},
		{"bearer scheme", "GET", "/api/profiles", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+Key) }, 401, "authentication_failed", ""},
		{"no revision", "GET", "/api/profiles", func(r *http.Request) { r.Header.Del("revision") }, 400, "invalid", "revision"},
		{"old revision", "GET", "/api/profiles", func(r *http.Request) { r.Header.Set("revision", "2023-02-22") }, 400, "invalid", "revision"},
		{"page too big", "GET", "/api/profiles?page[size]=101", nil, 400, "invalid", "page[size]"},
		{"lists page too big", "GET", "/api/lists?page[size]=11", nil, 400, "invalid", "page[size]"},
		{"bad filter field", "GET", "/api/profiles?filter=" + url.QueryEscape("greater-than(birthday,2025-01-01T00:00:00Z)"), nil, 400, "invalid", "filter"},
		{"bad filter operator", "GET", "/api/profiles?filter=" + url.QueryEscape("equals(updated,2025-01-01T00:00:00Z)"), nil, 400, "invalid", "filter"},
		{"bad sort", "GET", "/api/profiles?sort=first_name", nil, 400, "invalid", "sort"},
		{"campaigns without channel", "GET", "/api/campaigns", nil, 400, "invalid", "filter"},
		{"bad cursor", "GET", "/api/profiles?page[cursor]=bm9udWxs", nil, 400, "invalid", "page[cursor]"},
		{"unknown list", "GET", "/api/lists/ZZZZZZ", nil, 404, "not_found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := send(t, s, tc.method, tc.path, tc.edit)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %v", a.status, tc.status, a.body)
			}
			code, src := firstError(t, a)
			if code != tc.code || (tc.param != "" && src["parameter"] != tc.param) {
				t.Errorf("code %q source %v, want %q parameter %q", code, src, tc.code, tc.param)
			}
		})
	}
}

// TestPagination walks every page: the last one has links.next null and
// pages never overlap; a filter matching nothing gives an empty page.
func TestPagination(t *testing.T) {
	s := NewServer(t, Options{Profiles: 205, Seed: 2})
	seen := map[string]bool{}
	next, pages := "/api/profiles?sort=updated&page[size]=100", 0
	for next != "" {
		a := send(t, s, "GET", next, nil)
		if a.status != 200 {
			t.Fatalf("page %d: %d %v", pages, a.status, a.body)
		}
		pages++
		for _, d := range a.body["data"].([]any) {
			id := d.(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("profile %s on two pages", id)
			}
			seen[id] = true
		}
		links := a.body["links"].(map[string]any)
		next = ""
		if n, ok := links["next"].(string); ok {
			u, _ := url.Parse(n)
			next = u.RequestURI()
		} else if links["next"] != nil {
			t.Fatalf("links.next is %v", links["next"])
		}
	}
	if pages != 3 || len(seen) != 205 {
		t.Errorf("%d pages, %d profiles; want 3 and 205", pages, len(seen))
	}
	a := send(t, s, "GET", "/api/profiles?filter="+url.QueryEscape("greater-than(updated,2030-01-01T00:00:00Z)"), nil)
	if d := a.body["data"].([]any); len(d) != 0 || a.body["links"].(map[string]any)["next"] != nil {
		t.Errorf("empty filter answered %d profiles, next %v", len(d), a.body["links"])
	}
}

// TestRateLimits checks the fixed burst and steady windows of two
// operations against a fake clock: the 76th get_profiles in a second and
// the 751st in a minute are throttled, with Klaviyo's headers and body.
func TestRateLimits(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	s := NewServer(t, Options{Profiles: 1, Seed: 3, Now: clock})
	for _, tc := range []struct {
		op, path      string
		burst, steady int
	}{
		{"get_profiles", "/api/profiles", 75, 750},
		{"get_campaigns", "/api/campaigns?filter=" + url.QueryEscape("equals(messages.channel,'email')"), 10, 150},
	} {
		t.Run(tc.op, func(t *testing.T) {
			sent := 0
			for sec := 0; sent < tc.steady; sec++ {
				for i := 0; i < tc.burst && sent < tc.steady; i++ {
					a := send(t, s, "GET", tc.path, nil)
					if a.status != 200 {
						t.Fatalf("request %d in second %d: %d", sent, sec, a.status)
					}
					sent++
					wantHeaders(t, a, tc.burst, tc.steady)
				}
				if sent%tc.burst == 0 && sent < tc.steady {
					a := send(t, s, "GET", tc.path, nil)
					wantThrottled(t, a, "1")
				}
				advance(time.Second)
			}
			a := send(t, s, "GET", tc.path, nil)
			wantThrottled(t, a, "")
			advance(time.Minute)
			if a := send(t, s, "GET", tc.path, nil); a.status != 200 {
				t.Errorf("after the minute window: %d", a.status)
			}
		})
		advance(time.Minute)
	}
}

func wantHeaders(t *testing.T, a answer, burst, steady int) {
	t.Helper()
	if got, want := a.header.Get("RateLimit-Limit"), fmt.Sprintf("%d, %d;w=1, %d;w=60", burst, burst, steady); got != want {
		t.Fatalf("RateLimit-Limit %q, want %q", got, want)
	}
	if _, err := strconv.Atoi(a.header.Get("RateLimit-Remaining")); err != nil {
		t.Fatalf("RateLimit-Remaining %q", a.header.Get("RateLimit-Remaining"))
	}
	if _, err := strconv.Atoi(a.header.Get("RateLimit-Reset")); err != nil {
		t.Fatalf("RateLimit-Reset %q", a.header.Get("RateLimit-Reset"))
	}
}

func wantThrottled(t *testing.T, a answer, retryAfter string) {
	t.Helper()
	if a.status != 429 {
		t.Fatalf("status %d, want 429", a.status)
	}
	ra := a.header.Get("Retry-After")
	if secs, err := strconv.Atoi(ra); err != nil || secs < 1 || (retryAfter != "" && ra != retryAfter) {
		t.Fatalf("Retry-After %q, want %q", ra, retryAfter)
	}
	if code, _ := firstError(t, a); code != "throttled" {
		t.Fatalf("code %q, want throttled", code)
	}
}

// TestLimitsMatchSpec compares the fake's limit table with the published
// spec, when the spec is present.
func TestLimitsMatchSpec(t *testing.T) {
	raw, err := os.ReadFile("/work/shared/specs/klaviyo/stable.json")
	if err != nil {
		t.Skip("Klaviyo's OpenAPI description is not on this machine")
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, ops := range spec.Paths {
		for _, rawOp := range ops {
			var op struct {
				ID    string            `json:"operationId"`
				Limit map[string]string `json:"x-klaviyo-ratelimit"`
			}
			if json.Unmarshal(rawOp, &op) != nil {
				continue
			}
			l, ok := limits[op.ID]
			if !ok {
				continue
			}
			found[op.ID] = true
			want := fmt.Sprintf("%d/s %d/m %d/d", l[0], l[1], l[2])
			got := fmt.Sprintf("%s %s %s", op.Limit["burst"], op.Limit["steady"], op.Limit["daily"])
			got = strings.TrimSpace(strings.Replace(got, "  ", " 0/d", 1))
			if !strings.HasSuffix(got, "/d") {
				got += " 0/d"
			}
			if got != want {
				t.Errorf("%s: spec %q, fake %q", op.ID, got, want)
			}
		}
	}
	for op := range limits {
		if !found[op] {
			t.Errorf("%s is not in the spec", op)
		}
	}
}

func sendJSON(t *testing.T, s *Server, method, path, body string) answer {
	t.Helper()
	return send(t, s, method, path, func(r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/vnd.api+json")
	})
}

func profileIDs(n int, id string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `{"type":"profile","id":"` + id + `"}`
	}
	return `{"data":[` + strings.Join(parts, ",") + `]}`
}

// TestWriteRefusals checks the published caps and required fields of the
// write endpoints.
func TestWriteRefusals(t *testing.T) {
	s := NewServer(t, Options{Profiles: 3, Lists: 1, Seed: 4})
	list := s.acct.lists[0].id
	pid := s.acct.profiles[0].id
	many := make([]string, MaxImport+1)
	for i := range many {
		many[i] = fmt.Sprintf(`{"type":"profile","attributes":{"email":"p%d@x.example"}}`, i)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		pointer                  string
	}{
		{"list without name", "POST", "/api/lists", `{"data":{"type":"list","attributes":{}}}`, 400, "/data/attributes/name"},
		{"list of wrong type", "POST", "/api/lists", `{"data":{"type":"segment","attributes":{"name":"x"}}}`, 409, "/data/type"},
		{"not JSON", "POST", "/api/lists", `{"data":`, 400, ""},
		{"1001 members", "POST", "/api/lists/" + list + "/relationships/profiles", profileIDs(MaxListMembers+1, pid), 400, "/data"},
		{"unknown member", "POST", "/api/lists/" + list + "/relationships/profiles", profileIDs(1, "01JNOPE"), 400, "/data/0/id"},
		{"no members", "DELETE", "/api/lists/" + list + "/relationships/profiles", `{"data":[]}`, 400, "/data"},
		{"10001 imports", "POST", "/api/profile-bulk-import-jobs",
			`{"data":{"type":"profile-bulk-import-job","attributes":{"profiles":{"data":[` + strings.Join(many, ",") + `]}}}}`, 400, "/data/attributes/profiles/data"},
		{"import to unknown list", "POST", "/api/profile-bulk-import-jobs",
			`{"data":{"type":"profile-bulk-import-job","attributes":{"profiles":{"data":[` + many[0] + `]}},` +
				`"relationships":{"lists":{"data":[{"type":"list","id":"NOLIST"}]}}}}`, 400, "/data/relationships/lists/data/0/id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := sendJSON(t, s, tc.method, tc.path, tc.body)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %v", a.status, tc.status, a.body)
			}
			if _, src := firstError(t, a); tc.pointer != "" && src["pointer"] != tc.pointer {
				t.Errorf("source %v, want pointer %s", src, tc.pointer)
			}
		})
	}
	if a := sendJSON(t, s, "POST", "/api/lists/"+list+"/relationships/profiles", profileIDs(MaxListMembers, pid)); a.status != 204 {
		t.Errorf("1000 members: %d, want 204", a.status)
	}
}
