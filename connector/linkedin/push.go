package linkedin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
)

// MaxUserBatch is how many users one dmpSegments/{id}/users BATCH_CREATE
// carries; LinkedIn refuses larger batches.
const MaxUserBatch = 5000

// SegmentSettle is how long after creating a DMP segment LinkedIn wants a
// client to wait before streaming users into it (about 5 seconds).
const SegmentSettle = 5 * time.Second

// HashEmail is what LinkedIn matches members on: the hex SHA-256 of the
// trimmed, lower-cased email. Plain emails never leave OmniFy.
func HashEmail(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

type userID struct {
	IDType  string `json:"idType"`
	IDValue string `json:"idValue"`
}

type userElement struct {
	Action  string   `json:"action"`
	UserIDs []userID `json:"userIds"`
}

// pending is one member's element and who it is for.
type pending struct {
	customerID string
	el         userElement
	ok         bool // LinkedIn confirmed it
}

// Push adds and removes members of a matched audience: the USER DMP
// segment named (or numbered) req.Destination in the audience account,
// created when missing. Members go as hashed emails in batches of
// MaxUserBatch; members without a usable email, and those LinkedIn refuses,
// come back as failures. Repeating a push is harmless: adding a present
// member and removing an absent one are no-ops at LinkedIn.
func (c *Connector) Push(ctx context.Context, conn connector.Connection, req connector.PushRequest) (connector.PushResult, error) {
	var res connector.PushResult
	if req.Action != ActionAddToAudience {
		return res, omnify.Invalid("action", "LinkedIn Ads offers only %q, not %q", ActionAddToAudience, req.Action)
	}
	if strings.TrimSpace(req.Destination) == "" {
		return res, omnify.Invalid("destination", "name the audience to push to")
	}
	set, err := parseSettings(conn.Config)
	if err != nil {
		return res, err
	}
	cl, err := c.client(conn)
	if err != nil {
		return res, err
	}
	seg, err := c.audience(ctx, cl, set, strings.TrimSpace(req.Destination))
	if err != nil {
		return res, fmt.Errorf("linkedin push: %w", err)
	}
	res.DestinationID = strconv.FormatInt(seg, 10)
	work := c.confirmed.skip(seg, elements(req, &res), &res, c.now())
	for len(work) > 0 {
		n := min(len(work), MaxUserBatch)
		if err := streamUsers(ctx, cl, seg, work[:n], &res); err != nil {
			return res, fmt.Errorf("linkedin push to audience %d: %w", seg, err)
		}
		c.confirmed.remember(seg, work[:n], c.now())
		work = work[n:]
	}
	return res, nil
}

// elements hashes every member's email; members without one are failures.
func elements(req connector.PushRequest, res *connector.PushResult) []pending {
	var out []pending
	add := func(ms []connector.Member, action string) {
		for _, m := range ms {
			if !plausibleEmail(m.Email) {
				res.Failed = append(res.Failed, connector.PushFailure{CustomerID: m.CustomerID,
					Reason: "LinkedIn: no usable email to match the member on"})
				continue
			}
			out = append(out, pending{customerID: m.CustomerID, el: userElement{Action: action,
				UserIDs: []userID{{IDType: "SHA256_EMAIL", IDValue: HashEmail(m.Email)}}}})
		}
	}
	add(req.Add, "ADD")
	add(req.Remove, "REMOVE")
	return out
}

func plausibleEmail(s string) bool {
	s = strings.TrimSpace(s)
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " \t\r\n")
}

// streamUsers sends one batch and tallies the per-element answers, which
// come back in the order sent.
func streamUsers(ctx context.Context, cl *client, seg int64, batch []pending, res *connector.PushResult) error {
	els := make([]userElement, len(batch))
	for i, p := range batch {
		els[i] = p.el
	}
	var out struct {
		Elements []struct {
			Status int `json:"status"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		} `json:"elements"`
	}
	r := request{method: http.MethodPost, path: "/dmpSegments/" + strconv.FormatInt(seg, 10) + "/users",
		body: map[string]any{"elements": els}, header: map[string]string{"X-RestLi-Method": "BATCH_CREATE"}}
	if _, err := cl.do(ctx, r, &out); err != nil {
		return err
	}
	if len(out.Elements) != len(batch) {
		return fmt.Errorf("LinkedIn answered %d results for %d users: %w", len(out.Elements), len(batch), connector.ErrPermanent)
	}
	for i, el := range out.Elements {
		batch[i].ok = el.Status >= 200 && el.Status < 300
		if !batch[i].ok {
			reason := "LinkedIn refused the member"
			if el.Error != nil && el.Error.Message != "" {
				reason = "LinkedIn: " + el.Error.Message
			}
			res.Failed = append(res.Failed, connector.PushFailure{CustomerID: batch[i].customerID, Reason: reason})
			continue
		}
		if batch[i].el.Action == "ADD" {
			res.Added++
		} else {
			res.Removed++
		}
	}
	return nil
}

// audience returns the DMP segment to push to: a numeric destination is an
// existing segment's ID; a name is looked up among the account's USER
// segments and created when missing. A segment younger than SegmentSettle
// answers with a back-off, so the engine comes back when it takes users.
func (c *Connector) audience(ctx context.Context, cl *client, set settings, dest string) (int64, error) {
	if id, err := strconv.ParseInt(dest, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	acc, err := audienceAccount(ctx, cl, set)
	if err != nil {
		return 0, err
	}
	seg, found, err := findSegment(ctx, cl, acc, dest)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, c.createSegment(ctx, cl, set, acc, dest)
	}
	if age := c.now().Sub(msTime(seg.Created)); age < SegmentSettle {
		return 0, connector.BackOff(SegmentSettle-age+time.Second,
			"LinkedIn needs a few seconds before a new audience takes members", nil)
	}
	return seg.ID, nil
}

// audienceAccount is the configured audience account, else the only
// account (of account_ids, or that the member sees).
func audienceAccount(ctx context.Context, cl *client, set settings) (int64, error) {
	if set.audience != 0 {
		return set.audience, nil
	}
	if len(set.accountIDs) > 0 {
		return set.accountIDs[0], nil
	}
	accs, err := listAccounts(ctx, cl, set)
	if err != nil {
		return 0, err
	}
	if len(accs) != 1 {
		return 0, fmt.Errorf("the member sees %d ad accounts; set audience_account_id: %w", len(accs), connector.ErrInvalidConfig)
	}
	return accs[0].ID, nil
}

// findSegment pages the account's DMP segments for a USER one named name.
func findSegment(ctx context.Context, cl *client, acc int64, name string) (dmpSegment, bool, error) {
	for start := 0; ; start += segmentsPageSize {
		q := query{}.add("q", "account").add("account", accountURN(acc)).
			raw("start", strconv.Itoa(start)).raw("count", strconv.Itoa(segmentsPageSize))
		var p struct {
			Elements []dmpSegment `json:"elements"`
		}
		if err := cl.get(ctx, "/dmpSegments", q, &p); err != nil {
			return dmpSegment{}, false, err
		}
		for _, s := range p.Elements {
			if s.Name == name && s.Type == "USER" {
				return s, true, nil
			}
		}
		if len(p.Elements) < segmentsPageSize {
			return dmpSegment{}, false, nil
		}
	}
}

// createSegment makes the USER segment and asks the engine to come back
// once LinkedIn has it ready.
func (c *Connector) createSegment(ctx context.Context, cl *client, set settings, acc int64, name string) error {
	if set.source == "" {
		return fmt.Errorf("creating audience %q needs config dmp_source_platform (the value LinkedIn assigned): %w",
			name, connector.ErrInvalidConfig)
	}
	body := map[string]any{"name": name, "sourcePlatform": set.source, "account": accountURN(acc),
		"accessPolicy": "PRIVATE", "type": "USER", "destinations": []map[string]string{{"destination": "LINKEDIN"}}}
	h, err := cl.do(ctx, request{method: http.MethodPost, path: "/dmpSegments", body: body}, nil)
	if err != nil {
		return fmt.Errorf("create audience %q: %w", name, err)
	}
	id := h.Get("x-restli-id")
	return connector.BackOff(SegmentSettle+time.Second,
		fmt.Sprintf("created LinkedIn audience %q (DMP segment %s); LinkedIn needs a few seconds before it takes members", name, id), nil)
}
