// Package hubspottest is a fake HubSpot CRM v3 API on httptest for the
// connector's tests and benchmarks: a seeded, deterministic portal of
// contacts, companies and deals; the object list endpoints with their
// cursor paging (limit ≤ 100); the CRM search endpoint with its filters,
// sort, 200-result pages and 10,000-result cap; batch read and create of
// contacts; static lists (lists v3) with membership add and remove; the
// OAuth refresh-token grant; HubSpot's rolling ten-second request limit
// and the search endpoint's per-second limit with the
// X-HubSpot-RateLimit-* headers and 429s; HubSpot's error bodies; and
// injected faults (429, 5xx, truncated and garbled answers), each served
// once.
package hubspottest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Object types the fake serves, as HubSpot names them in paths.
const (
	Contacts  = "contacts"
	Companies = "companies"
	Deals     = "deals"
)

// Published limits of a private app on a Free or Starter portal, which the
// fake enforces by default.
const (
	DefaultIntervalMax     = 100
	DefaultInterval        = 10 * time.Second
	DefaultSearchPerSecond = 5
	DefaultDailyMax        = 250000
	// MaxSearchResults is how deep one search query pages.
	MaxSearchResults = 10000
	// MaxListPage and MaxSearchPage are the largest page sizes.
	MaxListPage   = 100
	MaxSearchPage = 200
	// MaxBatch is the largest input of a CRM batch endpoint.
	MaxBatch = 100
	// MaxMembershipIDs bounds one membership add or remove.
	MaxMembershipIDs = 100000
)

// Options shape the fake portal. Zero values take the defaults noted.
type Options struct {
	Contacts, Companies, Deals int
	Seed                       int64
	// Token is the private-app token accepted (default "pat-na1-test").
	Token string
	// Start is the earliest seeded create date (default 2025-01-01 UTC);
	// seeded records are all modified within the following 300 days.
	Start time.Time
	// IntervalMax requests per Interval (defaults 100 per 10 s), counted
	// over a rolling window; DailyMax a day (default 250,000).
	IntervalMax int
	Interval    time.Duration
	DailyMax    int
	// SearchPerSecond limits search requests (default 5).
	SearchPerSecond int
	// Now is the clock of the rate windows and of modifications (default
	// time.Now).
	Now func() time.Time
	// ClientID and ClientSecret identify the OAuth app (defaults
	// "omnify-client" and "omnify-client-secret").
	ClientID, ClientSecret string
}

func (o Options) withDefaults() Options {
	if o.Token == "" {
		o.Token = "pat-na1-test"
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.IntervalMax == 0 {
		o.IntervalMax = DefaultIntervalMax
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.DailyMax == 0 {
		o.DailyMax = DefaultDailyMax
	}
	if o.SearchPerSecond == 0 {
		o.SearchPerSecond = DefaultSearchPerSecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClientID == "" {
		o.ClientID = "omnify-client"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "omnify-client-secret"
	}
	return o
}

// Stats counts what the server saw.
type Stats struct {
	Requests  int // API requests, refused ones included
	Searches  int // search requests
	Throttled int // 429 answers for the rate limits
	Faults    int // injected faults served
	Refreshes int // OAuth refresh grants honoured
}

// Server is a running fake portal.
type Server struct {
	URL string

	o   Options
	srv *httptest.Server

	mu      sync.Mutex
	portal  *portal
	limits  *limiter
	faults  []Fault
	stats   Stats
	oauth   *oauthState
	corrSeq int
}

// NewServer starts a fake portal and stops it when the test ends.
func NewServer(t testing.TB, o Options) *Server {
	t.Helper()
	o = o.withDefaults()
	s := &Server{o: o, portal: newPortal(o), limits: newLimiter(o), oauth: newOAuthState()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /crm/v3/objects/{type}", s.api(s.listObjects))
	mux.HandleFunc("POST /crm/v3/objects/{type}/search", s.api(s.search))
	mux.HandleFunc("POST /crm/v3/objects/{type}/batch/read", s.api(s.batchRead))
	mux.HandleFunc("POST /crm/v3/objects/{type}/batch/create", s.api(s.batchCreate))
	mux.HandleFunc("POST /crm/v3/lists", s.api(s.createList))
	mux.HandleFunc("GET /crm/v3/lists/{listId}", s.api(s.getList))
	mux.HandleFunc("GET /crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}", s.api(s.getListByName))
	mux.HandleFunc("PUT /crm/v3/lists/{listId}/memberships/{op}", s.api(s.changeMemberships))
	mux.HandleFunc("POST /oauth/v1/token", s.token)
	mux.HandleFunc("/", s.api(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "no such endpoint: "+r.Method+" "+r.URL.Path)
	}))
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Options returns the options in force, defaults applied.
func (s *Server) Options() Options { return s.o }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Connection returns a private-app connection to this portal.
func (s *Server) Connection() connector.Connection {
	return connector.Connection{
		ID: "conn-hubspot", OrgID: "org-test",
		Credentials: map[string]string{"access_token": s.o.Token},
		Config:      map[string]string{}, HTTP: s.srv.Client(), BaseURL: s.URL,
	}
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// SetLimits changes the request limits (0 keeps a value).
func (s *Server) SetLimits(intervalMax, searchPerSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if intervalMax > 0 {
		s.o.IntervalMax = intervalMax
	}
	if searchPerSecond > 0 {
		s.o.SearchPerSecond = searchPerSecond
	}
	s.limits.o = s.o
}
