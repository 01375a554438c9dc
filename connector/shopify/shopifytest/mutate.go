package shopifytest

import (
	"maps"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// Touch changes n records of stream, spread evenly over the ids, giving
// them an updated_at after every existing one, and returns their legacy
// ids in id order.
func (s *Server) Touch(stream string, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.shop.table(stream)
	ids := make([]int64, 0, len(t.byID))
	for id := range t.byID {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	n = min(n, len(ids))
	out := make([]string, 0, n)
	for i := range n {
		old := t.byID[ids[i*len(ids)/n]]
		r := &rec{id: old.id, updated: s.shop.bump(s.o.Now()), data: maps.Clone(old.data), lines: old.lines}
		r.data["updatedAt"] = r.updated.Format(stamp)
		if stream == "customers" {
			r.data["tags"] = []any{"touched"}
		}
		t.put(r)
		out = append(out, strconv.FormatInt(r.id, 10))
	}
	return out
}

// Add creates n new records of stream and returns their legacy ids.
func (s *Server) Add(stream string, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, n)
	for range n {
		now := s.shop.bump(s.o.Now())
		var r *rec
		switch stream {
		case "customers":
			r = s.shop.newCustomer(now, now)
		case "orders":
			r = s.shop.newOrder(now, now, 0)
		default:
			r = s.shop.newProduct(now, now)
		}
		s.shop.table(stream).put(r)
		out = append(out, strconv.FormatInt(r.id, 10))
	}
	return out
}

// Records maps every legacy id of stream to its updated_at.
func (s *Server) Records(stream string) map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.shop.table(stream)
	out := make(map[string]time.Time, len(t.recs))
	for _, r := range t.recs {
		out[strconv.FormatInt(r.id, 10)] = r.updated
	}
	return out
}

// Checksum hashes stream's (id, updated_at) pairs; compare it with
// Checksum over what a sync emitted.
func (s *Server) Checksum(stream string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return checksum(s.shop.table(stream))
}

// exchange is the OAuth token endpoint.
func (s *Server) exchange(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	if s.o.Code == "" || r.PostForm.Get("client_id") != s.o.ClientID || r.PostForm.Get("client_secret") != s.o.ClientSecret ||
		r.PostForm.Get("code") != s.o.Code {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request",
			"error_description": "The authorization code was not found or was already used"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": s.o.Token, "scope": "read_customers,read_orders,read_products"})
}
