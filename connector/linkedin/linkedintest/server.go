// Package linkedintest is a fake LinkedIn Marketing API (Rest.li 2.0,
// versioned /rest endpoints) on httptest for the LinkedIn Ads connector's
// tests and benchmarks. It serves a seeded, deterministic set of ad
// accounts, campaign groups, campaigns, creatives (with the posts holding
// their ad copy), DMP segments and daily ad analytics, and behaves like
// LinkedIn where a client can get it wrong:
//
//   - every /rest call needs a Bearer token the fake issued, a LinkedIn-Version
//     header naming an active monthly version (400 VERSION_MISSING without
//     one, 426 for a sunset one) and X-Restli-Protocol-Version: 2.0.0;
//   - query values are parsed strictly as Rest.li 2.0 (List(...), (k:v),
//     URNs percent-encoded inside them);
//   - search finders page with pageSize and pageToken (metadata.nextPageToken,
//     a full last page is followed by an empty one), dmpSegments with start
//     and count, and adAnalytics does not page: it silently truncates at
//     15,000 elements;
//   - tokens come from POST /oauth/v2/accessToken with a refresh token and
//     expire; daily request quotas per app and per member and a per-minute
//     member limit on DMP streaming answer 429 with no headers;
//   - DMP users are taken only as SHA-256 hashes in batches of at most 5,000.
//
// Faults (429s, 5xx, truncated bodies) can be injected and stop by
// themselves after the number of requests asked for.
package linkedintest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Credentials the fake accepts by default.
const (
	ClientID     = "78testclientid"
	ClientSecret = "test-client-secret"
	RefreshToken = "AQXrefresh-test-token"
)

// AnalyticsCap is how many elements one adAnalytics answer holds at most.
const AnalyticsCap = 15000

// MaxUserBatch is the most elements one dmpSegments users BATCH_CREATE may
// carry.
const MaxUserBatch = 5000

// Options shape the fake. Zero values take the defaults noted.
type Options struct {
	Seed uint64
	// Accounts (default 1), and per account CampaignGroups (default 3),
	// Campaigns (default 20) and Segments (default 2); CreativesPerCampaign
	// (default 2).
	Accounts, CampaignGroups, Campaigns, Segments, CreativesPerCampaign int
	// Days is how far back campaigns start (default 60): metrics exist from
	// a campaign's start to today. StartAll starts every campaign Days ago
	// (benchmarks: N campaigns × Days days).
	Days     int
	StartAll bool
	// Now is the clock's starting point (default 2026-11-25 12:00 UTC);
	// Advance moves the fake's clock forward from there.
	Now func() time.Time
	// DailyAppLimit and DailyMemberLimit are request quotas per UTC day
	// (0: unlimited). DMPPerMinute limits DMP streaming calls per member
	// per minute (0: unlimited).
	DailyAppLimit, DailyMemberLimit, DMPPerMinute int
	// TokenTTL is an access token's lifetime (default 60 days).
	TokenTTL time.Duration
	// Latency is added to every /rest call (default none), for benchmarks.
	Latency time.Duration
}

func (o Options) withDefaults() Options {
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&o.Accounts, 1)
	def(&o.CampaignGroups, 3)
	def(&o.Campaigns, 20)
	def(&o.Segments, 2)
	def(&o.CreativesPerCampaign, 2)
	def(&o.Days, 60)
	if o.Now == nil {
		start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		o.Now = func() time.Time { return start }
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = 60 * 24 * time.Hour
	}
	return o
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	o Options

	mu       sync.Mutex
	offset   time.Duration // Advance
	data     *dataset
	tokens   map[string]time.Time // access token → expiry
	issued   int
	quota    quotaState
	faults   []fault
	stats    Stats
	bodies   [][]byte // every /rest request body and query, for privacy checks
	clientID string
	secret   string
	refresh  string
	rejected map[string]bool // user hashes refused in their batch slot
}

// Stats counts what the fake served.
type Stats struct {
	Requests  int            // /rest calls answered (any status)
	Refreshes int            // token refreshes granted
	ByPath    map[string]int // /rest calls by resource (e.g. "adAnalytics")
	Throttled int            // 429s for quotas
	Truncated int            // adAnalytics answers cut at AnalyticsCap
}

// NewServer starts a fake closed at the end of the test.
func NewServer(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{o: o.withDefaults(), tokens: map[string]time.Time{},
		clientID: ClientID, secret: ClientSecret, refresh: RefreshToken}
	s.data = newDataset(s.o, s.o.Now())
	s.stats.ByPath = map[string]int{}
	s.Server = httptest.NewServer(s.routes())
	t.Cleanup(s.Close)
	return s
}

// Now is the fake's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time { return s.o.Now().Add(s.offset).UTC() }

// Advance moves the fake's clock forward.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Connection returns a connection the fake accepts: the app's client ID
// and secret and a member's refresh token; the base URL covers both the
// API and the OAuth token endpoint.
func (s *Server) Connection() connector.Connection {
	return connector.Connection{
		ID: "conn-linkedin", OrgID: "org-1",
		Credentials: map[string]string{"client_id": ClientID, "client_secret": ClientSecret, "refresh_token": RefreshToken},
		Config:      map[string]string{},
		HTTP:        &http.Client{Timeout: 10 * time.Second},
		BaseURL:     s.URL,
	}
}

// RevokeAccessTokens makes every issued access token invalid, as an expiry
// or a password change does; the refresh token still works.
func (s *Server) RevokeAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// RevokeRefreshToken makes the member's refresh token invalid too.
func (s *Server) RevokeRefreshToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh = "revoked"
	clear(s.tokens)
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByPath = make(map[string]int, len(s.stats.ByPath))
	for k, v := range s.stats.ByPath {
		st.ByPath[k] = v
	}
	return st
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{ByPath: map[string]int{}}
}

// Received returns every /rest request's query string and body as the fake
// saw them, so tests can prove what never left the client.
func (s *Server) Received() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(s.bodies))
	copy(out, s.bodies)
	return out
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/v2/accessToken", s.token)
	mux.HandleFunc("GET /rest/adAccounts", s.api("adAccounts", s.searchAccounts))
	mux.HandleFunc("GET /rest/adAccounts/{account}/adCampaignGroups", s.api("adCampaignGroups", s.searchGroups))
	mux.HandleFunc("GET /rest/adAccounts/{account}/adCampaigns", s.api("adCampaigns", s.searchCampaigns))
	mux.HandleFunc("GET /rest/adAccounts/{account}/creatives", s.api("creatives", s.searchCreatives))
	mux.HandleFunc("GET /rest/posts", s.api("posts", s.batchGetPosts))
	mux.HandleFunc("GET /rest/adAnalytics", s.api("adAnalytics", s.analytics))
	mux.HandleFunc("GET /rest/dmpSegments", s.api("dmpSegments", s.findSegments))
	mux.HandleFunc("POST /rest/dmpSegments", s.api("dmpSegments", s.createSegment))
	mux.HandleFunc("POST /rest/dmpSegments/{id}/users", s.api("dmpSegmentUsers", s.streamUsers))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "No virtual resource found for "+r.URL.Path)
	})
	return mux
}
