package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// State is where a read resumes: after the record with this updated_at and
// ID.
type State struct {
	UpdatedAt time.Time `json:"updated_at"`
	ID        string    `json:"id"`
}

// ParseState decodes a saved state; nil means the start.
func ParseState(raw json.RawMessage) (State, error) {
	var st State
	if len(raw) == 0 || string(raw) == "null" {
		return st, nil
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, fmt.Errorf("fake: %w: bad state: %v", connector.ErrPermanent, err)
	}
	return st, nil
}

// Less orders states as the cursor moves.
func (a State) Less(b State) bool { return less(a.UpdatedAt, a.ID, b.UpdatedAt, b.ID) }

// Spec asks for an access token and a shop name.
func (s *Source) Spec() connector.Spec {
	return connector.Spec{
		Platform:    s.platform(),
		DisplayName: "Fake shop",
		Credentials: map[string]any{
			"type":     "object",
			"required": []string{"access_token"},
			"properties": map[string]any{
				"access_token": map[string]any{"type": "string", "x-secret": true, "pattern": `^tok_[A-Za-z0-9]{8,}$`},
			},
		},
		Config: map[string]any{
			"type":     "object",
			"required": []string{"shop"},
			"properties": map[string]any{
				"shop":      map[string]any{"type": "string", "pattern": `^[a-z0-9][a-z0-9-]{1,40}$`},
				"page_size": map[string]any{"type": "integer", "minimum": 1, "maximum": 250},
			},
		},
	}
}

func (s *Source) platform() string {
	if s.Platform != "" {
		return s.Platform
	}
	return Platform
}

// Streams: customers and orders, both incremental on updated_at.
func (s *Source) Streams() []connector.Stream {
	return []connector.Stream{
		{Name: StreamCustomers, CursorField: "updated_at", Incremental: true},
		{Name: StreamOrders, CursorField: "updated_at", Incremental: true},
	}
}

// Actions: one write-back action, so catalogs show one.
func (s *Source) Actions() []connector.Action {
	return []connector.Action{{Name: "tag_customers", Description: "Tag customers in the fake shop",
		Params: map[string]any{"type": "object", "properties": map[string]any{"tag": map[string]any{"type": "string"}}}}}
}

// Check accepts the source's token only.
func (s *Source) Check(ctx context.Context, c connector.Connection) error {
	s.mu.Lock()
	s.lastURL = c.BaseURL
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.Credentials["access_token"] != s.Token {
		return fmt.Errorf("fake check: %w", connector.ErrAuth)
	}
	return nil
}

// Read emits the stream's records after state, a page at a time, with a
// checkpoint after each page.
func (s *Source) Read(ctx context.Context, c connector.Connection, stream string, raw json.RawMessage, e connector.Emitter) error {
	if err := s.Check(ctx, c); err != nil {
		return err
	}
	st, err := ParseState(raw)
	if err != nil {
		return err
	}
	if stream != StreamCustomers && stream != StreamOrders {
		return fmt.Errorf("fake read %q: %w", stream, connector.ErrUnknownStream)
	}
	size := s.pageSize()
	if n, err := strconv.Atoi(c.Config["page_size"]); err == nil && n > 0 {
		size = n
	}
	recs := s.Records(stream)
	e.Total(int64(len(recs)))
	start := sort.Search(len(recs), func(i int) bool { return st.Less(State{recs[i].UpdatedAt, recs[i].ExternalID}) })
	for page := 0; start < len(recs); page++ {
		if start, err = s.readPage(ctx, stream, page, recs, start, size, e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Source) readPage(ctx context.Context, stream string, page int, recs []connector.Record, start, size int, e connector.Emitter) (int, error) {
	if err := ctx.Err(); err != nil {
		return start, err
	}
	if s.BeforePage != nil {
		if err := s.BeforePage(stream, page); err != nil {
			return start, err
		}
	}
	end := min(start+size, len(recs))
	for _, r := range recs[start:end] {
		if s.OnRecord != nil {
			s.OnRecord(stream, s.count())
		}
		if err := e.Record(ctx, r); err != nil {
			return start, err
		}
	}
	last := recs[end-1]
	raw, _ := json.Marshal(State{UpdatedAt: last.UpdatedAt, ID: last.ExternalID}) // plain fields always marshal
	return end, e.Checkpoint(ctx, raw)
}

func (s *Source) count() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emitted++
	return s.emitted
}

func (s *Source) pageSize() int {
	if s.PageSize > 0 {
		return s.PageSize
	}
	return 250
}
