package memshop

import (
	"context"
	"encoding/json"
	"fmt"
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

// Read emits the stream's records after state, a page at a time, with a
// checkpoint after each page.
func (s *Shop) Read(ctx context.Context, c connector.Connection, stream string, raw json.RawMessage, e connector.Emitter) error {
	if err := s.Check(ctx, c); err != nil {
		return err
	}
	if stream != Customers && stream != Orders {
		return fmt.Errorf("memshop read %q: %w", stream, connector.ErrUnknownStream)
	}
	var st State
	if len(raw) > 0 && s.Flaw != IgnoresState {
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("memshop read %s: %w: bad state: %v", stream, connector.ErrPermanent, err)
		}
	}
	recs := s.after(stream, st)
	e.Total(int64(len(recs)))
	pages := s.pages(recs, c)
	for _, p := range pages {
		if err := s.readPage(ctx, stream, p, len(raw) == 0, e); err != nil {
			return fmt.Errorf("memshop read %s: %w", stream, err)
		}
	}
	return nil
}

// after copies the records following st.
func (s *Shop) after(stream string, st State) []connector.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := connector.Record{UpdatedAt: st.UpdatedAt, ExternalID: st.ID}
	var out []connector.Record
	for _, r := range s.recs[stream] {
		if before(cur, r) && (s.Flaw != IDCursor || r.ExternalID > st.ID) {
			out = append(out, r)
		}
	}
	return out
}

func (s *Shop) pages(recs []connector.Record, c connector.Connection) [][]connector.Record {
	size := s.PageSize
	if n, err := strconv.Atoi(c.Config["page_size"]); err == nil && n > 0 {
		size = n
	}
	if size <= 0 {
		size = 7
	}
	var pages [][]connector.Record
	for len(recs) > 0 {
		n := min(size, len(recs))
		pages = append(pages, recs[:n])
		recs = recs[n:]
	}
	if s.Flaw == Backwards {
		for i, j := 0, len(pages)-1; i < j; i, j = i+1, j-1 {
			pages[i], pages[j] = pages[j], pages[i]
		}
	}
	return pages
}

func (s *Shop) readPage(ctx context.Context, stream string, page []connector.Record, full bool, e connector.Emitter) error {
	if err := ctx.Err(); err != nil && s.Flaw != IgnoresCancel {
		return err
	}
	fault := s.fault(stream + "/" + page[0].ExternalID)
	if fault == 1 {
		return connector.BackOff(2*time.Second, "memshop answered 429 Too Many Requests", nil)
	}
	for i, r := range page {
		if fault == 2 && i == len(page)/2 {
			return connector.BackOff(0, "memshop answered 503 Service Unavailable", nil)
		}
		if err := s.emit(ctx, r, e); err != nil {
			return err
		}
		if s.Flaw == Duplicates && full && i == 0 {
			if err := s.emit(ctx, r, e); err != nil {
				return err
			}
		}
	}
	last := page[len(page)-1]
	raw, err := json.Marshal(State{UpdatedAt: last.UpdatedAt, ID: last.ExternalID})
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	if err := e.Checkpoint(ctx, raw); err != nil && s.Flaw != IgnoresCancel {
		return err
	}
	return nil
}

func (s *Shop) emit(ctx context.Context, r connector.Record, e connector.Emitter) error {
	err := e.Record(ctx, r)
	if s.Flaw == IgnoresCancel {
		if ctx.Err() != nil {
			time.Sleep(400 * time.Millisecond) // a slow vendor, queried regardless
		}
		return nil
	}
	return err
}

// fault counts a request of a page and says which fault, if any, it meets:
// 1 throttled, 2 broken halfway, 0 none.
func (s *Shop) fault(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.faults {
		return 0
	}
	s.tries[key]++
	if n := s.tries[key]; n <= 2 {
		return n
	}
	return 0
}
