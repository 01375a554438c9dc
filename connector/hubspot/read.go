package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Page sizes and the search cap HubSpot sets.
const (
	listPageSize   = 100
	searchPageSize = 200
	searchCap      = 10000
)

// clockSkew is how far HubSpot's clock may run behind ours: a full read
// hands over to search from the earlier of the newest modification it saw
// and its own start minus this.
const clockSkew = 5 * time.Minute

// State is what a HubSpot read checkpoints.
//
// A full read (Full) walks the object list by ID with HubSpot's After
// cursor; StartedAt and Newest (epoch ms) fix where search takes over.
//
// An incremental read searches for objects modified at or after Since
// (epoch ms), oldest first, 200 at a time. Each query starts at the
// newest modification time already read instead of paging deeper, so no
// query comes near search's 10,000-result cap and objects modified during
// the read (which move to the end of the order) are never skipped. Offset
// counts objects at exactly Since already read, for the rare run of more
// than a page of objects sharing one millisecond.
type State struct {
	Full      bool   `json:"full,omitempty"`
	After     string `json:"after,omitempty"`
	StartedAt int64  `json:"started_at,omitempty"`
	Newest    int64  `json:"newest,omitempty"`
	Since     int64  `json:"since"`
	Offset    int    `json:"offset,omitempty"`
}

// Read emits the stream's objects: all of them on nil state, else those
// modified since the state.
func (c *Connector) Read(ctx context.Context, conn connector.Connection, stream string, state json.RawMessage, e connector.Emitter) error {
	def, ok := streams[stream]
	if !ok {
		return fmt.Errorf("hubspot read %q: %w", stream, connector.ErrUnknownStream)
	}
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	st, err := parseState(state, c.now())
	if err != nil {
		return fmt.Errorf("hubspot read %s: saved state: %w", stream, err)
	}
	if st.Full {
		return cl.fullRead(ctx, stream, def, st, e)
	}
	return cl.searchRead(ctx, stream, def, st, e)
}

func parseState(raw json.RawMessage, now time.Time) (State, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return State{Full: true, StartedAt: now.UnixMilli()}, nil
	}
	var st State
	if err := json.Unmarshal(raw, &st); err != nil {
		return State{}, err
	}
	if st.Since < 0 || st.Offset < 0 {
		return State{}, fmt.Errorf("since and offset must not be negative")
	}
	return st, nil
}

// listPage is an answer of GET /crm/v3/objects/{type}.
type listPage struct {
	Results []object `json:"results"`
	Paging  *struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

func (p listPage) next() string {
	if p.Paging == nil || p.Paging.Next == nil {
		return ""
	}
	return p.Paging.Next.After
}

// fullRead pages through the object list and checkpoints every page; the
// last checkpoint switches the state to search.
func (cl *client) fullRead(ctx context.Context, stream string, def streamDef, st State, e connector.Emitter) error {
	for {
		q := url.Values{"limit": {strconv.Itoa(listPageSize)}, "archived": {"false"},
			"properties": {strings.Join(def.properties, ",")}}
		if st.After != "" {
			q.Set("after", st.After)
		}
		var page listPage
		if err := cl.do(ctx, http.MethodGet, "/crm/v3/objects/"+def.objectType+"?"+q.Encode(), nil, &page); err != nil {
			return fmt.Errorf("hubspot read %s: %w", stream, err)
		}
		for _, o := range page.Results {
			rec, err := emit(ctx, stream, def, o, e)
			if err != nil {
				return err
			}
			st.Newest = max(st.Newest, rec.UpdatedAt.UnixMilli())
		}
		st.After = page.next()
		if st.After == "" {
			since := min(st.Newest, st.StartedAt-clockSkew.Milliseconds())
			st = State{Since: max(since, 0)}
		}
		if err := checkpoint(ctx, e, st); err != nil {
			return err
		}
		if !st.Full {
			return nil
		}
		if err := dailyExhausted(cl.last, cl.c.now()); err != nil {
			return fmt.Errorf("hubspot read %s: %w", stream, err)
		}
	}
}

func emit(ctx context.Context, stream string, def streamDef, o object, e connector.Emitter) (connector.Record, error) {
	if err := ctx.Err(); err != nil {
		return connector.Record{}, fmt.Errorf("hubspot read %s: %w", stream, err)
	}
	rec, err := def.record(stream, o)
	if err != nil {
		return rec, fmt.Errorf("%w: %w", err, connector.ErrPermanent)
	}
	return rec, e.Record(ctx, rec)
}

func checkpoint(ctx context.Context, e connector.Emitter, st State) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("hubspot: encode state: %w", err)
	}
	return e.Checkpoint(ctx, raw)
}
