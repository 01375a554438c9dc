package eyesrun

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/eyes"
)

// Load reads an org's customers and their orders placed on or before asOf
// into the pipeline's input, streaming both from the store.
func Load(ctx context.Context, s Source, orgID string, asOf time.Time) (*eyes.Input, error) {
	in := &eyes.Input{AsOf: asOf}
	index := map[string]int{}
	err := s.ScanCustomers(ctx, orgID, func(c omnify.Customer) error {
		index[c.ID] = len(in.Customers)
		in.Customers = append(in.Customers, eyes.Customer{ID: c.ID, Email: c.Email,
			Platforms: c.Platforms, Consent: c.Consent})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load customers: %w", err)
	}
	err = s.ScanOrders(ctx, orgID, func(o omnify.Order) error {
		i, ok := index[o.CustomerID]
		if !ok || o.PlacedAt.After(asOf) {
			return nil
		}
		in.Customers[i].Orders = append(in.Customers[i].Orders,
			eyes.Order{Time: o.PlacedAt, Amount: float64(o.AmountMinor) / 100})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load orders: %w", err)
	}
	if err := loadEngagement(ctx, s, orgID, asOf, index, in); err != nil {
		return nil, err
	}
	// Backends scan in any order; the pipeline's results (and its seeded
	// randomness) follow the input order, so fix it.
	slices.SortFunc(in.Customers, func(a, b eyes.Customer) int { return strings.Compare(a.ID, b.ID) })
	return in, nil
}
