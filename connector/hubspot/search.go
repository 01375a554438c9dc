package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// searchBody is the body of POST /crm/v3/objects/{type}/search.
type searchBody struct {
	FilterGroups []filterGroup `json:"filterGroups"`
	Sorts        []sortSpec    `json:"sorts"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

type sortSpec struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// searchPage is a search answer.
type searchPage struct {
	Total   int64    `json:"total"`
	Results []object `json:"results"`
	Paging  *struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

func (p searchPage) more() bool { return p.Paging != nil && p.Paging.Next != nil }

// boundary remembers the objects read at the newest modification time so
// far, which the next query (starting at that time) returns again.
type boundary struct {
	at  int64
	ids map[string]bool
}

func (b *boundary) seen(id string, at int64) bool { return at == b.at && b.ids[id] }

func (b *boundary) add(id string, at int64) {
	if at != b.at || b.ids == nil {
		b.at, b.ids = at, map[string]bool{}
	}
	b.ids[id] = true
}

// searchRead reads objects modified since st.Since, oldest first, each
// query starting where the last one's newest object was (see State).
func (cl *client) searchRead(ctx context.Context, stream string, def streamDef, st State, e connector.Emitter) error {
	b := boundary{at: st.Since}
	first := true
	for {
		if st.Offset+searchPageSize > searchCap {
			return tooManyTies(stream, st.Since)
		}
		page, err := cl.searchPage(ctx, def, st)
		if err != nil {
			return fmt.Errorf("hubspot read %s: %w", stream, err)
		}
		if first {
			e.Total(page.Total)
			first = false
		}
		if err := emitPage(ctx, stream, def, page, &b, e); err != nil {
			return err
		}
		// No next page is the end, unless the query stopped at the search
		// cap with objects left: then the next query starts later.
		capped := !page.more() && int64(st.Offset+len(page.Results)) < page.Total
		done := !page.more() && !capped
		switch {
		case b.at > st.Since:
			st.Since, st.Offset = b.at, 0
		case capped:
			return tooManyTies(stream, st.Since)
		case !done:
			st.Offset += len(page.Results) // a page entirely at Since
		}
		if done {
			st.Offset = 0
		}
		if err := checkpoint(ctx, e, st); err != nil || done {
			return err
		}
		if err := dailyExhausted(cl.last, cl.c.now()); err != nil {
			return fmt.Errorf("hubspot read %s: %w", stream, err)
		}
	}
}

// tooManyTies: more objects share one millisecond than one search query
// can page through; no query HubSpot offers can reach the rest.
func tooManyTies(stream string, since int64) error {
	return fmt.Errorf("hubspot read %s: about %d or more objects share the modification time %s, past what search can page: %w",
		stream, searchCap-searchPageSize, time.UnixMilli(since).UTC().Format(time.RFC3339Nano), connector.ErrPermanent)
}

func (cl *client) searchPage(ctx context.Context, def streamDef, st State) (searchPage, error) {
	body := searchBody{
		FilterGroups: []filterGroup{{Filters: []filter{{PropertyName: def.modified, Operator: "GTE", Value: strconv.FormatInt(st.Since, 10)}}}},
		Sorts:        []sortSpec{{PropertyName: def.modified, Direction: "ASCENDING"}},
		Properties:   def.properties,
		Limit:        searchPageSize,
		After:        strconv.Itoa(st.Offset),
	}
	var page searchPage
	err := cl.do(ctx, http.MethodPost, "/crm/v3/objects/"+def.objectType+"/search", body, &page)
	return page, err
}

// emitPage emits a page's objects, skipping those an earlier query of
// this read already emitted at the boundary time.
func emitPage(ctx context.Context, stream string, def streamDef, page searchPage, b *boundary, e connector.Emitter) error {
	for _, o := range page.Results {
		at := def.modifiedAt(o).UnixMilli()
		if b.seen(o.ID, at) || at < b.at {
			continue
		}
		if _, err := emit(ctx, stream, def, o, e); err != nil {
			return err
		}
		b.add(o.ID, at)
	}
	return nil
}
