package eyesrun

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/store"
)

// Source is what a run reads: customers with their orders, and the source
// records engagement is counted from.
type Source interface {
	store.CustomerStore
	ListSourceRecords(ctx context.Context, orgID string, f store.SourceRecordFilter, p store.Page) ([]store.SourceRecord, string, error)
}

// loadEngagement counts each customer's email engagement (opens and clicks
// a marketing platform such as Klaviyo reported, up to asOf) and active
// subscriptions (Stripe), the engagement features of the pipeline. No
// platform reports emails received, so the pipeline's open rate reads as
// "opened any" and its click rate as clicks per open. Customers without
// any keep a nil Engagement: an org with none gets purchase features only.
func loadEngagement(ctx context.Context, s Source, orgID string, asOf time.Time, index map[string]int, in *eyes.Input) error {
	count := func(stream string, add func(e *eyes.Engagement, data json.RawMessage) error) error {
		page := store.Page{Limit: store.MaxLimit}
		for {
			rs, next, err := s.ListSourceRecords(ctx, orgID, store.SourceRecordFilter{Stream: stream}, page)
			if err != nil {
				return fmt.Errorf("load %s: %w", stream, err)
			}
			for _, r := range rs {
				i, ok := index[r.CustomerID]
				if !ok {
					continue
				}
				c := &in.Customers[i]
				if c.Engagement == nil {
					c.Engagement = &eyes.Engagement{}
				}
				if err := add(c.Engagement, r.Data); err != nil {
					return fmt.Errorf("load %s %s: %w", stream, r.ExternalID, err)
				}
			}
			if next == "" {
				return nil
			}
			page.After = next
		}
	}
	err := count("events", func(e *eyes.Engagement, data json.RawMessage) error {
		var ev connector.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return err
		}
		if ev.OccurredAt.After(asOf) {
			return nil
		}
		switch ev.Kind {
		case connector.EventEmailOpened:
			e.EmailOpens++
		case connector.EventEmailClicked:
			e.EmailClicks++
		}
		return nil
	})
	if err != nil {
		return err
	}
	return count("subscriptions", func(e *eyes.Engagement, data json.RawMessage) error {
		var sub connector.Subscription
		if err := json.Unmarshal(data, &sub); err != nil {
			return err
		}
		if sub.StartedAt.After(asOf) || (sub.CanceledAt != nil && !sub.CanceledAt.After(asOf)) {
			return nil
		}
		e.Subscriptions++
		return nil
	})
}
