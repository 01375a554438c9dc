package api

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/omnify-cloud/omnify/analytics"
	"github.com/omnify-cloud/omnify/store"
)

// orderLines is the part of an order's source record top products need.
type orderLines struct {
	Currency string          `json:"currency"`
	Lines    []OrderLineItem `json:"lines"`
}

func (s *Server) analyticsTopProducts(ctx context.Context, in *topProductsInput) (*topProductsOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	v, err := readThrough(ctx, s, a.OrgID, fmt.Sprintf("products:%d", in.Limit), func() (TopProductsReport, error) {
		return s.topProducts(ctx, a.OrgID, in.Limit)
	})
	return &topProductsOutput{Body: v}, err
}

// topProducts sums the line items of every order source record in the
// currency most orders with lines use.
func (s *Server) topProducts(ctx context.Context, orgID string, limit int) (TopProductsReport, error) {
	byCur := map[string][]analytics.Line{}
	counts := map[string]int{}
	p := store.Page{Limit: store.MaxLimit}
	for {
		rs, next, err := s.deps.Store.ListSourceRecords(ctx, orgID, store.SourceRecordFilter{Stream: "orders"}, p)
		if err != nil {
			return TopProductsReport{}, fmt.Errorf("list order records: %w", err)
		}
		for _, r := range rs {
			var ol orderLines
			if len(r.Data) == 0 || json.Unmarshal(r.Data, &ol) != nil || len(ol.Lines) == 0 {
				continue // an order without lines (or unreadable) adds no product
			}
			counts[ol.Currency]++
			for _, l := range ol.Lines {
				byCur[ol.Currency] = append(byCur[ol.Currency], analytics.Line{OrderKey: r.Platform + "/" + r.ExternalID,
					ProductID: l.ProductExternalID, SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, PriceMinor: l.PriceMinor})
			}
		}
		if next == "" {
			break
		}
		p.After = next
	}
	cur := mostCommon(counts)
	n, top := analytics.TopProducts(byCur[cur], limit)
	return TopProductsReport{Currency: cur, Products: n, Items: top}, nil
}

// mostCommon returns the key with the highest count, ties to the smaller key.
func mostCommon(counts map[string]int) string {
	best, n := "", 0
	for k, c := range counts {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}
