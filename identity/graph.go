package identity

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// Store is what the customer graph is persisted in.
type Store interface {
	store.IdentityStore
	store.CustomerStore
	store.CampaignStore
}

// namespace makes identity, customer and order IDs derived from platform
// keys stable, so storing a record twice or retrying a failed import writes
// the same rows.
var namespace = uuid.MustParse("6f6d6e69-6679-4964-8000-677261706831")

func derivedID(parts ...string) string {
	key := ""
	for _, p := range parts {
		key += p + "\x00"
	}
	return uuid.NewSHA1(namespace, []byte(key)).String()
}

// CampaignID is the ID of the campaign a platform knows by externalID.
func CampaignID(orgID, platform, externalID string) string {
	return derivedID("campaign", orgID, platform, externalID)
}

// IdentityID is the ID of the identity a platform knows by externalID.
func IdentityID(orgID, platform, externalID string) string {
	return derivedID("identity", orgID, platform, externalID)
}

// OrderID is the ID of a platform's order placed at placedAt. Its first
// 48 bits are the placing time in milliseconds, as in a UUIDv7, so orders
// arriving in time order append to the store's primary index instead of
// dirtying a random page each (about 40% faster ingest); the rest derives
// from the platform key, so the same order always gets the same ID. This
// relies on platforms never changing when an order was placed.
func OrderID(orgID, platform, externalID string, placedAt time.Time) string {
	u := uuid.NewSHA1(namespace, []byte("order\x00"+orgID+"\x00"+platform+"\x00"+externalID))
	ms := uint64(max(placedAt.UnixMilli(), 0))
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x80 // version 8: a custom layout
	return u.String()
}

// subgraph is the part of an org's graph a batch touches: the incoming
// identities, every stored identity sharing a key with them, and every
// identity of the customers those belong to.
type subgraph struct {
	ids      []store.Identity  // sorted by ID
	existing map[string]bool   // customer IDs already stored
	before   map[string]string // identity ID → its stored customer ID
}

func (g *Sink) loadSubgraph(ctx context.Context, orgID string, incoming []store.Identity) (*subgraph, error) {
	byID := map[string]store.Identity{}
	known, err := g.knownIdentities(ctx, orgID, incoming)
	if err != nil {
		return nil, err
	}
	for _, id := range known {
		byID[id.ID] = id
	}
	for _, in := range incoming {
		if old, ok := byID[in.ID]; ok {
			in.CustomerID, in.NoMergeGroup = old.CustomerID, old.NoMergeGroup
		}
		byID[in.ID] = in
	}
	sg := &subgraph{existing: map[string]bool{}, before: map[string]string{}}
	for _, id := range byID {
		sg.ids = append(sg.ids, id)
		if id.CustomerID != "" {
			sg.existing[id.CustomerID] = true
			sg.before[id.ID] = id.CustomerID
		}
	}
	sort.Slice(sg.ids, func(i, j int) bool { return sg.ids[i].ID < sg.ids[j].ID })
	return sg, nil
}

// knownIdentities reads the stored identities a batch touches.
func (g *Sink) knownIdentities(ctx context.Context, orgID string, incoming []store.Identity) ([]store.Identity, error) {
	extByPlatform := map[string][]string{}
	var emails, phones []string
	for _, in := range incoming {
		extByPlatform[in.Platform] = append(extByPlatform[in.Platform], in.ExternalID)
		if in.Email != "" {
			emails = append(emails, in.Email)
		}
		if in.Phone != "" {
			phones = append(phones, in.Phone)
		}
	}
	var found []store.Identity
	for p, ext := range extByPlatform {
		ids, err := g.store.GetIdentitiesByExternalID(ctx, orgID, p, ext)
		if err != nil {
			return nil, fmt.Errorf("load identities: %w", err)
		}
		found = append(found, ids...)
	}
	byKey, err := g.store.FindIdentitiesByKey(ctx, orgID, emails, phones)
	if err != nil {
		return nil, fmt.Errorf("load identities by key: %w", err)
	}
	found = append(found, byKey...)
	custs := map[string]bool{}
	var custIDs []string
	for _, id := range found {
		if id.CustomerID != "" && !custs[id.CustomerID] {
			custs[id.CustomerID] = true
			custIDs = append(custIDs, id.CustomerID)
		}
	}
	members, err := g.store.ListCustomerIdentities(ctx, orgID, custIDs)
	if err != nil {
		return nil, fmt.Errorf("load customers' identities: %w", err)
	}
	return append(found, members...), nil
}

// resolve runs the resolver over a subgraph and returns the resolution to
// write; sg.ids get their customer IDs.
func (g *Sink) resolve(orgID string, sg *subgraph) store.Resolution {
	r := NewResolver(len(sg.ids))
	shared := sharedKeys(sg.ids, g.opts.MaxKeyShare)
	for _, id := range sg.ids {
		email, phone := id.Email, id.Phone
		if shared["e\x00"+email] {
			email = ""
		}
		if shared["p\x00"+phone] {
			phone = ""
		}
		r.Add(email, phone, "", id.NoMergeGroup)
	}
	comps := r.Components()
	custIDs := g.assignCustomers(orgID, sg, comps)
	res := store.Resolution{Merged: map[string]string{}, Moved: map[string]string{}}
	claimed := map[string]bool{}
	for c, comp := range comps {
		for _, n := range comp {
			sg.ids[n].CustomerID = custIDs[c]
			if old := sg.before[sg.ids[n].ID]; old != "" && old != custIDs[c] {
				res.Moved[sg.ids[n].ID] = custIDs[c]
			}
		}
		claimed[custIDs[c]] = true
		res.Customers = append(res.Customers, rollUp(orgID, custIDs[c], sg.ids, comp))
	}
	for _, e := range r.Edges() {
		a, b := sg.ids[e.A], sg.ids[e.B]
		res.Links = append(res.Links, store.MergeLink{OrgID: orgID, CustomerID: a.CustomerID,
			IdentityID: a.ID, OtherIdentityID: b.ID, Reason: e.Reason})
	}
	recordMerges(sg, comps, custIDs, claimed, res.Merged)
	res.Identities = sg.ids
	return res
}

// sharedKeys returns the emails and phones more than max identities hold:
// placeholders ("none@none.com", a shop's own number) that would otherwise
// merge strangers into one customer and let one stranger's refusal of
// marketing silence them all.
func sharedKeys(ids []store.Identity, max int) map[string]bool {
	n := map[string]int{}
	for _, id := range ids {
		if id.Email != "" {
			n["e\x00"+id.Email]++
		}
		if id.Phone != "" {
			n["p\x00"+id.Phone]++
		}
	}
	out := map[string]bool{}
	for k, c := range n {
		if c > max {
			out[k] = true
		}
	}
	return out
}

// assignCustomers gives each component a customer ID: the stored customer
// most of its members already belong to (ties: the smaller ID), each stored
// customer going to one component only; otherwise a new ID.
func (g *Sink) assignCustomers(orgID string, sg *subgraph, comps [][]int) []string {
	best := map[string]claim{}
	for c, comp := range comps {
		votes := map[string]int{}
		for _, n := range comp {
			if id := sg.ids[n].CustomerID; id != "" {
				votes[id]++
			}
		}
		for id, v := range votes {
			if b, ok := best[id]; !ok || v > b.votes {
				best[id] = claim{c, v}
			}
		}
	}
	out := make([]string, len(comps))
	for c, comp := range comps {
		for _, n := range comp {
			id := sg.ids[n].CustomerID
			if id != "" && best[id].comp == c && (out[c] == "" || preferCustomer(id, out[c], best)) {
				out[c] = id
			}
		}
		if out[c] == "" {
			out[c] = g.newCustomerID(orgID, sg, comp)
		}
	}
	return out
}

// claim is a stored customer's best component and how many of that
// component's identities belong to it.
type claim struct{ comp, votes int }

func preferCustomer(a, b string, best map[string]claim) bool {
	if best[a].votes != best[b].votes {
		return best[a].votes > best[b].votes
	}
	return a < b
}

// newCustomerID derives a new customer's ID from its first identity, so a
// retried batch creates the same customer, unless that ID is taken.
func (g *Sink) newCustomerID(orgID string, sg *subgraph, comp []int) string {
	id := derivedID("customer", orgID, sg.ids[comp[0]].ID)
	if sg.existing[id] {
		return g.newID()
	}
	return id
}

// recordMerges maps each stored customer no component kept to the customer
// that took most of its identities.
func recordMerges(sg *subgraph, comps [][]int, custIDs []string, claimed map[string]bool, merged map[string]string) {
	for old := range sg.existing {
		if claimed[old] {
			continue
		}
		for c, comp := range comps {
			for _, n := range comp {
				if sg.before[sg.ids[n].ID] == old {
					merged[old] = custIDs[c]
				}
			}
			if merged[old] != "" {
				break
			}
		}
	}
}

// rollUp builds the unified customer of a component: the freshest email,
// name and phone among its identities, consent rolled up, every platform.
func rollUp(orgID, custID string, ids []store.Identity, comp []int) omnify.Customer {
	members := make([]store.Identity, len(comp))
	for i, n := range comp {
		members[i] = ids[n]
	}
	sort.SliceStable(members, func(i, j int) bool { return members[i].UpdatedAt.After(members[j].UpdatedAt) })
	c := omnify.Customer{ID: custID, OrgID: orgID}
	platforms := map[string]bool{}
	consents := make([]omnify.Consent, 0, len(members))
	var updated time.Time
	for _, m := range members {
		c.Email = firstNonEmpty(c.Email, m.Email)
		c.Name = firstNonEmpty(c.Name, m.Name)
		c.Phone = firstNonEmpty(c.Phone, m.Phone)
		consents = append(consents, m.Consent)
		platforms[m.Platform] = true
		if m.UpdatedAt.After(updated) {
			updated = m.UpdatedAt
		}
	}
	c.Consent = RollUpConsent(consents...)
	for p := range platforms {
		c.Platforms = append(c.Platforms, p)
	}
	sort.Strings(c.Platforms)
	c.UpdatedAt = updated
	return c
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
