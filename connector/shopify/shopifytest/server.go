// Package shopifytest is a fake Shopify Admin GraphQL API on httptest for
// the connector's tests: a deterministic shop of customers, orders and
// products, Relay pagination, the updated_at search filter, a leaky cost
// bucket with THROTTLED errors, bulk operations with JSONL exports, the
// OAuth token exchange, and injected faults (429, 5xx, slow, truncated or
// garbled answers, revoked tokens). Every query is parsed and validated
// against the official 2025-01 schema when the shared schema file is
// present.
package shopifytest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/omnify-cloud/omnify/connector"
)

// Shop is the shop domain the fake serves.
const Shop = "omnify-test.myshopify.com"

// Options shape the fake shop. Zero values take the defaults noted.
type Options struct {
	Customers, Orders, Products int
	// LongOrderEvery gives every n-th order more line items than one page
	// holds (0: never).
	LongOrderEvery int
	Seed           int64
	Token          string    // access token accepted (default "shpat_test")
	Currency       string    // shop currency (default "USD")
	Start          time.Time // earliest created_at (default 2024-01-01 UTC)
	// MaximumAvailable and RestoreRate size the cost bucket (default 1000
	// points refilling at 50/s, a standard shop).
	MaximumAvailable, RestoreRate float64
	// MaxQueryCost is the single-query limit (default 1000, Shopify's
	// for every plan).
	MaxQueryCost float64
	// Now is the bucket's clock (default time.Now); tests pass a fake one.
	Now func() time.Time
	// BulkPolls is how many polls report a bulk export RUNNING before it
	// completes (default 2).
	BulkPolls int
	// OAuth client credentials and the code the token endpoint accepts.
	ClientID, ClientSecret, Code string
}

func (o Options) withDefaults() Options {
	if o.Token == "" {
		o.Token = "shpat_test"
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.MaximumAvailable == 0 {
		o.MaximumAvailable = 1000
	}
	if o.RestoreRate == 0 {
		o.RestoreRate = 50
	}
	if o.MaxQueryCost == 0 {
		o.MaxQueryCost = 1000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BulkPolls == 0 {
		o.BulkPolls = 2
	}
	return o
}

// Stats counts what the server saw.
type Stats struct {
	Requests   int     // GraphQL requests, faults included
	Throttled  int     // THROTTLED answers
	PointsUsed float64 // actual cost charged
	Faults     int     // injected faults served
	BulkRuns   int     // bulk exports started
}

// Server is a running fake shop.
type Server struct {
	URL string

	o      Options
	schema *ast.Schema
	srv    *httptest.Server

	mu        sync.Mutex
	shop      *shop
	token     string
	available float64
	filledAt  time.Time
	faults    []Fault
	stats     Stats
	bulk      *bulkOp
	bulkSeq   int
}

// NewServer starts a fake shop and stops it when the test ends.
func NewServer(t testing.TB, o Options) *Server {
	t.Helper()
	o = o.withDefaults()
	s := &Server{o: o, shop: newShop(o), token: o.Token, available: o.MaximumAvailable, filledAt: o.Now()}
	sc, err := loadSchema()
	if err != nil {
		t.Logf("shopifytest: %v; queries are NOT validated against the Admin API schema", err)
	}
	s.schema = sc
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/api/2025-01/graphql.json", s.graphql)
	mux.HandleFunc("GET /bulk/{file}", s.download)
	mux.HandleFunc("POST /admin/oauth/access_token", s.exchange)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Validating reports whether queries are checked against the schema.
func (s *Server) Validating() bool { return s.schema != nil }

// Connection returns a connection to this shop with a plain HTTP client.
func (s *Server) Connection() connector.Connection {
	return connector.Connection{
		ID: "conn-shopify", OrgID: "org-test",
		Credentials: map[string]string{"shop": Shop, "access_token": s.o.Token},
		Config:      map[string]string{}, HTTP: s.srv.Client(), BaseURL: s.URL,
	}
}

// SetToken changes the accepted token (revoking the old one).
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Options returns the options in force, defaults applied.
func (s *Server) Options() Options { return s.o }
