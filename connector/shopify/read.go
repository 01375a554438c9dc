package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// State is what a Shopify read checkpoints. A pass reads every record with
// updated_at at or after Since, in updated_at order, resuming after Cursor;
// when the pass ends Since moves up to UpdatedAt, the newest updated_at
// seen. Reading "at or after" re-reads records of the last second, which
// the idempotent upsert absorbs, rather than missing ones Shopify stamped
// with the same second after the pass.
type State struct {
	UpdatedAt time.Time `json:"updated_at"`
	Since     time.Time `json:"since"`
	Cursor    string    `json:"cursor,omitempty"`
}

// Read emits stream's records changed since state. A nil state with
// BulkBackfill set runs a bulk export instead (see bulkRead).
func (c *Connector) Read(ctx context.Context, conn connector.Connection, stream string, state json.RawMessage, e connector.Emitter) error {
	def, ok := streams[stream]
	if !ok {
		return fmt.Errorf("shopify read %q: %w", stream, connector.ErrUnknownStream)
	}
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	if state == nil && c.BulkBackfill {
		return c.bulkRead(ctx, cl, stream, def, e)
	}
	var st State
	if len(state) > 0 && string(state) != "null" {
		if err := json.Unmarshal(state, &st); err != nil {
			return fmt.Errorf("shopify read %s: saved state: %w", stream, err)
		}
	}
	for {
		done, err := c.readPage(ctx, cl, stream, def, &st, e)
		if err != nil || done {
			return err
		}
	}
}

type page struct {
	Edges []struct {
		Cursor string          `json:"cursor"`
		Node   json.RawMessage `json:"node"`
	} `json:"edges"`
	PageInfo pageInfo `json:"pageInfo"`
}

// readPage reads, emits and checkpoints one page; done at the last page.
func (c *Connector) readPage(ctx context.Context, cl *client, stream string, def streamDef, st *State, e connector.Emitter) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("shopify read %s: %w", stream, err)
	}
	vars := map[string]any{"first": def.page}
	if st.Cursor != "" {
		vars["after"] = st.Cursor
	}
	if !st.Since.IsZero() {
		vars["query"] = fmt.Sprintf("updated_at:>='%s'", st.Since.UTC().Format(time.RFC3339))
	}
	var data map[string]page
	if err := cl.queryReserving(ctx, def.paged, def.follow, vars, &data); err != nil {
		return false, fmt.Errorf("shopify read %s: %w", stream, err)
	}
	p := data[def.root]
	for i, edge := range p.Edges {
		if err := ctx.Err(); err != nil {
			return false, fmt.Errorf("shopify read %s: %w", stream, err)
		}
		rec, err := c.pageRecord(ctx, cl, stream, edge.Node)
		if err != nil {
			return false, c.partialPage(ctx, e, st, p, i, fmt.Errorf("shopify read %s: %w", stream, err))
		}
		if err := e.Record(ctx, rec); err != nil {
			return false, err
		}
		if rec.UpdatedAt.After(st.UpdatedAt) {
			st.UpdatedAt = rec.UpdatedAt
		}
	}
	st.Cursor = p.PageInfo.EndCursor
	last := !p.PageInfo.HasNextPage
	if last {
		st.Cursor = ""
		if st.UpdatedAt.After(st.Since) {
			st.Since = st.UpdatedAt
		}
	}
	return last, checkpoint(ctx, e, *st)
}

// partialPage keeps the progress of a page cut short by a follow-up
// query's back-off: it checkpoints after the last record emitted, so the
// retry starts at the record that needs the follow-up.
func (c *Connector) partialPage(ctx context.Context, e connector.Emitter, st *State, p page, i int, err error) error {
	if i == 0 {
		return err
	}
	st.Cursor = p.Edges[i-1].Cursor
	if cerr := checkpoint(ctx, e, *st); cerr != nil {
		return cerr
	}
	return err
}

func checkpoint(ctx context.Context, e connector.Emitter, st State) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("shopify: encode state: %w", err)
	}
	return e.Checkpoint(ctx, raw)
}

func (c *Connector) pageRecord(ctx context.Context, cl *client, stream string, raw json.RawMessage) (connector.Record, error) {
	if stream != StreamOrders {
		return decodeNode(stream, raw)
	}
	var n orderNode
	if err := json.Unmarshal(raw, &n); err != nil {
		return connector.Record{}, fmt.Errorf("decode order: %w", err)
	}
	var lines []lineNode
	if n.LineItems != nil {
		lines = n.LineItems.Nodes
		more, err := cl.moreLines(ctx, n.ID, n.LineItems.PageInfo)
		if err != nil {
			return connector.Record{}, err
		}
		lines = append(lines, more...)
	}
	return orderRecord(n, lines)
}

// moreLines fetches the line items beyond the first page of an order.
func (cl *client) moreLines(ctx context.Context, orderID string, pi pageInfo) ([]lineNode, error) {
	var out []lineNode
	for pi.HasNextPage {
		var data struct {
			Order *struct {
				LineItems lineConn `json:"lineItems"`
			} `json:"order"`
		}
		if err := cl.query(ctx, orderLinesQuery, map[string]any{"id": orderID, "after": pi.EndCursor}, &data); err != nil {
			return nil, fmt.Errorf("line items of %s: %w", orderID, err)
		}
		if data.Order == nil {
			return out, nil // deleted since the page was read
		}
		out = append(out, data.Order.LineItems.Nodes...)
		pi = data.Order.LineItems.PageInfo
	}
	return out, nil
}
