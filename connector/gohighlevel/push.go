package gohighlevel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/omnify-cloud/omnify/connector"
)

// BulkTagBatch is how many contacts one bulk tag call carries. HighLevel
// publishes no cap for /contacts/bulk/tags/update/{type}; 100 matches its
// page sizes and keeps a failed call cheap to repeat.
const BulkTagBatch = 100

// Push tags req.Add with the tag req.Destination and untags req.Remove.
//
// Members are found by their HighLevel contact ID when the customer graph
// knows one. Members to add without one are upserted by email (POST
// /contacts/upsert, which finds the location's contact with that email or
// creates it). Members to remove without one are looked up by email (GET
// /contacts/search/duplicate); one HighLevel does not know holds no tag, so
// there is nothing to remove. Tags then change through
// POST /contacts/bulk/tags/update/{add|remove}, BulkTagBatch contacts a
// call, whose per-contact answers become PushFailures. Tagging a tagged
// contact or untagging an untagged one changes nothing, so a repeated push
// is harmless.
func (c *Connector) Push(ctx context.Context, conn connector.Connection, req connector.PushRequest) (connector.PushResult, error) {
	tag := strings.ToLower(strings.TrimSpace(req.Destination))
	if err := validatePush(req, tag); err != nil {
		return connector.PushResult{}, err
	}
	cl, err := c.client(conn)
	if err != nil {
		return connector.PushResult{}, err
	}
	res := connector.PushResult{DestinationID: tag}
	add, err := cl.resolve(ctx, req.Add, true, &res)
	if err != nil {
		return res, err
	}
	if res.Added, err = cl.bulkTag(ctx, "add", tag, add.found, &res); err != nil {
		return res, err
	}
	remove, err := cl.resolve(ctx, req.Remove, false, &res)
	if err != nil {
		return res, err
	}
	removed, err := cl.bulkTag(ctx, "remove", tag, remove.found, &res)
	res.Removed = removed + remove.absent
	return res, err
}

func validatePush(req connector.PushRequest, tag string) error {
	switch {
	case req.Action != ActionAddTag:
		return fmt.Errorf("gohighlevel push: %w: action %q is not %q", connector.ErrInvalidConfig, req.Action, ActionAddTag)
	case tag == "":
		return fmt.Errorf("gohighlevel push: %w: destination (the tag name) is required", connector.ErrInvalidConfig)
	case len(req.Add)+len(req.Remove) > connector.MaxPushBatch:
		return fmt.Errorf("gohighlevel push: %w: %d members exceed the batch of %d", connector.ErrInvalidConfig,
			len(req.Add)+len(req.Remove), connector.MaxPushBatch)
	}
	return nil
}

// target is a member with its HighLevel contact ID.
type target struct {
	contactID  string
	customerID string
}

// resolved are the members found in HighLevel, and for removals the count
// of those HighLevel does not know (nothing to remove).
type resolved struct {
	found  []target
	absent int
}

// resolve finds each member's contact ID, creating contacts when create is
// set. A member the vendor refuses becomes a failure; a back-off or a
// refused credential ends the push.
func (cl *client) resolve(ctx context.Context, ms []connector.Member, create bool, res *connector.PushResult) (resolved, error) {
	var out resolved
	for _, m := range ms {
		if m.ExternalID != "" {
			out.found = append(out.found, target{m.ExternalID, m.CustomerID})
			continue
		}
		if m.Email == "" {
			res.Failed = append(res.Failed, connector.PushFailure{CustomerID: m.CustomerID, Reason: "HighLevel: no email and no HighLevel contact ID"})
			continue
		}
		id, err := cl.find(ctx, m, create)
		switch {
		case errors.Is(err, connector.ErrPermanent):
			res.Failed = append(res.Failed, connector.PushFailure{CustomerID: m.CustomerID, Reason: "HighLevel: " + err.Error()})
		case err != nil:
			return out, err
		case id == "":
			out.absent++
		default:
			out.found = append(out.found, target{id, m.CustomerID})
		}
	}
	return out.dedupe(), nil
}

// dedupe drops repeated contacts: two customers may map to one contact.
func (r resolved) dedupe() resolved {
	seen := map[string]bool{}
	var out []target
	for _, t := range r.found {
		if !seen[t.contactID] {
			seen[t.contactID] = true
			out = append(out, t)
		}
	}
	r.found = out
	return r
}

// find upserts (create) or looks up a member by email; "" when absent.
func (cl *client) find(ctx context.Context, m connector.Member, create bool) (string, error) {
	var out struct {
		Contact *struct {
			ID string `json:"id"`
		} `json:"contact"`
	}
	var err error
	if create {
		body := map[string]any{"locationId": cl.location, "email": m.Email, "source": "OmniFy"}
		for k, v := range map[string]string{"firstName": m.FirstName, "lastName": m.LastName, "phone": m.Phone} {
			if v != "" {
				body[k] = v
			}
		}
		err = cl.do(ctx, http.MethodPost, "/contacts/upsert", nil, body, &out)
	} else {
		err = cl.get(ctx, "/contacts/search/duplicate", url.Values{"locationId": {cl.location}, "email": {m.Email}}, &out)
	}
	if err != nil || out.Contact == nil {
		return "", err
	}
	return out.Contact.ID, nil
}

type bulkTagAnswer struct {
	Responses []struct {
		ContactID string `json:"contactId"`
		Message   string `json:"message"`
		Type      string `json:"type"`
	} `json:"responses"`
}

// bulkTag adds or removes tag on targets in batches and returns how many
// contacts succeeded; per-contact errors go to res.Failed.
func (cl *client) bulkTag(ctx context.Context, typ, tag string, ts []target, res *connector.PushResult) (int, error) {
	done := 0
	for start := 0; start < len(ts); start += BulkTagBatch {
		batch := ts[start:min(start+BulkTagBatch, len(ts))]
		ids := make([]string, len(batch))
		owner := map[string]string{}
		for i, t := range batch {
			ids[i], owner[t.contactID] = t.contactID, t.customerID
		}
		body := map[string]any{"contacts": ids, "tags": []string{tag}, "locationId": cl.location}
		var out bulkTagAnswer
		if err := cl.do(ctx, http.MethodPost, "/contacts/bulk/tags/update/"+typ, nil, body, &out); err != nil {
			return done, fmt.Errorf("gohighlevel push %s tag %q: %w", typ, tag, err)
		}
		for _, r := range out.Responses {
			if r.Type == "success" {
				done++
				continue
			}
			res.Failed = append(res.Failed, connector.PushFailure{CustomerID: owner[r.ContactID], Reason: "HighLevel: " + r.Message})
		}
	}
	return done, nil
}
