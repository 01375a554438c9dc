package shopify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// bulkOp is the BulkOperation fields the connector reads.
type bulkOp struct {
	ID              string    `json:"id"`
	Status          string    `json:"status"`
	ErrorCode       *string   `json:"errorCode"`
	Query           string    `json:"query"`
	CreatedAt       time.Time `json:"createdAt"`
	RootObjectCount string    `json:"rootObjectCount"`
	URL             *string   `json:"url"`
}

// bulkRead exports the whole stream with a bulk operation, waits for it by
// polling currentBulkOperation every BulkPollInterval (the wait is part of
// the read, not a retry), then streams the JSONL file line by line.
//
// It checkpoints once, at the end: the file is not in updated_at order, so
// no partial high-water mark would be safe. An interrupted bulk read saves
// no state; the next read with nil state adopts the export if Shopify is
// still running it, or starts a new one, and re-emits records the engine
// upserts idempotently. The final state's Since is the export's start, so
// the next incremental pass re-reads anything changed while it ran.
func (c *Connector) bulkRead(ctx context.Context, cl *client, stream string, def streamDef, e connector.Emitter) error {
	op, err := c.startBulk(ctx, cl, def)
	if err != nil {
		return fmt.Errorf("shopify bulk %s: %w", stream, err)
	}
	if op, err = c.awaitBulk(ctx, cl, op); err != nil {
		return fmt.Errorf("shopify bulk %s: %w", stream, err)
	}
	if n, err := strconv.ParseInt(op.RootObjectCount, 10, 64); err == nil {
		e.Total(n)
	}
	st := State{Since: op.CreatedAt}
	if op.URL != nil && *op.URL != "" {
		if !cl.sandbox && !strings.HasPrefix(*op.URL, "https://") {
			return fmt.Errorf("shopify bulk %s: %w: export URL is not https", stream, connector.ErrPermanent)
		}
		if err := readJSONL(ctx, cl.http, *op.URL, stream, e, &st); err != nil {
			return fmt.Errorf("shopify bulk %s: %w", stream, err)
		}
	}
	return checkpoint(ctx, e, st)
}

// startBulk adopts a running export of the same query or starts one.
func (c *Connector) startBulk(ctx context.Context, cl *client, def streamDef) (bulkOp, error) {
	cur, err := cl.currentBulk(ctx)
	if err != nil {
		return bulkOp{}, err
	}
	if cur != nil && (cur.Status == "CREATED" || cur.Status == "RUNNING") {
		if cur.Query == def.bulk {
			return *cur, nil
		}
		return bulkOp{}, connector.BackOff(30*time.Second, "another Shopify bulk export is running for this shop", nil)
	}
	var data struct {
		Run struct {
			BulkOperation *bulkOp `json:"bulkOperation"`
			UserErrors    []struct {
				Message string `json:"message"`
			} `json:"userErrors"`
		} `json:"bulkOperationRunQuery"`
	}
	if err := cl.query(ctx, bulkRunMutation, map[string]any{"query": def.bulk}, &data); err != nil {
		return bulkOp{}, err
	}
	if len(data.Run.UserErrors) > 0 || data.Run.BulkOperation == nil {
		msgs := make([]string, 0, len(data.Run.UserErrors))
		for _, u := range data.Run.UserErrors {
			msgs = append(msgs, u.Message)
		}
		return bulkOp{}, fmt.Errorf("%w: bulk export refused: %s", connector.ErrPermanent, strings.Join(msgs, "; "))
	}
	return *data.Run.BulkOperation, nil
}

func (cl *client) currentBulk(ctx context.Context) (*bulkOp, error) {
	var data struct {
		Op *bulkOp `json:"currentBulkOperation"`
	}
	if err := cl.query(ctx, bulkPollQuery, nil, &data); err != nil {
		return nil, err
	}
	return data.Op, nil
}

func (c *Connector) awaitBulk(ctx context.Context, cl *client, op bulkOp) (bulkOp, error) {
	tick := time.NewTicker(max(c.BulkPollInterval, time.Millisecond))
	defer tick.Stop()
	for {
		switch op.Status {
		case "COMPLETED":
			return op, nil
		case "FAILED", "CANCELED", "CANCELING", "EXPIRED":
			return op, bulkFailure(op)
		}
		select {
		case <-ctx.Done():
			return op, ctx.Err()
		case <-tick.C:
		}
		cur, err := cl.currentBulk(ctx)
		if err != nil {
			return op, err
		}
		if cur == nil || cur.ID != op.ID {
			return op, fmt.Errorf("%w: bulk export %s vanished", connector.ErrPermanent, op.ID)
		}
		op = *cur
	}
}

func bulkFailure(op bulkOp) error {
	code := str(op.ErrorCode)
	switch code {
	case "ACCESS_DENIED":
		return fmt.Errorf("bulk export %s: %w", op.ID, connector.ErrAuth)
	case "INTERNAL_SERVER_ERROR", "":
		return connector.BackOff(transientWait, "Shopify's bulk export "+strings.ToLower(op.Status), nil)
	}
	return fmt.Errorf("%w: bulk export %s %s: %s", connector.ErrPermanent, op.ID, op.Status, code)
}

// readJSONL downloads the export without the access token (Shopify hands
// out a pre-signed storage URL) and emits one record per root object.
func readJSONL(ctx context.Context, hc *http.Client, url, stream string, e connector.Emitter, st *State) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("download export: %w", err)
	}
	res, err := hc.Do(req)
	if err != nil {
		return transportError(ctx, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return connector.BackOff(transientWait, fmt.Sprintf("bulk export download failed (HTTP %d)", res.StatusCode), nil)
	}
	p := jsonlParser{stream: stream, e: e, st: st}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		if err := p.line(ctx, sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return transportError(ctx, err)
	}
	return p.flush(ctx)
}

// jsonlParser rebuilds orders from the export, where each line item is its
// own line carrying __parentId and follows its order.
type jsonlParser struct {
	stream string
	e      connector.Emitter
	st     *State
	order  *orderNode
	lines  []lineNode
	n      int
}

var parentKey = []byte(`"__parentId"`)

func (p *jsonlParser) line(ctx context.Context, b []byte) error {
	p.n++
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if p.stream != StreamOrders {
		rec, err := decodeNode(p.stream, b)
		if err != nil {
			return fmt.Errorf("export line %d: %w", p.n, err)
		}
		return p.emit(ctx, rec)
	}
	if bytes.Contains(b, parentKey) {
		var l lineNode
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("export line %d: %w", p.n, err)
		}
		if p.order == nil || l.ParentID != p.order.ID {
			return fmt.Errorf("%w: export line %d: line item of %s does not follow its order", connector.ErrPermanent, p.n, l.ParentID)
		}
		p.lines = append(p.lines, l)
		return nil
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	var o orderNode
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("export line %d: %w", p.n, err)
	}
	p.order, p.lines = &o, p.lines[:0]
	return nil
}

func (p *jsonlParser) flush(ctx context.Context) error {
	if p.order == nil {
		return nil
	}
	rec, err := orderRecord(*p.order, p.lines)
	p.order = nil
	if err != nil {
		return err
	}
	return p.emit(ctx, rec)
}

func (p *jsonlParser) emit(ctx context.Context, rec connector.Record) error {
	if rec.UpdatedAt.After(p.st.UpdatedAt) {
		p.st.UpdatedAt = rec.UpdatedAt
	}
	return p.e.Record(ctx, rec)
}
