package identity

import (
	"context"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// Split moves identities of a customer to a new customer, with their
// orders and records, and stamps both sides with different no-merge groups
// so resolution never merges them back. Each side stays one customer even
// where no key links its identities any more: a person asked for exactly
// this cut. It returns the new customer's ID.
//
// Errors: ErrNotFound for an unknown customer, ErrInvalid when an identity
// is not the customer's or the split would leave a side empty.
func (g *Sink) Split(ctx context.Context, orgID, customerID string, identityIDs []string) (string, error) {
	defer g.lock(orgID)()
	if _, err := g.store.GetCustomer(ctx, orgID, customerID); err != nil {
		return "", fmt.Errorf("split customer: %w", err)
	}
	members, err := g.store.ListCustomerIdentities(ctx, orgID, []string{customerID})
	if err != nil {
		return "", fmt.Errorf("split customer: %w", err)
	}
	moving, staying, err := partition(members, identityIDs)
	if err != nil {
		return "", fmt.Errorf("split customer: %w", err)
	}
	newID := g.newID()
	stampGroup(moving, "split:"+newID)
	stampGroup(staying, firstGroup(staying, "split:"+customerID))
	res := store.Resolution{Moved: map[string]string{}}
	for _, side := range []struct {
		ids  []store.Identity
		cust string
	}{{staying, customerID}, {moving, newID}} {
		c, links := keptTogether(orgID, side.cust, side.ids)
		res.Customers = append(res.Customers, c)
		res.Links = append(res.Links, links...)
		res.Identities = append(res.Identities, side.ids...)
	}
	for _, id := range moving {
		res.Moved[id.ID] = newID
	}
	if err := g.store.ApplyResolution(ctx, orgID, res); err != nil {
		return "", fmt.Errorf("split customer: %w", err)
	}
	return newID, nil
}

// partition splits a customer's identities into those named and the rest.
func partition(members []store.Identity, ids []string) (moving, staying []store.Identity, err error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	for _, m := range members {
		if want[m.ID] {
			moving = append(moving, m)
			delete(want, m.ID)
		} else {
			staying = append(staying, m)
		}
	}
	for id := range want {
		return nil, nil, omnify.Invalid("body.identity_ids", "identity %s is not one of this customer's", id)
	}
	if len(moving) == 0 || len(staying) == 0 {
		return nil, nil, omnify.Invalid("body.identity_ids", "name some but not all of the customer's identities")
	}
	return moving, staying, nil
}

func stampGroup(ids []store.Identity, group string) {
	for i := range ids {
		ids[i].NoMergeGroup = group
	}
}

func firstGroup(ids []store.Identity, fallback string) string {
	for _, id := range ids {
		if id.NoMergeGroup != "" {
			return id.NoMergeGroup
		}
	}
	return fallback
}

// keptTogether makes one customer of ids: links where keys join them, and a
// split link from each otherwise unconnected part to the first identity.
func keptTogether(orgID, custID string, ids []store.Identity) (omnify.Customer, []store.MergeLink) {
	r := NewResolver(len(ids))
	all := make([]int, len(ids))
	for i := range ids {
		ids[i].CustomerID = custID
		r.Add(ids[i].Email, ids[i].Phone, "", "")
		all[i] = i
	}
	var links []store.MergeLink
	for _, e := range r.Edges() {
		links = append(links, store.MergeLink{OrgID: orgID, CustomerID: custID, IdentityID: ids[e.A].ID,
			OtherIdentityID: ids[e.B].ID, Reason: e.Reason})
	}
	for _, comp := range r.Components()[1:] {
		links = append(links, store.MergeLink{OrgID: orgID, CustomerID: custID, IdentityID: ids[comp[0]].ID,
			OtherIdentityID: ids[0].ID, Reason: ReasonSplit})
	}
	return rollUp(orgID, custID, ids, all), links
}
