// Package gohighleveltest is a fake HighLevel (GoHighLevel) API v2 on
// httptest for the connector's tests, following the vendor's OpenAPI files
// (apps/contacts.json, opportunities.json, campaigns.json, workflows.json,
// oauth.json, Version 2021-07-28): Bearer tokens (a Private Integration
// Token, or OAuth access tokens that expire and refresh through
// /oauth/token with rotating refresh tokens), the required Version header,
// advanced contact search with searchAfter paging, opportunity search with
// startAfter/startAfterId, the campaigns and workflows lists, tag
// write-back per contact and in bulk, upsert and duplicate lookup, the
// burst (100 per 10 s) and daily (200,000) limits with HighLevel's
// X-RateLimit-* headers and 429s, and switchable faults.
package gohighleveltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Version is the API version header every request must carry.
const Version = "2021-07-28"

// Options shape the fake account. Zero values take the defaults noted.
type Options struct {
	Contacts, Opportunities, Campaigns, Workflows int
	Seed                                          uint64
	LocationID                                    string // default "loc_omnify_test"
	Token                                         string // Private Integration Token accepted (default "pit-test")
	// Burst and Interval are the burst limit (default 100 per 10 s); Daily
	// the daily one (default 200,000).
	Burst    int
	Interval time.Duration
	Daily    int
	// BulkTagMax is the most contacts one bulk tag call takes (default
	// 100; HighLevel documents none, OmniFy never sends more).
	BulkTagMax int
	// SearchMax is the largest pageLimit /contacts/search accepts
	// (default 500); page-number paging stops at 10,000 records.
	SearchMax int
	// OAuth app credentials; the refresh token first accepted.
	ClientID, ClientSecret, RefreshToken string
	// TokenTTL is how long an OAuth access token lives (default 24 h).
	TokenTTL time.Duration
	// Now is the clock of limits, tokens and Mutate (default time.Now).
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&o.Burst, 100)
	def(&o.Daily, 200000)
	def(&o.BulkTagMax, 100)
	def(&o.SearchMax, 500)
	if o.Interval == 0 {
		o.Interval = 10 * time.Second
	}
	if o.LocationID == "" {
		o.LocationID = "loc_omnify_test"
	}
	if o.Token == "" {
		o.Token = "pit-test"
	}
	if o.ClientID == "" {
		o.ClientID, o.ClientSecret, o.RefreshToken = "client-test", "client-secret-test", "refresh-0"
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Stats counts what the server saw.
type Stats struct {
	Requests  int // API requests, faults and refusals included
	Throttled int // 429s for the burst or daily limit
	Faults    int // injected faults served
	Refreshes int // refresh-token grants
	BulkTags  int // bulk tag calls
}

// Server is a running fake HighLevel.
type Server struct {
	URL string

	o   Options
	srv *httptest.Server

	mu      sync.Mutex
	data    *account
	tokens  map[string]time.Time // OAuth access token → expiry
	refresh string               // the one refresh token currently valid
	pit     string
	window  []time.Time // request times within the burst interval
	day     string
	dayUsed int
	faults  []Fault
	stats   Stats
	seq     int
}

// NewServer starts a fake HighLevel and stops it when the test ends.
func NewServer(t testing.TB, o Options) *Server {
	t.Helper()
	o = o.withDefaults()
	s := &Server{o: o, data: newAccount(o), tokens: map[string]time.Time{}, refresh: o.RefreshToken, pit: o.Token}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /contacts/search", s.api(s.searchContacts))
	mux.HandleFunc("GET /contacts/search/duplicate", s.api(s.duplicate))
	mux.HandleFunc("POST /contacts/upsert", s.api(s.upsert))
	mux.HandleFunc("POST /contacts/bulk/tags/update/{type}", s.api(s.bulkTags))
	mux.HandleFunc("POST /contacts/{contactId}/tags", s.api(s.contactTags))
	mux.HandleFunc("DELETE /contacts/{contactId}/tags", s.api(s.contactTags))
	mux.HandleFunc("GET /opportunities/search", s.api(s.searchOpportunities))
	mux.HandleFunc("GET /campaigns/", s.api(s.listCampaigns))
	mux.HandleFunc("GET /workflows/", s.api(s.listWorkflows))
	mux.HandleFunc("POST /oauth/token", s.token)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Options returns the options in force, defaults applied.
func (s *Server) Options() Options { return s.o }

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Connection returns a connection with the Private Integration Token.
func (s *Server) Connection() connector.Connection {
	return connector.Connection{
		ID: "conn-ghl", OrgID: "org-test",
		Credentials: map[string]string{"location_id": s.o.LocationID, "access_token": s.pit},
		Config:      map[string]string{}, HTTP: s.srv.Client(), BaseURL: s.URL,
	}
}

// OAuthConnection returns a connection with an OAuth access token issued
// now (expired when expired is set) and the current refresh token.
func (s *Server) OAuthConnection(expired bool) connector.Connection {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, _ := s.issueLocked()
	if expired {
		s.tokens[tok] = s.o.Now().Add(-time.Minute)
	}
	return connector.Connection{
		ID: "conn-ghl-oauth", OrgID: "org-test",
		Credentials: map[string]string{
			"location_id": s.o.LocationID, "access_token": tok, "refresh_token": s.refresh,
			"client_id": s.o.ClientID, "client_secret": s.o.ClientSecret,
		},
		Config: map[string]string{}, HTTP: s.srv.Client(), BaseURL: s.URL,
	}
}

// RefreshToken returns the refresh token the server accepts now.
func (s *Server) RefreshToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refresh
}

func (s *Server) issueLocked() (string, time.Time) {
	s.seq++
	tok := fmt.Sprintf("oauth-access-%d", s.seq)
	exp := s.o.Now().Add(s.o.TokenTTL)
	s.tokens[tok] = exp
	return tok, exp
}

// handler is one endpoint after auth, version, location and limits passed.
type handler func(w http.ResponseWriter, r *http.Request)

// api wraps an endpoint with what every HighLevel call goes through.
func (s *Server) api(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.stats.Requests++
		f, faulty := s.nextFault()
		s.mu.Unlock()
		if faulty {
			serveFault(w, f)
			return
		}
		if msg, ok := s.authorised(r); !ok {
			writeError(w, http.StatusUnauthorized, msg)
			return
		}
		if v := r.Header.Get("Version"); v != Version {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("version header %q is missing or not supported; use %s", v, Version))
			return
		}
		if !s.allow(w) {
			return
		}
		h(w, r)
	}
}

// authorised checks the Bearer token: the PIT or a live OAuth token.
func (s *Server) authorised(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return "Invalid token: access token is missing", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok == s.pit {
		return "", true
	}
	exp, known := s.tokens[tok]
	switch {
	case !known:
		return "Invalid token: access token is invalid", false
	case !s.o.Now().Before(exp):
		return "Invalid JWT: access token is expired", false
	}
	return "", true
}

// allow enforces the burst limit over a sliding interval and the daily
// limit, sets HighLevel's headers, and answers 429 when over either.
func (s *Server) allow(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Now()
	if d := now.UTC().Format("2006-01-02"); d != s.day {
		s.day, s.dayUsed = d, 0
	}
	cut := 0
	for cut < len(s.window) && now.Sub(s.window[cut]) >= s.o.Interval {
		cut++
	}
	s.window = s.window[cut:]
	ok := len(s.window) < s.o.Burst && s.dayUsed < s.o.Daily
	if ok {
		s.window = append(s.window, now)
		s.dayUsed++
	}
	h := w.Header()
	h.Set("X-RateLimit-Max", strconv.Itoa(s.o.Burst))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.o.Burst-len(s.window)))
	h.Set("X-RateLimit-Interval-Milliseconds", strconv.FormatInt(s.o.Interval.Milliseconds(), 10))
	h.Set("X-RateLimit-Limit-Daily", strconv.Itoa(s.o.Daily))
	h.Set("X-RateLimit-Daily-Remaining", strconv.Itoa(s.o.Daily-s.dayUsed))
	if !ok {
		s.stats.Throttled++
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"statusCode": 429, "message": "Too Many Requests"})
	}
	return ok
}

// location checks the location a request names against the token's.
func (s *Server) location(w http.ResponseWriter, got string, field string) bool {
	if got == "" {
		writeUnprocessable(w, field+" should not be empty")
		return false
	}
	if got != s.o.LocationID {
		writeJSON(w, http.StatusForbidden, map[string]any{"statusCode": 403,
			"message": "The token does not have access to this location."})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in the UnauthorizedDTO / BadRequestDTO shapes.
func writeError(w http.ResponseWriter, status int, msg string) {
	body := map[string]any{"statusCode": status, "message": msg}
	if status == http.StatusUnauthorized {
		body["error"] = "Unauthorized"
	}
	writeJSON(w, status, body)
}

// writeUnprocessable answers in the UnprocessableDTO shape.
func writeUnprocessable(w http.ResponseWriter, msgs ...string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"statusCode": 422, "message": msgs,
		"error": "Unprocessable Entity"})
}
