// Package memshop is a small in-memory shop behind the connector protocol,
// made to exercise the shared connector suite (package connectortest): two
// incremental streams read in pages with a checkpoint after each, a Mutate
// that edits and adds records, fault injection that throttles and breaks
// pages the way vendors do, and deliberately broken behaviours the suite
// must catch.
package memshop

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Token is the only access token the shop accepts.
const Token = "shp_memshop0001"

// Stream names.
const (
	Customers = "customers"
	Orders    = "orders"
)

// Flaw is a deliberate defect, for proving that the suite catches it.
type Flaw string

// Flaws.
const (
	// Backwards reads pages newest first, so the state moves backwards.
	Backwards Flaw = "backwards"
	// IgnoresCancel keeps reading slowly after its context ends and its
	// Emitter fails.
	IgnoresCancel Flaw = "ignores-cancel"
	// WrongAuthError reports refused credentials as a plain error.
	WrongAuthError Flaw = "wrong-auth-error"
	// Duplicates emits one record twice in a full read.
	Duplicates Flaw = "duplicates"
	// IgnoresState reads everything again on an incremental read.
	IgnoresState Flaw = "ignores-state"
	// IDCursor resumes after the state's record ID alone, so edits of older
	// records are missed.
	IDCursor Flaw = "id-cursor"
	// UnmarkedSecret leaves the access token without x-secret.
	UnmarkedSecret Flaw = "unmarked-secret"
)

// Shop is the in-memory vendor and its connector in one.
type Shop struct {
	// PageSize is the number of records per page; default 7.
	PageSize int
	// Flaw, when set, breaks the connector on purpose.
	Flaw Flaw

	mu     sync.Mutex
	recs   map[string][]connector.Record // each sorted by (UpdatedAt, ExternalID)
	clock  time.Time
	next   int
	faults bool
	tries  map[string]int // page key → requests while faults are on
}

var _ connector.Connector = (*Shop)(nil)

// New returns a shop with n customers and 2n orders.
func New(n int) *Shop {
	s := &Shop{recs: map[string][]connector.Record{}, tries: map[string]int{},
		clock: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	for range n {
		s.add(Customers)
		s.add(Orders)
		s.add(Orders)
	}
	return s
}

// add appends a record; the caller holds s.mu or owns s.
func (s *Shop) add(stream string) {
	s.next++
	// Every third record shares its timestamp with the one before, so the
	// cursor's ID tie-break matters.
	if s.next%3 != 0 {
		s.clock = s.clock.Add(time.Minute)
	}
	id := fmt.Sprintf("%s-%05d", stream[:1], s.next)
	r := connector.Record{Stream: stream, ExternalID: id, UpdatedAt: s.clock}
	if stream == Customers {
		r.Customer = &connector.Customer{Email: id + "@example.com", Consent: "unknown", CreatedAt: s.clock}
	} else {
		r.Order = &connector.Order{PlacedAt: s.clock, Currency: "EUR", TotalMinor: int64(100 * s.next), Status: "paid"}
	}
	s.recs[stream] = append(s.recs[stream], r)
}

// Mutate edits two records of each stream and adds one, as a shop does
// between syncs.
func (s *Shop) Mutate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, stream := range []string{Customers, Orders} {
		rs := s.recs[stream]
		for _, i := range []int{0, len(rs) / 2} {
			s.clock = s.clock.Add(time.Minute)
			rs[i].UpdatedAt = s.clock
		}
		s.add(stream)
		sortRecords(s.recs[stream])
	}
}

// Count is the number of records of a stream.
func (s *Shop) Count(stream string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs[stream])
}

// Faults turns fault injection on or off. While on, the first request of
// each page is throttled (a 429 with a 2s Retry-After) and the second
// breaks halfway through the page (a 503); the third succeeds.
func (s *Shop) Faults(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = on
	s.tries = map[string]int{}
}

func sortRecords(rs []connector.Record) {
	sort.Slice(rs, func(i, j int) bool { return before(rs[i], rs[j]) })
}

func before(a, b connector.Record) bool {
	if !a.UpdatedAt.Equal(b.UpdatedAt) {
		return a.UpdatedAt.Before(b.UpdatedAt)
	}
	return a.ExternalID < b.ExternalID
}

// Spec asks for an access token.
func (s *Shop) Spec() connector.Spec {
	token := map[string]any{"type": "string", "x-secret": true, "pattern": `^shp_[a-z0-9]{8,}$`}
	if s.Flaw == UnmarkedSecret {
		delete(token, "x-secret")
	}
	return connector.Spec{
		Platform:    "memshop",
		DisplayName: "In-memory shop",
		Credentials: map[string]any{"type": "object", "required": []string{"access_token"},
			"properties": map[string]any{"access_token": token}},
		Config: map[string]any{"type": "object", "properties": map[string]any{
			"page_size": map[string]any{"type": "integer", "minimum": 1, "maximum": 100}}},
	}
}

// Streams are customers and orders, both incremental on updated_at.
func (s *Shop) Streams() []connector.Stream {
	return []connector.Stream{
		{Name: Customers, CursorField: "updated_at", Incremental: true},
		{Name: Orders, CursorField: "updated_at", Incremental: true},
	}
}

// Actions: the shop only reads.
func (s *Shop) Actions() []connector.Action { return nil }

// Check accepts Token only.
func (s *Shop) Check(ctx context.Context, c connector.Connection) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memshop check: %w", err)
	}
	if c.Credentials["access_token"] != Token {
		if s.Flaw == WrongAuthError {
			return fmt.Errorf("memshop check: status 401")
		}
		return fmt.Errorf("memshop check: %w", connector.ErrAuth)
	}
	return nil
}
