package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// transientWait is how long to wait after a 5xx, a timeout or a garbled
// answer; Shopify's own guidance is to retry those shortly.
const transientWait = 2 * time.Second

// bucket is the last cost-bucket status Shopify reported for a shop.
type bucket struct {
	max, available, restore float64
	at                      time.Time
	// cost is the requested cost last seen for each query text, our
	// estimate of what the next identical query will need.
	cost map[string]float64
}

// projected is what the bucket holds at now, given it refills at restore/s.
func (b bucket) projected(now time.Time) float64 {
	v := b.available + b.restore*now.Sub(b.at).Seconds()
	return math.Min(b.max, v)
}

// waitFor is how long it takes for the bucket to hold need points.
func waitFor(need, have, restore float64) time.Duration {
	if restore <= 0 {
		return transientWait
	}
	d := time.Duration(math.Ceil((need-have)/restore*1000)) * time.Millisecond
	return max(d, 10*time.Millisecond)
}

type client struct {
	c     *Connector
	http  *http.Client
	url   string
	shop  string
	token string
	// sandbox is set when the operator pointed the connector at a
	// non-Shopify base URL; only then may export URLs be plain http.
	sandbox bool
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     json.RawMessage `json:"errors"`
	Extensions struct {
		Cost *struct {
			RequestedQueryCost float64 `json:"requestedQueryCost"`
			ActualQueryCost    float64 `json:"actualQueryCost"`
			ThrottleStatus     struct {
				MaximumAvailable   float64 `json:"maximumAvailable"`
				CurrentlyAvailable float64 `json:"currentlyAvailable"`
				RestoreRate        float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
}

// query runs one GraphQL document and decodes its data into out. It returns
// a *connector.BackOffError when the cost bucket cannot afford the query yet
// or Shopify answers with a transient failure.
func (cl *client) query(ctx context.Context, doc string, vars map[string]any, out any) error {
	return cl.queryReserving(ctx, doc, "", vars, out)
}

// queryReserving is query that also waits until the bucket can pay for
// one run of the follow-up document, so a page whose records need a
// follow-up query cannot be fetched and then stall on it forever.
func (cl *client) queryReserving(ctx context.Context, doc, follow string, vars map[string]any, out any) error {
	if err := cl.affordable(doc, follow); err != nil {
		return err
	}
	resp, err := cl.post(ctx, doc, vars)
	if err != nil {
		return err
	}
	cl.remember(doc, resp)
	if err := cl.checkErrors(doc, resp); err != nil {
		return err
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return fmt.Errorf("shopify: %w: decode data: %v", connector.ErrPermanent, err)
	}
	return nil
}

// affordable refuses to send a query the bucket cannot pay for yet, so a
// sync paces itself instead of collecting THROTTLED errors.
func (cl *client) affordable(doc, follow string) error {
	cl.c.mu.Lock()
	b, ok := cl.c.buckets[cl.shop]
	cl.c.mu.Unlock()
	if !ok || b.cost[doc] == 0 {
		return nil
	}
	need, have := b.cost[doc], b.projected(cl.c.Now())
	if follow != "" {
		need += b.cost[follow]
	}
	if need <= have {
		return nil
	}
	return connector.BackOff(waitFor(need, have, b.restore),
		fmt.Sprintf("Shopify cost budget: the next query needs %.0f points, %.0f available, refilling at %.0f/s", need, have, b.restore), nil)
}

func (cl *client) remember(doc string, r *gqlResponse) {
	cost := r.Extensions.Cost
	if cost == nil {
		return
	}
	cl.c.mu.Lock()
	defer cl.c.mu.Unlock()
	if cl.c.buckets == nil {
		cl.c.buckets = map[string]bucket{}
	}
	b := cl.c.buckets[cl.shop]
	if b.cost == nil {
		b.cost = map[string]float64{}
	}
	ts := cost.ThrottleStatus
	b.max, b.available, b.restore, b.at = ts.MaximumAvailable, ts.CurrentlyAvailable, ts.RestoreRate, cl.c.Now()
	if cost.RequestedQueryCost > 0 {
		b.cost[doc] = cost.RequestedQueryCost
	}
	cl.c.buckets[cl.shop] = b
}

func (cl *client) post(ctx context.Context, doc string, vars map[string]any) (*gqlResponse, error) {
	body, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
	if err != nil {
		return nil, fmt.Errorf("shopify: encode query: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cl.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("shopify: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Shopify-Access-Token", cl.token)
	res, err := cl.http.Do(req)
	if err != nil {
		return nil, transportError(ctx, err)
	}
	defer res.Body.Close()
	if err := statusError(res); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, transportError(ctx, err)
	}
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		// A cut-off or garbled body is almost always the network's doing.
		return nil, connector.BackOff(transientWait, "Shopify sent an unreadable answer",
			fmt.Errorf("shopify: decode graphql response (%d bytes): %w", len(raw), err))
	}
	return &out, nil
}

func transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("shopify: %w", ctx.Err())
	}
	return connector.BackOff(transientWait, "Shopify could not be reached", fmt.Errorf("shopify: %w", err))
}

func statusError(res *http.Response) error {
	switch code := res.StatusCode; {
	case code == http.StatusOK:
		return nil
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Errorf("shopify: http %d: %w", code, connector.ErrAuth)
	case code == http.StatusTooManyRequests:
		return connector.BackOff(retryAfter(res.Header.Get("Retry-After")), "Shopify rate limit (HTTP 429)", nil)
	case code >= 500:
		return connector.BackOff(transientWait, fmt.Sprintf("Shopify server error (HTTP %d)", code), nil)
	case code == http.StatusPaymentRequired || code == http.StatusNotFound || code == http.StatusLocked:
		// 402: shop frozen for payment, 404: shop gone, 423: shop locked.
		return fmt.Errorf("shopify: http %d: %w", code, connector.ErrPermanent)
	default:
		return fmt.Errorf("shopify: unexpected http %d: %w", code, connector.ErrPermanent)
	}
}

func retryAfter(v string) time.Duration {
	if s, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && s > 0 && s < 3600 {
		return time.Duration(s * float64(time.Second))
	}
	return transientWait
}

// checkErrors turns GraphQL-level errors into a back-off (THROTTLED) or a
// permanent error quoting Shopify's messages.
func (cl *client) checkErrors(doc string, r *gqlResponse) error {
	if len(r.Errors) == 0 || string(r.Errors) == "null" {
		return nil
	}
	var list []gqlError
	if err := json.Unmarshal(r.Errors, &list); err != nil {
		var msg string
		_ = json.Unmarshal(r.Errors, &msg)
		return fmt.Errorf("shopify: %w: %s", connector.ErrPermanent, msg)
	}
	msgs := make([]string, 0, len(list))
	for _, e := range list {
		switch e.Extensions.Code {
		case "THROTTLED":
			return cl.throttled(r)
		case "ACCESS_DENIED":
			return fmt.Errorf("shopify: %s: %w", e.Message, connector.ErrAuth)
		case "INTERNAL_SERVER_ERROR":
			return connector.BackOff(transientWait, "Shopify internal error", errors.New(e.Message))
		}
		msgs = append(msgs, e.Message)
	}
	return fmt.Errorf("shopify: %w: %s", connector.ErrPermanent, strings.Join(msgs, "; "))
}

func (cl *client) throttled(r *gqlResponse) error {
	cost := r.Extensions.Cost
	if cost == nil {
		return connector.BackOff(time.Second, "Shopify throttled the query", nil)
	}
	ts := cost.ThrottleStatus
	return connector.BackOff(waitFor(cost.RequestedQueryCost, ts.CurrentlyAvailable, ts.RestoreRate),
		fmt.Sprintf("Shopify throttled the query (cost %.0f, %.0f of %.0f points available)",
			cost.RequestedQueryCost, ts.CurrentlyAvailable, ts.MaximumAvailable), nil)
}
