package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	sgo "github.com/stripe/stripe-go/v85"

	"github.com/omnify-cloud/omnify/connector"
)

// clockSkew is subtracted from the full read's start time when no event
// exists yet; replaying a few minutes of events is harmless because upserts
// are idempotent.
const clockSkew = 5 * time.Minute

// events applies the events after the saved cursor, oldest first.
//
// Stripe lists events newest first. With a known event, the connector asks
// for the page just newer than it (ending_before), which the SDK hands over
// oldest first, and moves the cursor to that page's newest event, so every
// checkpoint is a prefix of the history. Without one (no event existed when
// the full read started, or the cursor aged out of Stripe's 30-day window),
// it lists everything since State.Since, then emits it oldest first.
func (r *reader) events(ctx context.Context) error {
	if r.st.EventID == "" {
		return r.eventsSince(ctx)
	}
	// The paging cursor always advances; the saved one only moves forward.
	cursor := r.st.EventID
	for {
		params := &sgo.EventListParams{Type: sgo.String(r.res.eventType)}
		params.Limit, params.EndingBefore, params.Single = sgo.Int64(pageSize), sgo.String(cursor), true
		l := r.cl.api.V1Events.List(ctx, params)
		if err := l.Err(); err != nil {
			if cursorGone(err) && cursor == r.st.EventID {
				r.st.Since, r.st.EventID = r.st.EventCreated, ""
				return r.eventsSince(ctx)
			}
			return fmt.Errorf("events after %s: %w", cursor, r.fail(ctx, err))
		}
		r.c.clearStrikes(r.key)
		evts := l.Data()
		if err := r.apply(ctx, evts); err != nil {
			return err
		}
		if !l.Meta().HasMore || len(evts) == 0 {
			return nil
		}
		cursor = evts[len(evts)-1].ID
	}
}

// cursorGone reports Stripe refusing ending_before because the event no
// longer exists.
func cursorGone(err error) bool {
	var se *sgo.Error
	return errors.As(err, &se) && se.Code == sgo.ErrorCodeResourceMissing
}

func (r *reader) eventsSince(ctx context.Context) error {
	var all []*sgo.Event
	after := ""
	for {
		params := &sgo.EventListParams{Type: sgo.String(r.res.eventType)}
		params.CreatedRange = &sgo.RangeQueryParams{GreaterThanOrEqual: r.st.Since}
		params.ListParams = listParams(after)
		l := r.cl.api.V1Events.List(ctx, params)
		if err := l.Err(); err != nil {
			return fmt.Errorf("events since %d: %w", r.st.Since, r.fail(ctx, err))
		}
		r.c.clearStrikes(r.key)
		all = append(all, l.Data()...)
		if !l.Meta().HasMore || len(l.Data()) == 0 {
			break
		}
		after = all[len(all)-1].ID
	}
	slices.Reverse(all)
	for chunk := range slices.Chunk(all, pageSize) {
		if err := r.apply(ctx, chunk); err != nil {
			return err
		}
	}
	return nil
}

// apply emits the stream's objects carried by evts (oldest first) and
// checkpoints at the newest, unless that would move the cursor back.
func (r *reader) apply(ctx context.Context, evts []*sgo.Event) error {
	if len(evts) == 0 {
		return nil
	}
	for _, evt := range evts {
		rec, ok, err := r.recordOf(ctx, evt)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := r.emit(ctx, []connector.Record{rec}); err != nil {
			return err
		}
	}
	newest := evts[len(evts)-1]
	if newest.Created < r.st.EventCreated {
		return nil
	}
	r.st.EventID, r.st.EventCreated, r.st.Since = newest.ID, newest.Created, 0
	return r.checkpoint(ctx)
}

// recordOf maps an event's object. Events about other objects sharing the
// type prefix (customer.discount.*, customer.source.*) are skipped.
// Deleting a customer or a draft invoice marks the record deleted; a
// customer.subscription.deleted event is a subscription that ended and
// stays a record with status "canceled".
func (r *reader) recordOf(ctx context.Context, evt *sgo.Event) (connector.Record, bool, error) {
	if evt.Data == nil || len(evt.Data.Raw) == 0 {
		return connector.Record{}, false, nil
	}
	var head struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Deleted bool   `json:"deleted"`
	}
	if err := json.Unmarshal(evt.Data.Raw, &head); err != nil || head.Object != r.res.object || head.ID == "" {
		return connector.Record{}, false, nil
	}
	deleted := head.Deleted || (r.res.object != "subscription" && strings.HasSuffix(string(evt.Type), ".deleted"))
	rec, err := r.res.decode(evt.Data.Raw)
	switch {
	case err == nil:
	case deleted:
		// The id is all a deletion needs.
		rec, err = connector.Record{}, nil
	default:
		rec, err = r.refetch(ctx, head.ID)
	}
	if err != nil {
		return connector.Record{}, false, fmt.Errorf("event %s: %w", evt.ID, err)
	}
	rec.Stream, rec.ExternalID = r.stream, head.ID
	rec.UpdatedAt = unix(evt.Created)
	rec.Deleted = rec.Deleted || deleted
	return rec, true, nil
}

// refetch reads an object afresh when its event copy does not decode: an
// event keeps the API version of the moment it was created, which may
// shape fields differently from the version the SDK speaks. An object
// Stripe no longer has is reported deleted.
func (r *reader) refetch(ctx context.Context, id string) (connector.Record, error) {
	rec, err := r.res.retrieve(ctx, r.cl.api, id)
	if err != nil && cursorGone(err) {
		return connector.Record{Deleted: true}, nil
	}
	if err != nil {
		return connector.Record{}, fmt.Errorf("retrieve %s: %w", id, r.fail(ctx, err))
	}
	r.c.clearStrikes(r.key)
	return rec, nil
}
