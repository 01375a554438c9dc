package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
)

// Batch sizes: HubSpot's CRM batch endpoints take 100 inputs; membership
// changes take far more record IDs per call, but 1,000 keeps one request
// small enough to retry cheaply.
const (
	crmBatch        = 100
	membershipBatch = 1000
	contactTypeID   = "0-1"
)

// hsList is a list (segment) definition.
type hsList struct {
	ListID         string `json:"listId"`
	Name           string `json:"name"`
	ProcessingType string `json:"processingType"`
}

// Push adds and removes a segment's members on a static contact list.
// Members without a HubSpot contact ID are looked up by email with batch
// read (idProperty email); people to add whom HubSpot does not know are
// created with batch create — create rather than upsert, so existing
// contacts' names and phones are never overwritten. A member HubSpot
// refuses (invalid email, unknown ID) is reported in Failed.
func (c *Connector) Push(ctx context.Context, conn connector.Connection, req connector.PushRequest) (connector.PushResult, error) {
	if err := validatePush(req); err != nil {
		return connector.PushResult{}, err
	}
	cl, err := c.client(conn)
	if err != nil {
		return connector.PushResult{}, err
	}
	l, err := cl.findOrCreateList(ctx, strings.TrimSpace(req.Destination))
	if err != nil {
		return connector.PushResult{}, fmt.Errorf("hubspot push to %q: %w", req.Destination, err)
	}
	res := connector.PushResult{DestinationID: l.ListID}
	add, err := cl.resolve(ctx, req.Add, true, &res)
	if err != nil {
		return res, fmt.Errorf("hubspot push to list %s: %w", l.ListID, err)
	}
	remove, err := cl.resolve(ctx, req.Remove, false, &res)
	if err != nil {
		return res, fmt.Errorf("hubspot push to list %s: %w", l.ListID, err)
	}
	if res.Added, err = cl.changeMembers(ctx, l.ListID, "add", add, &res); err != nil {
		return res, fmt.Errorf("hubspot push to list %s: %w", l.ListID, err)
	}
	if res.Removed, err = cl.changeMembers(ctx, l.ListID, "remove", remove, &res); err != nil {
		return res, fmt.Errorf("hubspot push to list %s: %w", l.ListID, err)
	}
	return res, nil
}

func validatePush(req connector.PushRequest) error {
	switch {
	case req.Action != ActionAddToList:
		return fmt.Errorf("hubspot push: %w", omnify.Invalid("action", "HubSpot offers %q, not %q", ActionAddToList, req.Action))
	case strings.TrimSpace(req.Destination) == "":
		return fmt.Errorf("hubspot push: %w", omnify.Invalid("destination", "a list name or ID is required"))
	case len(req.Add)+len(req.Remove) > connector.MaxPushBatch:
		return fmt.Errorf("hubspot push: %w", omnify.Invalid("add", "at most %d members per push, got %d",
			connector.MaxPushBatch, len(req.Add)+len(req.Remove)))
	}
	return nil
}

// findOrCreateList finds the list by ID (all digits) or by name, and
// creates a MANUAL list by that name when there is none.
func (cl *client) findOrCreateList(ctx context.Context, dest string) (hsList, error) {
	var out struct {
		List hsList `json:"list"`
	}
	if isDigits(dest) {
		err := cl.do(ctx, http.MethodGet, "/crm/v3/lists/"+dest, nil, &out)
		if err == nil {
			return out.List, checkStatic(out.List)
		}
		if statusOf(err) != http.StatusNotFound {
			return hsList{}, err
		}
	}
	err := cl.do(ctx, http.MethodGet, "/crm/v3/lists/object-type-id/"+contactTypeID+"/name/"+url.PathEscape(dest), nil, &out)
	if err == nil {
		return out.List, checkStatic(out.List)
	}
	if statusOf(err) != http.StatusNotFound {
		return hsList{}, err
	}
	body := map[string]string{"name": dest, "objectTypeId": contactTypeID, "processingType": "MANUAL"}
	if err := cl.do(ctx, http.MethodPost, "/crm/v3/lists", body, &out); err != nil {
		return hsList{}, fmt.Errorf("create list: %w", err)
	}
	return out.List, nil
}

// checkStatic refuses active lists: HubSpot changes their members itself.
func checkStatic(l hsList) error {
	if l.ProcessingType == "DYNAMIC" {
		return fmt.Errorf("list %s (%q) is an active list; HubSpot lets only static (MANUAL or SNAPSHOT) lists change members: %w",
			l.ListID, l.Name, connector.ErrPermanent)
	}
	return nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// target is a member with its HubSpot contact ID.
type target struct {
	m  connector.Member
	id string
}

// resolve finds each member's contact ID. Members to add whom HubSpot
// does not know are created; members to remove whom it does not know are
// already absent and dropped.
func (cl *client) resolve(ctx context.Context, ms []connector.Member, create bool, res *connector.PushResult) ([]target, error) {
	var out []target
	byEmail := map[string][]connector.Member{}
	var emails []string
	for _, m := range ms {
		email := strings.ToLower(strings.TrimSpace(m.Email))
		switch {
		case m.ExternalID != "":
			out = append(out, target{m: m, id: m.ExternalID})
		case !validEmail(email):
			res.Failed = append(res.Failed, connector.PushFailure{CustomerID: m.CustomerID,
				Reason: "HubSpot: no contact ID and no valid email to find or create the contact by"})
		default:
			if byEmail[email] == nil {
				emails = append(emails, email)
			}
			byEmail[email] = append(byEmail[email], m)
		}
	}
	ids, err := cl.lookupEmails(ctx, emails)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, email := range emails {
		if id, ok := ids[email]; ok {
			for _, m := range byEmail[email] {
				out = append(out, target{m: m, id: id})
			}
		} else if create {
			missing = append(missing, email)
		}
	}
	created, err := cl.createContacts(ctx, missing, byEmail, res)
	if err != nil {
		return nil, err
	}
	return append(out, created...), nil
}

func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e && strings.Contains(e[strings.LastIndexByte(e, '@'):], ".")
}

type batchAnswer struct {
	Results []object `json:"results"`
}

// lookupEmails reads contacts by email, 100 per request.
func (cl *client) lookupEmails(ctx context.Context, emails []string) (map[string]string, error) {
	out := map[string]string{}
	for chunk := range chunks(emails, crmBatch) {
		inputs := make([]map[string]string, len(chunk))
		for i, e := range chunk {
			inputs[i] = map[string]string{"id": e}
		}
		body := map[string]any{"idProperty": "email", "properties": []string{"email"}, "inputs": inputs}
		var ans batchAnswer
		if err := cl.do(ctx, http.MethodPost, "/crm/v3/objects/contacts/batch/read", body, &ans); err != nil {
			return nil, fmt.Errorf("look up contacts by email: %w", err)
		}
		for _, o := range ans.Results {
			out[strings.ToLower(o.prop("email"))] = o.ID
		}
	}
	return out, nil
}

// createContacts creates contacts 100 per request. HubSpot refuses a
// whole batch for one bad input, so a refused batch is retried one
// contact at a time to find out whom it refused.
func (cl *client) createContacts(ctx context.Context, emails []string, byEmail map[string][]connector.Member, res *connector.PushResult) ([]target, error) {
	var out []target
	for chunk := range chunks(emails, crmBatch) {
		got, err := cl.createBatch(ctx, chunk, byEmail)
		if err != nil && errors.Is(err, connector.ErrPermanent) {
			got, err = nil, nil
			for _, e := range chunk {
				one, oerr := cl.createOne(ctx, e, byEmail, res)
				if oerr != nil {
					return nil, oerr
				}
				got = append(got, one...)
			}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// createOne creates one contact; a refusal is the member's failure, and a
// conflict means someone created the contact since the lookup, so it is
// looked up again.
func (cl *client) createOne(ctx context.Context, email string, byEmail map[string][]connector.Member, res *connector.PushResult) ([]target, error) {
	got, err := cl.createBatch(ctx, []string{email}, byEmail)
	if statusOf(err) == http.StatusConflict {
		got, err = cl.existing(ctx, email, byEmail)
	}
	if err != nil && errors.Is(err, connector.ErrPermanent) {
		fail(res, byEmail[email], "HubSpot refused to create the contact: "+vendorMessage(err))
		return nil, nil
	}
	return got, err
}

// existing finds a contact a create found already there.
func (cl *client) existing(ctx context.Context, email string, byEmail map[string][]connector.Member) ([]target, error) {
	ids, err := cl.lookupEmails(ctx, []string{email})
	if err != nil {
		return nil, err
	}
	id, ok := ids[email]
	if !ok {
		return nil, fmt.Errorf("contact %s exists but cannot be read: %w", email, connector.ErrPermanent)
	}
	out := make([]target, 0, len(byEmail[email]))
	for _, m := range byEmail[email] {
		out = append(out, target{m: m, id: id})
	}
	return out, nil
}

func (cl *client) createBatch(ctx context.Context, emails []string, byEmail map[string][]connector.Member) ([]target, error) {
	inputs := make([]map[string]map[string]string, len(emails))
	for i, e := range emails {
		m := byEmail[e][0]
		props := map[string]string{"email": e}
		for k, v := range map[string]string{"firstname": m.FirstName, "lastname": m.LastName, "phone": m.Phone} {
			if v != "" {
				props[k] = v
			}
		}
		inputs[i] = map[string]map[string]string{"properties": props}
	}
	var ans batchAnswer
	if err := cl.do(ctx, http.MethodPost, "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": inputs}, &ans); err != nil {
		return nil, fmt.Errorf("create contacts: %w", err)
	}
	var out []target
	for _, o := range ans.Results {
		for _, m := range byEmail[strings.ToLower(o.prop("email"))] {
			out = append(out, target{m: m, id: o.ID})
		}
	}
	return out, nil
}

func fail(res *connector.PushResult, ms []connector.Member, reason string) {
	for _, m := range ms {
		res.Failed = append(res.Failed, connector.PushFailure{CustomerID: m.CustomerID, Reason: reason})
	}
}

// vendorMessage is HubSpot's own words in an error, for failure reasons.
func vendorMessage(err error) string {
	var se *statusError
	if errors.As(err, &se) && se.Message != "" {
		return se.Message
	}
	return err.Error()
}

// membershipAnswer is the answer of memberships/add and /remove. HubSpot's
// older reference spells the added IDs recordsIdsAdded; both are read.
type membershipAnswer struct {
	Added    []string `json:"recordIdsAdded"`
	AddedOld []string `json:"recordsIdsAdded"`
	Removed  []string `json:"recordIdsRemoved"`
	Missing  []string `json:"recordIdsMissing"`
}

// changeMembers adds or removes the targets and returns how many are now
// where they should be; IDs HubSpot does not know are failures.
func (cl *client) changeMembers(ctx context.Context, listID, op string, ts []target, res *connector.PushResult) (int, error) {
	byID := map[string][]connector.Member{}
	var ids []string
	for _, t := range ts {
		if byID[t.id] == nil {
			ids = append(ids, t.id)
		}
		byID[t.id] = append(byID[t.id], t.m)
	}
	done := 0
	for chunk := range chunks(ids, membershipBatch) {
		var ans membershipAnswer
		if err := cl.do(ctx, http.MethodPut, "/crm/v3/lists/"+listID+"/memberships/"+op, chunk, &ans); err != nil {
			return done, fmt.Errorf("%s members: %w", op, err)
		}
		missing := map[string]bool{}
		for _, id := range ans.Missing {
			missing[id] = true
			// A contact that no longer exists is in no list: only an add
			// of it failed.
			if op == "add" {
				fail(res, byID[id], "HubSpot has no contact with ID "+id)
			}
		}
		for _, id := range chunk {
			if !missing[id] {
				done += len(byID[id])
			}
		}
	}
	return done, nil
}

// chunks yields s in pieces of at most n.
func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}
