package klaviyotest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// limits are the burst (per second), steady (per minute) and daily limits
// of each operation, from x-klaviyo-ratelimit in the 2026-07-15 spec.
var limits = map[string][3]int{
	"get_profiles":                 {75, 750, 0},
	"get_lists":                    {75, 750, 0},
	"get_list":                     {75, 750, 0},
	"create_list":                  {10, 150, 150},
	"add_profiles_to_list":         {10, 150, 0},
	"remove_profiles_from_list":    {10, 150, 0},
	"get_segments":                 {75, 750, 0},
	"get_campaigns":                {10, 150, 0},
	"get_metrics":                  {10, 150, 0},
	"get_events":                   {350, 3500, 0},
	"bulk_import_profiles":         {10, 150, 0},
	"get_bulk_import_profiles_job": {10, 150, 0},
	"get_errors_for_bulk_import_profiles_job": {10, 150, 0},
}

// Limits returns an operation's published burst, steady and daily limits
// (daily 0: none).
func Limits(op string) (burst, steady, daily int) {
	l := limits[op]
	return l[0], l[1], l[2]
}

// FaultKind is an injected failure.
type FaultKind int

// Faults the fake can inject; each one is cured by retrying.
const (
	Fault429       FaultKind = iota // throttled, with Retry-After
	Fault500                        // Klaviyo's 500 error body
	Fault503                        // a gateway's HTML page
	FaultTruncated                  // a 200 whose body stops halfway
)

// Fault is one injected failure.
type Fault struct {
	Kind       FaultKind
	RetryAfter time.Duration // for Fault429; default 1s
}

// Inject queues n copies of f; each request consumes one.
func (s *Server) Inject(f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// ClearFaults drops faults not yet served.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

type route struct {
	method, op string
	match      func(parts []string) (id string, ok bool)
	h          func(s *Server, w http.ResponseWriter, r *http.Request, id string)
}

func exact(path ...string) func([]string) (string, bool) {
	return func(p []string) (string, bool) {
		if len(p) != len(path) {
			return "", false
		}
		for i := range p {
			if p[i] != path[i] {
				return "", false
			}
		}
		return "", true
	}
}

// withID matches path with "{id}" standing for one segment.
func withID(path ...string) func([]string) (string, bool) {
	return func(p []string) (string, bool) {
		if len(p) != len(path) {
			return "", false
		}
		id := ""
		for i := range p {
			switch {
			case path[i] == "{id}":
				id = p[i]
			case p[i] != path[i]:
				return "", false
			}
		}
		return id, id != ""
	}
}

var routes = []route{
	{"GET", "get_profiles", exact("profiles"), (*Server).getProfiles},
	{"GET", "get_lists", exact("lists"), (*Server).getLists},
	{"POST", "create_list", exact("lists"), (*Server).createList},
	{"GET", "get_list", withID("lists", "{id}"), (*Server).getList},
	{"POST", "add_profiles_to_list", withID("lists", "{id}", "relationships", "profiles"), (*Server).changeMembers},
	{"DELETE", "remove_profiles_from_list", withID("lists", "{id}", "relationships", "profiles"), (*Server).changeMembers},
	{"GET", "get_segments", exact("segments"), (*Server).getSegments},
	{"GET", "get_campaigns", exact("campaigns"), (*Server).getCampaigns},
	{"GET", "get_metrics", exact("metrics"), (*Server).getMetrics},
	{"GET", "get_events", exact("events"), (*Server).getEvents},
	{"POST", "bulk_import_profiles", exact("profile-bulk-import-jobs"), (*Server).createJob},
	{"GET", "get_bulk_import_profiles_job", withID("profile-bulk-import-jobs", "{id}"), (*Server).getJob},
	{"GET", "get_errors_for_bulk_import_profiles_job", withID("profile-bulk-import-jobs", "{id}", "import-errors"), (*Server).getJobErrors},
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rt, id, ok := match(r)
	if !ok {
		writeErr(w, http.StatusNotFound, "not_found", "Not found.", "The path "+r.URL.Path+" could not be found.", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[rt.op]++
	if s.fault(w) {
		return
	}
	if !s.authorised(w, r) {
		return
	}
	if rev := r.Header.Get("revision"); rev == "" {
		writeErr(w, http.StatusBadRequest, "invalid", "Invalid input.",
			"The revision header is required.", map[string]string{"parameter": "revision"})
		return
	} else if rev != Revision {
		writeErr(w, http.StatusBadRequest, "invalid", "Invalid input.",
			fmt.Sprintf("The revision %s is not supported; this fake serves %s.", rev, Revision), map[string]string{"parameter": "revision"})
		return
	}
	if !s.admit(w, rt.op) {
		return
	}
	rt.h(s, w, r, id)
}

func match(r *http.Request) (route, string, bool) {
	path, ok := strings.CutPrefix(strings.TrimSuffix(r.URL.Path, "/"), "/api/")
	if !ok {
		return route{}, "", false
	}
	parts := strings.Split(path, "/")
	for _, rt := range routes {
		if rt.method != r.Method {
			continue
		}
		if id, ok := rt.match(parts); ok {
			return rt, id, true
		}
	}
	return route{}, "", false
}

func (s *Server) authorised(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if h == "" {
		writeErr(w, http.StatusUnauthorized, "not_authenticated", "Authentication credentials were not provided.",
			"Missing or invalid authorization scheme. Please use Klaviyo-API-Key.", nil)
		return false
	}
	key, ok := strings.CutPrefix(h, "Klaviyo-API-Key ")
	if !ok || key != s.o.Key {
		writeErr(w, http.StatusUnauthorized, "authentication_failed", "Incorrect authentication credentials.",
			"Incorrect authentication credentials.", nil)
		return false
	}
	return true
}

// fault serves the next injected fault, if any.
func (s *Server) fault(w http.ResponseWriter) bool {
	if len(s.faults) == 0 {
		return false
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	s.served++
	switch f.Kind {
	case Fault429:
		ra := f.RetryAfter
		if ra <= 0 {
			ra = time.Second
		}
		throttled(w, ra)
	case Fault500:
		writeErr(w, http.StatusInternalServerError, "error", "A server error occurred.", "A server error occurred.", nil)
	case Fault503:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"))
	case FaultTruncated:
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"data":[{"type":"profile","id":"01J`))
	}
	return true
}

// window is one fixed rate-limit window of one operation.
type window struct {
	start time.Time
	n     int
}

// admit counts the request against the operation's fixed one-second,
// one-minute and one-day windows, answering 429 when one is spent.
func (s *Server) admit(w http.ResponseWriter, op string) bool {
	l, ok := limits[op]
	if !ok {
		return true
	}
	now := s.o.Now()
	type win struct {
		w     *window
		limit int
		size  time.Duration
	}
	var wins []win
	for i, size := range []time.Duration{time.Second, time.Minute, 24 * time.Hour} {
		if l[i] == 0 {
			continue
		}
		key := op + "/" + size.String()
		cur := s.windows[key]
		start := now.Truncate(size)
		if cur == nil || !cur.start.Equal(start) {
			cur = &window{start: start}
			s.windows[key] = cur
		}
		wins = append(wins, win{cur, l[i] * s.o.RateScale, size})
	}
	for _, x := range wins {
		if x.w.n >= x.limit {
			s.throttle++
			throttled(w, x.w.start.Add(x.size).Sub(now))
			return false
		}
	}
	remaining, reset := math.MaxInt, time.Duration(0)
	for _, x := range wins {
		x.w.n++
		if r := x.limit - x.w.n; r < remaining {
			remaining, reset = r, x.w.start.Add(x.size).Sub(now)
		}
	}
	h := w.Header()
	h.Set("RateLimit-Limit", fmt.Sprintf("%d, %d;w=1, %d;w=60", wins[0].limit, wins[0].limit, wins[1].limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(ceilSeconds(reset)))
	return true
}

func ceilSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}

// throttled answers Klaviyo's 429.
func throttled(w http.ResponseWriter, wait time.Duration) {
	secs := max(ceilSeconds(wait), 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeErr(w, http.StatusTooManyRequests, "throttled", "Request was throttled.",
		fmt.Sprintf("Request was throttled. Expected available in %d second%s.", secs, plural(secs)), nil)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

var errSeq atomic.Int64

// writeErr writes Klaviyo's JSON:API error document.
func writeErr(w http.ResponseWriter, status int, code, title, detail string, source map[string]string) {
	e := map[string]any{"id": fmt.Sprintf("e0b5e5c4-0000-4000-8000-%012d", errSeq.Add(1)), "status": status,
		"code": code, "title": title, "detail": detail}
	if source != nil {
		e["source"] = source
	}
	writeJSON(w, status, map[string]any{"errors": []any{e}})
}

func invalid(w http.ResponseWriter, detail string, source map[string]string) {
	writeErr(w, http.StatusBadRequest, "invalid", "Invalid input.", detail, source)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/vnd.api+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
