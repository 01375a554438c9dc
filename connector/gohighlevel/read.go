package gohighlevel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Page sizes: HighLevel documents at most 100 for opportunity search; the
// contact search takes more, but 100 keeps one answer small.
const (
	contactPage     = 100
	opportunityPage = 100
)

// ContactState is what a contacts read checkpoints: the dateUpdated lower
// bound of the search (Since, inclusive) and the searchAfter position of
// the last contact emitted (AfterMillis, AfterID). Contacts come sorted by
// dateUpdated then ID, so the position only ever moves forward and a
// contact updated again reappears after it.
type ContactState struct {
	Since       time.Time `json:"since,omitzero"`
	AfterMillis int64     `json:"after_ms,omitempty"`
	AfterID     string    `json:"after_id,omitempty"`
}

// PositionState is what an opportunities read checkpoints: the
// startAfter/startAfterId of the last page read. A finished read
// checkpoints the empty state, so the next read starts over.
type PositionState struct {
	StartAfter   int64  `json:"start_after,omitempty"`
	StartAfterID string `json:"start_after_id,omitempty"`
}

// Read emits the stream's records from state.
func (c *Connector) Read(ctx context.Context, conn connector.Connection, stream string, state json.RawMessage, e connector.Emitter) error {
	readers := map[string]func(context.Context, *client, json.RawMessage, connector.Emitter) error{
		StreamContacts: c.readContacts, StreamOpportunities: c.readOpportunities,
		StreamCampaigns: c.readCampaigns, StreamWorkflows: c.readWorkflows,
	}
	read, ok := readers[stream]
	if !ok {
		return fmt.Errorf("gohighlevel read %q: %w", stream, connector.ErrUnknownStream)
	}
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := read(ctx, cl, state, e); err != nil {
		return fmt.Errorf("gohighlevel read %s: %w", stream, err)
	}
	return nil
}

func decodeState(state json.RawMessage, v any) error {
	if len(state) == 0 || string(state) == "null" {
		return nil
	}
	if err := json.Unmarshal(state, v); err != nil {
		return fmt.Errorf("saved state: %w", err)
	}
	return nil
}

func checkpoint(ctx context.Context, e connector.Emitter, st any) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	return e.Checkpoint(ctx, raw)
}

// searchRequest is the advanced search body (HighLevel's documented
// fields; the OpenAPI file leaves it open).
type searchRequest struct {
	LocationID  string           `json:"locationId"`
	PageLimit   int              `json:"pageLimit"`
	SearchAfter []any            `json:"searchAfter,omitempty"`
	Filters     []map[string]any `json:"filters,omitempty"`
	Sort        []map[string]any `json:"sort"`
}

type searchPage struct {
	Contacts []json.RawMessage `json:"contacts"`
	Total    int64             `json:"total"`
}

func (c *Connector) readContacts(ctx context.Context, cl *client, state json.RawMessage, e connector.Emitter) error {
	var st ContactState
	if err := decodeState(state, &st); err != nil {
		return err
	}
	for first := true; ; first = false {
		req := searchRequest{LocationID: cl.location, PageLimit: contactPage,
			Sort: []map[string]any{{"field": "dateUpdated", "direction": "asc"}}}
		if !st.Since.IsZero() {
			req.Filters = []map[string]any{{"field": "dateUpdated", "operator": "range",
				"value": map[string]any{"gte": st.Since.UTC().Format("2006-01-02T15:04:05.000Z")}}}
		}
		if st.AfterID != "" {
			req.SearchAfter = []any{st.AfterMillis, st.AfterID}
		}
		var page searchPage
		if err := cl.do(ctx, http.MethodPost, "/contacts/search", nil, req, &page); err != nil {
			return err
		}
		if first && st.AfterID == "" {
			e.Total(page.Total)
		}
		if err := emitContacts(ctx, e, page.Contacts, &st); err != nil {
			return err
		}
		if len(page.Contacts) < contactPage {
			return nil
		}
	}
}

// emitContacts emits one page and checkpoints after it.
func emitContacts(ctx context.Context, e connector.Emitter, raws []json.RawMessage, st *ContactState) error {
	for _, raw := range raws {
		rec, err := ContactRecord(raw)
		if err != nil {
			return err
		}
		if err := e.Record(ctx, rec); err != nil {
			return err
		}
		st.AfterMillis, st.AfterID = position(raw, rec)
		st.Since = time.UnixMilli(st.AfterMillis).UTC()
	}
	return checkpoint(ctx, e, st)
}

// position is a contact's searchAfter as HighLevel sent it (its
// dateUpdated in milliseconds and its ID), or the same built from the
// record when the answer lacks it.
func position(raw json.RawMessage, rec connector.Record) (int64, string) {
	var head struct {
		SearchAfter []json.RawMessage `json:"searchAfter"`
	}
	if json.Unmarshal(raw, &head) == nil && len(head.SearchAfter) == 2 {
		var ms float64
		var id string
		if json.Unmarshal(head.SearchAfter[0], &ms) == nil && json.Unmarshal(head.SearchAfter[1], &id) == nil && id != "" {
			return int64(ms), id
		}
	}
	return rec.UpdatedAt.UnixMilli(), rec.ExternalID
}

type oppPage struct {
	Opportunities []json.RawMessage `json:"opportunities"`
	Meta          struct {
		Total        int64   `json:"total"`
		StartAfter   *int64  `json:"startAfter"`
		StartAfterID *string `json:"startAfterId"`
		NextPage     *int    `json:"nextPage"`
	} `json:"meta"`
}

func (c *Connector) readOpportunities(ctx context.Context, cl *client, state json.RawMessage, e connector.Emitter) error {
	var st PositionState
	if err := decodeState(state, &st); err != nil {
		return err
	}
	for {
		q := url.Values{"location_id": {cl.location}, "limit": {strconv.Itoa(opportunityPage)}}
		if st.StartAfterID != "" {
			q.Set("startAfter", strconv.FormatInt(st.StartAfter, 10))
			q.Set("startAfterId", st.StartAfterID)
		}
		var page oppPage
		if err := cl.get(ctx, "/opportunities/search", q, &page); err != nil {
			return err
		}
		if st.StartAfterID == "" {
			e.Total(page.Meta.Total)
		}
		for _, raw := range page.Opportunities {
			rec, err := OpportunityRecord(raw)
			if err != nil {
				return err
			}
			if err := e.Record(ctx, rec); err != nil {
				return err
			}
		}
		last := page.Meta.NextPage == nil || len(page.Opportunities) == 0 || page.Meta.StartAfterID == nil || page.Meta.StartAfter == nil
		if last {
			return checkpoint(ctx, e, PositionState{})
		}
		st = PositionState{StartAfter: *page.Meta.StartAfter, StartAfterID: *page.Meta.StartAfterID}
		if err := checkpoint(ctx, e, st); err != nil {
			return err
		}
	}
}

func (c *Connector) readCampaigns(ctx context.Context, cl *client, _ json.RawMessage, e connector.Emitter) error {
	var out struct {
		Campaigns []json.RawMessage `json:"campaigns"`
	}
	if err := cl.get(ctx, "/campaigns/", url.Values{"locationId": {cl.location}}, &out); err != nil {
		return err
	}
	return emitAll(ctx, e, out.Campaigns, CampaignRecord)
}

func (c *Connector) readWorkflows(ctx context.Context, cl *client, _ json.RawMessage, e connector.Emitter) error {
	var out struct {
		Workflows []json.RawMessage `json:"workflows"`
	}
	if err := cl.get(ctx, "/workflows/", url.Values{"locationId": {cl.location}}, &out); err != nil {
		return err
	}
	return emitAll(ctx, e, out.Workflows, WorkflowRecord)
}

// emitAll emits a whole list and checkpoints once: the list endpoints have
// no paging to resume.
func emitAll(ctx context.Context, e connector.Emitter, raws []json.RawMessage, mapRec func(json.RawMessage) (connector.Record, error)) error {
	e.Total(int64(len(raws)))
	for _, raw := range raws {
		rec, err := mapRec(raw)
		if err != nil {
			return err
		}
		if err := e.Record(ctx, rec); err != nil {
			return err
		}
	}
	return checkpoint(ctx, e, struct{}{})
}
