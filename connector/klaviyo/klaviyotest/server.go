// Package klaviyotest is a fake Klaviyo API (revision 2026-07-15) on
// httptest for the connector's tests and benchmarks. It follows the
// published OpenAPI description for the endpoints OmniFy uses: the
// Klaviyo-API-Key header (401 in Klaviyo's error shape), the required
// revision header (400 without it), JSON:API envelopes with cursor pages
// whose last page has links.next null, the filter and sort syntax, page-size
// caps, each operation's burst and steady rate limit in fixed one-second and
// one-minute windows with RateLimit-* headers and 429 + Retry-After, list
// membership writes, bulk profile import jobs, and injected faults.
//
// Data is generated from a seed, so a benchmark can ask for 200,000
// profiles and get the same account every time.
package klaviyotest

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Revision is the API revision the fake serves.
const Revision = "2026-07-15"

// Key is the private API key the fake accepts by default.
const Key = "pk_0123456789abcdef0123456789abcdef01"

// Options shape the fake account. Zero values take the defaults noted.
type Options struct {
	Profiles  int // default 0
	Lists     int
	Segments  int
	Campaigns int // half email, half SMS
	// Events is how many engagement events to generate; a quarter of them
	// belong to metrics OmniFy does not read (Received Email, Viewed
	// Product), the rest to Opened Email, Clicked Email and Placed Order.
	Events int
	Seed   uint64
	Key    string    // accepted key (default Key)
	Start  time.Time // earliest created time (default 2025-01-01 UTC)
	// RateScale multiplies every published limit (default 1: Klaviyo's own
	// limits). Tests that read without honouring back-offs raise it.
	RateScale int
	// Now is the rate-limit windows' clock (default time.Now).
	Now func() time.Time
	// JobPolls is how many polls report a bulk import job "processing"
	// before it is complete (default 1).
	JobPolls int
}

func (o Options) withDefaults() Options {
	if o.Key == "" {
		o.Key = Key
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.RateScale <= 0 {
		o.RateScale = 1
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.JobPolls <= 0 {
		o.JobPolls = 1
	}
	return o
}

// Server is a running fake Klaviyo account.
type Server struct {
	URL string

	o   Options
	srv *httptest.Server

	mu       sync.Mutex
	acct     *account
	windows  map[string]*window // by bucket and window length
	faults   []Fault
	requests map[string]int // by operation ID
	throttle int
	served   int // faults served
}

// NewServer starts a fake account; it closes when the test ends.
func NewServer(t testing.TB, o Options) *Server {
	t.Helper()
	s := Start(o)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake account on a loopback port outside any test, for
// processes that serve it to other programs (browser tests); the caller
// closes it.
func Start(o Options) *Server {
	o = o.withDefaults()
	s := &Server{o: o, acct: generate(o), windows: map[string]*window{}, requests: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Connection returns a connection to the fake with its accepted key.
func (s *Server) Connection() connector.Connection {
	return connector.Connection{
		ID:          "conn-klaviyo",
		OrgID:       "org-1",
		Credentials: map[string]string{"api_key": s.o.Key},
		Config:      map[string]string{},
		HTTP:        s.srv.Client(),
		BaseURL:     s.URL,
	}
}

// Count is the number of records a stream of the connector should read:
// profiles, lists, segments, campaigns, or events of the three metrics the
// connector maps.
func (s *Server) Count(stream string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.acct
	switch stream {
	case "profiles":
		return len(a.profiles)
	case "lists":
		return len(a.lists)
	case "segments":
		return len(a.segments)
	case "campaigns":
		return len(a.campaigns)
	case "events":
		n := 0
		for _, e := range a.events {
			if mapped[a.metricByID[e.metricID].name] {
				n++
			}
		}
		return n
	}
	return 0
}

// mapped are the metrics the connector turns into engagement events.
var mapped = map[string]bool{"Opened Email": true, "Clicked Email": true, "Placed Order": true}

// Requests returns how many requests an operation (e.g. "get_profiles")
// has received, throttled ones included.
func (s *Server) Requests(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[op]
}

// Throttled is how many 429s the fake has answered for its rate limits.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttle
}

// Audience returns the emails, lower case and sorted, of the profiles in
// the list whose name or ID is destination (nil when there is none).
func (s *Server) Audience(destination string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.acct.findList(destination)
	if l == nil {
		return nil
	}
	out := make([]string, 0, len(l.members))
	for id := range l.members {
		if p := s.acct.profileByID[id]; p != nil && p.email != "" {
			out = append(out, strings.ToLower(p.email))
		}
	}
	sort.Strings(out)
	return out
}

// Lists returns the IDs of lists named name.
func (s *Server) Lists(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, l := range s.acct.lists {
		if l.name == name {
			out = append(out, l.id)
		}
	}
	return out
}

// EmailConsent returns the email marketing consent of the profile with
// email (SUBSCRIBED, UNSUBSCRIBED, NEVER_SUBSCRIBED), or "" when there is
// no such profile.
func (s *Server) EmailConsent(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.acct.profileByEmail[strings.ToLower(email)]; p != nil {
		return p.emailConsent
	}
	return ""
}

// ProfileID returns the ID of the profile with email, or "".
func (s *Server) ProfileID(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.acct.profileByEmail[strings.ToLower(email)]; p != nil {
		return p.id
	}
	return ""
}

// Mutate makes newer changes: it updates three profiles, adds two
// profiles and adds events of each mapped metric, all later than anything
// before.
func (s *Server) Mutate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acct.mutate()
}

// IDs returns the IDs of the records a stream of the connector should
// read (see Count).
func (s *Server) IDs(stream string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.acct
	var out []string
	switch stream {
	case "profiles":
		for _, p := range a.profiles {
			out = append(out, p.id)
		}
	case "lists":
		for _, l := range a.lists {
			out = append(out, l.id)
		}
	case "segments":
		for _, g := range a.segments {
			out = append(out, g.id)
		}
	case "campaigns":
		for _, c := range a.campaigns {
			out = append(out, c.id)
		}
	case "events":
		for _, e := range a.events {
			if mapped[a.metricByID[e.metricID].name] {
				out = append(out, e.id)
			}
		}
	}
	return out
}
