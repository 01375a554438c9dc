package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/store"
)

// Options tunes a Sink. The zero value is ready to use.
type Options struct {
	// PhoneRegion is the region national phone numbers are read in (ISO
	// 3166 alpha-2). Default "US".
	PhoneRegion string
	// Now stamps records that carry no update time. Default time.Now.
	Now func() time.Time
	// NewID makes IDs that cannot be derived from platform keys (customers
	// created by a split). Default UUIDv7.
	NewID func() string
	// MaxKeyShare is how many identities may share an email or phone for it
	// to still identify one person; a key shared more widely is a
	// placeholder and merges nothing. Default 20.
	MaxKeyShare int
}

// WithDefaults returns o with zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.PhoneRegion == "" {
		o.PhoneRegion = "US"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewID == nil {
		o.NewID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if o.MaxKeyShare <= 0 {
		o.MaxKeyShare = 20
	}
	return o
}

// Sink stores connector records into the customer graph: customers become
// source identities resolved into unified customers, orders are attached
// to the unified customer of the platform customer (or of their email), and
// products, subscriptions and invoices are kept as source records. Storing
// the same records again writes the same rows.
//
// Resolution reads then writes the part of the graph a batch touches, so a
// Sink stores one batch per org at a time; several processes writing one
// org's graph at once (workers of the scale setup) need an outside lock.
type Sink struct {
	store Store
	opts  Options
	locks sync.Map // org ID → *sync.Mutex
}

// lock serialises graph writes of one org.
func (g *Sink) lock(orgID string) func() {
	m, _ := g.locks.LoadOrStore(orgID, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// NewSink returns a sink writing to st.
func NewSink(st Store, opts Options) *Sink {
	return &Sink{store: st, opts: opts.WithDefaults()}
}

func (g *Sink) newID() string { return g.opts.NewID() }

// Store writes a batch of one connection's records. Customers are resolved
// first so that orders of the same batch find them.
func (g *Sink) Store(ctx context.Context, orgID, connectionID, platform string, recs []connector.Record) error {
	if orgID == "" || platform == "" {
		return fmt.Errorf("store records: %w", omnify.Invalid("platform", "org and platform are required"))
	}
	defer g.lock(orgID)()
	var custs, campaigns, rest []connector.Record
	for _, r := range recs {
		if r.ExternalID == "" {
			return fmt.Errorf("store records of connection %s: %w", connectionID,
				omnify.Invalid("external_id", "a %s record has no external ID", r.Stream))
		}
		switch {
		case r.Customer != nil || (r.Deleted && r.Stream == "customers"):
			custs = append(custs, r)
		case r.Campaign != nil || r.CampaignMetric != nil:
			campaigns = append(campaigns, r)
		default:
			rest = append(rest, r)
		}
	}
	if err := g.storeCampaigns(ctx, orgID, platform, dedupe(campaigns)); err != nil {
		return fmt.Errorf("store campaigns of connection %s: %w", connectionID, err)
	}
	if err := g.storeCustomers(ctx, orgID, platform, dedupe(custs)); err != nil {
		return fmt.Errorf("store customers of connection %s: %w", connectionID, err)
	}
	if err := g.storeRecords(ctx, orgID, platform, dedupe(rest)); err != nil {
		return fmt.Errorf("store records of connection %s: %w", connectionID, err)
	}
	return nil
}

// dedupe keeps the last record of each (stream, external ID): a batch may
// carry an update of a record it already holds.
func dedupe(recs []connector.Record) []connector.Record {
	last := make(map[string]int, len(recs))
	for i, r := range recs {
		last[r.Stream+"\x00"+r.ExternalID] = i
	}
	if len(last) == len(recs) {
		return recs
	}
	out := make([]connector.Record, 0, len(last))
	for i, r := range recs {
		if last[r.Stream+"\x00"+r.ExternalID] == i {
			out = append(out, r)
		}
	}
	return out
}

func (g *Sink) storeCustomers(ctx context.Context, orgID, platform string, recs []connector.Record) error {
	if len(recs) == 0 {
		return nil
	}
	incoming := make([]store.Identity, len(recs))
	for i, r := range recs {
		incoming[i] = g.identityOf(orgID, platform, r)
	}
	_, err := g.resolveAndApply(ctx, orgID, incoming, nil)
	return err
}

// identityOf maps a customer record to its identity; a deleted customer
// keeps its identity with its personal data erased.
func (g *Sink) identityOf(orgID, platform string, r connector.Record) store.Identity {
	c := r.Customer
	id := store.Identity{ID: IdentityID(orgID, platform, r.ExternalID), OrgID: orgID, Platform: platform,
		ExternalID: r.ExternalID, Consent: omnify.ConsentUnknown, UpdatedAt: g.stamp(r.UpdatedAt)}
	if r.Deleted {
		return id
	}
	id.Email = NormalizeEmail(c.Email)
	id.Phone = NormalizePhone(c.Phone, g.opts.PhoneRegion)
	id.Name = strings.TrimSpace(strings.TrimSpace(c.FirstName) + " " + strings.TrimSpace(c.LastName))
	id.Consent = ParseConsent(c.Consent)
	return id
}

func (g *Sink) stamp(t time.Time) time.Time {
	if t.IsZero() {
		return g.opts.Now().UTC()
	}
	return t.UTC()
}

// resolveAndApply resolves incoming identities against the stored graph
// and writes the outcome with extra (orders, records) in one transaction.
// It returns the customer ID of every resolved identity.
func (g *Sink) resolveAndApply(ctx context.Context, orgID string, incoming []store.Identity, extra func(map[string]string) store.Resolution) (map[string]string, error) {
	sg, err := g.loadSubgraph(ctx, orgID, incoming)
	if err != nil {
		return nil, err
	}
	res := g.resolve(orgID, sg)
	custOf := make(map[string]string, len(sg.ids))
	for _, id := range sg.ids {
		custOf[id.ID] = id.CustomerID
	}
	if extra != nil {
		x := extra(custOf)
		res.Orders, res.Records, res.DeleteRecords = x.Orders, x.Records, x.DeleteRecords
	}
	if err := g.store.ApplyResolution(ctx, orgID, res); err != nil {
		return nil, err
	}
	return custOf, nil
}

// owner is the identity a non-customer record belongs to.
type owner struct {
	externalID string // the platform customer, or "email:<address>" for guests
	email      string
}

func ownerOf(r connector.Record) owner {
	var ext, email string
	switch {
	case r.Order != nil:
		ext, email = r.Order.CustomerExternalID, NormalizeEmail(r.Order.Email)
	case r.Subscription != nil:
		ext = r.Subscription.CustomerExternalID
	case r.Invoice != nil:
		ext = r.Invoice.CustomerExternalID
	case r.Event != nil:
		ext, email = r.Event.CustomerExternalID, NormalizeEmail(r.Event.Email)
	}
	if ext == "" && email != "" {
		ext = "email:" + email
	}
	return owner{externalID: ext, email: email}
}

// storeRecords attaches orders, subscriptions and invoices to their
// customers (creating an identity for a platform customer not seen yet, so
// it resolves by email now and fills in when the customer arrives) and
// writes everything in one transaction.
func (g *Sink) storeRecords(ctx context.Context, orgID, platform string, recs []connector.Record) error {
	if len(recs) == 0 {
		return nil
	}
	owners := make([]owner, len(recs))
	var exts []string
	for i, r := range recs {
		owners[i] = ownerOf(r)
		if owners[i].externalID != "" {
			exts = append(exts, owners[i].externalID)
		}
	}
	known, err := g.store.GetIdentitiesByExternalID(ctx, orgID, platform, exts)
	if err != nil {
		return fmt.Errorf("load record owners: %w", err)
	}
	custOf := make(map[string]string, len(known))
	for _, id := range known {
		custOf[id.ID] = id.CustomerID
	}
	incoming := g.missingOwners(orgID, platform, recs, owners, custOf)
	build := func(resolved map[string]string) store.Resolution {
		for k, v := range resolved {
			custOf[k] = v
		}
		return g.recordsResolution(orgID, platform, recs, owners, custOf)
	}
	if len(incoming) == 0 {
		return g.store.ApplyResolution(ctx, orgID, build(nil))
	}
	_, err = g.resolveAndApply(ctx, orgID, incoming, build)
	return err
}

// missingOwners returns new identities for owners not stored yet.
func (g *Sink) missingOwners(orgID, platform string, recs []connector.Record, owners []owner, custOf map[string]string) []store.Identity {
	seen := map[string]bool{}
	var out []store.Identity
	for i, o := range owners {
		if o.externalID == "" {
			continue
		}
		id := IdentityID(orgID, platform, o.externalID)
		if _, ok := custOf[id]; ok || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, store.Identity{ID: id, OrgID: orgID, Platform: platform, ExternalID: o.externalID,
			Email: o.email, Consent: omnify.ConsentUnknown, UpdatedAt: g.stamp(recs[i].UpdatedAt)})
	}
	return out
}

// recordsResolution turns records into the orders and source records to
// write, each under its owner's customer.
func (g *Sink) recordsResolution(orgID, platform string, recs []connector.Record, owners []owner, custOf map[string]string) store.Resolution {
	var res store.Resolution
	for i, r := range recs {
		var identityID, custID string
		if owners[i].externalID != "" {
			identityID = IdentityID(orgID, platform, owners[i].externalID)
			custID = custOf[identityID]
		}
		sr := store.SourceRecord{OrgID: orgID, Platform: platform, Stream: streamOf(r), ExternalID: r.ExternalID,
			CustomerID: custID, IdentityID: identityID, UpdatedAt: g.stamp(r.UpdatedAt)}
		if r.Deleted {
			// The record's own order goes with it (see DeleteRecords).
			res.DeleteRecords = append(res.DeleteRecords, sr)
			continue
		}
		sr.Data = payload(r)
		res.Records = append(res.Records, sr)
		if r.Order != nil {
			res.Orders = append(res.Orders, orderOf(orgID, platform, custID, r))
		}
	}
	return res
}

// streamOf names a record's stream; orders are always "orders", so that an
// order's source record can be found from the order.
func streamOf(r connector.Record) string {
	if r.Order != nil {
		return "orders"
	}
	if r.Stream != "" {
		return r.Stream
	}
	switch {
	case r.Product != nil:
		return "products"
	case r.Subscription != nil:
		return "subscriptions"
	case r.Invoice != nil:
		return "invoices"
	case r.Event != nil:
		return "events"
	case r.Object != nil:
		return r.Object.Kind + "s"
	}
	return "records"
}

func payload(r connector.Record) json.RawMessage {
	var v any
	switch {
	case r.Order != nil:
		v = orderPayloadOf(r.Order)
	case r.Product != nil:
		v = r.Product
	case r.Subscription != nil:
		v = r.Subscription
	case r.Invoice != nil:
		v = r.Invoice
	case r.Event != nil:
		v = r.Event
	case r.Object != nil:
		v = objectPayload{Kind: r.Object.Kind, Name: r.Object.Name, Attributes: r.Object.Attributes}
	default:
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil { // plain structs of strings, numbers and times always marshal
		return nil
	}
	return b
}

// objectPayload is what a vendor object's source record keeps.
type objectPayload struct {
	Kind       string          `json:"kind"`
	Name       string          `json:"name,omitempty"`
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// OrderPayload is what an order's source record keeps: everything the
// unified order row does not, in a compact form (empty fields left out).
type OrderPayload struct {
	CustomerExternalID string        `json:"customer_external_id,omitempty"`
	Email              string        `json:"email,omitempty"`
	PlacedAt           time.Time     `json:"placed_at"`
	Currency           string        `json:"currency"`
	TotalMinor         int64         `json:"total_minor"`
	DiscountMinor      int64         `json:"discount_minor,omitempty"`
	RefundedMinor      int64         `json:"refunded_minor,omitempty"`
	Status             string        `json:"status,omitempty"`
	Lines              []LinePayload `json:"lines,omitempty"`
}

// LinePayload is one line item of an OrderPayload.
type LinePayload struct {
	ProductExternalID string `json:"product_external_id,omitempty"`
	SKU               string `json:"sku,omitempty"`
	Title             string `json:"title,omitempty"`
	Quantity          int64  `json:"quantity"`
	PriceMinor        int64  `json:"price_minor"`
}

func orderPayloadOf(o *connector.Order) OrderPayload {
	p := OrderPayload{CustomerExternalID: o.CustomerExternalID, Email: o.Email, PlacedAt: o.PlacedAt.UTC(),
		Currency: strings.ToUpper(o.Currency), TotalMinor: o.TotalMinor, DiscountMinor: o.DiscountMinor,
		RefundedMinor: o.RefundedMinor, Status: o.Status}
	for _, l := range o.Lines {
		p.Lines = append(p.Lines, LinePayload{ProductExternalID: l.ProductExternalID, SKU: l.SKU, Title: l.Title,
			Quantity: l.Quantity, PriceMinor: l.PriceMinor})
	}
	return p
}

// orderOf is the order as the unified graph counts it: what the customer
// paid and kept, total minus refunds.
func orderOf(orgID, platform, custID string, r connector.Record) omnify.Order {
	o := r.Order
	return omnify.Order{ID: OrderID(orgID, platform, r.ExternalID, o.PlacedAt), OrgID: orgID, CustomerID: custID,
		Platform: platform, ExternalID: r.ExternalID, PlacedAt: o.PlacedAt.UTC(),
		AmountMinor: o.TotalMinor - o.RefundedMinor, Currency: strings.ToUpper(o.Currency)}
}
