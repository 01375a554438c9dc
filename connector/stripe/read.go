package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	sgo "github.com/stripe/stripe-go/v85"

	"github.com/omnify-cloud/omnify/connector"
)

// pageSize is Stripe's maximum list page.
const pageSize = 100

// Phases of a stream's state.
const (
	PhaseFull   = "full"
	PhaseEvents = "events"
)

// State is a stream's checkpoint. A full read pages from the newest object
// to the oldest (LastID is the last one emitted); the event cursor is taken
// before the full read starts, so the incremental phase replays every change
// made during it. EventCreated never decreases from one checkpoint to the
// next.
type State struct {
	Phase  string `json:"phase"`
	LastID string `json:"last_id,omitempty"`
	// EventID is the newest event already applied; incremental reads ask
	// for the events after it.
	EventID      string `json:"event_id,omitempty"`
	EventCreated int64  `json:"event_created,omitempty"`
	// Since (unix seconds) is used while no event is known: events created
	// at or after it are read.
	Since int64 `json:"since,omitempty"`
}

// page is one list response, already mapped.
type page struct {
	records []connector.Record
	hasMore bool
}

// resource describes how one stream is listed and how its events look.
type resource struct {
	eventType string // the /v1/events type filter
	object    string // the "object" value of the stream's objects
	list      func(ctx context.Context, api *sgo.Client, after string) (page, error)
	decode    func(raw json.RawMessage) (connector.Record, error)
	retrieve  func(ctx context.Context, api *sgo.Client, id string) (connector.Record, error)
}

var resources = map[string]resource{
	Customers: {"customer.*", "customer", listCustomers, decodeAs(mapCustomer),
		func(ctx context.Context, api *sgo.Client, id string) (connector.Record, error) {
			return mapped(api.V1Customers.Retrieve(ctx, id, nil))(mapCustomer)
		}},
	Charges: {"charge.*", "charge", listCharges, decodeAs(mapCharge),
		func(ctx context.Context, api *sgo.Client, id string) (connector.Record, error) {
			return mapped(api.V1Charges.Retrieve(ctx, id, nil))(mapCharge)
		}},
	Invoices: {"invoice.*", "invoice", listInvoices, decodeAs(mapInvoice),
		func(ctx context.Context, api *sgo.Client, id string) (connector.Record, error) {
			return mapped(api.V1Invoices.Retrieve(ctx, id, nil))(mapInvoice)
		}},
	Subscriptions: {"customer.subscription.*", "subscription", listSubscriptions, decodeAs(mapSubscription),
		func(ctx context.Context, api *sgo.Client, id string) (connector.Record, error) {
			return mapped(api.V1Subscriptions.Retrieve(ctx, id, nil))(mapSubscription)
		}},
}

// mapped adapts a Retrieve result to a map function.
func mapped[T any](v T, err error) func(func(T) connector.Record) (connector.Record, error) {
	return func(m func(T) connector.Record) (connector.Record, error) {
		if err != nil {
			return connector.Record{}, err
		}
		return m(v), nil
	}
}

// Read emits a stream's records: a full read when state is empty or still in
// the full phase, then the events since the saved cursor. It checkpoints
// after every page.
func (c *Connector) Read(ctx context.Context, conn connector.Connection, stream string, raw json.RawMessage, e connector.Emitter) error {
	res, ok := resources[stream]
	if !ok {
		return fmt.Errorf("stripe %q: %w", stream, connector.ErrUnknownStream)
	}
	st, err := decodeState(raw)
	if err != nil {
		return fmt.Errorf("stripe %s: %w", stream, err)
	}
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	r := &reader{c: c, cl: cl, res: res, stream: stream, e: e, st: st, key: strikeKey(conn, stream)}
	if err := r.run(ctx); err != nil {
		return fmt.Errorf("stripe %s: %w", stream, err)
	}
	return nil
}

func decodeState(raw json.RawMessage) (State, error) {
	var st State
	if len(raw) == 0 || string(raw) == "null" {
		return st, nil
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, fmt.Errorf("unreadable state: %v: %w", err, connector.ErrPermanent)
	}
	switch st.Phase {
	case "", PhaseFull, PhaseEvents:
		return st, nil
	}
	return st, fmt.Errorf("state phase %q: %w", st.Phase, connector.ErrPermanent)
}

// reader is one Read call.
type reader struct {
	c      *Connector
	cl     *client
	res    resource
	stream string
	e      connector.Emitter
	st     State
	key    string
}

func (r *reader) run(ctx context.Context) error {
	if r.st.Phase == "" {
		if err := r.startFull(ctx); err != nil {
			return err
		}
	}
	if r.st.Phase == PhaseFull {
		if err := r.full(ctx); err != nil {
			return err
		}
	}
	return r.events(ctx)
}

// fail classifies an API error, counting consecutive back-offs so the hint
// grows while Stripe keeps refusing.
func (r *reader) fail(ctx context.Context, err error) error {
	out := r.cl.classify(ctx, err, r.c.strike(r.key))
	var bo *connector.BackOffError
	if !errors.As(out, &bo) {
		r.c.clearStrikes(r.key)
	}
	return out
}

func (r *reader) checkpoint(ctx context.Context) error {
	raw, err := json.Marshal(r.st)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	return r.e.Checkpoint(ctx, raw)
}

func (r *reader) emit(ctx context.Context, recs []connector.Record) error {
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.e.Record(ctx, rec); err != nil {
			return fmt.Errorf("emit %s: %w", rec.ExternalID, err)
		}
	}
	return nil
}

// startFull notes the newest event before the first object is read; with no
// event yet, it notes the start time less a margin for clock skew.
func (r *reader) startFull(ctx context.Context) error {
	params := &sgo.EventListParams{Type: sgo.String(r.res.eventType)}
	params.Limit, params.Single = sgo.Int64(1), true
	l := r.cl.api.V1Events.List(ctx, params)
	if err := l.Err(); err != nil {
		return fmt.Errorf("newest event: %w", r.fail(ctx, err))
	}
	r.c.clearStrikes(r.key)
	r.st = State{Phase: PhaseFull, Since: r.c.now().Add(-clockSkew).Unix()}
	if evts := l.Data(); len(evts) > 0 {
		r.st.EventID, r.st.EventCreated, r.st.Since = evts[0].ID, evts[0].Created, 0
	}
	return nil
}

func (r *reader) full(ctx context.Context) error {
	for {
		p, err := r.res.list(ctx, r.cl.api, r.st.LastID)
		if err != nil && cursorGone(err) && r.st.LastID != "" {
			// The object the page cursor names was deleted since the last
			// checkpoint; start over from the newest object. Records read
			// twice are harmless, and the event cursor still covers every
			// change since the full read began.
			r.st.LastID = ""
			continue
		}
		if err != nil {
			return fmt.Errorf("list after %q: %w", r.st.LastID, r.fail(ctx, err))
		}
		r.c.clearStrikes(r.key)
		if err := r.emit(ctx, p.records); err != nil {
			return err
		}
		if len(p.records) > 0 {
			r.st.LastID = p.records[len(p.records)-1].ExternalID
		}
		if !p.hasMore || len(p.records) == 0 {
			r.st.Phase, r.st.LastID = PhaseEvents, ""
			return r.checkpoint(ctx)
		}
		if err := r.checkpoint(ctx); err != nil {
			return err
		}
	}
}

func decodeAs[T any](m func(*T) connector.Record) func(json.RawMessage) (connector.Record, error) {
	return func(raw json.RawMessage) (connector.Record, error) {
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return connector.Record{}, err
		}
		return m(v), nil
	}
}

func listParams(after string) sgo.ListParams {
	p := sgo.ListParams{Limit: sgo.Int64(pageSize), Single: true}
	if after != "" {
		p.StartingAfter = sgo.String(after)
	}
	return p
}

func collect[T any](l *sgo.V1List[T], m func(T) connector.Record) (page, error) {
	if err := l.Err(); err != nil {
		return page{}, err
	}
	recs := make([]connector.Record, 0, len(l.Data()))
	for _, x := range l.Data() {
		recs = append(recs, m(x))
	}
	return page{records: recs, hasMore: l.Meta().HasMore}, nil
}

func listCustomers(ctx context.Context, api *sgo.Client, after string) (page, error) {
	return collect(api.V1Customers.List(ctx, &sgo.CustomerListParams{ListParams: listParams(after)}), mapCustomer)
}

func listCharges(ctx context.Context, api *sgo.Client, after string) (page, error) {
	return collect(api.V1Charges.List(ctx, &sgo.ChargeListParams{ListParams: listParams(after)}), mapCharge)
}

func listInvoices(ctx context.Context, api *sgo.Client, after string) (page, error) {
	return collect(api.V1Invoices.List(ctx, &sgo.InvoiceListParams{ListParams: listParams(after)}), mapInvoice)
}

// listSubscriptions asks for every status: by default Stripe leaves
// canceled subscriptions out, and those are the churn signal.
func listSubscriptions(ctx context.Context, api *sgo.Client, after string) (page, error) {
	params := &sgo.SubscriptionListParams{ListParams: listParams(after), Status: sgo.String("all")}
	return collect(api.V1Subscriptions.List(ctx, params), mapSubscription)
}
