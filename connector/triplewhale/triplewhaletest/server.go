// Package triplewhaletest is a fake Triple Whale API v2 on httptest for the
// connector's tests, following the hand summary of the vendor's reference
// (specs/triplewhale/SOURCES.md): the x-api-key header, GET
// /users/api-keys/me, and POST /summary-page/get-data with the shop in
// shopDomain and a period of days, answering the period's totals as metric
// objects. Rate limiting answers 429 with Retry-After and the
// RateLimit-Policy / RateLimit headers; faults are switchable.
//
// Where the summary leaves the answer's shape open the fake fixes one and
// the connector reads the same: every metric object carries id, title,
// type, values.current/previous and services; per-channel metrics are named
// "<service>.<metric>" (e.g. "facebook-ads.spend") and shop-wide ones
// plainly ("newCustomers"); the shop's currency comes as "currency".
package triplewhaletest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Shop is the shop domain the fake serves.
const Shop = "omnify-whale.myshopify.com"

// DefaultChannels are ten services a shop commonly connects.
var DefaultChannels = []string{"facebook-ads", "google-ads", "tiktok-ads", "snapchat-ads", "pinterest-ads",
	"bing", "klaviyo", "attentive", "amazon-ads", "impact"}

// Options shape the fake shop.
type Options struct {
	APIKey   string   // default "tw-key-test"
	Channels []string // default DefaultChannels
	Seed     uint64
	// Today is the shop's current day (default 2026-11-25); periods past it
	// are refused.
	Today time.Time
	// MaxDays is the longest period one call takes (default 31).
	MaxDays int
	// Limit requests per Window (default 100 per minute, the policy
	// Triple Whale shows as RateLimit-Policy: 100;w=60).
	Limit  int
	Window time.Duration
	Now    func() time.Time // clock of the rate limit (default time.Now)
}

func (o Options) withDefaults() Options {
	if o.APIKey == "" {
		o.APIKey = "tw-key-test"
	}
	if o.Channels == nil {
		o.Channels = DefaultChannels
	}
	if o.Today.IsZero() {
		o.Today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	}
	if o.MaxDays == 0 {
		o.MaxDays = 31
	}
	if o.Limit == 0 {
		o.Limit, o.Window = 100, time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Fault is one injected misbehaviour for the next API request.
type Fault int

// Faults a retry cures.
const (
	Fault429 Fault = iota
	Fault500
	Fault503
	FaultTruncated
)

// Server is a running fake Triple Whale.
type Server struct {
	URL string

	o   Options
	srv *httptest.Server

	mu       sync.Mutex
	today    time.Time
	restated map[string]int // day → times its numbers were restated
	window   []time.Time
	faults   []Fault
	requests int
	periods  [][2]string
}

// NewServer starts a fake Triple Whale and stops it when the test ends.
func NewServer(t testing.TB, o Options) *Server {
	t.Helper()
	o = o.withDefaults()
	s := &Server{o: o, today: o.Today.UTC().Truncate(24 * time.Hour), restated: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/users/api-keys/me", s.api(s.me))
	mux.HandleFunc("POST /api/v2/summary-page/get-data", s.api(s.summary))
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Connection returns a connection to the fake shop reading from start.
func (s *Server) Connection(start time.Time) connector.Connection {
	return connector.Connection{
		ID: "conn-tw", OrgID: "org-test",
		Credentials: map[string]string{"api_key": s.o.APIKey, "shop_domain": Shop},
		Config:      map[string]string{"start_date": start.Format("2006-01-02")},
		HTTP:        s.srv.Client(), BaseURL: s.URL + "/api/v2",
	}
}

// Today is the shop's current day.
func (s *Server) Today() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.today
}

// Mutate restates the numbers of the last restate days (late attribution)
// and moves the shop to the next day.
func (s *Server) Mutate(restate int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range restate {
		s.restated[s.today.AddDate(0, 0, -i).Format("2006-01-02")]++
	}
	s.today = s.today.AddDate(0, 0, 1)
}

// Inject queues faults for the next requests; ClearFaults drops them.
func (s *Server) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Requests is how many API requests arrived; Periods the periods asked.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Periods returns the [start, end] of every summary request, in order.
func (s *Server) Periods() [][2]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][2]string(nil), s.periods...)
}

// Channels are the services the shop reports.
func (s *Server) Channels() []string { return s.o.Channels }

func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		var f Fault = -1
		if len(s.faults) > 0 {
			f, s.faults = s.faults[0], s.faults[1:]
		}
		s.mu.Unlock()
		if f >= 0 {
			serveFault(w, f)
			return
		}
		if r.Header.Get("x-api-key") != s.o.APIKey {
			writeError(w, http.StatusUnauthorized, "Unauthorized: invalid or missing x-api-key")
			return
		}
		if !s.allow(w) {
			return
		}
		h(w, r)
	}
}

// allow enforces Limit requests per sliding Window.
func (s *Server) allow(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Now()
	cut := 0
	for cut < len(s.window) && now.Sub(s.window[cut]) >= s.o.Window {
		cut++
	}
	s.window = s.window[cut:]
	w.Header().Set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", s.o.Limit, int(s.o.Window.Seconds())))
	if len(s.window) >= s.o.Limit {
		reset := s.o.Window - now.Sub(s.window[0])
		secs := int(math.Ceil(reset.Seconds()))
		w.Header().Set("RateLimit", fmt.Sprintf("limit=%d, remaining=0, reset=%d", s.o.Limit, secs))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		writeError(w, http.StatusTooManyRequests, "Too many requests")
		return false
	}
	s.window = append(s.window, now)
	w.Header().Set("RateLimit", fmt.Sprintf("limit=%d, remaining=%d, reset=%d", s.o.Limit, s.o.Limit-len(s.window), int(s.o.Window.Seconds())))
	return true
}

func serveFault(w http.ResponseWriter, f Fault) {
	switch f {
	case Fault429:
		w.Header().Set("Retry-After", "2")
		writeError(w, http.StatusTooManyRequests, "Too many requests")
	case Fault500:
		writeError(w, http.StatusInternalServerError, "Internal server error")
	case Fault503:
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("upstream connect error"))
	case FaultTruncated:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"metrics":[{"id":"sal`))
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": status, "message": msg})
}

func (s *Server) me(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": "omnify", "shop": Shop,
		"scopes": []string{"Summary Page: Read", "Pixel Attribution: Read"}})
}

// noise is a deterministic number in [0, 1) for a key.
func (s *Server) noise(parts ...string) float64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d", s.o.Seed)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return float64(h.Sum64()%1_000_000) / 1_000_000
}
