package linkedin

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/omnify-cloud/omnify/connector"
)

// Page sizes of the cursor finders: LinkedIn defaults to 100; the
// account and campaign searches take up to 1,000, the creatives finder 100.
const (
	pageSize          = 500
	creativesPageSize = 100
)

// Statuses searched for: every status an object can be read in, so a
// paused or finished campaign keeps its history.
var (
	accountStatuses  = rlList{"ACTIVE", "CANCELED", "DRAFT", "PENDING_DELETION"}
	campaignStatuses = rlList{"ACTIVE", "PAUSED", "ARCHIVED", "COMPLETED", "CANCELED", "DRAFT", "PENDING_DELETION"}
)

// FullState is the checkpoint of a full-read stream: the ad account being
// read (accounts go in ascending ID order) and the cursor within it. The
// end of a pass checkpoints an empty state, from which the next read starts
// a new pass.
type FullState struct {
	Account   int64  `json:"account,omitempty"`
	PageToken string `json:"page_token,omitempty"`
	Start     int    `json:"start,omitempty"` // offset finders (audiences)
}

// searchPage is a cursor finder's answer.
type searchPage struct {
	Elements []json.RawMessage `json:"elements"`
	Metadata struct {
		NextPageToken string `json:"nextPageToken"`
	} `json:"metadata"`
}

// Read emits stream's records from state.
func (c *Connector) Read(ctx context.Context, conn connector.Connection, stream string, state json.RawMessage, e connector.Emitter) error {
	if !slices.ContainsFunc(streamDefs, func(s connector.Stream) bool { return s.Name == stream }) {
		return fmt.Errorf("linkedin read %q: %w", stream, connector.ErrUnknownStream)
	}
	set, err := parseSettings(conn.Config)
	if err != nil {
		return err
	}
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	if stream == StreamAdAnalytics {
		return c.readAnalytics(ctx, cl, set, state, e)
	}
	var st FullState
	if len(state) > 0 && string(state) != "null" {
		if err := json.Unmarshal(state, &st); err != nil {
			return fmt.Errorf("linkedin read %s: saved state: %w", stream, err)
		}
	}
	if err := c.readFull(ctx, cl, set, stream, st, e); err != nil {
		return fmt.Errorf("linkedin read %s: %w", stream, err)
	}
	return nil
}

func (c *Connector) readFull(ctx context.Context, cl *client, set settings, stream string, st FullState, e connector.Emitter) error {
	if stream == StreamAdAccounts {
		if err := readPages(ctx, cl, "/adAccounts", accountSearch(set), pageSize, st, e, mapAccount); err != nil {
			return err
		}
		return checkpoint(ctx, e, FullState{})
	}
	accounts, err := listAccounts(ctx, cl, set)
	if err != nil {
		return err
	}
	for _, acc := range accounts {
		if acc.ID < st.Account {
			continue
		}
		if acc.ID > st.Account {
			st = FullState{Account: acc.ID}
		}
		if err := c.readAccountStream(ctx, cl, stream, acc, st, e); err != nil {
			return err
		}
	}
	return checkpoint(ctx, e, FullState{})
}

func (c *Connector) readAccountStream(ctx context.Context, cl *client, stream string, acc adAccount, st FullState, e connector.Emitter) error {
	base := "/adAccounts/" + strconv.FormatInt(acc.ID, 10)
	search := query{}.add("q", "search").add("search", rlRecord{{"status", rlRecord{{"values", campaignStatuses}}}})
	switch stream {
	case StreamCampaignGroups:
		return readPages(ctx, cl, base+"/adCampaignGroups", search, pageSize, st, e, mapGroup)
	case StreamCampaigns:
		return readPages(ctx, cl, base+"/adCampaigns", search, pageSize, st, e, mapCampaign)
	case StreamCreatives:
		return readCreatives(ctx, cl, base, st, e)
	}
	return readAudiences(ctx, cl, acc, st, e)
}

// readPages walks a cursor finder from st, emitting each element through
// mapFn and checkpointing after every page.
func readPages(ctx context.Context, cl *client, path string, q query, size int, st FullState, e connector.Emitter,
	mapFn func(json.RawMessage) (connector.Record, error)) error {
	return walkPages(ctx, cl, path, q, size, st, e, func(elems []json.RawMessage) error {
		return emitAll(ctx, e, elems, mapFn)
	})
}

// walkPages fetches pages from st.PageToken and hands each to fn before
// checkpointing past it.
func walkPages(ctx context.Context, cl *client, path string, q query, size int, st FullState, e connector.Emitter,
	fn func([]json.RawMessage) error) error {
	for {
		pq := append(query{}, q...).raw("pageSize", strconv.Itoa(size))
		if st.PageToken != "" {
			pq = pq.add("pageToken", st.PageToken)
		}
		var p searchPage
		if err := cl.get(ctx, path, pq, &p); err != nil {
			return err
		}
		if err := fn(p.Elements); err != nil {
			return err
		}
		st.PageToken = p.Metadata.NextPageToken
		if st.PageToken == "" {
			return nil
		}
		if e == nil { // a lookup, not a stream read
			continue
		}
		if err := checkpoint(ctx, e, st); err != nil {
			return err
		}
	}
}

func emitAll(ctx context.Context, e connector.Emitter, elems []json.RawMessage, mapFn func(json.RawMessage) (connector.Record, error)) error {
	for _, raw := range elems {
		rec, err := mapFn(raw)
		if err != nil {
			return fmt.Errorf("%w: %w", err, connector.ErrPermanent)
		}
		if err := e.Record(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

func checkpoint(ctx context.Context, e connector.Emitter, st any) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("linkedin: encode state: %w", err)
	}
	return e.Checkpoint(ctx, raw)
}

func accountSearch(set settings) query {
	search := rlRecord{{"status", rlRecord{{"values", accountStatuses}}}}
	if len(set.accountIDs) > 0 {
		ids := make(rlList, len(set.accountIDs))
		for i, id := range set.accountIDs {
			ids[i] = id
		}
		search = append(search, rlField{"id", rlRecord{{"values", ids}}})
	}
	return query{}.add("q", "search").add("search", search)
}

// listAccounts returns the ad accounts to read, in ascending ID order.
func listAccounts(ctx context.Context, cl *client, set settings) ([]adAccount, error) {
	var out []adAccount
	err := walkPages(ctx, cl, "/adAccounts", accountSearch(set), pageSize, FullState{}, nil, func(elems []json.RawMessage) error {
		for _, raw := range elems {
			var a adAccount
			if err := json.Unmarshal(raw, &a); err != nil {
				return fmt.Errorf("decode ad account: %w: %w", err, connector.ErrPermanent)
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b adAccount) int { return cmpInt(a.ID, b.ID) })
	return out, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// segmentsPageSize is the count asked of the dmpSegments offset finder.
const segmentsPageSize = 100

// readAudiences pages the account's DMP segments by start and count.
func readAudiences(ctx context.Context, cl *client, acc adAccount, st FullState, e connector.Emitter) error {
	for {
		q := query{}.add("q", "account").add("account", accountURN(acc.ID)).
			raw("start", strconv.Itoa(st.Start)).raw("count", strconv.Itoa(segmentsPageSize))
		var p struct {
			Elements []json.RawMessage `json:"elements"`
			Paging   struct {
				Total *int `json:"total"`
			} `json:"paging"`
		}
		if err := cl.get(ctx, "/dmpSegments", q, &p); err != nil {
			return err
		}
		if err := emitAll(ctx, e, p.Elements, mapSegment); err != nil {
			return err
		}
		st.Start += len(p.Elements)
		if len(p.Elements) < segmentsPageSize || (p.Paging.Total != nil && st.Start >= *p.Paging.Total) {
			return nil
		}
		if err := checkpoint(ctx, e, st); err != nil {
			return err
		}
	}
}
