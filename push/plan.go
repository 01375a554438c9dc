package push

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/store"
)

// plan is what one push attempt has to do.
type plan struct {
	add    []connector.Member
	remove []connector.Member
	// forget are recorded members who no longer exist in OmniFy (merged
	// into another customer or erased): they cannot be named to the
	// platform, so they leave the record without a call.
	forget []string
	// wanted counts the consented members of the segment; skipped those
	// without granted consent; missing those deleted or merged away since
	// the run.
	wanted, skipped, missing int
}

// makePlan diffs the segment's consented customers against the audience
// as recorded.
func (t *task) makePlan(ctx context.Context) (*plan, error) {
	wanted, p, err := t.wanted(ctx)
	if err != nil {
		return nil, err
	}
	pushed, err := t.pushed(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range sortedKeys(wanted) {
		if !pushed[id] {
			p.add = append(p.add, wanted[id])
		}
	}
	var gone []string
	for id := range pushed {
		if _, ok := wanted[id]; !ok {
			gone = append(gone, id)
		}
	}
	sort.Strings(gone)
	if p.remove, p.forget, err = t.members(ctx, gone); err != nil {
		return nil, err
	}
	return p, nil
}

// wanted reads the segment's scores page by page and keeps the customers
// whose current consent is granted. The customer's consent now decides, not
// the consent the run saw.
func (t *task) wanted(ctx context.Context) (map[string]connector.Member, *plan, error) {
	out := map[string]connector.Member{}
	p := &plan{}
	page := store.Page{Limit: store.MaxLimit}
	for {
		ss, next, err := t.e.cfg.Store.ListEyesScores(ctx, t.org, t.run.ID, store.ScoreFilter{SegmentID: t.p.SegmentID}, page)
		if err != nil {
			return nil, nil, fmt.Errorf("list segment %s: %w", t.p.SegmentID, err)
		}
		ids := make([]string, len(ss))
		for i, sc := range ss {
			ids[i] = sc.CustomerID
		}
		if err := t.consented(ctx, ids, out, p); err != nil {
			return nil, nil, err
		}
		if next == "" {
			p.wanted = len(out)
			return out, p, nil
		}
		page.After = next
	}
}

// consented adds the customers with granted consent to out, as members.
func (t *task) consented(ctx context.Context, ids []string, out map[string]connector.Member, p *plan) error {
	cs, missing, err := t.customers(ctx, ids)
	if err != nil {
		return err
	}
	p.missing += missing
	var keep []*omnify.Customer
	for _, c := range cs {
		if c.Consent == omnify.ConsentGranted {
			keep = append(keep, c)
		} else {
			p.skipped++
		}
	}
	ext, err := t.externalIDs(ctx, keep)
	if err != nil {
		return err
	}
	for _, c := range keep {
		out[c.ID] = member(c, ext[c.ID])
	}
	return nil
}

// customers loads customers by ID (at most store.MaxLimit, in one store
// call), skipping (and counting) those that no longer exist.
func (t *task) customers(ctx context.Context, ids []string) ([]*omnify.Customer, int, error) {
	cs, err := t.e.cfg.Store.GetCustomers(ctx, t.org, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("load customers: %w", err)
	}
	out := make([]*omnify.Customer, len(cs))
	for i := range cs {
		out[i] = &cs[i]
	}
	return out, len(ids) - len(cs), nil
}

// externalIDs maps customers to their ID on the destination platform, when
// the customer graph has one.
func (t *task) externalIDs(ctx context.Context, cs []*omnify.Customer) (map[string]string, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	idents, err := t.e.cfg.Store.ListCustomerIdentities(ctx, t.org, ids)
	if err != nil {
		return nil, fmt.Errorf("load identities: %w", err)
	}
	out := map[string]string{}
	for _, id := range idents {
		if id.Platform == t.platform && out[id.CustomerID] == "" {
			out[id.CustomerID] = id.ExternalID
		}
	}
	return out, nil
}

// members builds the members to remove, and returns apart the IDs of
// customers that no longer exist. Removing those by what the platform
// knows of them is not possible, and a merged-away customer lives on in
// the customer that absorbed them: removing them would remove that person.
func (t *task) members(ctx context.Context, ids []string) (out []connector.Member, gone []string, err error) {
	for start := 0; start < len(ids); start += store.MaxLimit {
		chunk := ids[start:min(start+store.MaxLimit, len(ids))]
		cs, _, err := t.customers(ctx, chunk)
		if err != nil {
			return nil, nil, err
		}
		ext, err := t.externalIDs(ctx, cs)
		if err != nil {
			return nil, nil, err
		}
		found := map[string]*omnify.Customer{}
		for _, c := range cs {
			found[c.ID] = c
		}
		for _, id := range chunk {
			if c := found[id]; c != nil {
				out = append(out, member(c, ext[id]))
			} else {
				gone = append(gone, id)
			}
		}
	}
	return out, gone, nil
}

// pushed returns the audience's recorded members.
func (t *task) pushed(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	page := store.Page{Limit: store.MaxLimit}
	for {
		ids, next, err := t.e.cfg.Store.ListAudienceMembers(ctx, t.org, t.p.ConnectionID, t.p.Destination, page)
		if err != nil {
			return nil, fmt.Errorf("list audience members: %w", err)
		}
		for _, id := range ids {
			out[id] = true
		}
		if next == "" {
			return out, nil
		}
		page.After = next
	}
}

// member is a customer as a connector receives it.
func member(c *omnify.Customer, externalID string) connector.Member {
	first, last, _ := strings.Cut(strings.TrimSpace(c.Name), " ")
	return connector.Member{CustomerID: c.ID, Email: strings.ToLower(strings.TrimSpace(c.Email)), Phone: c.Phone,
		FirstName: first, LastName: strings.TrimSpace(last), ExternalID: externalID}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
